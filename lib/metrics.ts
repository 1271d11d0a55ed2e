/**
 * Metrics of the gate: every decision counted, as CloudWatch metrics an operator can alarm on.
 *
 * The gate hands each decision to a {@link GateMetrics} as one {@link GateMetricEvent}. Two sinks
 * ship: {@link emfMetrics} writes CloudWatch Embedded Metric Format lines (one JSON object a line on
 * stdout, which CloudWatch Logs turns into metrics in Lambda, with no runtime dependency and no API
 * call), and {@link powertoolsMetrics} hands them to a Powertools for AWS Lambda `Metrics` the skill
 * already has. Dimensions stay low-cardinality: the skill family, the outcome and a reason class
 * from a small fixed set — never a token, a user or a verifier's own reason string.
 */
import {
  AuthorizationServerError,
  CannotDecideError,
  InvalidVerdictError,
  UnlinkingHeldError,
  VerifierFailedError,
  VerifierTimeoutError,
} from './errors';
import type { GateDecision } from './gate';
import type { RejectionReview } from './unlinking';
import { findCause } from './logging';
import type { SkillFamily } from './verification/verifier';

/** The gate's outcome for one request, after the unlinking policy (a held rejection is `undecided`). */
export type GateOutcome = GateDecision<unknown>['outcome'];

/**
 * Why a decision went the way it did, in a small fixed set (a metric dimension):
 * - `none`: linked;
 * - `missing`: no access token;
 * - `expired`: the verifier said the token expired;
 * - `signature`, `malformed`, `claims`, `inactive`: the verifier's `invalid` reason, classed
 *   (a bad or unknown signing key; not a well-formed token; a claim such as the audience or issuer;
 *   the authorization server says it is not active);
 * - `configuration`, `outage`, `timeout`, `verifier`: why the verifier could not decide
 *   ({@link CannotDecideError}; the authorization server failed; the deadline passed; the
 *   verifier threw or answered nonsense);

 *
 * A rejection the unlinking policy held is `undecided` with the rejection's own class
 * (`signature`, `inactive`, ...), so that held, suspected and confirmed rejections are counted
 * per class.
 * - `other`: anything else (an `invalid` reason or an error not known here).
 */
export type ReasonClass =
  | 'none'
  | 'missing'
  | 'expired'
  | 'signature'
  | 'malformed'
  | 'claims'
  | 'inactive'
  | 'configuration'
  | 'outage'
  | 'timeout'
  | 'verifier'
  | 'other';

/** One gate decision, as the metrics see it. Holds no token, no user and no free-text reason. */
export interface GateMetricEvent {
  /** The skill family of the request (`custom`, `directive`, `music`): a dimension. */
  family: SkillFamily;
  /** The Alexa request type (`LaunchRequest`, `Alexa.PowerController.TurnOn`, ...). Not a dimension. */
  requestType: string;
  /** What the gate decided, after the unlinking policy: a dimension. */
  outcome: GateOutcome;
  /** Why, in a small fixed set ({@link reasonClassOf}): a dimension. */
  reasonClass: ReasonClass;
  /**
   * When the verifier rejected the token (`invalid` or `expired`): what the unlinking policy made
   * of it — self-evident or suspected, answered (`unlinked`) or `held`, and why.
   */
  rejection?: RejectionReview;
  /** How long the verification took, in ms (0 when there was no token to verify). */
  latencyMs: number;
}

/** Where the gate's metrics go. `record` must not throw (the gate catches and logs it once if it does). */
export interface GateMetrics {
  /** Publishes one decision; called once per gated request, after the decision is taken. */
  record(event: GateMetricEvent): void;
}

/** The reason class of a decision; a held rejection keeps its own. Unknown reasons fall into `other`. */
export function reasonClassOf(decision: GateDecision<unknown>): ReasonClass {
  switch (decision.outcome) {
    case 'linked':
      return 'none';
    case 'missing':
      return 'missing';
    case 'expired':
      return 'expired';
    case 'invalid':
      return invalidReasonClass(decision.reason);
    case 'undecided': {
      const cause = decision.cause;
      const held = findCause(cause, UnlinkingHeldError);
      if (held) return held.reasonClass as ReasonClass;
      const cannotDecide = findCause(cause, CannotDecideError);
      // A key set that cannot be had (the JWKS is down, nothing fresh enough held) is an outage; the rest is ours to check.
      if (cannotDecide) return findCause(cause, AuthorizationServerError) && /unavailable/.test(cannotDecide.reason) ? 'outage' : 'configuration';
      if (findCause(cause, VerifierTimeoutError)) return 'timeout';
      if (findCause(cause, AuthorizationServerError)) return 'outage';
      if (findCause(cause, InvalidVerdictError) || findCause(cause, VerifierFailedError)) return 'verifier';
      return 'other';
    }
    default:
      return 'other';
  }
}

/**
 * Classes the `reason` of an `invalid` verdict by the words the shipped verifiers use
 * (`bad signature`, `unknown signing key`, `wrong audience`, `inactive`, ...). Matched by keyword
 * so that a reworded reason still lands in its class, and anything else in `other`.
 */
export function invalidReasonClass(reason: string): ReasonClass {
  const r = reason.toLowerCase();
  if (/malformed|too long|not a json|not a jwt|unsigned|unparsable|format/.test(r)) return 'malformed';
  if (/signature|signing key|\bkey\b|algorithm|\bkid\b/.test(r)) return 'signature';
  if (/inactive|not active|revoked|rejected by/.test(r)) return 'inactive';
  if (/audience|issuer|client|not yet valid|linked user|user in|subject|claim|scope|token type/.test(r)) return 'claims';
  return 'other';
}

/** No metrics at all (`metrics: false`). */
export const noMetrics: GateMetrics = { record() {} };

/** The metric names, the same in EMF and through Powertools. */
export const GATE_METRIC_NAMES = {
  /** Every gate decision: 1 (Count). */
  decisions: 'Decisions',
  /** 1 when the gate could not decide (Count): outages, timeouts, configuration, held verdicts. */
  undecided: 'Undecided',
  /** 1 when the gate answered with an unlinking reply: `invalid` or `expired` (Count). */
  unlinkingReplies: 'UnlinkingReplies',
  /** 1 when the verifier rejected the token, `invalid` or `expired`, before the unlinking policy (Count). */
  rejections: 'Rejections',
  /** 1 for a suspected rejection (Count): one a fault of ours could have produced. */
  suspectedRejections: 'SuspectedRejections',
  /** 1 when a suspected rejection was confirmed and answered with the unlinking reply (Count). */
  confirmedRejections: 'ConfirmedRejections',
  /** 1 when the unlinking policy held a rejection, for any reason (Count). */
  heldRejections: 'HeldRejections',
  /** 1 when a rejection was held because the breaker is open for its reason class (Count): a fault fleet-wide. */
  heldByBreaker: 'HeldByBreaker',
  /** 1 when a rejection was held because no token was accepted under the configuration yet (Count). */
  heldUnproven: 'HeldUnproven',
  /** How long the verifier took (Milliseconds); only for requests that had a token. */
  verificationLatency: 'VerificationLatency',
} as const;

/** Default CloudWatch namespace of the gate's metrics, when neither the option nor `$METRICS_NAMESPACE` sets one. */
export const DEFAULT_METRICS_NAMESPACE = 'AccountLinking';

/** Options of {@link emfMetrics}; all optional. */
export interface EmfMetricsOptions {
  /**
   * The CloudWatch namespace. Default: `$METRICS_NAMESPACE`, else {@link DEFAULT_METRICS_NAMESPACE}
   * (`AccountLinking`): one place for the gate's metrics of every skill of an account; give each
   * stack its own where several deploy to one account.
   */
  namespace?: string | undefined;
  /** Where each EMF line goes. Default: `process.stdout.write`, one JSON object a line, as Lambda's log capture expects. */
  write?: ((line: string) => void) | undefined;
  /**
   * Fixed dimensions added to every dimension set, e.g. `{ Service: 'ride-hailer' }`. Keep them
   * fixed per function (low cardinality). Default: none.
   */
  dimensions?: Record<string, string> | undefined;
}

/**
 * The gate's metrics as CloudWatch Embedded Metric Format, one line per decision, published under
 * two dimension sets: `[Family]` (what the template's alarms watch) and
 * `[Family, Outcome, ReasonClass]` (to see why). `RequestType` rides along as a property, searchable
 * in Logs Insights but not a dimension.
 */
export function emfMetrics(options: EmfMetricsOptions = {}): GateMetrics {
  const namespace = options.namespace ?? (process.env.METRICS_NAMESPACE?.trim() || DEFAULT_METRICS_NAMESPACE);
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const names = GATE_METRIC_NAMES;
  // A fixed dimension named like a field of the line would be overwritten by it: left out, as `{ ...fixed, Family }` would.
  const own = new Set<string>(['_aws', 'Family', 'Outcome', 'ReasonClass', 'RequestType', 'Hold', ...Object.values(names)]);
  const fixed = Object.entries({ ...options.dimensions }).filter(([key]) => !own.has(key));
  const fixedKeys = fixed.map(([key]) => key);
  const dimensionSets = [[...fixedKeys, 'Family'], [...fixedKeys, 'Family', 'Outcome', 'ReasonClass']];
  const rejectionNames = [names.rejections, names.suspectedRejections, names.confirmedRejections, names.heldRejections, names.heldByBreaker, names.heldUnproven];
  const count = (Name: string) => ({ Name, Unit: 'Count' });
  const counts = [names.decisions, names.undecided, names.unlinkingReplies].map(count);
  const latencyMetric = { Name: names.verificationLatency, Unit: 'Milliseconds' };
  // What every line of a kind holds, serialised once: from after the timestamp to before the family.
  // A rejection's line declares the rejection counts too; other lines leave them out (the alarms
  // FILL a missing datapoint with 0), so that an accepted request's line stays as short as before.
  const constant = (metrics: object[]) =>
    `,"CloudWatchMetrics":${JSON.stringify([{ Namespace: namespace, Dimensions: dimensionSets, Metrics: metrics }])}}` +
    fixed.map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`).join('') +
    ',"Family":';
  const withLatency = constant([...counts, latencyMetric]);
  const withoutLatency = constant(counts);
  const ofRejection = constant([...counts, ...rejectionNames.map(count), latencyMetric]);
  const [decisions, undecided, unlinkingReplies, latency] = [names.decisions, names.undecided, names.unlinkingReplies, names.verificationLatency].map((name) => JSON.stringify(name));
  const rejectionKeys = rejectionNames.map((name) => JSON.stringify(name));
  const rejectionCounts = (rejection: RejectionReview) => {
    const held = rejection.fate === 'held';
    const values = [1, rejection.kind === 'suspected' ? 1 : 0, rejection.kind === 'suspected' && !held ? 1 : 0, held ? 1 : 0, rejection.hold === 'breaker' ? 1 : 0, rejection.hold === 'unproven' ? 1 : 0];
    return rejectionKeys.map((key, i) => `,${key}:${values[i]}`).join('') + (rejection.hold ? `,"Hold":${JSON.stringify(rejection.hold)}` : '');
  };
  return {
    record(event) {
      const hadToken = event.outcome !== 'missing';
      const { rejection } = event;
      // The same JSON object as JSON.stringify({ _aws, ...fixed, Family, Outcome, ReasonClass, RequestType, counts, latency }) writes.
      write(
        `{"_aws":{"Timestamp":${Date.now()}${rejection ? ofRejection : hadToken ? withLatency : withoutLatency}${JSON.stringify(event.family)}` +
          `,"Outcome":${JSON.stringify(event.outcome)},"ReasonClass":${JSON.stringify(event.reasonClass)},"RequestType":${JSON.stringify(event.requestType)}` +
          `,${decisions}:1,${undecided}:${event.outcome === 'undecided' ? 1 : 0}` +
          `,${unlinkingReplies}:${event.outcome === 'invalid' || event.outcome === 'expired' ? 1 : 0}` +
          `${rejection ? rejectionCounts(rejection) : ''}` +
          `${hadToken ? `,${latency}:${JSON.stringify(event.latencyMs)}` : ''}}\n`,
      );
    },
  };
}

/**
 * What {@link powertoolsMetrics} needs of a Powertools for AWS Lambda `Metrics` (from
 * `@aws-lambda-powertools/metrics`, v2): a structural type, so the toolkit does not depend on it.
 */
export interface PowertoolsMetricsLike {
  /** Powertools' `singleMetric()`: a Metrics with the same namespace and default dimensions that publishes on `addMetric`. */
  singleMetric(): PowertoolsSingleMetricLike;
}

/** What {@link powertoolsMetrics} needs of the single metric Powertools' `singleMetric()` returns. */
export interface PowertoolsSingleMetricLike {
  /** Adds a dimension to the metric about to be published (`Family`, `Outcome`, `ReasonClass`). */
  addDimension(name: string, value: string): void;
  /** Publishes the metric at once, with the dimensions added before. */
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
}

/**
 * The gate's metrics through a Powertools `Metrics` the skill already has (its namespace, service
 * and default dimensions apply). Each decision is published at once with `singleMetric()`, since
 * the gate's dimensions (family, outcome, reason class) differ from the skill's own metrics', and
 * a single metric publishes on `addMetric` without waiting for `publishStoredMetrics()`.
 *
 * @example
 * const metrics = new Metrics({ namespace: 'RideHailer', service: 'skill' });
 * withAccountLinking(SkillBuilders.custom(), { verifier, metrics: powertoolsMetrics(metrics) });
 */
export function powertoolsMetrics(metrics: PowertoolsMetricsLike): GateMetrics {
  const names = GATE_METRIC_NAMES;
  const publish = (event: GateMetricEvent, name: string, unit: 'Count' | 'Milliseconds', value: number, detailed: boolean) => {
    const single = metrics.singleMetric();
    single.addDimension('Family', event.family);
    if (detailed) {
      single.addDimension('Outcome', event.outcome);
      single.addDimension('ReasonClass', event.reasonClass);
    }
    single.addMetric(name, unit, value);
  };
  return {
    record(event) {
      publish(event, names.decisions, 'Count', 1, true);
      if (event.outcome === 'undecided') publish(event, names.undecided, 'Count', 1, false);
      if (event.outcome === 'invalid' || event.outcome === 'expired') publish(event, names.unlinkingReplies, 'Count', 1, false);
      const rejection = event.rejection;
      if (rejection) {
        publish(event, names.rejections, 'Count', 1, true);
        if (rejection.kind === 'suspected') publish(event, names.suspectedRejections, 'Count', 1, true);
        if (rejection.kind === 'suspected' && rejection.fate === 'unlinked') publish(event, names.confirmedRejections, 'Count', 1, true);
        if (rejection.fate === 'held') publish(event, names.heldRejections, 'Count', 1, true);
        if (rejection.hold === 'breaker') publish(event, names.heldByBreaker, 'Count', 1, false);
        if (rejection.hold === 'unproven') publish(event, names.heldUnproven, 'Count', 1, false);
      }
      if (event.outcome !== 'missing') publish(event, names.verificationLatency, 'Milliseconds', event.latencyMs, false);
    },
  };
}

/**
 * The metrics a gate uses when its options say nothing: EMF on stdout where CloudWatch reads it —
 * in a Lambda function (`$AWS_LAMBDA_FUNCTION_NAME` is set) — and none elsewhere (tests, scripts,
 * a local sandbox), so that a program's own stdout stays its own.
 */
export function defaultGateMetrics(env: Record<string, string | undefined> = process.env): GateMetrics {
  return env.AWS_LAMBDA_FUNCTION_NAME ? emfMetrics() : noMetrics;
}
