/**
 * npm run invoke -- <LogicalId> -e <event.json> [--env-vars <env.json>] [--token <token> | --mint-token]
 *                   [--subject <id>] [--expires-in <seconds>] [--template <template.yaml>] [--runtime auto|ric|node]
 *
 * The contract of `sam local invoke`: the response JSON on stdout, the function's logs on stderr,
 * a non-zero exit on a function error. `--token` puts an access token where Alexa puts it for the
 * event's skill family; `--mint-token` mints one for the function's own JWT_SECRET.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mintAccessToken, withAccessToken } from '../lib/testing';
import { invokeFunction } from './local-invoke/invoke-function';
import { describeRuntimeChoice } from './local-invoke/runtime';
import { loadFunction, type EnvVarsFile } from './local-invoke/template';

const USAGE =
  'usage: npm run invoke -- <LogicalId> -e <event.json> [--env-vars <env.json>] [--token <token> | --mint-token [--subject <id>] [--expires-in <s>]] [--template <file>] [--runtime auto|ric|node]';

const OPTIONS = {
  event: { type: 'string', short: 'e' },
  'env-vars': { type: 'string', short: 'n' },
  template: { type: 'string', short: 't', default: 'template.yaml' },
  token: { type: 'string' },
  'mint-token': { type: 'boolean', default: false },
  subject: { type: 'string', default: 'rider-42' },
  name: { type: 'string', default: 'Ada' },
  'expires-in': { type: 'string', default: '3600' },
  runtime: { type: 'string', default: 'auto' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `--token <value>` as `--token=<value>`, for every option that takes a value: node's parseArgs
 * refuses a separate value that starts with "-", and opaque access tokens (and `--expires-in -600`)
 * may well start with one.
 */
export function joinOptionValues(
  args: readonly string[],
  options: Record<string, { type: string }> = OPTIONS,
): string[] {
  const takesValue = new Set(
    Object.entries(options)
      .filter(([, option]) => option.type === 'string')
      .map(([name]) => `--${name}`),
  );
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      joined.push(...args.slice(i));
      break;
    }
    if (takesValue.has(arg) && i + 1 < args.length) {
      joined.push(`${arg}=${args[++i]}`);
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinOptionValues(argv),
    allowPositionals: true,
    options: OPTIONS,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const logicalId = positionals[0];
  if (!logicalId || !values.event) throw new UsageError(USAGE);
  if (values.token !== undefined && values['mint-token']) throw new UsageError('use --token or --mint-token, not both');
  const runtime = values.runtime as 'auto' | 'ric' | 'node';
  if (!['auto', 'ric', 'node'].includes(runtime)) throw new UsageError('--runtime is auto, ric or node');

  const envVars = values['env-vars'] ? (readJson(values['env-vars']) as EnvVarsFile) : undefined;
  let event = readJson(values.event);
  if (values.token !== undefined) event = withAccessToken(event, values.token);
  if (values['mint-token']) {
    const env = loadFunction(values.template, logicalId, envVars).environment;
    event = withAccessToken(event, mintForFunction(env, values.subject, values.name, Number(values['expires-in'])));
  }

  const choice = describeRuntimeChoice(runtime);
  process.stderr.write(`invoke: running ${logicalId} with ${choice.why}\n`);
  const result = await invokeFunction({ templatePath: values.template, logicalId, event, envVars, runtime });
  process.stdout.write(`${JSON.stringify(result.ok ? result.response : result.error, null, 2)}\n`);
  return result.ok ? 0 : 1;
}

/** A token the function's own JWT configuration accepts (HS* secrets only: a public key cannot sign). */
export function mintForFunction(
  env: Record<string, string>,
  subject: string,
  name: string,
  expiresInSeconds: number,
): string {
  if (!env.JWT_SECRET)
    throw new UsageError(
      '--mint-token needs JWT_SECRET in the function environment (e.g. --env-vars events/env.local.json)',
    );
  if (!Number.isFinite(expiresInSeconds)) throw new UsageError('--expires-in is a number of seconds');
  const algorithm = (env.JWT_ALGORITHMS?.split(',')[0]?.trim() || 'HS256') as 'HS256';
  return mintAccessToken({
    key: env.JWT_SECRET,
    algorithm,
    issuer: env.JWT_ISSUER.split(',')[0].trim(),
    audience: env.JWT_AUDIENCE.split(',')[0].trim(),
    subject,
    expiresInSeconds,
    claims: { name },
  });
}

class UsageError extends Error {}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read JSON from ${file}: ${(error as Error).message}`);
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`invoke: ${error instanceof UsageError ? error.message : (error as Error).stack}\n`);
      process.exit(2);
    },
  );
}
