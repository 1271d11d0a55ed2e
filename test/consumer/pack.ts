/**
 * The package packed once per test run (`npm pack`, which rebuilds dist/), shared by the consumer
 * tests: two packs at once in parallel jest workers would rebuild dist/ under each other.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
/** A lock older than this is a crashed run's: taken over. */
const STALE_LOCK_MS = 10 * 60_000;

export interface Packed {
  /** The tarball's absolute path. */
  tarball: string;
  /** Its file name, e.g. `ask-sdk-account-linking-0.1.0.tgz`. */
  filename: string;
  /** The paths of the files in it. */
  files: string[];
}

/**
 * The tarball of this test run (jest's workers share the `JEST_RUN_ID` jest.config.js sets), packed
 * by whichever consumer test asks first while the others wait on a lock directory.
 */
export async function packedTarball(): Promise<Packed> {
  const dir = path.join(os.tmpdir(), `ask-sdk-account-linking-pack-${process.env.JEST_RUN_ID ?? process.pid}`);
  const lock = `${dir}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmdirSync(lock);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    const record = path.join(dir, 'packed.json');
    if (existsSync(record)) return JSON.parse(readFileSync(record, 'utf8')) as Packed;
    mkdirSync(dir, { recursive: true });
    const env = {
      ...process.env,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      npm_config_loglevel: 'error',
    };
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const result: Packed = {
      tarball: path.join(dir, packed.filename),
      filename: packed.filename,
      files: packed.files.map((file) => file.path),
    };
    writeFileSync(record, JSON.stringify(result));
    return result;
  } finally {
    rmdirSync(lock);
  }
}
