/**
 * IntrospectionVerifier (RFC 7662) against a loopback introspection endpoint: client authentication,
 * what an answer proves about the token, and "could not decide" for what it does not.
 */
import {
  AuthorizationServerError,
  CannotDecideError,
  ConfigurationError,
  decide,
  IntrospectionVerifier,
  VerifierTimeoutError,
} from '../../lib';
import { AUDIENCE } from '../support/fixtures';
import { json, startLoopback, type Loopback } from '../support/loopback';
import { context, found } from './context';

describe('IntrospectionVerifier', () => {
  let server: Loopback;
  let answer: { status: number; body: unknown };
  const genuine = () => ({
    active: true,
    sub: 'rider-42',
    client_id: 'alexa-skill',
    aud: AUDIENCE,
    token_type: 'Bearer',
    exp: Math.floor(Date.now() / 1000) + 600,
  });
  beforeEach(async () => {
    answer = { status: 200, body: genuine() };
    server = await startLoopback((_req, res) =>
      answer.status === 0 ? undefined : json(res, answer.status, answer.body),
    );
  });
  afterEach(() => server.close());
  const verifier = (extra: object = {}) =>
    new IntrospectionVerifier({
      url: `${server.url}/introspect`,
      clientId: 'skill api',
      clientSecret: 's3cr&t',
      ...extra,
    });
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const cannotDecide = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CannotDecideError);
    return error as CannotDecideError;
  };

  it('says valid for an active token, authenticating with client_secret_basic, the token in the body', async () => {
    expect(await verifier().verify('opaque-1', context())).toMatchObject({
      outcome: 'valid',
      principal: { subject: 'rider-42' },
    });
    const [request] = server.requests;
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('skill+api:s3cr%26t').toString('base64')}`);
    expect(new URLSearchParams(request.body).get('token')).toBe('opaque-1');
    expect(request.url).toBe('/introspect');
  });

  it('authenticates with client_secret_post when told to', async () => {
    await verifier({ clientAuthMethod: 'client_secret_post' }).verify('opaque-1', context());
    const form = new URLSearchParams(server.requests[0].body);
    expect([form.get('client_id'), form.get('client_secret'), server.requests[0].headers.authorization]).toEqual([
      'skill api',
      's3cr&t',
      undefined,
    ]);
  });

  it.each([
    ['inactive', { active: false }, { outcome: 'invalid', reason: 'inactive' }],
    [
      'inactive, an exp decades past, as self-evidently expired',
      { active: false, exp: 1000 },
      { outcome: 'expired', selfEvident: true },
    ],
    [
      'inactive, with an exp a second past (within the tolerance), as invalid, not expired',
      { active: false, exp: Math.floor(Date.now() / 1000) - 1 },
      { outcome: 'invalid', reason: 'inactive' },
    ],
    [
      'a refresh token (token_type refresh_token) as invalid',
      { ...genuine(), token_type: 'refresh_token' },
      { outcome: 'invalid', reason: 'not an access token' },
    ],
    [
      'an RFC 8693 refresh token type as invalid',
      { ...genuine(), token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
      { outcome: 'invalid', reason: 'not an access token' },
    ],
  ])('reads %s', async (_name, body, verdict) => {
    answer.body = body;
    expect(await verifier().verify('opaque-1', context())).toEqual(verdict);
  });

  it.each(['Bearer', 'bearer', 'access_token', 'urn:ietf:params:oauth:token-type:access_token'])(
    'takes token_type %s as an access token',
    async (tokenType) => {
      answer.body = { ...genuine(), token_type: tokenType };
      expect((await verifier().verify('opaque-1', context())).outcome).toBe('valid');
    },
  );

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
    expect(await verifier().verify('opaque-1', context())).toMatchObject({
      outcome: 'valid',
      principal: { subject: 'ada' },
    });
  });

  it('could not decide for a token_type it does not know, and accepts it when told it names access tokens', async () => {
    answer.body = { ...genuine(), token_type: 'DPoP' };
    expect((await cannotDecide(verifier().verify('opaque-1', context()))).reason).toBe('unknown token type');
    expect((await verifier({ accessTokenTypes: ['DPoP'] }).verify('opaque-1', context())).outcome).toBe('valid');
  });

  it('could not decide on an audience not as configured until a genuine token confirmed the setting (a typo unlinks nobody)', async () => {
    const typo = verifier({ audience: 'ride-hailer-alexa-skil', clientIds: ['alexa-skill'] });
    const error = await cannotDecide(typo.verify('opaque-1', context()));
    expect([error.reason, error.check]).toEqual([
      'introspection audience mismatch',
      expect.stringContaining('INTROSPECTION_AUDIENCE'),
    ]);
  });

  it('says invalid for a token issued to a client not among clientIds: it is not an access token for this skill', async () => {
    answer.body = { ...genuine(), client_id: 'another-client' };
    expect(await verifier({ clientIds: ['alexa-skill'] }).verify('opaque-1', context())).toEqual({
      outcome: 'invalid',
      reason: 'issued to another client',
    });
    answer.body = genuine();
    expect((await verifier({ clientIds: ['other-client', 'alexa-skill'] }).verify('opaque-1', context())).outcome).toBe(
      'valid',
    );
  });

  it('cannot decide on another audience, or a missing token_type, even after a genuine token showed both: only an answer about this token is proof', async () => {
    const confirmed = verifier({ audience: AUDIENCE, clientIds: ['alexa-skill'] });
    expect((await confirmed.verify('opaque-genuine', context())).outcome).toBe('valid');
    answer.body = { ...genuine(), aud: `${AUDIENCE}/` }; // differs by a trailing slash: our setting to look at
    expect((await cannotDecide(confirmed.verify('opaque-3', context()))).reason).toBe(
      'introspection audience mismatch',
    );
    // A genuine access token the server introspects without token_type (and oidc-provider's refresh tokens, alike)
    const { token_type: _type, ...withoutType } = genuine();
    answer.body = withoutType;
    expect((await confirmed.verify('opaque-4', context())).outcome).toBe('valid');
  });

  it.each([
    ["401 (the skill's own credentials)", 401, { error: 'invalid_client' }],
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
    expect(await verifier({ selfEvidentExpirySeconds: 10_800 }).verify('opaque-1', context())).toEqual({
      outcome: 'expired',
    });
    const hasty = verifier({ selfEvidentExpirySeconds: 600 });
    expect(await hasty.verify('opaque-1', context())).toEqual({ outcome: 'expired', selfEvident: true });
  });

  it.each([
    ['a bare active: false (a wrong or staging server answers it for genuine tokens)', { active: false }, {}],
    ['active: false with an exp still ahead', { active: false, exp: Math.floor(Date.now() / 1000) + 600 }, {}],
    [
      "another client's token (a wrong INTROSPECTION_CLIENT_IDS answers it for genuine tokens)",
      { client_id: 'another-client', exp: 1000 },
      { clientIds: ['alexa-skill'] },
    ],
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
      url: 'https://auth.example.test/introspect',
      clientId: 'skill-api',
      clientSecret: 'introspection-client-secret-0123456789',
      clientIds: ['alexa-skill', 'other-skill'],
      audience: AUDIENCE,
    };
    const version = new IntrospectionVerifier(settings).configurationVersion;
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(new IntrospectionVerifier({ ...settings }).configurationVersion).toBe(version);
    const same = (change: object) => new IntrospectionVerifier({ ...settings, ...change }).configurationVersion;
    expect(same({ clientIds: ['other-skill', 'alexa-skill'] })).toBe(version); // a set
    expect(
      same({ clientAuthMethod: 'client_secret_basic', clockToleranceSeconds: 30, selfEvidentExpirySeconds: 3600 }),
    ).toBe(version);
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
    for (const secretForm of [
      settings.clientSecret,
      bytes.toString('base64'),
      bytes.toString('base64url'),
      bytes.toString('hex'),
    ]) {
      expect(version).not.toContain(secretForm);
    }
  });

  it('refuses nonsense options', () => {
    expect(() => verifier({ selfEvidentExpirySeconds: 30 })).toThrow(
      /selfEvidentExpirySeconds must be .* clockToleranceSeconds \(30\)/,
    );
    expect(() => verifier({ clockToleranceSeconds: 600, selfEvidentExpirySeconds: 300 })).toThrow(ConfigurationError);
    expect(() => verifier({ selfEvidentExpirySeconds: Number.NaN })).toThrow(ConfigurationError);
    expect(() => verifier({ clockToleranceSeconds: -1 })).toThrow(ConfigurationError);
    expect(() => verifier({ clientIds: [] })).toThrow(ConfigurationError);
    expect(() => verifier({ maxTokenLength: 0 })).toThrow(ConfigurationError);
  });

  it('never puts the token or the secret in its error messages', async () => {
    for (const refusal of [
      { status: 500, body: {} },
      { status: 401, body: { error: 'invalid_client' } },
    ]) {
      answer = refusal;
      const error = await verifier()
        .verify('opaque-SECRET-TOKEN', context())
        .catch((e) => e);
      expect(`${error.message} ${error.stack} ${error.check ?? ''} ${error.cause?.message ?? ''}`).not.toMatch(
        /opaque-SECRET-TOKEN|s3cr/,
      );
    }
  });
});
