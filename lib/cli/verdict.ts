/**
 * `ask-sdk-account-linking verdict`: what a skill configured by these environment variables would
 * answer to this access token — the verdict, its reason, the reply of each skill family, and what
 * to change — without printing the token.
 */
import { readFile } from 'node:fs/promises';
import { SkillBuilders } from 'ask-sdk-core';
import { withAccountLinking } from '../with-account-linking';
import { directiveSkillBuilder } from '../directive';
import { CannotDecideError, ConfigurationError } from '../errors';
import { fingerprint, redactReason, type Logger } from '../logging';
import { musicSkillBuilder } from '../music';
import { getPlayableContentRequest, launchRequest, powerControllerDirective } from '../testing';
import { verifierFromEnvironment } from '../verification/environment';
import type { TokenVerdict, TokenVerifier } from '../verification/verifier';
import type { CommandIo } from './command-io';
import { printable } from './findings';
import { environmentFrom, parseOptions, UsageError, type Options } from './verdict-options';

/** What the command reads and writes: the process's, or a test's (files included). */
export interface VerdictIo {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The whole of standard input, when the token is to be read from it. */
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
  write(text: string): void;
  writeError(text: string): void;
}

/** The verdict and the replies, as `--json` prints them. */
export interface VerdictReport {
  /** A short SHA-256 fingerprint of the token (never the token). */
  tokenFingerprint: string;
  verifier: string;
  outcome: 'valid' | 'invalid' | 'expired' | 'could not decide';
  reason?: string;
  /** For invalid or expired: whether no fault of ours could produce it (answered at once) or it is suspected (confirmed later). */
  rejection?: 'self-evident' | 'suspected';
  /** For valid: the linked user's subject. */
  subject?: string;
  expiresAt?: string;
  /** What to change or check, in an operator's words. */
  check?: string;
  /** The reply of each family once the verdict stands (for a rejection: once the unlinking policy confirms it). */
  replies: { custom: string; directive: string; music: string };
  /** For a rejection: what a deployed skill answers until the unlinking policy confirms it. */
  untilConfirmed?: { custom: string; directive: string; music: string };
}

/** The exit code of a usage error (as every subcommand's). */
const USAGE_ERROR = 2;
/** The exit code of "could not decide". */
const COULD_NOT_DECIDE = 3;
/** How long the verifier may take on the token (its signal and its deadline). */
const VERIFIER_TIMEOUT_MS = 5000;

const USAGE = `Usage: ask-sdk-account-linking verdict [options]

Says what a skill configured by the environment would answer to an access token.
The token is read from --token-file, or standard input; --token also works, but a
command line is kept in the shell's history and shown by ps.

Options:
  --token-file <file>   read the access token from a file
  --token <token>       the access token itself (prefer a file or standard input)
  --env-file <file>     environment variables as JSON, over the process's own: a flat
                        object, or SAM's --env-vars format with --function
  --function <id>       the function whose variables to take from a SAM env-vars file
  --json                print the report as JSON
  --help                print this

Exit code: 0 valid, 1 invalid or expired, 2 a usage error, 3 could not decide.
`;

/** The subcommand, as `ask-sdk-account-linking verdict` runs it. */
export function run(args: readonly string[], io: CommandIo): Promise<number> {
  return verdictCommand({
    argv: args,
    env: io.env,
    readStdin: io.readStdin,
    readFile: (file) => readFile(file, 'utf8'),
    write: io.stdout,
    writeError: io.stderr,
  });
}

/** Runs the command; answers its exit code. */
export async function verdictCommand(io: VerdictIo): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(io.argv);
  } catch (error) {
    io.writeError(`${(error as Error).message}\n\n${USAGE}`);
    return USAGE_ERROR;
  }
  if (options.help) {
    io.write(USAGE);
    return 0;
  }
  let token: string;
  let env: Record<string, string | undefined>;
  try {
    env = {
      ...io.env,
      ...(options.envFile !== undefined
        ? environmentFrom(
            await read(() => io.readFile(options.envFile!), 'the file given to --env-file'),
            options.functionId,
          )
        : {}),
    };
    token = (
      options.token ??
      (options.tokenFile !== undefined
        ? await read(() => io.readFile(options.tokenFile!), 'the file given to --token-file')
        : await read(() => io.readStdin(), 'standard input'))
    ).trim();
    if (token === '') throw new UsageError('No access token: give --token-file, standard input or --token');
  } catch (error) {
    io.writeError(
      `${error instanceof UsageError || error instanceof ConfigurationError ? error.message : 'Could not read the input'}\n`,
    );
    return USAGE_ERROR;
  }
  let verifier: TokenVerifier<unknown>;
  try {
    verifier = verifierFromEnvironment(env);
  } catch (error) {
    io.writeError(
      `The verifier cannot be built from these variables: ${redactReason((error as Error).message, token)}\n`,
    );
    return USAGE_ERROR;
  }
  const report = await judge(token, verifier, env);
  io.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
  return report.outcome === 'valid' ? 0 : report.outcome === 'could not decide' ? COULD_NOT_DECIDE : 1;
}

/**
 * What `readText` read; when it fails, a usage error naming `what` and the error's code only: Node's
 * message quotes the path, and a token given in place of a file name would be printed.
 */
async function read(readText: () => Promise<string>, what: string): Promise<string> {
  try {
    return await readText();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code;
    throw new UsageError(`Could not read ${what}${typeof code === 'string' ? ` (${printable(code, 20)})` : ''}`);
  }
}

/** The verdict on `token`, and the replies each family's gate gives on it. */
export async function judge(
  token: string,
  verifier: TokenVerifier<unknown>,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<VerdictReport> {
  const kind = env.TOKEN_VERIFIER?.trim() || 'jwt';
  const base = { tokenFingerprint: fingerprint(token), verifier: `TOKEN_VERIFIER=${kind}` };
  let verdict: TokenVerdict<unknown>;
  try {
    verdict = await verifier.verify(token, {
      family: 'custom',
      signal: AbortSignal.timeout(VERIFIER_TIMEOUT_MS),
      deadline: new Date(Date.now() + VERIFIER_TIMEOUT_MS),
    });
  } catch (error) {
    const decided = error instanceof CannotDecideError;
    const report: VerdictReport = {
      ...base,
      outcome: 'could not decide',
      reason: decided
        ? error.reason
        : `${(error as Error)?.name ?? 'Error'}: ${redactReason(String((error as Error)?.message ?? error), token)}`,
      check: decided
        ? redactReason(error.check, token)
        : "The verifier failed: read the reason, and the verifier's settings",
      replies: await replies(token, () => Promise.reject(error)),
    };
    return report;
  }
  const settled = () => Promise.resolve(verdict);
  if (verdict.outcome === 'valid') {
    const subject = (verdict.principal as { subject?: unknown } | undefined)?.subject;
    return {
      ...base,
      outcome: 'valid',
      ...(typeof subject === 'string' ? { subject } : {}),
      ...(verdict.expiresAt ? { expiresAt: verdict.expiresAt.toISOString() } : {}),
      replies: await replies(token, settled),
    };
  }
  return {
    ...base,
    outcome: verdict.outcome,
    ...(verdict.outcome === 'invalid' ? { reason: redactReason(verdict.reason, token) } : {}),
    rejection: verdict.selfEvident ? 'self-evident' : 'suspected',
    check: verdict.selfEvident
      ? 'No fault of ours can produce this verdict: the user must link again.'
      : "A fault of ours (a setting, a key, a clock) could produce this verdict too: a deployed skill answers it only once the unlinking policy confirms it. If genuine users get it, compare the verifier's settings with the authorization server's.",
    replies: await replies(token, settled),
    untilConfirmed: await replies(token, () =>
      Promise.reject(new CannotDecideError('held', 'held by the unlinking policy')),
    ),
  };
}

/** Each family's reply when its gate's verifier answers `verify()`. */
async function replies(token: string, verify: () => Promise<TokenVerdict<unknown>>): Promise<VerdictReport['replies']> {
  const verifier: TokenVerifier<unknown> = { verify };
  const options = { verifier, unlinking: false as const, metrics: false as const, logger: SILENT };
  const custom = withAccountLinking(SkillBuilders.custom(), options)
    .addRequestHandlers({
      canHandle: () => true,
      handle: (input) => input.responseBuilder.speak('(your handlers run)').getResponse(),
    })
    .create();
  const directive = withAccountLinking(directiveSkillBuilder().withLogger(SILENT), options)
    .addDirectiveHandler('Alexa.PowerController', 'TurnOn', (input) => input.reply.response())
    .create();
  const music = withAccountLinking(musicSkillBuilder().withLogger(SILENT), options)
    .addMusicHandler(
      'Alexa.Media.Search',
      'GetPlayableContent',
      () => ({ header: { name: 'GetPlayableContent.Response' }, payload: {} }) as never,
    )
    .create();
  return {
    custom: describeCustom(await custom.invoke(launchRequest({ accessToken: token }))),
    directive: describeEvent(await directive.invoke(powerControllerDirective('TurnOn', { accessToken: token }))),
    music: describeEvent(
      await music.invoke(getPlayableContentRequest([{ type: 'MEDIA_TYPE', value: 'STATION' }], { accessToken: token })),
    ),
  };
}

function describeCustom(envelope: unknown): string {
  const response =
    (envelope as { response?: { card?: { type?: string }; outputSpeech?: { ssml?: string } } }).response ?? {};
  const speech = response.outputSpeech?.ssml?.replace(/<\/?speak>/g, '') ?? '';
  if (speech === '(your handlers run)') return 'your handlers run, with the linked user';
  return `${response.card?.type === 'LinkAccount' ? 'a LinkAccount card and ' : 'no card, '}the speech "${speech}"`;
}

function describeEvent(envelope: unknown): string {
  const message = envelope as {
    event?: { header?: { name?: string }; payload?: { type?: string } };
    header?: { name?: string };
    payload?: { type?: string };
  };
  const header = message.event?.header ?? message.header;
  const payload = message.event?.payload ?? message.payload;
  if (header?.name === 'ErrorResponse') return `ErrorResponse ${payload?.type}`;
  return 'your handlers run, with the linked user';
}

/** The report as text, one thing a line. */
export function describe(report: VerdictReport): string {
  const lines = [
    `token ${report.tokenFingerprint} (fingerprint), verified by ${report.verifier}`,
    `verdict: ${report.outcome}${report.reason ? ` (${report.reason})` : ''}${report.rejection ? `, ${report.rejection}` : ''}`,
  ];
  if (report.subject)
    lines.push(`linked user: ${report.subject}${report.expiresAt ? `, token expires ${report.expiresAt}` : ''}`);
  lines.push(report.untilConfirmed ? 'replies, once the unlinking policy confirms the rejection:' : 'replies:');
  lines.push(...familyLines(report.replies));
  if (report.untilConfirmed) {
    lines.push(
      report.rejection === 'self-evident'
        ? 'until a token is accepted under this configuration somewhere in the fleet (then at once):'
        : 'until then (the same token rejected again, on fresh knowledge, after the confirmation delay):',
    );
    lines.push(...familyLines(report.untilConfirmed));
  }
  if (report.check) lines.push(`what to check: ${report.check}`);
  // A reason can quote a server (an introspection answer): no control characters reach the terminal.
  return `${lines.map((line) => printable(line, Infinity)).join('\n')}\n`;
}

function familyLines(replies: VerdictReport['replies']): string[] {
  return [
    `  custom skill:                  ${replies.custom}`,
    `  smart home, video, meetings:   ${replies.directive}`,
    `  music:                         ${replies.music}`,
  ];
}

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };
