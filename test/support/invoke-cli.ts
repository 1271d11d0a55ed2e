/** Runs `npm run invoke` (scripts/invoke.ts, through tsx) as a user would, and reads what it printed. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface Invocation {
  code: number;
  reply: any;
  logs: string;
}

export async function invokeCli(logicalId: string, eventFile: string, ...args: string[]): Promise<Invocation> {
  try {
    const { stdout, stderr } = await run(TSX, ['scripts/invoke.ts', logicalId, '-e', eventFile, ...args], {
      cwd: ROOT,
      timeout: 60_000,
    });
    return { code: 0, reply: JSON.parse(stdout), logs: stderr };
  } catch (error: any) {
    if (typeof error.code !== 'number') throw error;
    return { code: error.code, reply: error.stdout ? JSON.parse(error.stdout) : undefined, logs: error.stderr };
  }
}

/** The local development environment of a function, from events/env.local.json. */
export function localEnvironment(logicalId: string): Record<string, string> {
  return JSON.parse(readFileSync(path.join(ROOT, 'events/env.local.json'), 'utf8'))[logicalId];
}

export const ricInstalled = (() => {
  try {
    require.resolve('aws-lambda-ric/package.json');
    return true;
  } catch {
    return false;
  }
})();
