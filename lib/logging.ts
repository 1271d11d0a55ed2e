/**
 * Token-safe logging through any `debug`/`info`/`warn`/`error` object (Powertools' Logger,
 * `console`, {@link createJsonLogger}): tokens appear only as {@link fingerprint}s.
 */
import { createHash, hash } from 'node:crypto';
import { AccountLinkingError } from './errors';
import { writeStdout } from './stdout';

/**
 * What the toolkit logs through: a message and structured fields (never a token) at four levels.
 * Powertools' `Logger`, `console` and {@link createJsonLogger} fit.
 */
export interface Logger {
  /** When true, the gate also logs each request envelope, redacted, at debug level. */
  readonly debugEnabled?: boolean | undefined;
  /** Detail for a developer: the redacted envelope, a verifier's own messages. */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** The one line per gated request (its decision), and what went as it should. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Something an operator may want to look at, that did not stop a reply. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** What an operator must act on: "could not decide" for a reason about us (once per container and reason), an unlink guard hold. */
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The levels of {@link createJsonLogger}, lowest first; `silent` writes nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * A short, stable, non-reversible name for an access token: the first 12 hex digits of its
 * SHA-256. Enough to tell tokens apart in logs, useless for calling an API.
 */
export function fingerprint(accessToken: string): string {
  return tokenDigest(accessToken).toString('hex', 0, 6);
}

/** The last token {@link tokenDigest} hashed, and its digest. */
let lastToken: string | undefined;
let lastDigest: Buffer | undefined;

/**
 * The SHA-256 of an access token, as 32 bytes: what {@link fingerprint} shortens and what the
 * verdict cache (`CachingVerifier`) keys its verdicts by. It remembers the one token it hashed
 * last, so the verdict cache, the unlink guard and the decision log line hash a request's token
 * once between them (a hash costs ~1 µs; comparing the same string to itself, nothing). Only the
 * last token is kept, no more than the request itself holds. The Buffer is shared: read it, never
 * write to it.
 */
export function tokenDigest(accessToken: string): Buffer {
  if (accessToken !== lastToken || lastDigest === undefined) {
    // crypto.hash (Node 20.12+): one call, no Hash object; a third cheaper per request than createHash.
    lastDigest =
      typeof hash === 'function'
        ? hash('sha256', accessToken, 'buffer')
        : createHash('sha256').update(accessToken).digest();
    lastToken = accessToken;
  }
  return lastDigest;
}

/**
 * A verifier's `reason`, fit for a log line and a metric: one line, at most 60 characters. The
 * shipped verifiers' reasons are fixed strings; a custom verifier's could be anything (even, by
 * mistake, a token), so the gate and the unlink guard log it only this way.
 */
export function loggableReason(reason: string): string {
  const oneLine =
    String(reason)
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .trim() || 'unspecified';
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}

/**
 * A verifier's `reason` with the request's access token taken out of it, before anything logs it or
 * hands it on: the token itself, any piece of it of 8 characters or more, and any run of 24 or more
 * token-like characters (base64url, JWT dots, `+/=~`) become `[redacted]`. A custom verifier's reason
 * is untrusted text: it may quote the token it rejected.
 */
export function redactReason(reason: string, accessToken: string): string {
  return String(reason).replace(/[A-Za-z0-9._~+/=-]{8,}/g, (word) =>
    word.length >= 24 || accessToken.includes(word) || word.includes(accessToken) ? '[redacted]' : word,
  );
}

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** Lowest level written. Default: `$LOG_LEVEL`, else `info`. */
  level?: LogLevel | undefined;
  /** Where lines go. Default: {@link writeStdout}, at once to stdout's fd (one JSON object a line, as CloudWatch likes). */
  write?: ((line: string) => void) | undefined;
}

/** One JSON object a line: `{"level","message","timestamp",...fields}`. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const level = options.level ?? parseLogLevel(process.env.LOG_LEVEL) ?? 'info';
  const write = options.write ?? writeStdout;
  const threshold = LEVELS[level];
  const log = (at: Exclude<LogLevel, 'silent'>) => {
    const upper = at.toUpperCase();
    return (message: string, fields?: Record<string, unknown>) => {
      if (LEVELS[at] < threshold) return;
      write(`${JSON.stringify({ level: upper, message, timestamp: isoTimestamp(), ...fields })}\n`);
    };
  };
  return {
    debugEnabled: threshold <= LEVELS.debug,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}

let lastMs = NaN;
let lastIso = '';
/** `new Date().toISOString()`, formatted once per millisecond: a warm function logs many lines in one. */
function isoTimestamp(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/** A {@link LogLevel} from text such as `$LOG_LEVEL` (any letter case, white space around); undefined if it names none. */
export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const level = value?.trim().toLowerCase();
  return level !== undefined && level in LEVELS ? (level as LogLevel) : undefined;
}

/**
 * What may be logged of an error: its class and code, and its message only when the toolkit
 * wrote it. The message of anybody else's error (a verifier's, a library's) may quote a token.
 */
export function describeError(error: unknown, seen: Set<unknown> = new Set(), depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { errorType: typeof error };
  // A cause chain may loop (a.cause = b, b.cause = a) or run very deep: describe each error once, and at most 8.
  if (seen.has(error) || depth >= 8) return { errorName: error.name, truncated: true };
  seen.add(error);
  const described: Record<string, unknown> = { errorName: error.name };
  if (error instanceof AccountLinkingError) described.errorMessage = error.message;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') described.errorCode = code;
  if (error.cause !== undefined) described.cause = describeError(error.cause, seen, depth + 1);
  return described;
}

/** The first error of `type` in `error`'s cause chain (itself included), or undefined. Loop-safe. */
export function findCause<T extends Error>(error: unknown, type: abstract new (...args: any[]) => T): T | undefined {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current) && seen.size < 8; current = current.cause) {
    if (current instanceof type) return current;
    seen.add(current);
  }
  return undefined;
}

/** Every place Alexa puts a credential, in every family's envelopes (dotted paths from the envelope's root). */
export const CREDENTIAL_PATHS: readonly string[] = [
  'context.System.user.accessToken',
  'session.user.accessToken',
  'context.System.person.accessToken',
  'context.System.apiAccessToken',
  'context.System.user.permissions.consentToken',
  'session.user.permissions.consentToken',
  'request.body.accessToken',
  // a custom skill's Alexa.Authorization.Grant (out-of-session permissions): an LWA code and token
  'request.body.grant.code',
  'request.body.grantee.token',
  'directive.endpoint.scope.token',
  'directive.payload.scope.token',
  'directive.payload.grantee.token',
  'directive.payload.grant.code',
  'payload.requestContext.user.accessToken',
  'headers.authorization',
  'headers.Authorization',
  'headers.x-amz-access-token',
];

/**
 * A copy of `value` safe to log: the credential at each of {@link CREDENTIAL_PATHS} is replaced by
 * `[redacted sha256:<fingerprint>]`. Anything else is kept as it is.
 */
export function redact<T>(value: T, paths: readonly string[] = CREDENTIAL_PATHS): T {
  if (typeof value !== 'object' || value === null) return value;
  const copy = structuredCloneSafe(value) as Record<string, unknown>;
  for (const path of paths) {
    const keys = path.split('.');
    const last = keys.pop()!;
    let node: unknown = copy;
    for (const key of keys)
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    if (typeof node !== 'object' || node === null || !(last in node)) continue;
    const secret = (node as Record<string, unknown>)[last];
    if (secret === undefined || secret === null || secret === '') continue;
    (node as Record<string, unknown>)[last] =
      typeof secret === 'string' ? `[redacted sha256:${fingerprint(secret)}]` : '[redacted]';
  }
  return copy as T;
}

function structuredCloneSafe(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return JSON.parse(JSON.stringify(value));
  }
}
