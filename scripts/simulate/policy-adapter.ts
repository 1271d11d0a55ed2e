/** The one place that knows how a gate is given the unlinking policy and how a metric event tells what the policy did (option and field names). */
import { createHash } from 'node:crypto';
import type { GateMetricEvent, TokenVerifier, UnlinkingOptions, UnlinkLedger } from '../../lib';

/** How the policy's hold ERROR lines begin (lib/gate/unlinking.ts): the simulation counts them. */
export const HOLD_ERROR_PREFIX = 'account linking: unlinking held';

/** What the policy made of one rejection, as the metric event says. */
export interface RejectionSeen {
  kind: 'self-evident' | 'suspected';
  reasonClass: string;
  fate: 'unlinked' | 'held';
  hold?: 'pending' | 'unproven' | 'breaker' | 'paused' | 'ledger';
}

/** The verifier's own configuration version, if it has one. */
export function verifierConfigurationVersion(verifier: TokenVerifier<unknown>): string | undefined {
  const version = (verifier as { configurationVersion?: unknown }).configurationVersion;
  return typeof version === 'string' ? version : undefined;
}

/**
 * The gate option that puts a container in its fleet: the shared ledger. The configuration
 * version is the verifier's own; only a verifier without one gets `fallbackVersion` (a hash of
 * the simulated settings), and the report says so.
 */
export function unlinkingGateOption(
  ledger: UnlinkLedger,
  verifier: TokenVerifier<unknown>,
  fallbackVersion: string,
): { unlinking: UnlinkingOptions } {
  const own = verifierConfigurationVersion(verifier);
  return { unlinking: { ledger, ...(own === undefined ? { configurationVersion: fallbackVersion } : {}) } };
}

/** What the policy made of the request's rejection; undefined when the verifier did not reject the token. */
export function rejectionOf(event: GateMetricEvent): RejectionSeen | undefined {
  return event.rejection;
}

/** A short hash of simulated settings, for a verifier that has no configuration version of its own. */
export function settingsHash(settings: unknown): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
}
