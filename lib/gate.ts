/**
 * What the gates of all skill families share: the decision about one request's access token,
 * taken under a deadline, and the one log line that records it.
 *
 * A family's gate resolves the token (its `resolve` module), asks {@link decide}, and either
 * hands the linked user to the domain handlers or throws a {@link GateShortCircuitError} that its
 * `respond` module renders.
 */
import {
  AccountLinkingError,
  InvalidVerdictError,
  VerifierFailedError,
  VerifierTimeoutError,
} from './errors';
import { describeError, fingerprint, type Logger } from './logging';
import type { SkillFamily, TokenVerdict, TokenVerifier } from './verification/verifier';

/** Where a family's resolver looked, and what it found there. Never logged with the token. */
export type TokenResolution =
  | { status: 'found'; accessToken: string; path: string }
  | { status: 'absent' }
  | { status: 'malformed'; reason: string };

/** The gate's verdict on one request, the table of DESIGN.md in one type. */
export type GateDecision<P> =
  | { outcome: 'linked'; linkedUser: P; expiresAt?: Date }
  /** No access token at all: the user has not linked an account. */
  | { outcome: 'missing' }
  /** The verifier said, affirmatively, that the token does not identify a user. */
  | { outcome: 'invalid'; reason: string }
  /** The verifier said, affirmatively, that the token has expired. */
  | { outcome: 'expired' }
  /** The verifier could not decide (outage, timeout, bug). Never unlinks a user. */
  | { outcome: 'undecided'; cause: AccountLinkingError };

export type RejectedDecision = Exclude<GateDecision<unknown>, { outcome: 'linked' }>;

/** Default cap on the time a verifier gets: well under Alexa's 8 s for the whole reply. */
export const DEFAULT_VERIFICATION_TIMEOUT_MS = 3000;

/** Time kept back from the Lambda's remaining time, to render and return a reply. */
export const LAMBDA_REPLY_RESERVE_MS = 500;

interface LambdaTimeContext {
  getRemainingTimeInMillis(): number;
}

/**
 * How long the verifier may take for this request: the cap, or less when the Lambda function
 * has less time left (minus {@link LAMBDA_REPLY_RESERVE_MS}). Never negative.
 */
export function verificationBudget(capMs: number, lambdaContext?: unknown): number {
  let budget = capMs;
  const remaining = remainingTime(lambdaContext);
  if (remaining !== undefined) budget = Math.min(budget, remaining - LAMBDA_REPLY_RESERVE_MS);
  return Math.max(0, Math.floor(budget));
}

function remainingTime(lambdaContext: unknown): number | undefined {
  const getRemaining = (lambdaContext as Partial<LambdaTimeContext> | undefined)?.getRemainingTimeInMillis;
  if (typeof getRemaining !== 'function') return undefined;
  const remaining = getRemaining.call(lambdaContext);
  return Number.isFinite(remaining) ? remaining : undefined;
}

export interface DecideOptions {
  family: SkillFamily;
  /** Milliseconds the verifier gets; see {@link verificationBudget}. */
  budgetMs: number;
}

/**
 * The gate's decision for a resolved token. Never throws and never hangs past the budget:
 * whatever the verifier does that is not a verdict in time becomes `undecided`.
 */
export async function decide<P>(
  resolution: Exclude<TokenResolution, { status: 'malformed' }>,
  verifier: TokenVerifier<P>,
  options: DecideOptions,
): Promise<GateDecision<P>> {
  if (resolution.status === 'absent') return { outcome: 'missing' };
  return verifyWithDeadline(verifier, resolution.accessToken, options);
}

async function verifyWithDeadline<P>(
  verifier: TokenVerifier<P>,
  accessToken: string,
  { family, budgetMs }: DecideOptions,
): Promise<GateDecision<P>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const timeout = new VerifierTimeoutError(budgetMs);
      controller.abort(timeout);
      reject(timeout);
    }, budgetMs);
  });
  const verdict = Promise.resolve().then(() =>
    verifier.verify(accessToken, { family, signal: controller.signal, deadline: new Date(Date.now() + budgetMs) }),
  );
  verdict.catch(() => undefined); // a verifier that rejects after the deadline is not an unhandled rejection
  try {
    return toDecision<P>(await Promise.race([verdict, timedOut]));
  } catch (error) {
    if (error instanceof AccountLinkingError) return { outcome: 'undecided', cause: error };
    return { outcome: 'undecided', cause: new VerifierFailedError('The token verifier failed', { cause: error }) };
  } finally {
    clearTimeout(timer);
  }
}

/** Checks that a verifier's answer is a {@link TokenVerdict}; throws {@link InvalidVerdictError} if not. */
function toDecision<P>(verdict: TokenVerdict<P> | unknown): GateDecision<P> {
  if (typeof verdict !== 'object' || verdict === null) {
    throw new InvalidVerdictError('The token verifier answered something that is not a verdict object');
  }
  const answer = verdict as Record<string, unknown>;
  switch (answer.outcome) {
    case 'valid': {
      if (answer.principal === undefined || answer.principal === null) {
        throw new InvalidVerdictError('The token verifier said "valid" without a principal');
      }
      const expiresAt = answer.expiresAt;
      if (expiresAt !== undefined && !(expiresAt instanceof Date && Number.isFinite(expiresAt.getTime()))) {
        throw new InvalidVerdictError('The token verifier said "valid" with an expiresAt that is not a Date');
      }
      return { outcome: 'linked', linkedUser: answer.principal as P, ...(expiresAt ? { expiresAt } : {}) };
    }
    case 'invalid':
      return { outcome: 'invalid', reason: typeof answer.reason === 'string' ? answer.reason : 'unspecified' };
    case 'expired':
      return { outcome: 'expired' };
    default:
      throw new InvalidVerdictError('The token verifier answered an unknown outcome');
  }
}

export interface DecisionLogEntry {
  family: SkillFamily;
  requestType: string;
  resolution: Exclude<TokenResolution, { status: 'malformed' }>;
  decision: GateDecision<unknown>;
  latencyMs: number;
}

/** The one log line per gated request: family, request type, token path, fingerprint, verdict, reason, latency. */
export function logDecision(logger: Logger, entry: DecisionLogEntry): void {
  const { decision, resolution } = entry;
  const fields: Record<string, unknown> = {
    family: entry.family,
    requestType: entry.requestType,
    tokenPath: resolution.status === 'found' ? resolution.path : null,
    tokenFingerprint: resolution.status === 'found' ? fingerprint(resolution.accessToken) : null,
    outcome: decision.outcome,
    latencyMs: entry.latencyMs,
  };
  if (decision.outcome === 'invalid') fields.reason = decision.reason;
  if (decision.outcome === 'undecided') {
    logger.warn('account linking: verifier could not decide', { ...fields, ...describeError(decision.cause) });
  } else {
    logger.info('account linking: gate decision', fields);
  }
}
