/**
 * The decision about one resolved token: the verifier asked under a deadline, and whatever it
 * answers that is not a verdict in time made "could not decide". See docs/verifiers.md.
 */
import { AccountLinkingError, InvalidVerdictError, VerifierFailedError, VerifierTimeoutError } from '../errors';
import { redactReason } from '../logging';
import type {
  RejectionEvidence,
  SkillFamily,
  TokenVerdict,
  TokenVerifier,
  VerificationContext,
} from '../verification/verifier';
import { MAX_TIMER_MS } from './budget';
import type { GateDecision, TokenResolution } from './decision';

/** Microtask turns the gate waits for a verdict before it arms the deadline's timer (a timer costs microseconds per request). */
const FIRST_LOOK_TURNS = 8;

/** What {@link decide} needs besides the token and the verifier. */
export interface DecideOptions {
  /** The kind of skill asking; handed to the verifier in its {@link VerificationContext}. */
  family: SkillFamily;
  /** Milliseconds the verifier gets for this request: its budget, the gate's `verificationTimeoutMs` capped by the Lambda's remaining time ({@link verificationBudget}). */
  budgetMs: number;
}

/**
 * The gate's decision for a resolved token. Never throws and never hangs past the budget:
 * whatever the verifier does that is not a verdict in time becomes `undecided`.
 */
export function decide<P>(
  resolution: Exclude<TokenResolution, { status: 'malformed' }>,
  verifier: TokenVerifier<P>,
  options: DecideOptions,
): Promise<GateDecision<P>> {
  // Not `async`: the verification's own promise is handed on, without another one around it.
  if (resolution.status === 'absent') return Promise.resolve({ outcome: 'missing' });
  return verifyWithDeadline(verifier, resolution.accessToken, options);
}

/**
 * Asks the verifier under the deadline. Cheap for verifiers that do no I/O (a JWT with a secret or
 * a local key, a cached verdict): their promise has settled by the time it is looked at, so no
 * timer is armed; the abort signal is made only when a verifier reads it (an AbortSignal costs
 * microseconds per request). A verdict still pending at the first look is raced against a timer
 * for the rest of the budget, as before: nothing waits past the deadline either way.
 */
async function verifyWithDeadline<P>(
  verifier: TokenVerifier<P>,
  accessToken: string,
  { family, budgetMs: requestedMs }: DecideOptions,
): Promise<GateDecision<P>> {
  const budgetMs = Math.min(Math.max(0, requestedMs), MAX_TIMER_MS); // a longer timer would fire at once
  const deadlineMs = Date.now() + budgetMs;
  const abort = new LazyAbort();
  // Own, enumerable properties (a getter for the signal): a verifier that copies the context
  // (`{ ...context, ... }`) still hands on a live signal.
  const context: VerificationContext = {
    family,
    deadline: new Date(deadlineMs),
    get signal() {
      return abort.signal;
    },
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    // Promise.resolve: a verifier written in plain JS may answer a bare object, or a thenable.
    const verdict = Promise.resolve(verifier.verify(accessToken, context));
    // The first look, a few microtask turns on: a verifier without I/O has answered by then, even
    // through a few promises (the verdict cache's, an async function's). (The rejection handler
    // also keeps a verifier that rejects after the deadline from being an unhandled rejection.)
    let settled: { value: unknown } | { error: unknown } | undefined;
    verdict.then(
      (value) => (settled = { value }),
      (error: unknown) => (settled = { error }),
    );
    for (let turn = 0; turn < FIRST_LOOK_TURNS && settled === undefined; turn++) await undefined;
    const first = settled as typeof settled; // (assigned by the reaction above)
    if (first && 'error' in first) throw first.error;
    if (first) return toDecision<P>(first.value, accessToken);
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          const timeout = new VerifierTimeoutError(budgetMs);
          abort.abort(timeout);
          reject(timeout);
        },
        Math.max(0, deadlineMs - Date.now()),
      );
    });
    // Whichever settles first wins. (On an event loop stalled past the deadline, a verdict that
    // arrived in the meantime may win: it is a real verdict, only late, and it is used.)
    return toDecision<P>(await Promise.race([verdict, timedOut]), accessToken);
  } catch (error) {
    if (error instanceof AccountLinkingError) return { outcome: 'undecided', cause: error };
    return { outcome: 'undecided', cause: new VerifierFailedError('The token verifier failed', { cause: error }) };
  } finally {
    clearTimeout(timer);
  }
}

/** An AbortController made on the first read of its signal (already aborted if the deadline has passed by then). */
class LazyAbort {
  #controller?: AbortController;
  #reason?: { value: unknown };

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason) this.#controller.abort(this.#reason.value);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    this.#reason = { value: reason };
    this.#controller?.abort(reason);
  }
}

/** Checks that a verifier's answer is a {@link TokenVerdict}; throws {@link InvalidVerdictError} if not. */
function toDecision<P>(verdict: TokenVerdict<P> | unknown, accessToken: string): GateDecision<P> {
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
      // The reason is the verifier's text: the token is taken out of it before anything sees it.
      return {
        outcome: 'invalid',
        reason: typeof answer.reason === 'string' ? redactReason(answer.reason, accessToken) : 'unspecified',
        ...evidence(answer),
      };
    case 'expired':
      return { outcome: 'expired', ...evidence(answer) };
    default:
      throw new InvalidVerdictError('The token verifier answered an unknown outcome');
  }
}

/** The evidence a verdict gives for the unlinking policy, kept only when well-formed (anything else: suspected, fresh). */
function evidence(answer: Record<string, unknown>): RejectionEvidence {
  const kept: RejectionEvidence = {};
  if (answer.selfEvident === true) kept.selfEvident = true;
  if (answer.knowledgeAt instanceof Date && Number.isFinite(answer.knowledgeAt.getTime()))
    kept.knowledgeAt = answer.knowledgeAt;
  return kept;
}
