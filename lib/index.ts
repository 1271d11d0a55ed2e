/**
 * ask-sdk-account-linking: OAuth account linking done right in Alexa skill code. Everything of the
 * subpaths `/custom`, `/directive`, `/music` and `/verification` is here too; the test kit
 * (`/testing`) and the DynamoDB grant store (`/dynamodb`) are imported on their own.
 *
 * Start with {@link accountLinking} and {@link withAccountLinking}, a verifier
 * ({@link verifierFromEnvironment}, {@link JwtVerifier}, ...), and your family's builder.
 *
 * @module ask-sdk-account-linking
 */
export * from './errors';
export * from './verification';
export * from './custom';
export * from './directive';
export * from './music';
export {
  RuntimeSkillBuilder,
  type RuntimeSkill,
  type RuntimeHandlerInput,
  type RuntimeFamily,
  type RuntimeGate,
} from './runtime-skill';
export { accountLinking, withAccountLinking, AccountLinking, type AccountLinkingOptions } from './with-account-linking';
export {
  getLinkedUser,
  findLinkedUser,
  getLinkedAccessToken,
  findLinkedAccount,
  linkedUserAccessors,
  LinkedAccount,
  type HasRequestAttributes,
  type LinkedUserAccessors,
} from './gate/linked-account';
export { GateShortCircuitError, type GateDecision, type RejectedDecision, type TokenResolution } from './gate/decision';
export { verificationBudget, DEFAULT_VERIFICATION_TIMEOUT_MS } from './gate/budget';
export { decide, type DecideOptions } from './gate/decide';
export type { CommonGateOptions } from './gate/options';
export {
  fingerprint,
  redact,
  describeError,
  CREDENTIAL_PATHS,
  createJsonLogger,
  type Logger,
  type LogLevel,
  type JsonLoggerOptions,
} from './logging';
export { writeStdout, STDOUT_MAX_WAIT_MS } from './stdout';
export {
  UnlinkingPolicy,
  FLEET_REFRESH_MS,
  type HoldReason,
  type RejectionReview,
  type UnlinkingReview,
} from './gate/unlinking';
export { LEDGER_BUCKET_MS } from './gate/breaker';
export {
  DEFAULT_CONFIRM_AFTER_MS,
  DEFAULT_BREAKER_WINDOW_MS,
  DEFAULT_BREAKER_MIN_TOKENS,
  DEFAULT_BREAKER_FACTOR,
  DEFAULT_BREAKER_BASELINE_MS,
  type UnlinkingOptions,
  type BreakerOptions,
} from './gate/unlinking-options';
export {
  MemoryUnlinkLedger,
  type UnlinkLedger,
  type RejectionEntry,
  type RecordedRejection,
  type LedgerOperations,
  type FleetState,
} from './unlink-ledger';
export { reasonClassOf, invalidReasonClass, type ReasonClass } from './gate/reason-class';
export {
  emfMetrics,
  powertoolsMetrics,
  noMetrics,
  defaultGateMetrics,
  GATE_METRIC_NAMES,
  DEFAULT_METRICS_NAMESPACE,
  type GateMetrics,
  type GateMetricEvent,
  type GateOutcome,
  type EmfMetricsOptions,
  type PowertoolsMetricsLike,
  type PowertoolsSingleMetricLike,
} from './gate/metrics';
