/** The arguments of `ask-sdk-account-linking check-server`, and the environment they make with --env-file. */
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors';
import type { Environment } from '../verification/environment';
import { echoable } from './findings';

export interface Options {
  json: boolean;
  envFile?: string;
  functionName?: string;
  refreshTokenFile?: string;
  codeFile?: string;
  codeRedirectUri?: string;
  reuseAfterSeconds: number;
  help: boolean;
}

/** A usage error: its message names the option, never a value. */
export class UsageError extends Error {}

export function parseArguments(args: readonly string[]): Options {
  const options: Options = { json: false, reuseAfterSeconds: 2, help: false };
  for (let i = 0; i < args.length; i += 1) {
    // --option value, or --option=value
    const equals = args[i].startsWith('--') ? args[i].indexOf('=') : -1;
    const arg = equals > 0 ? args[i].slice(0, equals) : args[i];
    const inline = equals > 0 ? args[i].slice(equals + 1) : undefined;
    const valueOf = () => {
      if (inline !== undefined) return inline;
      const value = args[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2))
        throw new UsageError(`${arg} needs a value`);
      i += 1;
      return value;
    };
    const flag = () => {
      if (inline !== undefined) throw new UsageError(`${arg} takes no value`);
      return true;
    };
    switch (arg) {
      case '--json':
        options.json = flag();
        break;
      case '-h':
      case '--help':
        options.help = flag();
        break;
      case '--env-file':
        options.envFile = valueOf();
        break;
      case '--function':
        options.functionName = valueOf();
        break;
      case '--refresh-token-file':
        options.refreshTokenFile = valueOf();
        break;
      case '--code-file':
        options.codeFile = valueOf();
        break;
      case '--code-redirect-uri':
        options.codeRedirectUri = valueOf();
        break;
      case '--reuse-after': {
        const value = valueOf();
        const seconds = Number(value);
        if (!/^\d+(\.\d+)?$/.test(value) || seconds > 600)
          throw new UsageError('--reuse-after takes a number of seconds, 0 to 600');
        options.reuseAfterSeconds = seconds;
        break;
      }
      default:
        // A token or secret pasted as an argument (or after --option=) is not echoed back.
        throw new UsageError(
          arg.startsWith('-')
            ? `Unknown option ${echoable(arg) ? arg : '(not repeated: it is not an option name)'}`
            : 'Unexpected argument (secrets and tokens go in files or stdin, never on the command line)',
        );
    }
  }
  return options;
}

/** The environment, with an --env-file's variables winning over it. */
export function environmentOf(options: Options, env: Environment): Environment {
  if (options.envFile === undefined) {
    if (options.functionName !== undefined) throw new UsageError('--function goes with --env-file');
    return env;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(options.envFile, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(
      `The file given to --env-file is not a readable JSON file (${(error as NodeJS.ErrnoException).code ?? 'not JSON'})`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigurationError('The file given to --env-file is not a JSON object');
  const entries = Object.entries(parsed as Record<string, unknown>);
  const nested = entries.some(([, value]) => value !== null && typeof value === 'object');
  let variables: Record<string, unknown>;
  if (nested) {
    const functions = entries
      .filter(([name, value]) => name !== 'Parameters' && value !== null && typeof value === 'object')
      .map(([name]) => name);
    if (options.functionName === undefined)
      throw new UsageError(
        `The file given to --env-file has one object per function: choose one with --function (${functions.join(', ')})`,
      );
    const fn = Object.hasOwn(parsed, options.functionName)
      ? (parsed as Record<string, unknown>)[options.functionName]
      : undefined;
    if (fn === null || typeof fn !== 'object')
      throw new ConfigurationError(
        `The file given to --env-file has no function of the name given to --function (it has ${functions.join(', ') || 'none'})`,
      );
    const shared = (parsed as Record<string, unknown>).Parameters;
    variables = { ...(shared !== null && typeof shared === 'object' ? shared : {}), ...(fn as object) };
  } else {
    variables = parsed as Record<string, unknown>;
  }
  const fromFile: Environment = {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      fromFile[name] = String(value);
  }
  return { ...env, ...fromFile };
}
