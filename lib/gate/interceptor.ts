/**
 * The request interceptor every family's gate is, following the request: resolve the token,
 * {@link decide} under the budget, let the unlinking policy review a rejection, log and count the
 * decision once, then hand the linked user on or throw a {@link GateShortCircuitError}.
 */
import { ConfigurationError, MalformedRequestError } from '../errors';
import { describeError, redact, type Logger } from '../logging';
import { batchStdout } from '../stdout';
import type { SkillFamily, TokenVerifier } from '../verification/verifier';
import { verificationBudget } from './budget';
import { decide } from './decide';
import { GateShortCircuitError, type GateDecision, type TokenResolution } from './decision';
import { createCannotDecideReporter, logDecision, type DecisionLogEntry } from './decision-log';
import { attachLinkedAccount, LinkedAccount, type HasRequestAttributes } from './linked-account';
import { defaultGateMetrics, noMetrics, type GateMetrics } from './metrics';
import { reasonClassOf } from './reason-class';
import { UnlinkingPolicy } from './unlinking';
import type { UnlinkingOptions } from './unlinking-options';

/** What a family tells the shared gate interceptor about its requests. */
export interface GateSpec<I> {
  family: SkillFamily;
  verifier: TokenVerifier<unknown>;
  /** The most the verifier may take, in ms (capped by the Lambda's remaining time): the gate option {@link CommonGateOptions.verificationTimeoutMs}. */
  verificationTimeoutMs: number;
  logger: Logger;
  /** The request's type for logs and replies, e.g. `LaunchRequest`; throws {@link MalformedRequestError}. */
  requestType(input: I): string;
  /** Whether this request needs a linked user; requests that do not pass untouched. */
  isGated(input: I, requestType: string): boolean;
  /** Where the token is, for this request. */
  resolve(input: I): TokenResolution;
  /** The unlinking policy's options, or `false` for none. Default: on. */
  unlinking?: UnlinkingOptions | false | undefined;
  /** Where decisions are counted, or `false` for nowhere. Default: {@link defaultGateMetrics}. */
  metrics?: GateMetrics | false | undefined;
}

export interface GateInput extends HasRequestAttributes {
  /** The Lambda context, whose remaining time caps the verification. */
  context?: unknown;
}

/**
 * The request interceptor every family's gate is: resolve, decide under a deadline, log once, then
 * hand the linked user on or throw. A {@link MalformedRequestError} is logged and thrown; a
 * rejected decision becomes a {@link GateShortCircuitError} for the family's error handler.
 */
export function gateInterceptor<I extends GateInput>(spec: GateSpec<I>): { process(input: I): Promise<void> } {
  if (typeof spec.verifier?.verify !== 'function') {
    throw new ConfigurationError('The account-linking gate needs a verifier with a verify() method');
  }
  // A cap above the timer range (2^31 - 1 ms, where setTimeout fires at once) is taken as the
  // longest timer (verificationBudget clamps it); the Lambda's remaining time caps it anyway.
  if (
    typeof spec.verificationTimeoutMs !== 'number' ||
    Number.isNaN(spec.verificationTimeoutMs) ||
    spec.verificationTimeoutMs <= 0
  ) {
    throw new ConfigurationError('verificationTimeoutMs must be a positive number of milliseconds');
  }
  const { family, logger } = spec;
  const reportCannotDecide = createCannotDecideReporter(logger);
  const policy =
    spec.unlinking === false
      ? undefined
      : new UnlinkingPolicy({ ...spec.unlinking, logger, family, verifier: spec.verifier });
  const record = metricsRecorder(
    spec.metrics === false ? noMetrics : (spec.metrics ?? defaultGateMetrics()),
    logger,
    family,
  );
  const malformed = (reason: string, requestType?: string) => {
    logger.error('account linking: malformed request', { family, requestType, reason });
    return new MalformedRequestError(reason);
  };
  return {
    async process(input) {
      let requestType: string;
      try {
        requestType = spec.requestType(input);
      } catch (error) {
        if (error instanceof MalformedRequestError) throw malformed(error.reason);
        throw error;
      }
      if (!spec.isGated(input, requestType)) return;
      if (logger.debugEnabled) {
        // A debug dump never fails a request: an envelope too deep (or too odd) to copy or serialise is named, not logged.
        try {
          logger.debug('account linking: request', {
            family,
            requestType,
            request: redact((input as { requestEnvelope?: unknown }).requestEnvelope),
          });
        } catch (error) {
          logger.debug('account linking: request (not logged: it cannot be copied or serialised)', {
            family,
            requestType,
            errorName: (error as { name?: unknown })?.name,
          });
        }
      }

      const started = Date.now();
      const resolution = spec.resolve(input);
      if (resolution.status === 'malformed') throw malformed(resolution.reason, requestType);
      const budgetMs = verificationBudget(spec.verificationTimeoutMs, input.context);
      const verdict = await decide(resolution, spec.verifier, { family, budgetMs });
      const latencyMs = Date.now() - started;
      let decision: GateDecision<unknown> = verdict;
      let rejection: DecisionLogEntry['rejection'];
      if (verdict.outcome === 'linked') {
        policy?.accepted();
      } else if ((verdict.outcome === 'invalid' || verdict.outcome === 'expired') && resolution.status === 'found') {
        const review = policy
          ? await policy.review(verdict, resolution.accessToken, Math.max(250, budgetMs - latencyMs))
          : {
              decision: verdict,
              rejection: {
                kind: verdict.selfEvident ? 'self-evident' : 'suspected',
                reasonClass: reasonClassOf(verdict),
                fate: 'unlinked',
              } as const,
            };
        decision = review.decision;
        rejection = { verdict, review: review.rejection };
      }
      // The decision line and the metrics line leave in one write (where both go to stdout).
      batchStdout(() => {
        logDecision(logger, {
          family,
          requestType,
          resolution,
          decision,
          latencyMs,
          ...(rejection ? { rejection } : {}),
        });
        reportCannotDecide(family, decision);
        record({
          family,
          requestType,
          outcome: decision.outcome,
          reasonClass: rejection ? rejection.review.reasonClass : reasonClassOf(decision),
          latencyMs,
          ...(rejection ? { rejection: rejection.review } : {}),
        });
      });

      if (decision.outcome !== 'linked') throw new GateShortCircuitError(family, requestType, decision);
      if (resolution.status === 'found') {
        attachLinkedAccount(
          input,
          new LinkedAccount(
            decision.linkedUser,
            resolution.accessToken,
            resolution.path,
            decision.expiresAt,
            new Date(started),
          ),
        );
      }
    },
  };
}

/** `metrics.record`, made safe: a sink that throws is logged once (per gate) and never fails a request. */
function metricsRecorder(metrics: GateMetrics, logger: Logger, family: SkillFamily): GateMetrics['record'] {
  let reported = false;
  return (event) => {
    try {
      metrics.record(event);
    } catch (error) {
      if (reported) return;
      reported = true;
      logger.error("account linking: the gate's metrics failed; decisions are not counted", {
        family,
        ...describeError(error),
      });
    }
  };
}
