/**
 * A ledger shared by several "containers" (unlinking policy instances) under a clock the tests
 * move, for the tests of the unlinking policy and its breaker.
 */
import {
  MemoryUnlinkLedger,
  UnlinkingPolicy,
  type RejectedDecision,
  type TokenVerifier,
  type UnlinkLedger,
  type UnlinkingOptions,
} from '../../lib';
import { recordingLogger } from './fixtures';

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

/** The time Date.now() answers while {@link useTestClock} is on: set it, or add to it, to move time. */
export const clock = { now: T0 };

/** Before each test, the clock at T0 and Date.now() reading it; after each, real time again. */
export function useTestClock(): void {
  beforeEach(() => {
    clock.now = T0;
    jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
  });
  afterEach(() => jest.restoreAllMocks());
}

export const versioned: TokenVerifier<unknown> = {
  verify: async () => ({ outcome: 'invalid', reason: 'bad signature' }),
  configurationVersion: 'v1',
};
export const invalid = (extra: Partial<RejectedDecision & { outcome: 'invalid' }> = {}) =>
  ({ outcome: 'invalid', reason: 'bad signature', ...extra }) as RejectedDecision & { outcome: 'invalid' };
export const expired = (extra: object = {}) =>
  ({ outcome: 'expired', ...extra }) as RejectedDecision & { outcome: 'expired' };

/** One container: a policy of its own over the fleet's ledger, its logger, and a review of one rejected token. */
export function container(
  ledger: UnlinkLedger,
  options: UnlinkingOptions = {},
  verifier: TokenVerifier<unknown> = versioned,
) {
  const logger = recordingLogger();
  const policy = new UnlinkingPolicy({ ledger, logger, family: 'directive', verifier, ...options });
  return {
    policy,
    logger,
    review: (decision: RejectedDecision & { outcome: 'invalid' | 'expired' }, token: string) =>
      policy.review(decision, token, 1000),
  };
}

/** A fleet whose configuration a genuine user has proven. */
export function provenFleet(options: UnlinkingOptions = {}) {
  const ledger = new MemoryUnlinkLedger();
  container(ledger, options).policy.accepted();
  return ledger;
}
