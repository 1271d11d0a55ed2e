/**
 * The options every family's gate takes: the verifier, its time limit, the logger, the unlinking
 * policy and the metrics. Each family's options extend them. See docs/configuration.md.
 */
import type { Logger } from '../logging';
import type { TokenVerifier } from '../verification/verifier';
import type { GateMetrics } from './metrics';
import type { UnlinkingOptions } from './unlinking-options';

/**
 * The options every family's gate takes (each family's options extend these).
 */
export interface CommonGateOptions<P> {
  /** Decides whether an access token identifies a user of the service. Required. */
  verifier: TokenVerifier<P>;
  /**
   * The most the verifier may take, in ms; less when the Lambda has less time left
   * ({@link verificationBudget}). A verifier still busy then gets "could not decide".
   * @defaultValue {@link DEFAULT_VERIFICATION_TIMEOUT_MS} (3000)
   */
  verificationTimeoutMs?: number | undefined;
  /**
   * Where the gate logs its decisions.
   * @defaultValue JSON lines on stdout at `$LOG_LEVEL` ({@link createJsonLogger}); on a runtime builder, the builder's logger
   */
  logger?: Logger | undefined;
  /**
   * The unlinking policy ({@link UnlinkingPolicy}): which `invalid` and `expired` verdicts become
   * unlinking replies. A self-evident rejection is answered once the configuration is proven; a
   * suspected one once the same token is rejected again, on fresh knowledge, `confirmAfterMs`
   * after its first rejection anywhere in the fleet; none while the breaker is open for its reason
   * class. `false` answers every rejection with the unlinking reply at once (a unit test of the
   * replies; never a deployed skill).
   * @defaultValue on, with a ledger of this gate's own and {@link UnlinkingOptions}' defaults
   */
  unlinking?: UnlinkingOptions | false | undefined;
  /**
   * Where every gate decision is counted ({@link GateMetrics}): `emfMetrics()`, `powertoolsMetrics(metrics)`
   * or your own; `false` for none.
   * @defaultValue {@link defaultGateMetrics}: CloudWatch EMF lines on stdout in a Lambda function
   * (`$AWS_LAMBDA_FUNCTION_NAME` set), none elsewhere (tests, scripts), so other programs' stdout stays theirs
   */
  metrics?: GateMetrics | false | undefined;
}
