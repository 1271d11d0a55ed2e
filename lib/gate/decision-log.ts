/**
 * The one log line per gated request (family, request type, token place and fingerprint,
 * outcome, reason, latency; never a token), and the once-per-reason ERROR when the verifier
 * cannot decide for a reason about us. See docs/configuration.md.
 */
import { CannotDecideError } from '../errors';
import { describeError, findCause, fingerprint, loggableReason, type Logger } from '../logging';
import type { SkillFamily } from '../verification/verifier';
import type { GateDecision, RejectedDecision, TokenResolution } from './decision';
import type { RejectionReview } from './unlinking';

/** What {@link logDecision} writes about one gated request. */
export interface DecisionLogEntry {
  family: SkillFamily;
  requestType: string;
  resolution: Exclude<TokenResolution, { status: 'malformed' }>;
  decision: GateDecision<unknown>;
  latencyMs: number;
  /** The verifier's rejection (`invalid` or `expired`), when there was one: what the unlinking policy made of it. */
  rejection?: { verdict: RejectedDecision; review: RejectionReview };
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
  if (decision.outcome === 'invalid') fields.reason = loggableReason(decision.reason);
  if (entry.rejection) {
    // Counted in the metrics; a hold for a fault logs the policy's own ERROR. Not a WARN per request.
    const { verdict, review } = entry.rejection;
    logger.info('account linking: gate decision', {
      ...fields,
      verdict: verdict.outcome,
      ...(verdict.outcome === 'invalid' ? { reason: loggableReason(verdict.reason) } : {}),
      rejection: review.kind,
      reasonClass: review.reasonClass,
      ...(review.hold ? { held: review.hold } : {}),
      ...(review.confirmAt !== undefined ? { confirmAt: new Date(review.confirmAt).toISOString() } : {}),
    });
  } else if (decision.outcome === 'undecided') {
    logger.warn('account linking: verifier could not decide', { ...fields, ...describeError(decision.cause) });
  } else {
    logger.info('account linking: gate decision', fields);
  }
}

/**
 * Logs, once per gate (a gate lives as long as its container) and reason, the ERROR that tells the
 * operator what to check when a verifier could not decide for a reason about us
 * ({@link CannotDecideError}): our configuration, a clock, stale keys, a policy limit.
 */
export function createCannotDecideReporter(
  logger: Logger,
): (family: SkillFamily, decision: GateDecision<unknown>) => void {
  const reported = new Set<string>();
  return (family, decision) => {
    if (decision.outcome !== 'undecided') return;
    const cannotDecide = findCause(decision.cause, CannotDecideError);
    if (!cannotDecide || reported.has(cannotDecide.reason)) return;
    reported.add(cannotDecide.reason);
    logger.error(
      `account linking: the verifier cannot decide (${cannotDecide.reason}); no user is unlinked for it. Check: ${cannotDecide.check}`,
      {
        family,
        reason: cannotDecide.reason,
        check: cannotDecide.check,
      },
    );
  };
}
