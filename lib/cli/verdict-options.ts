/** The arguments and the env file of `ask-sdk-account-linking verdict`, read into its options. */
import { echoable } from './findings';

export interface Options {
  token?: string;
  tokenFile?: string;
  envFile?: string;
  functionId?: string;
  json: boolean;
  help: boolean;
}

/** A usage error: its message names the option, never a value. */
export class UsageError extends Error {}

export function parseOptions(argv: readonly string[]): Options {
  const options: Options = { json: false, help: false };
  const valued = {
    '--token': 'token',
    '--token-file': 'tokenFile',
    '--env-file': 'envFile',
    '--function': 'functionId',
  } as const;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].startsWith('--') && argv[i].includes('=')
        ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)]
        : [argv[i], undefined];
    if (flag === '--json') options.json = true;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else if (Object.hasOwn(valued, flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      options[valued[flag as keyof typeof valued]] = value;
    } else if (flag === '-')
      continue; // standard input, the default
    // Repeated only when it reads as an option's name: a token pasted here is not echoed back.
    else
      throw new UsageError(
        `Unknown option ${flag.startsWith('-') && echoable(flag) ? flag : '(not repeated: it is not an option name)'}`,
      );
  }
  if (options.token !== undefined && options.tokenFile !== undefined)
    throw new UsageError('Give the token once: --token or --token-file');
  return options;
}

/** The variables of an env file: a flat object, or SAM's `{ "Parameters": {...}, "<LogicalId>": {...} }` with `functionId`. */
export function environmentFrom(text: string, functionId: string | undefined): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError('The env file is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError('The env file is not a JSON object');
  const file = parsed as Record<string, unknown>;
  const nested = Object.values(file).some((entry) => typeof entry === 'object' && entry !== null);
  if (!nested) return strings(file);
  if (functionId === undefined)
    throw new UsageError(
      `The env file is in SAM's format: say which function with --function (${Object.keys(file)
        .filter((key) => key !== 'Parameters')
        .join(', ')})`,
    );
  if (!Object.hasOwn(file, functionId) || typeof file[functionId] !== 'object' || file[functionId] === null)
    throw new UsageError('The env file has no function of the name given to --function');
  return { ...strings(file.Parameters ?? {}), ...strings(file[functionId]) };
}

function strings(entries: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entries as Record<string, unknown>)
      .filter(([, value]) => typeof value === 'string' || typeof value === 'number')
      .map(([key, value]) => [key, String(value)]),
  );
}
