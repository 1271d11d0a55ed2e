/**
 * What the gates of all skill families share: the decision about one request's access token,
 * taken under a deadline, and the one log line that records it.
 *
 * A family's gate is a {@link gateInterceptor} told where that family's token is (its `resolve`
 * module): it asks {@link decide}, lets the unlinking policy (`./unlinking`) hold a rejection that is
 * not proof enough, counts the decision in the metrics (`./metrics`), and either hands the linked user to the domain handlers or
 * throws a {@link GateShortCircuitError} that the family's `respond` module renders, through an
 * error handler put first by {@link gateErrorsFirst}.
 */
import type { ErrorHandler, ErrorMapper } from 'ask-sdk-runtime';
import {
  AccountLinkingError,
  CannotDecideError,
  ConfigurationError,
  GateShortCircuitError,
  InvalidVerdictError,
  MalformedRequestError,
  VerifierFailedError,
  VerifierTimeoutError,
} from './errors';
import { attachLinkedAccount, LinkedAccount, type HasRequestAttributes } from './linked-account';
import { describeError, findCause, fingerprint, redact, redactReason, type Logger, loggableReason } from './logging';
import { defaultGateMetrics, noMetrics, reasonClassOf, type GateMetrics } from './metrics';
import { UnlinkingPolicy, type RejectionReview, type UnlinkingOptions } from './unlinking';
import type { RejectionEvidence, SkillFamily, TokenVerdict, TokenVerifier, VerificationContext } from './verification/verifier';

/**
 * Where a family's resolver looked, and what it found there: the input of {@link decide}. Never
 * logged with the token (the log line names `path` and the token's {@link fingerprint}).
 */
export type TokenResolution =
  | {
      /** An access token is where Alexa puts it. */
      status: 'found';
      /** The access token, as Alexa sent it. A credential: never log it, log `fingerprint(accessToken)`. */
      accessToken: string;
      /** Where it was found in the envelope, e.g. `context.System.user.accessToken`; safe to log. */
      path: string;
    }
  | {
      /** No access token anywhere the family carries one: the user has not linked an account. */
      status: 'absent';
    }
  | {
      /** The envelope carries something at a token's place that is not a token (not a string, say). */
      status: 'malformed';
      /** What is wrong with it, without the value; becomes a {@link MalformedRequestError}'s `reason`. */
      reason: string;
    };

/**
 * The gate's verdict on one request: the reply table of every family in one type. Switch on `outcome`:
 * only `invalid` and `expired` may become an unlinking reply, and only on proof; `undecided` is
 * always the family's transient reply.
 */
export type GateDecision<P> =
  | {
      /** The verifier said the token identifies a user of the service. */
      outcome: 'linked';
      /** Who the token identifies: the verifier's `principal` (a {@link LinkedUser} for the shipped verifiers). */
      linkedUser: P;
      /** When the token expires, if the verifier knows (a JWT's `exp`, introspection's `exp`). */
      expiresAt?: Date;
    }
  | {
      /** No access token at all: the user has not linked an account. */
      outcome: 'missing';
    }
  | ({
      /** The verifier said, affirmatively, that the token does not identify a user. */
      outcome: 'invalid';
      /** The verifier's reason, a fixed short string (e.g. `bad signature`) without credentials; safe to log. */
      reason: string;
    } & RejectionEvidence)
  | ({
      /** The verifier said, affirmatively, that the token has expired. */
      outcome: 'expired';
    } & RejectionEvidence)
  | {
      /** The verifier could not decide (outage, timeout, configuration, bug), or the unlinking policy held its rejection. Never unlinks a user. */
      outcome: 'undecided';
      /**
       * Why: a {@link VerifierTimeoutError}, {@link VerifierFailedError}, {@link InvalidVerdictError},
       * {@link CannotDecideError} or {@link UnlinkingHeldError}; the verifier's own error, if any, is its `cause`.
       */
      cause: AccountLinkingError;
    };

/**
 * A {@link GateDecision} that keeps the request from the domain handlers: every outcome but
 * `linked`. What a {@link GateShortCircuitError} carries and a family's `respond` module renders.
 */
export type RejectedDecision = Exclude<
  GateDecision<unknown>,
  {
    /** The one outcome that lets the request through. */
    outcome: 'linked';
  }
>;

/** Default cap on the time a verifier gets: well under Alexa's 8 s for the whole reply. */
export const DEFAULT_VERIFICATION_TIMEOUT_MS = 3000;

/** The longest delay a Node.js timer takes (2^31 - 1 ms); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Time kept back from the Lambda's remaining time, to render and return a reply. */
export const LAMBDA_REPLY_RESERVE_MS = 500;

interface LambdaTimeContext {
  getRemainingTimeInMillis(): number;
}

/**
 * How long the verifier may take for this request, in ms: the cap, or less when the Lambda function
 * has less time left (its `getRemainingTimeInMillis()` minus 500 ms kept back to render and return
 * the reply). Never negative. The gates call it; a hand-written gate calling {@link decide} can too.
 *
 * @param capMs - The most the verifier may take, e.g. {@link DEFAULT_VERIFICATION_TIMEOUT_MS}.
 * @param lambdaContext - The Lambda context, if there is one; anything without `getRemainingTimeInMillis` is ignored.
 *
 * @example
 * ```ts
 * const budgetMs = verificationBudget(DEFAULT_VERIFICATION_TIMEOUT_MS, handlerInput.context);
 * ```
 */
export function verificationBudget(capMs: number, lambdaContext?: unknown): number {
  // Above the timer range (2^31 - 1 ms) a Node.js timer fires at once: a longer cap is the longest timer.
  let budget = Math.min(capMs, MAX_TIMER_MS);
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

/** What {@link decide} needs besides the token and the verifier. */
export interface DecideOptions {
  /** The kind of skill asking; handed to the verifier in its {@link VerificationContext}. */
  family: SkillFamily;
  /** Milliseconds the verifier gets; see {@link verificationBudget}. */
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
    // The first look: the reaction to an already settled promise runs before the `await` below
    // resumes. (The rejection handler also keeps a verifier that rejects after the deadline from
    // being an unhandled rejection.)
    let settled: { value: unknown } | { error: unknown } | undefined;
    verdict.then((value) => (settled = { value }), (error: unknown) => (settled = { error }));
    await undefined;
    const first = settled as typeof settled; // (assigned by the reaction above)
    if (first && 'error' in first) throw first.error;
    if (first) return toDecision<P>(first.value, accessToken);
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const timeout = new VerifierTimeoutError(budgetMs);
        abort.abort(timeout);
        reject(timeout);
      }, Math.max(0, deadlineMs - Date.now()));
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
      return { outcome: 'invalid', reason: typeof answer.reason === 'string' ? redactReason(answer.reason, accessToken) : 'unspecified', ...evidence(answer) };
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
  if (answer.knowledgeAt instanceof Date && Number.isFinite(answer.knowledgeAt.getTime())) kept.knowledgeAt = answer.knowledgeAt;
  return kept;
}

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
 * The options every family's gate takes (each family's options extend these).
 */
export interface CommonGateOptions<P> {
  /** Decides whether an access token identifies a user of the service. Required. */
  verifier: TokenVerifier<P>;
  /** The most the verifier may take, in ms; less when the Lambda has less time left. Default: 3000. */
  verificationTimeoutMs?: number | undefined;
  /** Where the gate logs its decisions. Default: JSON lines on stdout at `$LOG_LEVEL` (runtime builders: the builder's logger). */
  logger?: Logger | undefined;
  /**
   * The unlinking policy ({@link UnlinkingPolicy}): which `invalid` and `expired` verdicts become
   * unlinking replies. A self-evident rejection is answered once the configuration is proven; a
   * suspected one once the same token is rejected again, on fresh knowledge, `confirmAfterMs`
   * after its first rejection anywhere in the fleet; none while the breaker is open for its reason
   * class. `false` answers every rejection with the unlinking reply at once (a unit test of the
   * replies; never a deployed skill).
   * @default on, with a ledger of this gate's own and {@link UnlinkingOptions}' defaults
   */
  unlinking?: UnlinkingOptions | false | undefined;
  /**
   * Where every gate decision is counted ({@link GateMetrics}): `emfMetrics()`, `powertoolsMetrics(metrics)`
   * or your own; `false` for none. Default: CloudWatch EMF lines on stdout in a Lambda function
   * (`$AWS_LAMBDA_FUNCTION_NAME` set), none elsewhere (tests, scripts), so other programs' stdout stays theirs.
   */
  metrics?: GateMetrics | false | undefined;
}

/**
 * Logs, once per gate (a gate lives as long as its container) and reason, the ERROR that tells the
 * operator what to check when a verifier could not decide for a reason about us
 * ({@link CannotDecideError}): our configuration, a clock, stale keys, a policy limit.
 */
export function createCannotDecideReporter(logger: Logger): (family: SkillFamily, decision: GateDecision<unknown>) => void {
  const reported = new Set<string>();
  return (family, decision) => {
    if (decision.outcome !== 'undecided') return;
    const cannotDecide = findCause(decision.cause, CannotDecideError);
    if (!cannotDecide || reported.has(cannotDecide.reason)) return;
    reported.add(cannotDecide.reason);
    logger.error(`account linking: the verifier cannot decide (${cannotDecide.reason}); no user is unlinked for it. Check: ${cannotDecide.check}`, {
      family,
      reason: cannotDecide.reason,
      check: cannotDecide.check,
    });
  };
}

/** What a family tells the shared gate interceptor about its requests. */
export interface GateSpec<I> {
  family: SkillFamily;
  verifier: TokenVerifier<unknown>;
  /** The most the verifier may take, in ms (capped by the Lambda's remaining time). */
  timeoutMs: number;
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
  if (typeof spec.timeoutMs !== 'number' || Number.isNaN(spec.timeoutMs) || spec.timeoutMs <= 0) {
    throw new ConfigurationError('verificationTimeoutMs must be a positive number of milliseconds');
  }
  const { family, logger } = spec;
  const reportCannotDecide = createCannotDecideReporter(logger);
  const policy = spec.unlinking === false ? undefined : new UnlinkingPolicy({ ...spec.unlinking, logger, family, verifier: spec.verifier });
  const record = metricsRecorder(spec.metrics === false ? noMetrics : spec.metrics ?? defaultGateMetrics(), logger, family);
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
          logger.debug('account linking: request', { family, requestType, request: redact((input as { requestEnvelope?: unknown }).requestEnvelope) });
        } catch (error) {
          logger.debug('account linking: request (not logged: it cannot be copied or serialised)', { family, requestType, errorName: (error as { name?: unknown })?.name });
        }
      }

      const started = Date.now();
      const resolution = spec.resolve(input);
      if (resolution.status === 'malformed') throw malformed(resolution.reason, requestType);
      const budgetMs = verificationBudget(spec.timeoutMs, input.context);
      const verdict = await decide(resolution, spec.verifier, { family, budgetMs });
      const latencyMs = Date.now() - started;
      let decision: GateDecision<unknown> = verdict;
      let rejection: DecisionLogEntry['rejection'];
      if (verdict.outcome === 'linked') {
        policy?.accepted();
      } else if ((verdict.outcome === 'invalid' || verdict.outcome === 'expired') && resolution.status === 'found') {
        const review = policy
          ? await policy.review(verdict, resolution.accessToken, Math.max(250, budgetMs - latencyMs))
          : { decision: verdict, rejection: { kind: verdict.selfEvident ? 'self-evident' : 'suspected', reasonClass: reasonClassOf(verdict), fate: 'unlinked' } as const };
        decision = review.decision;
        rejection = { verdict, review: review.rejection };
      }
      logDecision(logger, { family, requestType, resolution, decision, latencyMs, ...(rejection ? { rejection } : {}) });
      reportCannotDecide(family, decision);
      record({
        family,
        requestType,
        outcome: decision.outcome,
        reasonClass: rejection ? rejection.review.reasonClass : reasonClassOf(decision),
        latencyMs,
        ...(rejection ? { rejection: rejection.review } : {}),
      });

      if (decision.outcome !== 'linked') throw new GateShortCircuitError(family, requestType, decision);
      if (resolution.status === 'found') {
        attachLinkedAccount(input, new LinkedAccount(decision.linkedUser, resolution.accessToken, resolution.path, decision.expiresAt, new Date(started)));
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
      logger.error('account linking: the gate\'s metrics failed; decisions are not counted', { family, ...describeError(error) });
    }
  };
}

/**
 * An error mapper that offers every error to the gate's error handler first, then to the skill's
 * own mapper: no catch-all of the skill can swallow a gate reply, whatever the registration order.
 */
export function gateErrorsFirst<I, O>(gateHandler: ErrorHandler<I, O>, skillErrors: ErrorMapper<I, O> | undefined): ErrorMapper<I, O> {
  return {
    async getErrorHandler(input, error) {
      if (await gateHandler.canHandle(input, error)) return gateHandler;
      // GenericErrorMapper answers null when no handler fits; the dispatcher then rethrows.
      return (skillErrors ? await skillErrors.getErrorHandler(input, error) : null) as ErrorHandler<I, O>;
    },
  };
}
