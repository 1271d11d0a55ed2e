/** The unlinking policy in a skill's unit tests: the replies a fleet that has confirmed every rejection gives. */
import { MemoryUnlinkLedger, type FleetState, type RejectionEntry } from '../unlink-ledger';
import type { UnlinkingOptions } from '../gate/unlinking-options';

/**
 * The gate option `unlinking` for a unit test that sends one rejected token to a fresh skill and
 * expects the unlinking reply (the LinkAccount card, `INVALID_`/`EXPIRED_AUTHORIZATION_CREDENTIAL`):
 * the policy runs as in a fleet where the configuration is proven and every token was rejected
 * long ago, so each rejection is confirmed at its first request. Tests and only tests: a deployed
 * skill with it would unlink users for a fault of ours.
 *
 * @example
 * const skill = withAccountLinking(SkillBuilders.custom(), { verifier, unlinking: unlinkingForTests() })
 *   .addRequestHandlers(...).create();
 * expect(await skill.invoke(launchRequest({ accessToken: expiredToken }))).toBeLinkAccountResponse();
 */
export function unlinkingForTests(): UnlinkingOptions {
  return { ledger: new ConfirmedLedger(), confirmAfterMs: 0, breaker: false };
}

/** A ledger whose every token was first rejected at the start of time, under a proven configuration. */
class ConfirmedLedger extends MemoryUnlinkLedger {
  override async getRejection(fingerprint: string, configurationVersion: string): Promise<RejectionEntry> {
    return { fingerprint, configurationVersion, reasonClass: 'other', firstRejectedAt: 0 };
  }

  override async readFleet(configurationVersion: string, bucketStarts: readonly number[]): Promise<FleetState> {
    return { ...(await super.readFleet(configurationVersion, bucketStarts)), provenAt: 0 };
  }
}
