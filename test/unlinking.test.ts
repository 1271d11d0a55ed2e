/**
 * The unlinking policy, one rule at a time, over a ledger shared by several "containers" (policy
 * instances), under a clock the tests move: what is held, why, and when it is answered.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SkillBuilders } from 'ask-sdk-core';
import {
  JwtVerifier, MemoryUnlinkLedger, UnlinkingHeldError, UnlinkingPolicy, withAccountLinking,
  type RejectedDecision, type TokenVerifier, type UnlinkLedger, type UnlinkingOptions,
} from '../lib';
import { launchRequest, mintAccessToken } from '../lib/testing';
import { AUDIENCE, ISSUER, recordingLogger } from './support/fixtures';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
let now = T0;
beforeEach(() => {
  now = T0;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => jest.restoreAllMocks());

const versioned: TokenVerifier<unknown> = { verify: async () => ({ outcome: 'invalid', reason: 'bad signature' }), configurationVersion: 'v1' };
const invalid = (extra: Partial<RejectedDecision & { outcome: 'invalid' }> = {}) => ({ outcome: 'invalid', reason: 'bad signature', ...extra }) as RejectedDecision & { outcome: 'invalid' };
const expired = (extra: object = {}) => ({ outcome: 'expired', ...extra }) as RejectedDecision & { outcome: 'expired' };

function container(ledger: UnlinkLedger, options: UnlinkingOptions = {}, verifier: TokenVerifier<unknown> = versioned) {
  const logger = recordingLogger();
  const policy = new UnlinkingPolicy({ ledger, logger, family: 'directive', verifier, ...options });
  return { policy, logger, review: (decision: RejectedDecision & { outcome: 'invalid' | 'expired' }, token: string) => policy.review(decision, token, 1000) };
}

/** A fleet whose configuration a genuine user has proven. */
function provenFleet(options: UnlinkingOptions = {}) {
  const ledger = new MemoryUnlinkLedger();
  container(ledger, options).policy.accepted();
  return ledger;
}

describe('a suspected rejection', () => {
  it('is held as pending at its first rejection, with the time it can be confirmed', async () => {
    const { review } = container(provenFleet());
    const { decision, rejection } = await review(invalid(), 'token-a');
    expect(rejection).toEqual({ kind: 'suspected', reasonClass: 'signature', fate: 'held', hold: 'pending', confirmAt: T0 + HOUR });
    expect(decision.outcome).toBe('undecided');
    expect((decision as { cause: unknown }).cause).toBeInstanceOf(UnlinkingHeldError);
  });

  it('stays pending when the same token is rejected again before confirmAfterMs', async () => {
    const { review } = container(provenFleet());
    await review(invalid(), 'token-a');
    now = T0 + HOUR - 1;
    expect((await review(invalid(), 'token-a')).rejection).toMatchObject({ fate: 'held', hold: 'pending', confirmAt: T0 + HOUR });
  });

  it('is confirmed in another container once confirmAfterMs has passed since its first rejection anywhere in the fleet', async () => {
    const ledger = provenFleet();
    await container(ledger).review(invalid(), 'token-a');
    now = T0 + HOUR;
    const other = container(ledger);
    const { decision, rejection } = await other.review(invalid(), 'token-a');
    expect(rejection).toEqual({ kind: 'suspected', reasonClass: 'signature', fate: 'unlinked' });
    expect(decision).toEqual(invalid());
  });

  it('is not confirmed on knowledge no fresher than its first rejection (a cached verdict, a key set fetched before)', async () => {
    const ledger = provenFleet();
    await container(ledger).review(invalid(), 'token-a');
    now = T0 + 2 * HOUR;
    const stale = await container(ledger).review(invalid({ knowledgeAt: new Date(T0 - 1000) }), 'token-a');
    expect(stale.rejection).toMatchObject({ fate: 'held', hold: 'pending' });
    const fresh = await container(ledger).review(invalid({ knowledgeAt: new Date(T0 + 1) }), 'token-a');
    expect(fresh.rejection.fate).toBe('unlinked');
  });

  it('with confirmAfterMs 0, is confirmed at the same token\'s second rejection with no wait', async () => {
    const { review } = container(provenFleet(), { confirmAfterMs: 0 });
    expect((await review(invalid(), 'token-a')).rejection.hold).toBe('pending');
    expect((await review(invalid(), 'token-a')).rejection.fate).toBe('unlinked');
  });

  it('starts its wait again under a new configuration version', async () => {
    const ledger = provenFleet();
    await container(ledger).review(invalid(), 'token-a');
    now = T0 + 2 * HOUR;
    const v2: TokenVerifier<unknown> = { ...versioned, configurationVersion: 'v2' };
    const deployed = container(ledger, {}, v2);
    deployed.policy.accepted();
    expect((await deployed.review(invalid(), 'token-a')).rejection).toMatchObject({ fate: 'held', hold: 'pending', confirmAt: now + HOUR });
  });
});

describe('a self-evident rejection', () => {
  it('is answered at once once the configuration is proven', async () => {
    const { review } = container(provenFleet());
    expect((await review(expired({ selfEvident: true }), 'token-a')).rejection).toEqual({ kind: 'self-evident', reasonClass: 'expired', fate: 'unlinked' });
  });

  it('is held while no token has been accepted under the configuration anywhere (a clock fault makes every token expired)', async () => {
    const ledger = new MemoryUnlinkLedger();
    const { review, logger } = container(ledger);
    expect((await review(expired({ selfEvident: true }), 'token-a')).rejection).toMatchObject({ fate: 'held', hold: 'unproven' });
    expect(logger.lines.filter((l) => l.includes('"level":"error"'))).toEqual([expect.stringContaining('has accepted no token anywhere in the fleet yet')]);
    container(ledger).policy.accepted(); // an acceptance in another container proves it
    now += 61_000; // this container reads the fleet again after FLEET_REFRESH_MS
    expect((await review(expired({ selfEvident: true }), 'token-b')).rejection.fate).toBe('unlinked');
  });
});

describe('the breaker', () => {
  /** `n` distinct tokens first rejected for `reason` at the current time, from fresh containers. */
  async function rejectMany(ledger: UnlinkLedger, n: number, prefix: string, decision = invalid()) {
    for (let i = 0; i < n; i++) await container(ledger).review(decision, `${prefix}-${i}`);
  }

  it('holds confirmations of a class whose first rejections are far above their usual level, logging ONE ERROR with counts and what to check', async () => {
    const ledger = provenFleet();
    // The usual level: one signature rejection an hour for a day.
    for (let h = 0; h < 24; h++) {
      now = T0 + h * HOUR;
      await rejectMany(ledger, 1, `usual-${h}`);
    }
    now = T0 + 24 * HOUR;
    await container(ledger).review(invalid(), 'dead-token');
    now += HOUR;
    await rejectMany(ledger, 8, 'fault');
    const { review, logger } = container(ledger);
    const held = await review(invalid(), 'dead-token');
    expect(held.rejection).toMatchObject({ fate: 'held', hold: 'breaker', reasonClass: 'signature' });
    await review(invalid(), 'fault-0');
    const errors = logger.lines.filter((l) => l.includes('"level":"error"'));
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0])).toMatchObject({ hold: 'breaker', reasonClass: 'signature', recentTokens: 8, usualTokens: 0.5 });
    expect(errors[0]).toMatch(/JWT_SECRET or JWT_PUBLIC_KEY/);
    // Another class is not held by it.
    expect((await container(ledger).review(expired({ selfEvident: true }), 'old-token')).rejection.fate).toBe('unlinked');
  });

  it('stays open while the fault lasts: the buckets it was open in do not become the usual level', async () => {
    const ledger = provenFleet();
    for (let h = 0; h < 24; h++) {
      now = T0 + h * HOUR;
      await rejectMany(ledger, 1, `usual-${h}`);
    }
    await container(ledger).review(invalid(), 'dead-token');
    for (let m = 0; m <= 20 * 60; m += 10) {
      now = T0 + 24 * HOUR + m * 60_000;
      await rejectMany(ledger, 6, `fault-${m}`);
    }
    expect((await container(ledger).review(invalid(), 'dead-token')).rejection.hold).toBe('breaker');
  });

  it('learns the usual level of a new fleet instead of staying open for ever', async () => {
    const ledger = provenFleet();
    // A busy new skill whose ordinary dead tokens alone are 6 every 10 minutes.
    await rejectMany(ledger, 6, 'first');
    expect((await container(ledger).review(invalid(), 'first-0')).rejection.hold).toBe('breaker');
    for (let m = 10; m <= 120; m += 10) {
      now = T0 + m * 60_000;
      await rejectMany(ledger, 6, `ordinary-${m}`);
    }
    expect((await container(ledger).review(invalid(), 'first-0')).rejection.fate).toBe('unlinked');
  });

  it('closes when the rate is back to normal; a token first rejected while it was open waits confirmAfterMs from when it closed', async () => {
    const ledger = provenFleet();
    for (let h = 0; h < 24; h++) {
      now = T0 + h * HOUR;
      await rejectMany(ledger, 1, `usual-${h}`);
    }
    const start = T0 + 24 * HOUR;
    now = start;
    await rejectMany(ledger, 10, 'fault');
    expect((await container(ledger).review(invalid(), 'fault-0')).rejection.hold).toBe('breaker');
    // An hour later the breaker is shut, but the fault's tokens (long-lived ones, say) were first
    // rejected during it: their wait began when it closed.
    now = start + HOUR;
    const waiting = await container(ledger).review(invalid(), 'fault-0');
    expect(waiting.rejection).toMatchObject({ fate: 'held', hold: 'pending' });
    expect(waiting.rejection.confirmAt).toBeGreaterThan(start + HOUR);
    now = waiting.rejection.confirmAt!;
    expect((await container(ledger).review(invalid(), 'fault-0')).rejection.fate).toBe('unlinked');
  });

  it('counts a container\'s own first rejections at once, without waiting for its next read of the fleet', async () => {
    const ledger = provenFleet();
    const { review } = container(ledger, { confirmAfterMs: 0 });
    for (let i = 0; i < 6; i++) await review(invalid(), `b-${i}`);
    for (let i = 0; i < 6; i++) expect((await review(invalid(), `b-${i}`)).rejection.hold).toBe('breaker');
  });

  it('lets a class go when an operator releases it, and holds everything while they pause', async () => {
    const ledger = provenFleet();
    await rejectMany(ledger, 10, 'fault');
    now = T0 + HOUR;
    await rejectMany(ledger, 10, 'more');
    ledger.release('signature', now + HOUR);
    expect((await container(ledger).review(invalid(), 'fault-0')).rejection.fate).toBe('unlinked');
    ledger.setPaused(true);
    expect((await container(ledger).review(invalid(), 'fault-1')).rejection.hold).toBe('paused');
  });

  it('does not count the rejections of an unproven configuration: a rolled-back bad deploy leaves the breaker shut', async () => {
    const ledger = provenFleet();
    const bad: TokenVerifier<unknown> = { ...versioned, configurationVersion: 'bad-deploy' };
    for (let i = 0; i < 20; i++) expect((await container(ledger, {}, bad).review(invalid(), `genuine-${i}`)).rejection.hold).toBe('unproven');
    await container(ledger).review(invalid(), 'dead-token');
    now = T0 + HOUR;
    expect((await container(ledger).review(invalid(), 'dead-token')).rejection.fate).toBe('unlinked');
  });

  it('neither counts nor holds self-evident rejections: no fault of ours produces them', async () => {
    const ledger = provenFleet();
    for (let i = 0; i < 20; i++) expect((await container(ledger).review(expired({ selfEvident: true }), `long-dead-${i}`)).rejection.fate).toBe('unlinked');
    await container(ledger).review(expired(), 'just-expired');
    now = T0 + HOUR;
    expect((await container(ledger).review(expired(), 'just-expired')).rejection.fate).toBe('unlinked');
  });

  it('is off with breaker: false', async () => {
    const ledger = provenFleet();
    await rejectMany(ledger, 10, 'fault');
    now = T0 + HOUR;
    expect((await container(ledger, { breaker: false }).review(invalid(), 'fault-0')).rejection.fate).toBe('unlinked');
  });
});

describe('when the ledger cannot answer', () => {
  it.each([
    ['throws', { getRejection: () => Promise.reject(new Error('ResourceNotFoundException: no such table')) }],
    ['hangs', { getRejection: () => new Promise<never>(() => undefined) }],
  ])('holds the rejection when the ledger %s, logging ONE ERROR that names UNLINK_LEDGER_TABLE', async (_name, broken) => {
    const ledger = Object.assign(provenFleet(), broken);
    const { policy, logger } = container(ledger);
    jest.restoreAllMocks(); // real time, so that the policy's wait can end
    const review = await policy.review(expired({ selfEvident: true }), 'token-a', 50);
    await policy.review(expired({ selfEvident: true }), 'token-b', 50);
    expect(review.rejection).toMatchObject({ fate: 'held', hold: 'ledger' });
    const errors = logger.lines.filter((l) => l.includes('"level":"error"'));
    expect(errors).toEqual([expect.stringContaining('UNLINK_LEDGER_TABLE')]);
  });
});

describe('what it writes and logs', () => {
  it('keeps token fingerprints, never tokens, and logs no token', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.secret-token-text.signature';
    const ledger = new MemoryUnlinkLedger();
    const { review, logger } = container(ledger);
    await review(invalid(), token);
    const stored = await ledger.getRejection(require('node:crypto').createHash('sha256').update(token).digest('hex'), 'v1');
    expect(stored).toMatchObject({ reasonClass: 'signature', firstRejectedAt: T0, configurationVersion: 'v1' });
    expect(JSON.stringify(stored)).not.toContain('secret-token-text');
    expect(logger.text()).not.toContain('secret-token-text');
  });

  it('keeps a memory ledger bounded under a flood of distinct tokens: 100,000 first rejections at most, the oldest forgotten first', async () => {
    const ledger = new MemoryUnlinkLedger();
    const entry = (i: number) => ({ fingerprint: `fp-${i}`, configurationVersion: 'v1', reasonClass: 'signature', firstRejectedAt: T0 });
    for (let i = 0; i <= 100_000; i++) await ledger.recordRejection(entry(i), T0 + HOUR);
    expect(await ledger.getRejection('fp-0', 'v1')).toBeUndefined();
    expect(await ledger.getRejection('fp-1', 'v1')).toMatchObject({ fingerprint: 'fp-1' });
    expect(await ledger.getRejection('fp-100000', 'v1')).toMatchObject({ fingerprint: 'fp-100000' });
  });

  it('costs the warm accepted path no ledger I/O after its first proof', async () => {
    const ledger = new MemoryUnlinkLedger();
    const { policy } = container(ledger);
    for (let i = 0; i < 100; i++) policy.accepted();
    expect(ledger.operations).toEqual({ reads: 0, writes: 1 });
  });

  it.each([
    [{ confirmAfterMs: -1 }, /confirmAfterMs/],
    [{ configurationVersion: '' }, /configurationVersion/],
    [{ breaker: { windowMs: 12_345 } }, /windowMs/],
    [{ breaker: { factor: 0.5 } }, /factor/],
    [{ ledger: {} as UnlinkLedger }, /ledger/],
  ])('refuses %p with a ConfigurationError', (options, message) => {
    expect(() => container(new MemoryUnlinkLedger(), options as UnlinkingOptions)).toThrow(message);
  });
});

describe('a fault that rejects only some genuine users, on a gate with a real JwtVerifier', () => {
  it('unlinks none of them in A1, B1, A2, B2, A3, B3, B4, A4, B5 with key A configured (the issue\'s replay), and none within confirmAfterMs', async () => {
    const keyA = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyB = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const verifier = new JwtVerifier({ publicKey: keyA.publicKey, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });
    const ledger = new MemoryUnlinkLedger();
    const skill = () => withAccountLinking(SkillBuilders.custom(), { verifier, logger: recordingLogger(), unlinking: { ledger } })
      .addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.speak('served').getResponse() }).create();
    const token = (key: typeof keyA, n: number) => mintAccessToken({ key: key.privateKey, algorithm: 'RS256', issuer: ISSUER, audience: AUDIENCE, subject: `user-${n}`, expiresInSeconds: 3600 });
    const sequence: Array<[string, string]> = [
      ['A1', token(keyA, 1)], ['B1', token(keyB, 1)], ['A2', token(keyA, 2)], ['B2', token(keyB, 2)], ['A3', token(keyA, 3)],
      ['B3', token(keyB, 3)], ['B4', token(keyB, 4)], ['A4', token(keyA, 4)], ['B5', token(keyB, 5)],
    ];
    const cards: string[] = [];
    for (const [name, accessToken] of [...sequence, ...sequence]) {
      now += 60_000;
      const reply = await skill().invoke(launchRequest({ accessToken })); // each request a fresh container
      if (reply.response.card?.type === 'LinkAccount') cards.push(name);
    }
    expect(cards).toEqual([]);
  });
});
