import {
  AuthorizationServerError, CachingVerifier, CannotDecideError, ConfigurationError, decide, IntrospectionVerifier, JwtVerifier, LoginWithAmazonVerifier,
  VerifierTimeoutError, type LoginWithAmazonVerifierOptions, type TokenVerdict, type TokenVerifier, type VerificationContext,
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
    for (const kid of ['x', 'y']) {
      const verdict = await v.verify(rsToken({ keyId: kid }), context());
      expect(verdict).toEqual({ outcome: 'invalid', reason: 'unknown signing key', knowledgeAt: expect.any(Date) });
    }
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
  const genuine = () => ({ active: true, sub: 'rider-42', client_id: 'alexa-skill', aud: AUDIENCE, token_type: 'Bearer', exp: Math.floor(Date.now() / 1000) + 600 });
  beforeEach(async () => {
    answer = { status: 200, body: genuine() };
    server = await startLoopback((_req, res) => (answer.status === 0 ? undefined : json(res, answer.status, answer.body)));
  });
  afterEach(() => server.close());
  const verifier = (extra: object = {}) => new IntrospectionVerifier({ url: `${server.url}/introspect`, clientId: 'skill api', clientSecret: 's3cr&t', ...extra });
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const cannotDecide = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CannotDecideError);
    return error as CannotDecideError;
  };

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
    ['inactive, an exp decades past, as self-evidently expired', { active: false, exp: 1000 }, { outcome: 'expired', selfEvident: true }],
    ['inactive, with an exp a second past (within the tolerance), as invalid, not expired', { active: false, exp: Math.floor(Date.now() / 1000) - 1 }, { outcome: 'invalid', reason: 'inactive' }],
    ['a refresh token (token_type refresh_token) as invalid', { ...genuine(), token_type: 'refresh_token' }, { outcome: 'invalid', reason: 'not an access token' }],
    ['an RFC 8693 refresh token type as invalid', { ...genuine(), token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }, { outcome: 'invalid', reason: 'not an access token' }],
  ])('reads %s', async (_name, body, verdict) => {
    answer.body = body;
    expect(await verifier().verify('opaque-1', context())).toEqual(verdict);
  });

  it.each(['Bearer', 'bearer', 'access_token', 'urn:ietf:params:oauth:token-type:access_token'])('takes token_type %s as an access token', async (tokenType) => {
    answer.body = { ...genuine(), token_type: tokenType };
    expect((await verifier().verify('opaque-1', context())).outcome).toBe('valid');
  });

  it('accepts an active token whose exp is a second behind our clock (clock tolerance)', async () => {
    answer.body = { ...genuine(), exp: nowSeconds() - 1 };
    expect((await verifier().verify('opaque-1', context())).outcome).toBe('valid');
  });

  it('could not decide when the server calls active a token whose exp is past by our clock beyond the tolerance', async () => {
    answer.body = { ...genuine(), exp: nowSeconds() - 120 };
    const error = await cannotDecide(verifier().verify('opaque-1', context()));
    expect(error.reason).toBe('introspection clock disagreement');
    expect(error.check).toMatch(/clock/);
    answer.body = { ...genuine(), exp: nowSeconds() - 120 };
    expect((await verifier({ clockToleranceSeconds: 300 }).verify('opaque-1', context())).outcome).toBe('valid');
  });

  it('says valid, without an expiry, for an exp beyond the Date range (never "could not decide" forever)', async () => {
    answer.body = { ...genuine(), exp: 1e300 };
    const verdict = await verifier().verify('opaque-1', context());
    expect(verdict).toEqual({ outcome: 'valid', principal: expect.objectContaining({ subject: 'rider-42' }) });
  });

  it('could not decide when the server affirms a token without naming its user (no sub, no username)', async () => {
    answer.body = { active: true, client_id: 'alexa-skill' };
    const error = await cannotDecide(verifier().verify('opaque-1', context()));
    expect(error.reason).toBe('introspection response without subject');
    answer.body = { active: true, username: 'ada' };
    expect(await verifier().verify('opaque-1', context())).toMatchObject({ outcome: 'valid', principal: { subject: 'ada' } });
  });

  it('could not decide for a token_type it does not know, and accepts it when told it names access tokens', async () => {
    answer.body = { ...genuine(), token_type: 'DPoP' };
    expect((await cannotDecide(verifier().verify('opaque-1', context()))).reason).toBe('unknown token type');
    expect((await verifier({ accessTokenTypes: ['DPoP'] }).verify('opaque-1', context())).outcome).toBe('valid');
  });

  it('could not decide on an audience not as configured until a genuine token confirmed the setting (a typo unlinks nobody)', async () => {
    const typo = verifier({ audience: 'ride-hailer-alexa-skil', clientIds: ['alexa-skill'] });
    const error = await cannotDecide(typo.verify('opaque-1', context()));
    expect([error.reason, error.check]).toEqual(['introspection audience mismatch', expect.stringContaining('INTROSPECTION_AUDIENCE')]);
  });

  it('says invalid for a token issued to a client not among clientIds: it is not an access token for this skill', async () => {
    answer.body = { ...genuine(), client_id: 'another-client' };
    expect(await verifier({ clientIds: ['alexa-skill'] }).verify('opaque-1', context())).toEqual({ outcome: 'invalid', reason: 'issued to another client' });
    answer.body = genuine();
    expect((await verifier({ clientIds: ['other-client', 'alexa-skill'] }).verify('opaque-1', context())).outcome).toBe('valid');
  });

  it('cannot decide on another audience, or a missing token_type, even after a genuine token showed both: only an answer about this token is proof', async () => {
    const confirmed = verifier({ audience: AUDIENCE, clientIds: ['alexa-skill'] });
    expect((await confirmed.verify('opaque-genuine', context())).outcome).toBe('valid');
    answer.body = { ...genuine(), aud: `${AUDIENCE}/` }; // differs by a trailing slash: our setting to look at
    expect((await cannotDecide(confirmed.verify('opaque-3', context()))).reason).toBe('introspection audience mismatch');
    // A genuine access token the server introspects without token_type (and oidc-provider's refresh tokens, alike)
    const { token_type: _type, ...withoutType } = genuine();
    answer.body = withoutType;
    expect((await confirmed.verify('opaque-4', context())).outcome).toBe('valid');
  });

  it.each([
    ['401 (the skill\'s own credentials)', 401, { error: 'invalid_client' }],
    ['403', 403, {}],
    ['400 invalid_client', 400, { error: 'invalid_client' }],
  ])('could not decide when the endpoint answers %s, naming the credential settings', async (_name, status, body) => {
    answer = { status, body };
    const error = await cannotDecide(verifier().verify('opaque-1', context()));
    expect(error.reason).toBe('introspection credentials refused');
    expect(error.check).toMatch(/INTROSPECTION_CLIENT_ID.*INTROSPECTION_CLIENT_SECRET.*INTROSPECTION_AUTH_METHOD/);
    expect(error.cause).toBeInstanceOf(AuthorizationServerError);
  });

  it('could not decide on a 400 invalid_request (a fault of our request, not of the token)', async () => {
    answer = { status: 400, body: { error: 'invalid_request' } };
    expect((await cannotDecide(verifier().verify('opaque-1', context()))).reason).toBe('introspection request refused');
  });

  it.each([
    ['429', 429, {}],
    ['500', 500, {}],
    ['200 without "active"', 200, { sub: 'x' }],
    ['200 with HTML', 200, '<html>'],
  ])('could not decide (throws) when the endpoint answers %s', async (_name, status, body) => {
    answer = { status, body };
    await expect(verifier().verify('opaque-1', context())).rejects.toBeInstanceOf(AuthorizationServerError);
  });

  it('is undecided by the deadline when the endpoint hangs', async () => {
    answer = { status: 0, body: undefined }; // never answers
    const decision = await decide(found('opaque-1'), verifier(), { family: 'music', budgetMs: 200 });
    expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierTimeoutError) });
  });

  it('could not decide on a token longer than maxTokenLength, without sending it', async () => {
    const error = await cannotDecide(verifier({ maxTokenLength: 10 }).verify('x'.repeat(11), context()));
    expect(error.reason).toBe('token too long');
    expect(server.requests).toHaveLength(0);
  });

  it('says expired, only suspected, for a token the server calls inactive minutes past its exp (a clock could be at fault)', async () => {
    answer.body = { active: false, exp: nowSeconds() - 120 };
    const verdict = await verifier().verify('opaque-1', context());
    expect(verdict).toEqual({ outcome: 'expired' });
    expect(verdict).not.toHaveProperty('selfEvident');
    answer.body = { active: false, exp: nowSeconds() - 3590 }; // just within the hour
    expect(await verifier().verify('opaque-1', context())).toEqual({ outcome: 'expired' });
  });

  it('says self-evidently expired for a token the server calls inactive an hour past its own exp (a wrong server knows none)', async () => {
    answer.body = { active: false, exp: nowSeconds() - 3600 };
    expect(await verifier().verify('opaque-1', context())).toEqual({ outcome: 'expired', selfEvident: true });
    answer.body = { active: false, exp: nowSeconds() - 7200 };
    expect(await verifier({ selfEvidentExpirySeconds: 10_800 }).verify('opaque-1', context())).toEqual({ outcome: 'expired' });
    const hasty = verifier({ selfEvidentExpirySeconds: 600 });
    expect(await hasty.verify('opaque-1', context())).toEqual({ outcome: 'expired', selfEvident: true });
  });

  it.each([
    ['a bare active: false (a wrong or staging server answers it for genuine tokens)', { active: false }, {}],
    ['active: false with an exp still ahead', { active: false, exp: Math.floor(Date.now() / 1000) + 600 }, {}],
    ['another client\'s token (a wrong INTROSPECTION_CLIENT_IDS answers it for genuine tokens)',
      { client_id: 'another-client', exp: 1000 }, { clientIds: ['alexa-skill'] }],
    ['a refresh token', { token_type: 'refresh_token' }, {}],
  ])('never says self-evident for %s', async (_name, body, extra) => {
    answer.body = 'active' in body ? body : { ...genuine(), ...body };
    const verdict = await verifier(extra).verify('opaque-1', context());
    expect(verdict.outcome).toBe('invalid');
    expect(verdict).not.toHaveProperty('selfEvident');
    expect(verdict).not.toHaveProperty('knowledgeAt'); // the server was asked just now
  });

  it('has a configurationVersion that is the same for the same settings, another for any other, and leaves the client secret out', () => {
    const settings = {
      url: 'https://auth.example.test/introspect', clientId: 'skill-api', clientSecret: 'introspection-client-secret-0123456789',
      clientIds: ['alexa-skill', 'other-skill'], audience: AUDIENCE,
    };
    const version = new IntrospectionVerifier(settings).configurationVersion;
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(new IntrospectionVerifier({ ...settings }).configurationVersion).toBe(version);
    const same = (change: object) => new IntrospectionVerifier({ ...settings, ...change }).configurationVersion;
    expect(same({ clientIds: ['other-skill', 'alexa-skill'] })).toBe(version); // a set
    expect(same({ clientAuthMethod: 'client_secret_basic', clockToleranceSeconds: 30, selfEvidentExpirySeconds: 3600 })).toBe(version);
    // A wrong secret is refused by the endpoint (could not decide), never a verdict: not a version of its own.
    expect(same({ clientSecret: 'introspection-client-secret-0123456788' })).toBe(version);
    const others = [
      { url: 'https://staging.example.test/introspect' },
      { clientId: 'skill-api-2' },
      { clientIds: ['alexa-skill'] },
      { clientIds: undefined },
      { audience: 'another-api' },
      { audience: undefined },
      { clientAuthMethod: 'client_secret_post' as const },
      { clockToleranceSeconds: 60 },
      { selfEvidentExpirySeconds: 7200 },
    ];
    const versions = others.map((change) => new IntrospectionVerifier({ ...settings, ...change }).configurationVersion);
    expect(new Set([version, ...versions]).size).toBe(others.length + 1);
    const bytes = Buffer.from(settings.clientSecret);
    for (const secretForm of [settings.clientSecret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')]) {
      expect(version).not.toContain(secretForm);
    }
  });

  it('refuses nonsense options', () => {
    expect(() => verifier({ selfEvidentExpirySeconds: 30 })).toThrow(/selfEvidentExpirySeconds must be .* clockToleranceSeconds \(30\)/);
    expect(() => verifier({ clockToleranceSeconds: 600, selfEvidentExpirySeconds: 300 })).toThrow(ConfigurationError);
    expect(() => verifier({ selfEvidentExpirySeconds: Number.NaN })).toThrow(ConfigurationError);
    expect(() => verifier({ clockToleranceSeconds: -1 })).toThrow(ConfigurationError);
    expect(() => verifier({ clientIds: [] })).toThrow(ConfigurationError);
    expect(() => verifier({ maxTokenLength: 0 })).toThrow(ConfigurationError);
  });

  it('never puts the token or the secret in its error messages', async () => {
    for (const refusal of [{ status: 500, body: {} }, { status: 401, body: { error: 'invalid_client' } }]) {
      answer = refusal;
      const error = await verifier().verify('opaque-SECRET-TOKEN', context()).catch((e) => e);
      expect(`${error.message} ${error.stack} ${error.check ?? ''} ${error.cause?.message ?? ''}`).not.toMatch(/opaque-SECRET-TOKEN|s3cr/);
    }
  });
});

describe('LoginWithAmazonVerifier, against a loopback stand-in for LWA', () => {
  const CLIENT = 'amzn1.application-oa2-client.ride-hailer';
  const APP = 'amzn1.application.ride-hailer-profile';
  let lwa: Loopback;
  let tokenInfo: { status: number; body: unknown };
  const genuine = () => ({ iss: 'https://www.amazon.com', user_id: 'amzn1.account.AE', aud: CLIENT, app_id: APP, exp: 3597, iat: 1 });
  beforeEach(async () => {
    tokenInfo = { status: 200, body: genuine() };
    lwa = await startLoopback((req, res) =>
      tokenInfo.status === 0 ? undefined : req.url.startsWith('/auth/o2/tokeninfo') ? json(res, tokenInfo.status, tokenInfo.body) : json(res, 200, { user_id: 'amzn1.account.AE', name: 'Ada', email: 'ada@example.com' }),
    );
  });
  afterEach(() => lwa.close());
  const verifier = (options: Partial<LoginWithAmazonVerifierOptions> = {}) =>
    new LoginWithAmazonVerifier({ clientId: CLIENT, tokenInfoUrl: `${lwa.url}/auth/o2/tokeninfo`, profileUrl: `${lwa.url}/user/profile`, ...options });
  const cannotDecide = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CannotDecideError);
    return error as CannotDecideError;
  };

  it('says valid for a token issued to the skill\'s client, the token in a header and never in a URL', async () => {
    const verdict = await verifier().verify('Atza|token-1', context());
    expect(verdict).toMatchObject({ outcome: 'valid', principal: { subject: 'amzn1.account.AE' } });
    expect(lwa.requests[0].headers['x-amz-access-token']).toBe('Atza|token-1');
    expect(lwa.requests.every((r) => !r.url.includes('token-1'))).toBe(true);
  });

  it('adds the profile when asked', async () => {
    expect(await verifier({ fetchProfile: true }).verify('Atza|token-1', context())).toMatchObject({ principal: { claims: { name: 'Ada', email: 'ada@example.com' } } });
    expect(lwa.requests[1].headers.authorization).toBe('Bearer Atza|token-1');
  });

  it('says invalid for a token of another client (the confused deputy), never valid', async () => {
    tokenInfo.body = { ...genuine(), aud: 'amzn1.application-oa2-client.someone-else', app_id: 'amzn1.application.someone-else' };
    expect(await verifier().verify('Atza|foreign-1', context())).toEqual({ outcome: 'invalid', reason: 'issued to another client' });
  });

  it('accepts a token of another client of a security profile the operator configured (appIds, tokeninfo\'s app_id)', async () => {
    tokenInfo.body = { ...genuine(), aud: 'amzn1.application-oa2-client.ride-hailer-android' };
    expect((await verifier({ appIds: [APP] }).verify('Atza|token-1', context())).outcome).toBe('valid');
    expect(await verifier().verify('Atza|token-1', context())).toEqual({ outcome: 'invalid', reason: 'issued to another client' });
  });

  it.each([
    ['an error object', { error: 'invalid_token' }],
    ['a user with neither aud nor app_id', { user_id: 'amzn1.account.AE' }],
  ])('cannot decide on a 200 whose body is not a tokeninfo answer (%s): only an answer about this token is proof', async (_name, body) => {
    tokenInfo = { status: 200, body };
    await expect(verifier().verify('Atza|token-1', context())).rejects.toMatchObject({ code: 'ERR_CANNOT_DECIDE', reason: 'LWA tokeninfo answer unreadable' });
  });

  it('takes a configured client ID that is the security profile\'s app ID as the app ID: its tokens match by app_id', async () => {
    expect((await verifier({ clientId: APP }).verify('Atza|token-1', context())).outcome).toBe('valid');
  });

  it.each([
    ['invalid_token', { error: 'invalid_token', error_description: 'The request has an invalid parameter : access_token' }, { outcome: 'invalid', reason: 'rejected by LWA' }],
    ['an expired token', { error: 'invalid_token', error_description: 'The access token has expired' }, { outcome: 'expired' }],
  ])('reads %s from a 400', async (_name, body, verdict) => {
    tokenInfo = { status: 400, body };
    expect(await verifier().verify('Atza|token-1', context())).toEqual(verdict);
  });

  it.each([
    ['400 invalid_request (a fault of our request)', 400, { error: 'invalid_request', error_description: 'The request is missing a required parameter : access_token' }],
    ['401 invalid_client', 401, { error: 'invalid_client' }],
    ['400 without a body', 400, ''],
  ])('could not decide on %s: only invalid_token is a token verdict', async (_name, status, body) => {
    tokenInfo = { status, body };
    expect((await cannotDecide(verifier().verify('Atza|token-1', context()))).reason).toBe('LWA request refused');
  });

  it('says valid, without an expiry, for an exp beyond the Date range', async () => {
    tokenInfo.body = { ...genuine(), exp: 1e300 };
    const verdict = await verifier().verify('Atza|token-1', context());
    expect(verdict.outcome).toBe('valid');
    expect('expiresAt' in verdict).toBe(false);
  });

  it('could not decide when tokeninfo affirms a token without its user_id', async () => {
    const { user_id: _user, ...withoutUser } = genuine();
    tokenInfo.body = withoutUser;
    expect((await cannotDecide(verifier().verify('Atza|token-1', context()))).reason).toBe('LWA tokeninfo without user');
  });

  it('could not decide on a token longer than maxTokenLength, without sending it', async () => {
    expect((await cannotDecide(verifier().verify(`Atza|${'x'.repeat(4096)}`, context()))).reason).toBe('token too long');
    expect(lwa.requests).toHaveLength(0);
  });

  it('is undecided by the deadline when tokeninfo hangs', async () => {
    tokenInfo = { status: 0, body: undefined }; // never answers
    const decision = await decide(found('Atza|token-1'), verifier(), { family: 'custom', budgetMs: 200 });
    expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierTimeoutError) });
  });

  it('never says self-evident: a wrong LWA_CLIENT_ID makes "another client", invalid_token may be a region or endpoint fault', async () => {
    const rejections = [];
    tokenInfo.body = { ...genuine(), aud: 'amzn1.application-oa2-client.someone-else', app_id: 'amzn1.application.someone-else' };
    rejections.push(await verifier().verify('Atza|token-1', context()));
    tokenInfo = { status: 400, body: { error: 'invalid_token', error_description: 'The access token has expired' } };
    rejections.push(await verifier().verify('Atza|token-1', context()));
    tokenInfo = { status: 400, body: { error: 'invalid_token', error_description: 'The request has an invalid parameter : access_token' } };
    rejections.push(await verifier().verify('Atza|token-1', context()));
    tokenInfo = { status: 200, body: { ...genuine(), exp: 0 } };
    rejections.push(await verifier().verify('Atza|token-1', context()));
    expect(rejections.map((verdict) => verdict.outcome)).toEqual(['invalid', 'expired', 'invalid', 'expired']);
    for (const verdict of rejections) expect(verdict).not.toHaveProperty('selfEvident');
  });

  it('has a configurationVersion over its client ID, app IDs and endpoints: the same for the same, another for any other', () => {
    const settings = { clientId: CLIENT, appIds: [APP, 'amzn1.application.other'] };
    const version = new LoginWithAmazonVerifier(settings).configurationVersion;
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(new LoginWithAmazonVerifier({ ...settings, appIds: ['amzn1.application.other', APP] }).configurationVersion).toBe(version);
    const withDefaultUrl = new LoginWithAmazonVerifier({ ...settings, tokenInfoUrl: 'https://api.amazon.com/auth/o2/tokeninfo' });
    expect(withDefaultUrl.configurationVersion).toBe(version);
    const others: Array<Partial<LoginWithAmazonVerifierOptions>> = [
      { clientId: 'amzn1.application-oa2-client.other' },
      { appIds: [APP] },
      { appIds: undefined },
      { tokenInfoUrl: 'https://api.amazon.co.uk/auth/o2/tokeninfo' },
      { profileUrl: 'https://api.amazon.co.uk/user/profile' },
    ];
    const versions = others.map((change) => new LoginWithAmazonVerifier({ ...settings, ...change }).configurationVersion);
    expect(new Set([version, ...versions]).size).toBe(others.length + 1);
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

  /** An inner verifier whose verifications settle only when the test says so, and ignore their signal. */
  function controlled() {
    const settles: Array<(verdict: TokenVerdict<string>) => void> = [];
    const inner: TokenVerifier<string> & { knowledgeVersion: number } = {
      knowledgeVersion: 1,
      verify: () => new Promise((resolve) => void settles.push(resolve)),
    };
    return { inner, settles };
  }
  const withSignal = (signal: AbortSignal): VerificationContext => ({ family: 'custom', signal, deadline: new Date(Date.now() + 1000) });

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

  it('does not keep a verdict taken while the inner verifier\'s knowledge was refreshed', async () => {
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

  it('drops a kept verdict once the inner verifier\'s knowledge has been refreshed', async () => {
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
    expect(await cache.verify('t', context())).toEqual({ outcome: 'invalid', reason: 'bad signature', knowledgeAt: fetchedAt });
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
    expect(() => new CachingVerifier({ verify: async () => ({ outcome: 'expired' }) }, { maxEntries: 0 })).toThrow(ConfigurationError);
  });
});
