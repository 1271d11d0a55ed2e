/**
 * Gate options every example skill reads from its environment.
 *
 * - `VERIFICATION_TIMEOUT_MS`: the most the verifier may take (default 3000, capped by the Lambda's remaining time).
 * - `UNLINK_GUARD_THRESHOLD`: `1`, `2` or `3`, the distinct rejected tokens in a row (after an
 *   acceptance) from which the unlink guard holds; `off` turns the guard off. Default: the guard's, 2.
 * - `UNLINK_GUARD_COOL_OFF_SECONDS`: how long a hold lasts with no token accepted before its run
 *   is forgotten. Default: the guard's, 600.
 * - `METRICS_NAMESPACE`: the CloudWatch namespace of the gate's EMF metrics (read by `emfMetrics`). Default: `AccountLinking`.
 */
import { ConfigurationError, type CommonGateOptions, type Environment } from '../lib';

export function gateOptionsFromEnvironment(env: Environment = process.env): Pick<CommonGateOptions<unknown>, 'verificationTimeoutMs' | 'unlinkGuard'> {
  const options: Pick<CommonGateOptions<unknown>, 'verificationTimeoutMs' | 'unlinkGuard'> = {};
  const rawTimeout = env.VERIFICATION_TIMEOUT_MS?.trim();
  if (rawTimeout) {
    const verificationTimeoutMs = Number(rawTimeout);
    if (!Number.isInteger(verificationTimeoutMs) || verificationTimeoutMs <= 0 || verificationTimeoutMs > 7000) {
      throw new ConfigurationError('VERIFICATION_TIMEOUT_MS must be a whole number of milliseconds between 1 and 7000');
    }
    options.verificationTimeoutMs = verificationTimeoutMs;
  }

  const rawThreshold = env.UNLINK_GUARD_THRESHOLD?.trim().toLowerCase();
  const rawCoolOff = env.UNLINK_GUARD_COOL_OFF_SECONDS?.trim();
  if (rawThreshold === 'off') return { ...options, unlinkGuard: false };
  const guard: { threshold?: number; coolOffMs?: number } = {};
  if (rawThreshold) {
    if (!['1', '2', '3'].includes(rawThreshold)) throw new ConfigurationError('UNLINK_GUARD_THRESHOLD must be 1, 2, 3 or off');
    guard.threshold = Number(rawThreshold);
  }
  if (rawCoolOff) {
    const seconds = Number(rawCoolOff);
    if (!Number.isInteger(seconds) || seconds <= 0) throw new ConfigurationError('UNLINK_GUARD_COOL_OFF_SECONDS must be a whole number of seconds above 0');
    guard.coolOffMs = seconds * 1000;
  }
  if (Object.keys(guard).length > 0) options.unlinkGuard = guard;
  return options;
}
