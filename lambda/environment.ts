/** Gate options every example skill reads from its environment. */
import { ConfigurationError, type Environment } from '../lib';

/** `VERIFICATION_TIMEOUT_MS`: the most the verifier may take (default 3000, capped by the Lambda's remaining time). */
export function gateOptionsFromEnvironment(env: Environment = process.env): { verificationTimeoutMs?: number } {
  const raw = env.VERIFICATION_TIMEOUT_MS?.trim();
  if (!raw) return {};
  const verificationTimeoutMs = Number(raw);
  if (!Number.isInteger(verificationTimeoutMs) || verificationTimeoutMs <= 0 || verificationTimeoutMs > 7000) {
    throw new ConfigurationError('VERIFICATION_TIMEOUT_MS must be a whole number of milliseconds between 1 and 7000');
  }
  return { verificationTimeoutMs };
}
