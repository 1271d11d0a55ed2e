/**
 * What the sandbox gives every gate it builds: the gate's metrics, captured one EMF line at a time
 * so that the console and the guided run can show them beside each reply; and how it recognises the
 * unlink guard's ERROR in the captured log lines (a held decision's own line says `heldByGuard: true`).
 */
import { emfMetrics } from '../../lib/metrics';

/** How the unlink guard's one ERROR line begins. */
export const GUARD_ERROR_PREFIX = 'account linking: unlink guard:';

/** Gate options to spread into a skill factory's options: the metrics, written to `writeMetric` one EMF line at a time. */
export function gateExtras(writeMetric: (line: string) => void): { metrics: ReturnType<typeof emfMetrics> } {
  return { metrics: emfMetrics({ namespace: 'AccountLinkingSandbox', write: writeMetric }) };
}
