/**
 * The gate's metrics: every decision counted ({@link GateMetricEvent}) for a {@link GateMetrics}
 * sink: CloudWatch EMF lines on stdout ({@link emfMetrics}) or a Powertools `Metrics`
 * ({@link powertoolsMetrics}). Low-cardinality dimensions only, never a token. See docs/metrics.md.
 */
import { writeStdout } from '../stdout';
import type { SkillFamily } from '../verification/verifier';
import type { GateDecision } from './decision';
import type { ReasonClass } from './reason-class';
import type { RejectionReview } from './unlinking';

/** The gate's outcome for one request, after the unlinking policy (a held rejection is `undecided`). */
export type GateOutcome = GateDecision<unknown>['outcome'];

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
   * The CloudWatch namespace: one place for the gate's metrics of every skill of an account; give
   * each stack its own where several deploy to one account.
   * @defaultValue `$METRICS_NAMESPACE`, else {@link DEFAULT_METRICS_NAMESPACE} (`AccountLinking`)
   */
  namespace?: string | undefined;
  /**
   * Where each EMF line goes: one JSON object a line, as Lambda's log capture expects.
   * @defaultValue {@link writeStdout}: at once to stdout's fd, in order with the decision line
   */
  write?: ((line: string) => void) | undefined;
  /**
   * Fixed dimensions added to every dimension set, e.g. `{ Service: 'ride-hailer' }`. Keep them
   * fixed per function (low cardinality).
   * @defaultValue none
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
  const write = options.write ?? writeStdout;
  const names = GATE_METRIC_NAMES;
  // A fixed dimension named like a field of the line would be overwritten by it: left out, as `{ ...fixed, Family }` would.
  const own = new Set<string>([
    '_aws',
    'Family',
    'Outcome',
    'ReasonClass',
    'RequestType',
    'Hold',
    ...Object.values(names),
  ]);
  const fixed = Object.entries({ ...options.dimensions }).filter(([key]) => !own.has(key));
  const fixedKeys = fixed.map(([key]) => key);
  const dimensionSets = [
    [...fixedKeys, 'Family'],
    [...fixedKeys, 'Family', 'Outcome', 'ReasonClass'],
  ];
  const rejectionNames = [
    names.rejections,
    names.suspectedRejections,
    names.confirmedRejections,
    names.heldRejections,
    names.heldByBreaker,
    names.heldUnproven,
  ];
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
  const [decisions, undecided, unlinkingReplies, latency] = [
    names.decisions,
    names.undecided,
    names.unlinkingReplies,
    names.verificationLatency,
  ].map((name) => JSON.stringify(name));
  const rejectionKeys = rejectionNames.map((name) => JSON.stringify(name));
  const rejectionCounts = (rejection: RejectionReview) => {
    const held = rejection.fate === 'held';
    const values = [
      1,
      rejection.kind === 'suspected' ? 1 : 0,
      rejection.kind === 'suspected' && !held ? 1 : 0,
      held ? 1 : 0,
      rejection.hold === 'breaker' ? 1 : 0,
      rejection.hold === 'unproven' ? 1 : 0,
    ];
    return (
      rejectionKeys.map((key, i) => `,${key}:${values[i]}`).join('') +
      (rejection.hold ? `,"Hold":${JSON.stringify(rejection.hold)}` : '')
    );
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
  const publish = (
    event: GateMetricEvent,
    name: string,
    unit: 'Count' | 'Milliseconds',
    value: number,
    detailed: boolean,
  ) => {
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
      if (event.outcome === 'invalid' || event.outcome === 'expired')
        publish(event, names.unlinkingReplies, 'Count', 1, false);
      const rejection = event.rejection;
      if (rejection) {
        publish(event, names.rejections, 'Count', 1, true);
        if (rejection.kind === 'suspected') publish(event, names.suspectedRejections, 'Count', 1, true);
        if (rejection.kind === 'suspected' && rejection.fate === 'unlinked')
          publish(event, names.confirmedRejections, 'Count', 1, true);
        if (rejection.fate === 'held') publish(event, names.heldRejections, 'Count', 1, true);
        if (rejection.hold === 'breaker') publish(event, names.heldByBreaker, 'Count', 1, false);
        if (rejection.hold === 'unproven') publish(event, names.heldUnproven, 'Count', 1, false);
      }
      if (event.outcome !== 'missing')
        publish(event, names.verificationLatency, 'Milliseconds', event.latencyMs, false);
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
