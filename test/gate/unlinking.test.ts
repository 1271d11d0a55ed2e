/**
 * The unlinking policy, one rule at a time, over a ledger shared by several "containers" (policy
 * instances), under a clock the tests move: what is held, why, and when it is answered. Its
 * breaker: test/gate/breaker.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SkillBuilders } from 'ask-sdk-core';
import {
  JwtVerifier,
  MemoryUnlinkLedger,
  UnlinkingHeldError,
  withAccountLinking,
  type TokenVerifier,
  type UnlinkLedger,
  type UnlinkingOptions,
} from '../../lib';
import { launchRequest, mintAccessToken } from '../../lib/testing';
import { AUDIENCE, ISSUER, recordingLogger } from '../support/fixtures';
import {
  clock,
  container,
  expired,
  HOUR,
  invalid,
  provenFleet,
  T0,
  useTestClock,
  versioned,
} from '../support/unlinking-fleet';

useTestClock();

describe('a suspected rejection', () => {
  it('is held as pending at its first rejection, with the time it can be confirmed', async () => {
    const { review } = container(provenFleet());
    const { decision, rejection } = await review(invalid(), 'token-a');
    expect(rejection).toEqual({
      kind: 'suspected',
      reasonClass: 'signature',
      fate: 'held',
      hold: 'pending',
      confirmAt: T0 + HOUR,
    });
    expect(decision.outcome).toBe('undecided');
    expect((decision as { cause: unknown }).cause).toBeInstanceOf(UnlinkingHeldError);
  });

  it('stays pending when the same token is rejected again before confirmAfterMs', async () => {
    const { review } = container(provenFleet());
    await review(invalid(), 'token-a');
    clock.now = T0 + HOUR - 1;
    expect((await review(invalid(), 'token-a')).rejection).toMatchObject({
      fate: 'held',
      hold: 'pending',
      confirmAt: T0 + HOUR,
    });
  });

  it('is confirmed in another container once confirmAfterMs has passed since its first rejection anywhere in the fleet', async () => {
    const ledger = provenFleet();
    await container(ledger).review(invalid(), 'token-a');
    clock.now = T0 + HOUR;
    const other = container(ledger);
    const { decision, rejection } = await other.review(invalid(), 'token-a');
    expect(rejection).toEqual({ kind: 'suspected', reasonClass: 'signature', fate: 'unlinked' });
    expect(decision).toEqual(invalid());
  });

  it('is not confirmed on knowledge no fresher than its first rejection (a cached verdict, a key set fetched before)', async () => {
    const ledger = provenFleet();
    await container(ledger).review(invalid(), 'token-a');
    clock.now = T0 + 2 * HOUR;
    const stale = await container(ledger).review(invalid({ knowledgeAt: new Date(T0 - 1000) }), 'token-a');
    expect(stale.rejection).toMatchObject({ fate: 'held', hold: 'pending' });
    const fresh = await container(ledger).review(invalid({ knowledgeAt: new Date(T0 + 1) }), 'token-a');
    expect(fresh.rejection.fate).toBe('unlinked');
  });

  it("with confirmAfterMs 0, is confirmed at the same token's second rejection with no wait", async () => {
    const { review } = container(provenFleet(), { confirmAfterMs: 0 });
    expect((await review(invalid(), 'token-a')).rejection.hold).toBe('pending');
    expect((await review(invalid(), 'token-a')).rejection.fate).toBe('unlinked');
  });

  it('starts its wait again under a new configuration version', async () => {
    const ledger = provenFleet();
    await container(ledger).review(invalid(), 'token-a');
    clock.now = T0 + 2 * HOUR;
    const v2: TokenVerifier<unknown> = { ...versioned, configurationVersion: 'v2' };
    const deployed = container(ledger, {}, v2);
    deployed.policy.accepted();
    expect((await deployed.review(invalid(), 'token-a')).rejection).toMatchObject({
      fate: 'held',
      hold: 'pending',
      confirmAt: clock.now + HOUR,
    });
  });
});

describe('a self-evident rejection', () => {
  it('is answered at once once the configuration is proven', async () => {
    const { review } = container(provenFleet());
    expect((await review(expired({ selfEvident: true }), 'token-a')).rejection).toEqual({
      kind: 'self-evident',
      reasonClass: 'expired',
      fate: 'unlinked',
    });
  });

  it('is held while no token has been accepted under the configuration anywhere (a clock fault makes every token expired)', async () => {
    const ledger = new MemoryUnlinkLedger();
    const { review, logger } = container(ledger);
    expect((await review(expired({ selfEvident: true }), 'token-a')).rejection).toMatchObject({
      fate: 'held',
      hold: 'unproven',
    });
    expect(logger.lines.filter((l) => l.includes('"level":"error"'))).toEqual([
      expect.stringContaining('has accepted no token anywhere in the fleet yet'),
    ]);
    container(ledger).policy.accepted(); // an acceptance in another container proves it
    clock.now += 61_000; // this container reads the fleet again after FLEET_REFRESH_MS
    expect((await review(expired({ selfEvident: true }), 'token-b')).rejection.fate).toBe('unlinked');
  });
});

describe('when the ledger cannot answer', () => {
  it.each([
    ['throws', { getRejection: () => Promise.reject(new Error('ResourceNotFoundException: no such table')) }],
    ['hangs', { getRejection: () => new Promise<never>(() => undefined) }],
  ])(
    'holds the rejection when the ledger %s, logging ONE ERROR that names UNLINK_LEDGER_TABLE',
    async (_name, broken) => {
      const ledger = Object.assign(provenFleet(), broken);
      const { policy, logger } = container(ledger);
      jest.restoreAllMocks(); // real time, so that the policy's wait can end
      const review = await policy.review(expired({ selfEvident: true }), 'token-a', 50);
      await policy.review(expired({ selfEvident: true }), 'token-b', 50);
      expect(review.rejection).toMatchObject({ fate: 'held', hold: 'ledger' });
      const errors = logger.lines.filter((l) => l.includes('"level":"error"'));
      expect(errors).toEqual([expect.stringContaining('UNLINK_LEDGER_TABLE')]);
    },
  );
});

describe('what it writes and logs', () => {
  it('keeps token fingerprints, never tokens, and logs no token', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.secret-token-text.signature';
    const ledger = new MemoryUnlinkLedger();
    const { review, logger } = container(ledger);
    await review(invalid(), token);
    const stored = await ledger.getRejection(
      require('node:crypto').createHash('sha256').update(token).digest('hex'),
      'v1',
    );
    expect(stored).toMatchObject({ reasonClass: 'signature', firstRejectedAt: T0, configurationVersion: 'v1' });
    expect(JSON.stringify(stored)).not.toContain('secret-token-text');
    expect(logger.text()).not.toContain('secret-token-text');
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
  it("unlinks none of them in A1, B1, A2, B2, A3, B3, B4, A4, B5 with key A configured (the issue's replay), and none within confirmAfterMs", async () => {
    const keyA = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyB = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const verifier = new JwtVerifier({
      publicKey: keyA.publicKey,
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const ledger = new MemoryUnlinkLedger();
    const skill = () =>
      withAccountLinking(SkillBuilders.custom(), { verifier, logger: recordingLogger(), unlinking: { ledger } })
        .addRequestHandlers({
          canHandle: () => true,
          handle: (input) => input.responseBuilder.speak('served').getResponse(),
        })
        .create();
    const token = (key: typeof keyA, n: number) =>
      mintAccessToken({
        key: key.privateKey,
        algorithm: 'RS256',
        issuer: ISSUER,
        audience: AUDIENCE,
        subject: `user-${n}`,
        expiresInSeconds: 3600,
      });
    const sequence: Array<[string, string]> = [
      ['A1', token(keyA, 1)],
      ['B1', token(keyB, 1)],
      ['A2', token(keyA, 2)],
      ['B2', token(keyB, 2)],
      ['A3', token(keyA, 3)],
      ['B3', token(keyB, 3)],
      ['B4', token(keyB, 4)],
      ['A4', token(keyA, 4)],
      ['B5', token(keyB, 5)],
    ];
    const cards: string[] = [];
    for (const [name, accessToken] of [...sequence, ...sequence]) {
      clock.now += 60_000;
      const reply = await skill().invoke(launchRequest({ accessToken })); // each request a fresh container
      if (reply.response.card?.type === 'LinkAccount') cards.push(name);
    }
    expect(cards).toEqual([]);
  });
});
