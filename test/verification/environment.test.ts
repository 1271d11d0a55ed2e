import {
  CachingVerifier,
  ConfigurationError,
  IntrospectionVerifier,
  JwtVerifier,
  jwtVerifierFromEnvironment,
  LoginWithAmazonVerifier,
  verifierFromEnvironment,
} from '../../lib';
import { AUDIENCE, hsToken, ISSUER, rsaPublicPem, rsToken, SECRET } from '../support/fixtures';
import { json, startLoopback } from '../support/loopback';

const context = {
  family: 'custom' as const,
  signal: new AbortController().signal,
  deadline: new Date(Date.now() + 3000),
};
const base = { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };
const introspectionBase = {
  TOKEN_VERIFIER: 'introspection',
  INTROSPECTION_URL: 'http://127.0.0.1:1/i',
  INTROSPECTION_CLIENT_ID: 'c',
  INTROSPECTION_CLIENT_SECRET: 's',
};

describe('jwtVerifierFromEnvironment', () => {
  it('builds an HS256 verifier from JWT_SECRET', async () => {
    const verifier = jwtVerifierFromEnvironment({ ...base, JWT_SECRET: SECRET });
    expect((await verifier.verify(hsToken(), context)).outcome).toBe('valid');
  });

  it('builds an RS256 verifier from JWT_PUBLIC_KEY, with \\n escapes as newlines', async () => {
    const verifier = jwtVerifierFromEnvironment({ ...base, JWT_PUBLIC_KEY: rsaPublicPem.replace(/\n/g, '\\n') });
    expect((await verifier.verify(rsToken(), context)).outcome).toBe('valid');
  });

  it('takes comma lists of audiences', async () => {
    const verifier = jwtVerifierFromEnvironment({ ...base, JWT_AUDIENCE: `other, ${AUDIENCE}`, JWT_SECRET: SECRET });
    expect((await verifier.verify(hsToken(), context)).outcome).toBe('valid');
  });

  it('lets options in code override the environment', async () => {
    const verifier = jwtVerifierFromEnvironment(
      { ...base, JWT_AUDIENCE: 'not-this-one', JWT_SECRET: SECRET },
      { audience: AUDIENCE },
    );
    expect((await verifier.verify(hsToken(), context)).outcome).toBe('valid');
  });

  it.each([
    ['neither JWT_SECRET nor JWT_PUBLIC_KEY nor JWKS_URI', { ...base }, /JWT_SECRET.*JWT_PUBLIC_KEY.*JWKS_URI/],
    [
      'both JWT_SECRET and JWT_PUBLIC_KEY',
      { ...base, JWT_SECRET: SECRET, JWT_PUBLIC_KEY: rsaPublicPem },
      /only one of JWT_SECRET/,
    ],
    ['no JWT_ISSUER', { JWT_AUDIENCE: AUDIENCE, JWT_SECRET: SECRET }, /JWT_ISSUER/],
    ['a blank JWT_AUDIENCE', { JWT_ISSUER: ISSUER, JWT_AUDIENCE: ' , ', JWT_SECRET: SECRET }, /JWT_AUDIENCE/],
    [
      'RS256 in JWT_ALGORITHMS with a secret',
      { ...base, JWT_SECRET: SECRET, JWT_ALGORITHMS: 'RS256' },
      /JWT_ALGORITHMS has RS256/,
    ],
    [
      'none in JWT_ALGORITHMS',
      { ...base, JWT_PUBLIC_KEY: rsaPublicPem, JWT_ALGORITHMS: 'none' },
      /JWT_ALGORITHMS has none/,
    ],
    ['a short JWT_SECRET', { ...base, JWT_SECRET: 'short' }, /JWT_SECRET: .*32 bytes/],
    ['a JWT_PUBLIC_KEY that is no key', { ...base, JWT_PUBLIC_KEY: 'abc' }, /JWT_PUBLIC_KEY: /],
  ])('fails with a ConfigurationError naming the variable for %s', (_name, env, message) => {
    const create = () => jwtVerifierFromEnvironment(env);
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
  });
});

describe('jwtVerifierFromEnvironment: JWT_SELF_EVIDENT_EXPIRY_SECONDS', () => {
  const env = { ...base, JWT_SECRET: SECRET };
  const twoHoursPast = () => hsToken({ expiresInSeconds: -7200 });

  it('makes a token an hour past its exp self-evidently expired when it is not set', async () => {
    const verifier = jwtVerifierFromEnvironment(env);
    expect(await verifier.verify(hsToken({ expiresInSeconds: -3600 }), context)).toEqual({
      outcome: 'expired',
      selfEvident: true,
    });
    const explicit = jwtVerifierFromEnvironment({ ...env, JWT_SELF_EVIDENT_EXPIRY_SECONDS: '3600' });
    expect(verifier.configurationVersion).toBe(explicit.configurationVersion);
  });

  it('reads whole seconds, surrounding white space forgiven', async () => {
    const patient = jwtVerifierFromEnvironment({ ...env, JWT_SELF_EVIDENT_EXPIRY_SECONDS: ' 10800 ' });
    expect(await patient.verify(twoHoursPast(), context)).toEqual({ outcome: 'expired' });
    const hasty = jwtVerifierFromEnvironment({ ...env, JWT_SELF_EVIDENT_EXPIRY_SECONDS: '600' });
    expect(await hasty.verify(twoHoursPast(), context)).toEqual({ outcome: 'expired', selfEvident: true });
    expect(patient.configurationVersion).not.toBe(hasty.configurationVersion);
  });

  it('lets selfEvidentExpirySeconds in code override it', async () => {
    const verifier = jwtVerifierFromEnvironment(
      { ...env, JWT_SELF_EVIDENT_EXPIRY_SECONDS: '600' },
      { selfEvidentExpirySeconds: 10_800 },
    );
    expect(await verifier.verify(twoHoursPast(), context)).toEqual({ outcome: 'expired' });
  });

  it("is read through verifierFromEnvironment too, and its version is the cached verifier's", async () => {
    const verifier = verifierFromEnvironment({ ...env, JWT_SELF_EVIDENT_EXPIRY_SECONDS: '10800' });
    expect(await verifier.verify(twoHoursPast(), context)).toEqual({ outcome: 'expired' });
    const uncached = jwtVerifierFromEnvironment({ ...env, JWT_SELF_EVIDENT_EXPIRY_SECONDS: '10800' });
    expect(verifier.configurationVersion).toBe(uncached.configurationVersion);
  });

  it.each([
    ['0', '0', /JWT_SELF_EVIDENT_EXPIRY_SECONDS must be a whole number of seconds, more than 0/],
    ['negative', '-3600', /JWT_SELF_EVIDENT_EXPIRY_SECONDS must be a whole number of seconds/],
    ['a fraction', '1.5', /JWT_SELF_EVIDENT_EXPIRY_SECONDS must be a whole number of seconds/],
    ['in other units', '1h', /JWT_SELF_EVIDENT_EXPIRY_SECONDS must be a whole number of seconds/],
    ['a word', 'an hour', /JWT_SELF_EVIDENT_EXPIRY_SECONDS must be a whole number of seconds/],
    ['in exponent notation', '3.6e3', /JWT_SELF_EVIDENT_EXPIRY_SECONDS must be a whole number of seconds/],
    ['not more than the default clock tolerance', '5', /\(5\) must be more than JWT_CLOCK_TOLERANCE_SECONDS \(5\)/],
  ])('fails with a ConfigurationError naming the variable when it is %s', (_name, raw, message) => {
    const create = () => jwtVerifierFromEnvironment({ ...env, JWT_SELF_EVIDENT_EXPIRY_SECONDS: raw });
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
  });

  it('fails when it is not more than JWT_CLOCK_TOLERANCE_SECONDS, naming both', () => {
    const create = () =>
      jwtVerifierFromEnvironment({ ...env, JWT_CLOCK_TOLERANCE_SECONDS: '120', JWT_SELF_EVIDENT_EXPIRY_SECONDS: '60' });
    expect(create).toThrow('JWT_SELF_EVIDENT_EXPIRY_SECONDS (60) must be more than JWT_CLOCK_TOLERANCE_SECONDS (120)');
  });

  it('is a variable of the JWT verifier: set with another verifier, it is refused', () => {
    const create = () =>
      verifierFromEnvironment({ TOKEN_VERIFIER: 'lwa', LWA_CLIENT_ID: 'x', JWT_SELF_EVIDENT_EXPIRY_SECONDS: '3600' });
    expect(create).toThrow('TOKEN_VERIFIER is lwa, but JWT_SELF_EVIDENT_EXPIRY_SECONDS is set too');
  });
});

describe('verifierFromEnvironment', () => {
  it('builds a JWT verifier by default, behind a cache', () => {
    const verifier = verifierFromEnvironment({ ...base, JWT_SECRET: SECRET });
    expect(verifier).toBeInstanceOf(CachingVerifier);
    expect((verifier as CachingVerifier<unknown>).inner).toBeInstanceOf(JwtVerifier);
  });

  it('turns the cache off with VERIFY_CACHE_TTL_SECONDS=0', () => {
    expect(verifierFromEnvironment({ ...base, JWT_SECRET: SECRET, VERIFY_CACHE_TTL_SECONDS: '0' })).toBeInstanceOf(
      JwtVerifier,
    );
  });

  it('builds a JWKS verifier from JWKS_URI', () => {
    expect(
      verifierFromEnvironment({ ...base, JWKS_URI: 'http://127.0.0.1:1/jwks', VERIFY_CACHE_TTL_SECONDS: '0' }),
    ).toBeInstanceOf(JwtVerifier);
  });

  it('builds an introspection verifier', () => {
    const env = {
      TOKEN_VERIFIER: 'introspection',
      INTROSPECTION_URL: 'http://127.0.0.1:1/i',
      INTROSPECTION_CLIENT_ID: 'c',
      INTROSPECTION_CLIENT_SECRET: 's',
      VERIFY_CACHE_TTL_SECONDS: '0',
    };
    expect(verifierFromEnvironment(env)).toBeInstanceOf(IntrospectionVerifier);
  });

  it('builds a Login with Amazon verifier', () => {
    expect(
      verifierFromEnvironment({
        TOKEN_VERIFIER: 'lwa',
        LWA_CLIENT_ID: 'amzn1.application-oa2-client.x',
        VERIFY_CACHE_TTL_SECONDS: '0',
      }),
    ).toBeInstanceOf(LoginWithAmazonVerifier);
  });

  it.each([
    ['an unknown TOKEN_VERIFIER', { TOKEN_VERIFIER: 'saml' }, /TOKEN_VERIFIER is "saml"/],
    [
      'variables of another verifier',
      { TOKEN_VERIFIER: 'lwa', LWA_CLIENT_ID: 'x', JWT_SECRET: SECRET },
      /TOKEN_VERIFIER is lwa, but JWT_SECRET is set too/,
    ],
    [
      'two key sources',
      { ...base, JWT_SECRET: SECRET, JWKS_URI: 'http://127.0.0.1/jwks' },
      /only one of JWT_SECRET, JWT_PUBLIC_KEY and JWKS_URI/,
    ],
    [
      'an introspection verifier without INTROSPECTION_CLIENT_SECRET',
      { TOKEN_VERIFIER: 'introspection', INTROSPECTION_URL: 'http://127.0.0.1/i', INTROSPECTION_CLIENT_ID: 'c' },
      /INTROSPECTION_CLIENT_SECRET/,
    ],
    [
      'an INTROSPECTION_URL that is no URL',
      {
        TOKEN_VERIFIER: 'introspection',
        INTROSPECTION_URL: 'nope',
        INTROSPECTION_CLIENT_ID: 'c',
        INTROSPECTION_CLIENT_SECRET: 's',
      },
      /INTROSPECTION_URL is not a URL/,
    ],
    ['an LWA verifier without LWA_CLIENT_ID', { TOKEN_VERIFIER: 'lwa' }, /LWA_CLIENT_ID/],
    [
      'a bad VERIFY_CACHE_TTL_SECONDS',
      { ...base, JWT_SECRET: SECRET, VERIFY_CACHE_TTL_SECONDS: 'soon' },
      /VERIFY_CACHE_TTL_SECONDS/,
    ],
    [
      'a bad JWT_CLOCK_TOLERANCE_SECONDS',
      { ...base, JWT_SECRET: SECRET, JWT_CLOCK_TOLERANCE_SECONDS: '-1' },
      /JWT_CLOCK_TOLERANCE_SECONDS/,
    ],
    [
      'a bad INTROSPECTION_CLOCK_TOLERANCE_SECONDS',
      { ...introspectionBase, INTROSPECTION_CLOCK_TOLERANCE_SECONDS: 'a while' },
      /INTROSPECTION_CLOCK_TOLERANCE_SECONDS/,
    ],
    [
      'INTROSPECTION_CLIENT_IDS with another verifier',
      { ...base, JWT_SECRET: SECRET, INTROSPECTION_CLIENT_IDS: 'alexa-skill' },
      /TOKEN_VERIFIER is jwt, but INTROSPECTION_CLIENT_IDS is set too/,
    ],
  ])('fails with a ConfigurationError naming the variable for %s', (_name, env, message) => {
    expect(() => verifierFromEnvironment(env)).toThrow(message);
  });
});

describe('verifierFromEnvironment for remote verifiers', () => {
  it("takes the allowed client IDs of introspected tokens from INTROSPECTION_CLIENT_IDS (a comma list); another client's token is invalid", async () => {
    const clientId = 'alexa-skill';
    const server = await startLoopback((_req, res) =>
      json(res, 200, { active: true, sub: 'rider-42', client_id: clientId, token_type: 'Bearer' }),
    );
    try {
      const env = {
        ...introspectionBase,
        INTROSPECTION_URL: `${server.url}/introspect`,
        INTROSPECTION_CLIENT_IDS: 'other-client, alexa-skill',
        VERIFY_CACHE_TTL_SECONDS: '0',
      };
      expect((await verifierFromEnvironment(env).verify('opaque-1', context)).outcome).toBe('valid');
      const other = verifierFromEnvironment({ ...env, INTROSPECTION_CLIENT_IDS: 'another-skill' });
      expect(await other.verify('opaque-1', context)).toEqual({
        outcome: 'invalid',
        reason: 'issued to another client',
      });
    } finally {
      await server.close();
    }
  });

  it("takes security profile IDs from LWA_APP_IDS, accepting tokens of the profile's other clients", async () => {
    const server = await startLoopback((_req, res) =>
      json(res, 200, {
        user_id: 'amzn1.account.AE',
        aud: 'amzn1.application-oa2-client.android',
        app_id: 'amzn1.application.profile',
        exp: 3000,
      }),
    );
    try {
      const env = {
        TOKEN_VERIFIER: 'lwa',
        LWA_CLIENT_ID: 'amzn1.application-oa2-client.web',
        LWA_TOKENINFO_URL: `${server.url}/tokeninfo`,
        VERIFY_CACHE_TTL_SECONDS: '0',
      };
      expect(
        (await verifierFromEnvironment({ ...env, LWA_APP_IDS: 'amzn1.application.profile' }).verify('Atza|t', context))
          .outcome,
      ).toBe('valid');
      expect(await verifierFromEnvironment(env).verify('Atza|t', context)).toEqual({
        outcome: 'invalid',
        reason: 'issued to another client',
      });
      // an LWA_CLIENT_ID that holds the security profile's app ID matches tokeninfo's app_id
      expect(
        (
          await verifierFromEnvironment({ ...env, LWA_CLIENT_ID: 'amzn1.application.profile' }).verify(
            'Atza|t',
            context,
          )
        ).outcome,
      ).toBe('valid');
    } finally {
      await server.close();
    }
  });
});
