/**
 * The time a verifier gets for one request: the gate's `verificationTimeoutMs`, capped by what the
 * Lambda function has left. See docs/configuration.md.
 */

/** Default of the gate option `verificationTimeoutMs`, in ms: well under Alexa's 8 s for the whole reply. */
export const DEFAULT_VERIFICATION_TIMEOUT_MS = 3000;

/** The longest delay a Node.js timer takes (2^31 - 1 ms); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Time kept back from the Lambda's remaining time, to render and return a reply. */
export const LAMBDA_REPLY_RESERVE_MS = 500;

interface LambdaTimeContext {
  getRemainingTimeInMillis(): number;
}

/**
 * How long the verifier may take for this request (its budget), in ms: `verificationTimeoutMs`,
 * or less when the Lambda function has less time left (its `getRemainingTimeInMillis()` minus
 * 500 ms kept back to render and return the reply). Never negative. The gates call it; a
 * hand-written gate calling {@link decide} can too.
 *
 * @param verificationTimeoutMs - The most the verifier may take, e.g. {@link DEFAULT_VERIFICATION_TIMEOUT_MS}.
 * @param lambdaContext - The Lambda context, if there is one; anything without `getRemainingTimeInMillis` is ignored.
 *
 * @example
 * ```ts
 * const budgetMs = verificationBudget(DEFAULT_VERIFICATION_TIMEOUT_MS, handlerInput.context);
 * ```
 */
export function verificationBudget(verificationTimeoutMs: number, lambdaContext?: unknown): number {
  // Above the timer range (2^31 - 1 ms) a Node.js timer fires at once: a longer timeout is the longest timer.
  let budget = Math.min(verificationTimeoutMs, MAX_TIMER_MS);
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
