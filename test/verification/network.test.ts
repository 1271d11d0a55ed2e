import {
  AuthorizationServerError, CachingVerifier, CannotDecideError, ConfigurationError, decide, IntrospectionVerifier, JwtVerifier, LoginWithAmazonVerifier,
  VerifierTimeoutError, type TokenVerdict, type TokenVerifier, type VerificationContext,
} from '../../lib';
import { findCause } from '../../lib/logging';
import { mintAccessToken } from '../../lib/testing';
import { AUDIENCE, ISSUER, rsa, rsToken } from '../support/fixtures';
import { json, startLoopback, type Loopback } from '../support/loopback';

const context = (): VerificationContext => ({ family: 'custom', signal: AbortSignal.timeout(2000), deadline: new Date(Date.now() + 2000) });
const found = (accessToken: string) => ({ status: 'found' as const, accessToken, path: 'context.System.user.accessToken' });
const jwkOf = (kid: string, key = rsa.publicKey) => ({ ...key.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' });

describe('JwtVerifier with a JWKS URL', () => {
  let jwks: Loopback;
  let keys: object[];
  beforeEach(async () => {
    keys = [jwkOf('key-a')];
    jwks = await startLoopback((_req, res) => json(res, 200, { keys }));
  });
  afterEach(() => jwks.close());
  const verifier = (options: { jwksCooldownMs?: number; jwksRefetchBurst?: number } = {}) =>
    new JwtVerifier({ jwksUri: `${jwks.url}/jwks`, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE, ...options });

  it('says valid for a token signed with a published key, fetching the key set once', async () => {
    const v = verifier();
    expect((await v.verify(rsToken({ keyId: 'key-a' }), context())).outcome).toBe('valid');
    expect((await v.verify(rsToken({ keyId: 'key-a' }), context())).outcome).toBe('valid');
    expect(jwks.requests).toHaveLength(1);
  });

  it('refetches for an unknown kid, and finds a rotated key at once', async () => {
    const v = verifier();
    await v.verify(rsToken({ keyId: 'key-a' }), context());
    const { generateKeyPairSync } = await import('node:crypto');
    const next = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = [jwkOf('key-b', next.publicKey), jwkOf('key-a')];
    const token = mintAccessToken({ key: next.privateKey, algorithm: 'RS256', issuer: ISSUER, audience: AUDIENCE, subject: 'rider-42', keyId: 'key-b' });
    expect((await v.verify(token, context())).outcome).toBe('valid');
    expect(jwks.requests).toHaveLength(2);
  });

  it('says invalid for unknown kids only on a key set fetched after the token was seen, and "could not decide" once the refetches are spent', async () => {
    const v = verifier({ jwksRefetchBurst: 2 });
    await v.verify(rsToken({ keyId: 'key-a' }), context());
    for (const kid of ['x', 'y']) expect(await v.verify(rsToken({ keyId: kid }), context())).toEqual({ outcome: 'invalid', reason: 'unknown signing key' });
    await expect(v.verify(rsToken({ keyId: 'z' }), context())).rejects.toMatchObject({ name: 'CannotDecideError', reason: 'unknown signing key, key set refresh rate-limited' });
    expect(jwks.requests).toHaveLength(3);
  });

  it('coalesces concurrent fetches into one', async () => {
    const v = verifier();
    await Promise.all(Array.from({ length: 10 }, () => v.verify(rsToken({ keyId: 'key-a' }), context())));
    expect(jwks.requests).toHaveLength(1);
  });

  it('keeps the last good key set when a refetch fails', async () => {
    const v = verifier();
    await v.verify(rsToken({ keyId: 'key-a' }), context());
    jwks.route = (_req, res) => json(res, 503, 'down');
    expect((await v.verify(rsToken({ keyId: 'key-a' }), context())).outcome).toBe('valid');
    const error = await v.verify(rsToken({ keyId: 'key-new' }), context()).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CannotDecideError);
    expect(findCause(error, AuthorizationServerError)).toMatchObject({ status: 503 });
  });

  it.each([
    ['answers 500', (_req: unknown, res: any) => json(res, 500, {})],
    ['answers HTML', (_req: unknown, res: any) => json(res, 200, '<html>')],
    ['answers no usable key', (_req: unknown, res: any) => json(res, 200, { keys: [{ kty: 'oct', k: 'abc', kid: 'k' }] })],
  ])('could not decide (throws, "key set unavailable") when the JWKS endpoint %s, never invalid', async (_name, route) => {
    jwks.route = route;
    const error = await verifier().verify(rsToken({ keyId: 'key-a' }), context()).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ name: 'CannotDecideError', reason: 'key set unavailable', cause: expect.any(AuthorizationServerError) });
  });

  it('is undecided by the deadline when the JWKS endpoint hangs', async () => {
    jwks.route = () => undefined; // never answers
    const decision = await decide(found(rsToken({ keyId: 'key-a' })), verifier(), { family: 'directive', budgetMs: 200 });
    expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierTimeoutError) });
  });

  it('refuses a token whose alg is not allowed before fetching keys', async () => {
    const token = mintAccessToken({ key: 'a-test-secret-that-is-long-enough-for-hs256', issuer: ISSUER, audience: AUDIENCE, subject: 's' });
    expect(await verifier().verify(token, context())).toEqual({ outcome: 'invalid', reason: 'algorithm not allowed' });
    expect(jwks.requests).toHaveLength(0);
  });
});

describe('IntrospectionVerifier', () => {
  let server: Loopback;
  let answer: { status: number; body: unknown };
  beforeEach(async () => {
    answer = { status: 200, body: { active: true, sub: 'rider-42', client_id: 'alexa-skill', aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 } };
    server = await startLoopback((_req, res) => json(res, answer.status, answer.body));
  });
  afterEach(() => server.close());
  const verifier = (extra: object = {}) => new IntrospectionVerifier({ url: `${server.url}/introspect`, clientId: 'skill api', clientSecret: 's3cr&t', ...extra });

  it('says valid for an active token, authenticating with client_secret_basic, the token in the body', async () => {
    expect(await verifier().verify('opaque-1', context())).toMatchObject({ outcome: 'valid', principal: { subject: 'rider-42' } });
    const [request] = server.requests;
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('skill+api:s3cr%26t').toString('base64')}`);
    expect(new URLSearchParams(request.body).get('token')).toBe('opaque-1');
    expect(request.url).toBe('/introspect');
  });

  it('authenticates with client_secret_post when told to', async () => {
    await verifier({ clientAuthMethod: 'client_secret_post' }).verify('opaque-1', context());
    const form = new URLSearchParams(server.requests[0].body);
    expect([form.get('client_id'), form.get('client_secret'), server.requests[0].headers.authorization]).toEqual(['skill api', 's3cr&t', undefined]);
  });

  it.each([
    ['inactive', { active: false }, { outcome: 'invalid', reason: 'inactive' }],
    ['active but past exp', { active: true, sub: 's', exp: 1000 }, { outcome: 'expired' }],
    ['without a subject', { active: true }, { outcome: 'invalid', reason: 'no linked user in response' }],
  ])('says %s tokens are not valid', async (_name, body, verdict) => {
    answer.body = body;
    expect(await verifier().verify('opaque-1', context())).toEqual(verdict);
  });

  it('checks audience and client when asked', async () => {
    expect(await verifier({ audience: 'other' }).verify('t', context())).toEqual({ outcome: 'invalid', reason: 'wrong audience' });
    expect(await verifier({ clientIds: ['another-client'] }).verify('t', context())).toEqual({ outcome: 'invalid', reason: 'issued to another client' });
    expect((await verifier({ audience: AUDIENCE, clientIds: ['alexa-skill'] }).verify('t', context())).outcome).toBe('valid');
  });

  it.each([
    ['401 (the skill\'s own credentials)', 401, { error: 'invalid_client' }],
    ['403', 403, {}],
    ['500', 500, {}],
    ['200 without "active"', 200, { sub: 'x' }],
    ['200 with HTML', 200, '<html>'],
  ])('could not decide (throws) when the endpoint answers %s', async (_name, status, body) => {
    answer = { status, body };
    await expect(verifier().verify('opaque-1', context())).rejects.toBeInstanceOf(AuthorizationServerError);
  });

  it('never puts the token or the secret in its error messages', async () => {
    answer = { status: 500, body: {} };
    const error = await verifier().verify('opaque-SECRET-TOKEN', context()).catch((e) => e);
    expect(`${error.message} ${error.stack}`).not.toMatch(/opaque-SECRET-TOKEN|s3cr/);
  });
});

describe('LoginWithAmazonVerifier, against a loopback stand-in for LWA', () => {
  const CLIENT = 'amzn1.application-oa2-client.ride-hailer';
  let lwa: Loopback;
  let tokenInfo: { status: number; body: unknown };
  beforeEach(async () => {
    tokenInfo = { status: 200, body: { iss: 'https://www.amazon.com', user_id: 'amzn1.account.AE', aud: CLIENT, app_id: 'amzn1.application.x', exp: 3597, iat: 1 } };
    lwa = await startLoopback((req, res) =>
      req.url.startsWith('/auth/o2/tokeninfo') ? json(res, tokenInfo.status, tokenInfo.body) : json(res, 200, { user_id: 'amzn1.account.AE', name: 'Ada', email: 'ada@example.com' }),
    );
  });
  afterEach(() => lwa.close());
  const verifier = (fetchProfile = false) =>
    new LoginWithAmazonVerifier({ clientId: CLIENT, fetchProfile, tokenInfoUrl: `${lwa.url}/auth/o2/tokeninfo`, profileUrl: `${lwa.url}/user/profile` });

  it('says valid for a token issued to the skill\'s client, the token in a header and never in a URL', async () => {
    const verdict = await verifier().verify('Atza|token-1', context());
    expect(verdict).toMatchObject({ outcome: 'valid', principal: { subject: 'amzn1.account.AE' } });
    expect(lwa.requests[0].headers['x-amz-access-token']).toBe('Atza|token-1');
    expect(lwa.requests.every((r) => !r.url.includes('token-1'))).toBe(true);
  });

  it('adds the profile when asked', async () => {
    expect(await verifier(true).verify('Atza|token-1', context())).toMatchObject({ principal: { claims: { name: 'Ada', email: 'ada@example.com' } } });
    expect(lwa.requests[1].headers.authorization).toBe('Bearer Atza|token-1');
  });

  it('says invalid for a token issued to another client (the confused deputy)', async () => {
    tokenInfo.body = { ...(tokenInfo.body as object), aud: 'amzn1.application-oa2-client.someone-else' };
    expect(await verifier().verify('Atza|token-1', context())).toEqual({ outcome: 'invalid', reason: 'issued to another client' });
  });

  it.each([
    ['invalid_token', { error: 'invalid_token', error_description: 'The request has an invalid parameter : access_token' }, { outcome: 'invalid', reason: 'rejected by LWA' }],
    ['an expired token', { error: 'invalid_token', error_description: 'The access token has expired' }, { outcome: 'expired' }],
  ])('reads %s from a 400', async (_name, body, verdict) => {
    tokenInfo = { status: 400, body };
    expect(await verifier().verify('Atza|token-1', context())).toEqual(verdict);
  });

  it('could not decide (throws) on a 5xx', async () => {
    tokenInfo = { status: 503, body: {} };
    await expect(verifier().verify('Atza|token-1', context())).rejects.toBeInstanceOf(AuthorizationServerError);
  });
});

describe('CachingVerifier', () => {
  function counting(answer: (token: string) => TokenVerdict<string> | Promise<TokenVerdict<string>>) {
    const calls: string[] = [];
    const inner: TokenVerifier<string> = { verify: async (token) => { calls.push(token); return answer(token); } };
    return { inner, calls };
  }

  it('coalesces concurrent verifications of one token into one upstream call', async () => {
    const { inner, calls } = counting(async () => { await new Promise((r) => setTimeout(r, 20)); return { outcome: 'valid', principal: 'u' }; });
    const cache = new CachingVerifier(inner);
    const verdicts = await Promise.all(Array.from({ length: 20 }, () => cache.verify('t', context())));
    expect(calls).toHaveLength(1);
    expect(verdicts.every((v) => v.outcome === 'valid')).toBe(true);
  });

  it('keeps a valid verdict no longer than the token lives', async () => {
    const { inner, calls } = counting(() => ({ outcome: 'valid', principal: 'u', expiresAt: new Date(Date.now() + 50) }));
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
    const { inner, calls } = counting(() => { if (fail) throw new Error('down'); return { outcome: 'invalid', reason: 'revoked' }; });
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

  it('refuses nonsense options', () => {
    expect(() => new CachingVerifier({} as never)).toThrow(ConfigurationError);
    expect(() => new CachingVerifier({ verify: async () => ({ outcome: 'expired' }) }, { maxEntries: 0 })).toThrow(ConfigurationError);
  });
});
