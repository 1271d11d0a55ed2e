/**
 * decide: one verdict of a verifier for one token, within its budget; whatever the verifier does
 * (throws, hangs, answers garbage or late), the gate gets a decision, never an exception.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  CachingVerifier,
  decide,
  JwtVerifier,
  InvalidVerdictError,
  VerifierFailedError,
  VerifierTimeoutError,
  type VerificationContext,
} from '../../lib';
import { mintAccessToken } from '../../lib/testing';
import { found, options, verifier } from '../support/gate';

describe('decide', () => {
  it('says missing, without asking the verifier, when there is no token', async () => {
    const verify = jest.fn();
    expect(await decide({ status: 'absent' }, verifier(verify), options)).toEqual({ outcome: 'missing' });
    expect(verify).not.toHaveBeenCalled();
  });

  it('passes valid, invalid and expired verdicts through', async () => {
    const expiresAt = new Date(Date.now() + 60_000);
    expect(
      await decide(
        found,
        verifier(async () => ({ outcome: 'valid', principal: { id: 1 }, expiresAt })),
        options,
      ),
    ).toEqual({ outcome: 'linked', linkedUser: { id: 1 }, expiresAt });
    expect(
      await decide(
        found,
        verifier(async () => ({ outcome: 'invalid', reason: 'revoked' })),
        options,
      ),
    ).toEqual({ outcome: 'invalid', reason: 'revoked' });
    expect(
      await decide(
        found,
        verifier(async () => ({ outcome: 'expired' })),
        options,
      ),
    ).toEqual({ outcome: 'expired' });
  });

  it.each([
    ['the whole token', (token: string) => `unknown token ${token}`],
    ['a piece of it', (token: string) => `no session for ${token.slice(4, 16)} here`],
    ['a long credential-like run', () => `rejected ${'A1b2C3d4'.repeat(4)}`],
  ])("takes %s out of a verifier's reason before anything sees it", async (_name, reasonOf) => {
    const token = 'k3Jd9xQ2mP7vL0sZ8wT5yR1nB4cF6gH2';
    const decision = await decide(
      { ...found, accessToken: token },
      verifier(async () => ({ outcome: 'invalid', reason: reasonOf(token) })),
      options,
    );
    expect(decision).toEqual({ outcome: 'invalid', reason: expect.stringContaining('[redacted]') });
    const reason = (decision as { reason: string }).reason;
    for (let i = 0; i + 8 <= token.length; i++) expect(reason).not.toContain(token.slice(i, i + 8));
  });

  it('hands the verifier the family, a deadline and a live abort signal', async () => {
    let seen: VerificationContext | undefined;
    await decide(
      found,
      verifier(async (_token, context) => {
        seen = context;
        return { outcome: 'expired' };
      }),
      { family: 'music', budgetMs: 1000 },
    );
    expect(seen?.family).toBe('music');
    expect(seen?.signal.aborted).toBe(false);
    expect(seen!.deadline.getTime()).toBeGreaterThan(Date.now());
  });

  it("is undecided, with a VerifierFailedError whose cause is the verifier's error, when the verifier throws or rejects", async () => {
    const failure = new Error('ECONNREFUSED');
    for (const verify of [
      () => {
        throw failure;
      },
      () => Promise.reject(failure),
    ]) {
      const decision = await decide(found, verifier(verify as never), options);
      expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierFailedError) });
      expect(decision.outcome === 'undecided' && decision.cause.cause).toBe(failure);
    }
  });

  it('is undecided when the verifier overruns the deadline, and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const decision = await decide(
      found,
      verifier((_t, context) => {
        signal = context.signal;
        return new Promise(() => undefined);
      }),
      options,
    );
    expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierTimeoutError) });
    expect(signal?.aborted).toBe(true);
  });

  it('is undecided at once when no time is left', async () => {
    const decision = await decide(
      found,
      verifier(() => new Promise(() => undefined)),
      { family: 'custom', budgetMs: 0 },
    );
    expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierTimeoutError) });
  });

  it.each([
    ['undefined', undefined],
    ['a string', 'valid'],
    ['an unknown outcome', { outcome: 'ok' }],
    ['valid without a principal', { outcome: 'valid' }],
    ['valid with an expiresAt that is not a Date', { outcome: 'valid', principal: 'u', expiresAt: '2030-01-01' }],
  ])('is undecided when the verifier answers %s', async (_name, answer) => {
    expect(
      await decide(
        found,
        verifier(async () => answer as never),
        options,
      ),
    ).toMatchObject({ outcome: 'undecided', cause: expect.any(InvalidVerdictError) });
  });

  it('uses the verdict of a verifier that answers after a few ticks, within the deadline', async () => {
    const decision = await decide(
      found,
      verifier(async () => {
        await null;
        await new Promise((resolve) => setImmediate(resolve));
        return { outcome: 'valid', principal: 'u' };
      }),
      options,
    );
    expect(decision).toEqual({ outcome: 'linked', linkedUser: 'u' });
  });

  it('arms no timer and makes no abort signal for a verifier without I/O, even behind the verdict cache', async () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwt = new JwtVerifier({
      publicKey: key.publicKey,
      algorithms: ['RS256'],
      issuer: 'https://i/',
      audience: 'a',
    });
    const token = mintAccessToken({
      key: key.privateKey,
      algorithm: 'RS256',
      issuer: 'https://i/',
      audience: 'a',
      subject: 'u',
    });
    const timers = jest.spyOn(global, 'setTimeout');
    const signals = jest.spyOn(AbortSignal.prototype, 'addEventListener');
    try {
      for (const chosen of [jwt, new CachingVerifier(jwt)]) {
        const decision = await decide({ status: 'found', accessToken: token, path: found.path }, chosen, options);
        expect(decision).toMatchObject({ outcome: 'linked' });
      }
      expect(timers).not.toHaveBeenCalled();
      expect(signals).not.toHaveBeenCalled();
    } finally {
      timers.mockRestore();
      signals.mockRestore();
    }
  });

  it('hands an aborted signal to a verifier that first reads it after the deadline', async () => {
    let signal: AbortSignal | undefined;
    const decision = await decide(
      found,
      verifier(async (_t, context) => {
        await new Promise((resolve) => setTimeout(resolve, 40));
        signal = context.signal;
        return { outcome: 'expired' };
      }),
      { family: 'custom', budgetMs: 10 },
    );
    expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierTimeoutError) });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(VerifierTimeoutError);
  });

  it('does not leave a late rejection unhandled after a timeout', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      await decide(
        found,
        verifier(() => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 80))),
        { family: 'custom', budgetMs: 10 },
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
