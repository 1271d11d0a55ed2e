/** CachingVerifier in front of any verifier: coalescing, TTLs, LRU, knowledge versions, and callers' deadlines. */
import {
  CachingVerifier,
  ConfigurationError,
  JwtVerifier,
  VerifierTimeoutError,
  type TokenVerdict,
  type TokenVerifier,
  type VerificationContext,
} from '../../lib';
import { AUDIENCE, ISSUER } from '../support/fixtures';
import { context } from './context';

describe('CachingVerifier', () => {
  function counting(answer: (token: string) => TokenVerdict<string> | Promise<TokenVerdict<string>>) {
    const calls: string[] = [];
    const inner: TokenVerifier<string> = {
      verify: async (token) => {
        calls.push(token);
        return answer(token);
      },
    };
    return { inner, calls };
  }

  it('coalesces concurrent verifications of one token into one upstream call', async () => {
    const { inner, calls } = counting(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { outcome: 'valid', principal: 'u' };
    });
    const cache = new CachingVerifier(inner);
    const verdicts = await Promise.all(Array.from({ length: 20 }, () => cache.verify('t', context())));
    expect(calls).toHaveLength(1);
    expect(verdicts.every((v) => v.outcome === 'valid')).toBe(true);
  });

  it('keeps a valid verdict no longer than the token lives', async () => {
    const { inner, calls } = counting(() => ({
      outcome: 'valid',
      principal: 'u',
      expiresAt: new Date(Date.now() + 50),
    }));
    const cache = new CachingVerifier(inner);
    await cache.verify('t', context());
    await cache.verify('t', context());
    expect(calls).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 80));
    await cache.verify('t', context());
    expect(calls).toHaveLength(2);
  });

  it('keeps negative verdicts for the negative TTL, and "could not decide" not at all', async () => {
    let fail = true;
    const { inner, calls } = counting(() => {
      if (fail) throw new Error('down');
      return { outcome: 'invalid', reason: 'revoked' };
    });
    const cache = new CachingVerifier(inner, { negativeTtlSeconds: 60 });
    await expect(cache.verify('t', context())).rejects.toThrow('down');
    fail = false;
    await cache.verify('t', context());
    await cache.verify('t', context());
    expect(calls).toHaveLength(2);
  });

  it('holds at most maxEntries verdicts, dropping the least recently used', async () => {
    const { inner, calls } = counting(() => ({ outcome: 'valid', principal: 'u' }));
    const cache = new CachingVerifier(inner, { maxEntries: 2 });
    for (const token of ['a', 'b', 'a', 'c']) await cache.verify(token, context());
    expect(cache.size).toBe(2);
    await cache.verify('a', context()); // kept: used after b
    await cache.verify('b', context()); // dropped for c: asked again
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
  });

  /** An inner verifier whose verifications settle only when the test says so, and ignore their signal. */
  function controlled() {
    const settles: Array<(verdict: TokenVerdict<string>) => void> = [];
    const inner: TokenVerifier<string> & { knowledgeVersion: number } = {
      knowledgeVersion: 1,
      verify: () => new Promise((resolve) => void settles.push(resolve)),
    };
    return { inner, settles };
  }
  const withSignal = (signal: AbortSignal): VerificationContext => ({
    family: 'custom',
    signal,
    deadline: new Date(Date.now() + 1000),
  });

  it('never keeps a caller who joins a pending verification past its own deadline', async () => {
    const { inner, settles } = controlled();
    const cache = new CachingVerifier(inner);
    const first = cache.verify('t', withSignal(new AbortController().signal));
    const deadline = new AbortController();
    const joined = cache.verify('t', withSignal(deadline.signal));
    const timeout = new VerifierTimeoutError(30);
    deadline.abort(timeout);
    await expect(joined).rejects.toBe(timeout);
    expect(settles).toHaveLength(1); // it had joined: one upstream call
    settles[0]({ outcome: 'valid', principal: 'u' });
    expect(await first).toEqual({ outcome: 'valid', principal: 'u' });
  });

  it('does not join a pending verification whose own caller gave up: a later caller starts its own', async () => {
    const { inner, settles } = controlled();
    const cache = new CachingVerifier(inner);
    const givenUp = new AbortController();
    const first = cache.verify('t', withSignal(givenUp.signal));
    givenUp.abort(new VerifierTimeoutError(10));
    await expect(first).rejects.toBeInstanceOf(VerifierTimeoutError);
    const later = cache.verify('t', withSignal(new AbortController().signal));
    expect(settles).toHaveLength(2);
    settles[1]({ outcome: 'expired' });
    expect(await later).toEqual({ outcome: 'expired' });
    settles[0]({ outcome: 'valid', principal: 'older' }); // the abandoned one settles late: it does not replace the newer verdict
    await new Promise((r) => setImmediate(r));
    expect(await cache.verify('t', context())).toEqual({ outcome: 'expired', knowledgeAt: expect.any(Date) });
    expect(settles).toHaveLength(2);
  });

  it("does not keep a verdict taken while the inner verifier's knowledge was refreshed", async () => {
    const { inner, settles } = controlled();
    const cache = new CachingVerifier(inner);
    const verdict = cache.verify('t', context());
    inner.knowledgeVersion = 2; // e.g. the JWKS was refetched while this verification ran
    settles[0]({ outcome: 'invalid', reason: 'bad signature' });
    expect(await verdict).toEqual({ outcome: 'invalid', reason: 'bad signature' });
    expect(cache.size).toBe(0);
    const again = cache.verify('t', context());
    expect(settles).toHaveLength(2); // asked again: nothing was kept
    settles[1]({ outcome: 'valid', principal: 'u' });
    expect(await again).toEqual({ outcome: 'valid', principal: 'u' });
  });

  it("drops a kept verdict once the inner verifier's knowledge has been refreshed", async () => {
    const { inner, settles } = controlled();
    const cache = new CachingVerifier(inner, { negativeTtlSeconds: 60 });
    const verdict = cache.verify('t', context());
    settles[0]({ outcome: 'invalid', reason: 'unknown kid' });
    await verdict;
    const hit = await cache.verify('t', context());
    expect(hit).toEqual({ outcome: 'invalid', reason: 'unknown kid', knowledgeAt: expect.any(Date) });
    expect(settles).toHaveLength(1);
    inner.knowledgeVersion = 2;
    const again = cache.verify('t', context());
    expect(settles).toHaveLength(2);
    settles[1]({ outcome: 'valid', principal: 'u' });
    expect(await again).toEqual({ outcome: 'valid', principal: 'u' });
  });

  it('serves a kept rejection again with the knowledgeAt the inner verifier gave it, however much later it is served', async () => {
    const fetchedAt = new Date(Date.now() - 120_000); // e.g. the fetch of the key set the failure was proven against
    const { inner } = counting(() => ({ outcome: 'invalid', reason: 'bad signature', knowledgeAt: fetchedAt }));
    const cache = new CachingVerifier(inner, { negativeTtlSeconds: 60 });
    expect(await cache.verify('t', context())).toEqual({
      outcome: 'invalid',
      reason: 'bad signature',
      knowledgeAt: fetchedAt,
    });
    await new Promise((r) => setTimeout(r, 20));
    const served = await cache.verify('t', context());
    expect(served).toEqual({ outcome: 'invalid', reason: 'bad signature', knowledgeAt: fetchedAt });
  });

  it('stamps a kept rejection without knowledgeAt with when its verification began, and hands the fresh verdict on untouched', async () => {
    const { inner, settles } = controlled();
    const cache = new CachingVerifier(inner, { negativeTtlSeconds: 60 });
    const began = Date.now();
    const fresh = cache.verify('t', context());
    const called = Date.now(); // the inner verification began in between
    await new Promise((r) => setTimeout(r, 30)); // the inner verification takes a while
    settles[0]({ outcome: 'expired', selfEvident: true });
    expect(await fresh).toEqual({ outcome: 'expired', selfEvident: true }); // as the inner verifier gave it
    await new Promise((r) => setTimeout(r, 20));
    const served = await cache.verify('t', context());
    expect(settles).toHaveLength(1); // a hit
    expect(served).toEqual({ outcome: 'expired', selfEvident: true, knowledgeAt: expect.any(Date) });
    const knowledgeAt = (served as { knowledgeAt: Date }).knowledgeAt.getTime();
    expect(knowledgeAt).toBeGreaterThanOrEqual(began);
    expect(knowledgeAt).toBeLessThanOrEqual(called); // when it began, not when it settled (30 ms later) or was served
  });

  it('dates the verdict of a caller who joined a pending verification by when that verification began', async () => {
    const { inner, settles } = controlled();
    const cache = new CachingVerifier(inner);
    const first = cache.verify('t', context());
    const called = Date.now();
    await new Promise((r) => setTimeout(r, 30));
    const joined = cache.verify('t', context());
    settles[0]({ outcome: 'invalid', reason: 'inactive' });
    expect(await first).toEqual({ outcome: 'invalid', reason: 'inactive' });
    const verdict = await joined;
    expect(settles).toHaveLength(1);
    expect((verdict as { knowledgeAt: Date }).knowledgeAt.getTime()).toBeLessThanOrEqual(called); // not when it joined, 30 ms later
  });

  it('keeps valid verdicts as they are: no knowledgeAt on an acceptance', async () => {
    const { inner } = counting(() => ({ outcome: 'valid', principal: 'u' }));
    const cache = new CachingVerifier(inner);
    await cache.verify('t', context());
    expect(await cache.verify('t', context())).toEqual({ outcome: 'valid', principal: 'u' });
  });

  it('has the configurationVersion of the verifier it caches, and none when that has none', () => {
    const secret = 'a-test-secret-that-is-long-enough-for-hs256';
    const jwt = new JwtVerifier({ secret, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
    expect(new CachingVerifier(jwt).configurationVersion).toBe(jwt.configurationVersion);
    expect(new CachingVerifier({ verify: async () => ({ outcome: 'expired' }) }).configurationVersion).toBeUndefined();
  });

  it('refuses nonsense options', () => {
    expect(() => new CachingVerifier({} as never)).toThrow(ConfigurationError);
    expect(() => new CachingVerifier({ verify: async () => ({ outcome: 'expired' }) }, { maxEntries: 0 })).toThrow(
      ConfigurationError,
    );
  });
});
