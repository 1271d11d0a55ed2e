/** LoginWithAmazonVerifier against a loopback stand-in for LWA's tokeninfo and profile endpoints. */
import {
  AuthorizationServerError,
  CannotDecideError,
  decide,
  LoginWithAmazonVerifier,
  VerifierTimeoutError,
  type LoginWithAmazonVerifierOptions,
} from '../../lib';
import { json, startLoopback, type Loopback } from '../support/loopback';
import { context, found } from './context';

describe('LoginWithAmazonVerifier, against a loopback stand-in for LWA', () => {
  const CLIENT = 'amzn1.application-oa2-client.ride-hailer';
  const APP = 'amzn1.application.ride-hailer-profile';
  let lwa: Loopback;
  let tokenInfo: { status: number; body: unknown };
  const genuine = () => ({
    iss: 'https://www.amazon.com',
    user_id: 'amzn1.account.AE',
    aud: CLIENT,
    app_id: APP,
    exp: 3597,
    iat: 1,
  });
  beforeEach(async () => {
    tokenInfo = { status: 200, body: genuine() };
    lwa = await startLoopback((req, res) =>
      tokenInfo.status === 0
        ? undefined
        : req.url.startsWith('/auth/o2/tokeninfo')
          ? json(res, tokenInfo.status, tokenInfo.body)
          : json(res, 200, { user_id: 'amzn1.account.AE', name: 'Ada', email: 'ada@example.com' }),
    );
  });
  afterEach(() => lwa.close());
  const verifier = (options: Partial<LoginWithAmazonVerifierOptions> = {}) =>
    new LoginWithAmazonVerifier({
      clientId: CLIENT,
      tokenInfoUrl: `${lwa.url}/auth/o2/tokeninfo`,
      profileUrl: `${lwa.url}/user/profile`,
      ...options,
    });
  const cannotDecide = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CannotDecideError);
    return error as CannotDecideError;
  };

  it("says valid for a token issued to the skill's client, the token in a header and never in a URL", async () => {
    const verdict = await verifier().verify('Atza|token-1', context());
    expect(verdict).toMatchObject({ outcome: 'valid', principal: { subject: 'amzn1.account.AE' } });
    expect(lwa.requests[0].headers['x-amz-access-token']).toBe('Atza|token-1');
    expect(lwa.requests.every((r) => !r.url.includes('token-1'))).toBe(true);
  });

  it('adds the profile when asked', async () => {
    expect(await verifier({ fetchProfile: true }).verify('Atza|token-1', context())).toMatchObject({
      principal: { claims: { name: 'Ada', email: 'ada@example.com' } },
    });
    expect(lwa.requests[1].headers.authorization).toBe('Bearer Atza|token-1');
  });

  it('says invalid for a token of another client (the confused deputy), never valid', async () => {
    tokenInfo.body = {
      ...genuine(),
      aud: 'amzn1.application-oa2-client.someone-else',
      app_id: 'amzn1.application.someone-else',
    };
    expect(await verifier().verify('Atza|foreign-1', context())).toEqual({
      outcome: 'invalid',
      reason: 'issued to another client',
    });
  });

  it("accepts a token of another client of a security profile the operator configured (appIds, tokeninfo's app_id)", async () => {
    tokenInfo.body = { ...genuine(), aud: 'amzn1.application-oa2-client.ride-hailer-android' };
    expect((await verifier({ appIds: [APP] }).verify('Atza|token-1', context())).outcome).toBe('valid');
    expect(await verifier().verify('Atza|token-1', context())).toEqual({
      outcome: 'invalid',
      reason: 'issued to another client',
    });
  });

  it.each([
    ['an error object', { error: 'invalid_token' }],
    ['a user with neither aud nor app_id', { user_id: 'amzn1.account.AE' }],
  ])(
    'cannot decide on a 200 whose body is not a tokeninfo answer (%s): only an answer about this token is proof',
    async (_name, body) => {
      tokenInfo = { status: 200, body };
      await expect(verifier().verify('Atza|token-1', context())).rejects.toMatchObject({
        code: 'ERR_CANNOT_DECIDE',
        reason: 'LWA tokeninfo answer unreadable',
      });
    },
  );

  it("takes a configured client ID that is the security profile's app ID as the app ID: its tokens match by app_id", async () => {
    expect((await verifier({ clientId: APP }).verify('Atza|token-1', context())).outcome).toBe('valid');
  });

  it.each([
    [
      'invalid_token',
      { error: 'invalid_token', error_description: 'The request has an invalid parameter : access_token' },
      { outcome: 'invalid', reason: 'rejected by LWA' },
    ],
    [
      'an expired token',
      { error: 'invalid_token', error_description: 'The access token has expired' },
      { outcome: 'expired' },
    ],
  ])('reads %s from a 400', async (_name, body, verdict) => {
    tokenInfo = { status: 400, body };
    expect(await verifier().verify('Atza|token-1', context())).toEqual(verdict);
  });

  it.each([
    [
      '400 invalid_request (a fault of our request)',
      400,
      { error: 'invalid_request', error_description: 'The request is missing a required parameter : access_token' },
    ],
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
    expect((await cannotDecide(verifier().verify('Atza|token-1', context()))).reason).toBe(
      'LWA tokeninfo without user',
    );
  });

  it('could not decide on a token longer than maxTokenLength, without sending it', async () => {
    expect((await cannotDecide(verifier().verify(`Atza|${'x'.repeat(4096)}`, context()))).reason).toBe(
      'token too long',
    );
    expect(lwa.requests).toHaveLength(0);
  });

  it('is undecided by the deadline when tokeninfo hangs', async () => {
    tokenInfo = { status: 0, body: undefined }; // never answers
    const decision = await decide(found('Atza|token-1'), verifier(), { family: 'custom', budgetMs: 200 });
    expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierTimeoutError) });
  });

  it('never says self-evident: a wrong LWA_CLIENT_ID makes "another client", invalid_token may be a region or endpoint fault', async () => {
    const rejections = [];
    tokenInfo.body = {
      ...genuine(),
      aud: 'amzn1.application-oa2-client.someone-else',
      app_id: 'amzn1.application.someone-else',
    };
    rejections.push(await verifier().verify('Atza|token-1', context()));
    tokenInfo = { status: 400, body: { error: 'invalid_token', error_description: 'The access token has expired' } };
    rejections.push(await verifier().verify('Atza|token-1', context()));
    tokenInfo = {
      status: 400,
      body: { error: 'invalid_token', error_description: 'The request has an invalid parameter : access_token' },
    };
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
    expect(
      new LoginWithAmazonVerifier({ ...settings, appIds: ['amzn1.application.other', APP] }).configurationVersion,
    ).toBe(version);
    const withDefaultUrl = new LoginWithAmazonVerifier({
      ...settings,
      tokenInfoUrl: 'https://api.amazon.com/auth/o2/tokeninfo',
    });
    expect(withDefaultUrl.configurationVersion).toBe(version);
    const others: Array<Partial<LoginWithAmazonVerifierOptions>> = [
      { clientId: 'amzn1.application-oa2-client.other' },
      { appIds: [APP] },
      { appIds: undefined },
      { tokenInfoUrl: 'https://api.amazon.co.uk/auth/o2/tokeninfo' },
      { profileUrl: 'https://api.amazon.co.uk/user/profile' },
    ];
    const versions = others.map(
      (change) => new LoginWithAmazonVerifier({ ...settings, ...change }).configurationVersion,
    );
    expect(new Set([version, ...versions]).size).toBe(others.length + 1);
  });

  it('could not decide (throws) on a 5xx', async () => {
    tokenInfo = { status: 503, body: {} };
    await expect(verifier().verify('Atza|token-1', context())).rejects.toBeInstanceOf(AuthorizationServerError);
  });
});
