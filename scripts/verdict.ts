/**
 * npm run verdict -- <LogicalId> [--env-vars <env.json>] [--template <template.yaml>] [--token-file <file> | --token <t>] [--json]
 *
 * What a function of the SAM template would answer to an access token: its environment resolved
 * as `npm run invoke` resolves it (the template's variables, its Parameters' defaults, the env-vars
 * file over them), then the package's `verdict` command on it. The token is read from
 * --token-file or standard input (or --token); it is never printed.
 */
import { readFile } from 'node:fs/promises';
import { verdictCommand } from '../lib/cli/verdict';
import { loadFunction, type EnvVarsFile } from './local-invoke/template';

const USAGE =
  'usage: npm run verdict -- <LogicalId> [--env-vars <env.json>] [--template <file>] [--token-file <file> | --token <token>] [--json]';

async function main(args: string[]): Promise<number> {
  const [logicalId, ...rest] = args;
  if (!logicalId || logicalId.startsWith('-')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let template = 'template.yaml';
  let envVars: EnvVarsFile | undefined;
  const forwarded: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const [flag, inline] = rest[i].includes('=')
      ? [rest[i].slice(0, rest[i].indexOf('=')), rest[i].slice(rest[i].indexOf('=') + 1)]
      : [rest[i], undefined];
    if (flag === '--template' || flag === '--env-vars') {
      const value = inline ?? rest[++i];
      if (value === undefined) {
        process.stderr.write(`${flag} needs a value\n${USAGE}\n`);
        return 2;
      }
      if (flag === '--template') template = value;
      else envVars = JSON.parse(await readFile(value, 'utf8')) as EnvVarsFile;
    } else {
      forwarded.push(rest[i]);
    }
  }
  const fn = loadFunction(template, logicalId, envVars);
  return verdictCommand({
    argv: forwarded,
    env: fn.environment,
    readStdin: async () => {
      let text = '';
      for await (const chunk of process.stdin) text += chunk;
      return text;
    },
    readFile: (file) => readFile(file, 'utf8'),
    write: (text) => void process.stdout.write(text),
    writeError: (text) => void process.stderr.write(text),
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`verdict: ${(error as Error)?.message ?? error}\n`);
    process.exitCode = 2;
  },
);
