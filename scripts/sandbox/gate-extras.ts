/**
 * What the sandbox gives every gate it builds: the gate's metrics, captured one EMF line at a time
 * so that the console and the guided run can show them beside each reply; and how it recognises the
 * unlinking policy's ERROR in the captured log lines (a held rejection's own decision line says
 * `held: pending | unproven | breaker | paused | ledger`).
 */
import { emfMetrics } from '../../lib/gate/metrics';

/** How the unlinking policy's ERROR lines begin (one per container and reason: unproven, breaker, paused, ledger). */
export const UNLINKING_HELD_PREFIX = 'account linking: unlinking held:';

/** Gate options to spread into a skill factory's options: the metrics, written to `writeMetric` one EMF line at a time. */
export function gateExtras(writeMetric: (line: string) => void): { metrics: ReturnType<typeof emfMetrics> } {
  return { metrics: emfMetrics({ namespace: 'AccountLinkingSandbox', write: writeMetric }) };
}
