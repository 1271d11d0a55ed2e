/**
 * The sandbox's bridge to the gate's metrics and unlink guard (issue #13), which are being built
 * beside the sandbox: it compiles and runs with or without them.
 *
 * The contract it codes against: `lib/metrics.ts` exports
 * `emfMetrics({ namespace?, write?: (line) => void }): GateMetrics`; `CommonGateOptions` takes
 * `metrics?: GateMetrics | false` and `unlinkGuard?: UnlinkGuardOptions | false` (on by default);
 * a verdict held by the guard is an `undecided` decision caused by an `UnlinkGuardHoldError`
 * (code {@link GUARD_HOLD_CODE}), and the guard's first hold logs one ERROR starting with
 * {@link GUARD_ERROR_PREFIX}.
 *
 * After the merge the lead may replace {@link gateExtras} by a direct
 * `import { emfMetrics } from '../../lib/metrics'` and `{ metrics: emfMetrics({ write }) }`.
 */

/** The `code` of the error that causes a verdict held by the unlink guard. */
export const GUARD_HOLD_CODE = 'ERR_UNLINK_GUARD_HOLD';

/** How the unlink guard's one ERROR line begins. */
export const GUARD_ERROR_PREFIX = 'account linking: unlink guard:';

interface MetricsModule {
  emfMetrics(options: { namespace?: string; write?: (line: string) => void }): unknown;
}

function loadMetrics(): MetricsModule | undefined {
  try {
    // A plain require, so that this file compiles before lib/metrics.ts exists.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require('../../lib/metrics') as Partial<MetricsModule>;
    return typeof module.emfMetrics === 'function' ? (module as MetricsModule) : undefined;
  } catch {
    return undefined;
  }
}

function loadGuard(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return typeof (require('../../lib/errors') as Record<string, unknown>).UnlinkGuardHoldError === 'function';
}

const metricsModule = loadMetrics();

/** Whether this build's gate emits metrics (lib/metrics.ts exists). */
export const metricsAvailable = metricsModule !== undefined;

/** Whether this build's gate has the unlink guard (lib/errors.ts exports UnlinkGuardHoldError). */
export const guardAvailable = loadGuard();

/**
 * Gate options to spread into a skill factory's options: the metrics, written to `writeMetric` one
 * EMF line at a time, when this build has them; nothing otherwise. The unlink guard is on by
 * default and needs nothing here.
 */
export function gateExtras(writeMetric: (line: string) => void): object {
  if (!metricsModule) return {};
  return { metrics: metricsModule.emfMetrics({ namespace: 'AccountLinkingSandbox', write: writeMetric }) };
}
