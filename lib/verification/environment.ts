/**
 * Verifiers configured from environment variables, as a Lambda function is: the variables, their
 * meaning and defaults are in {@link verifierFromEnvironment}'s documentation and `docs/configuration.md`.
 */
import { createPublicKey, KeyObject } from 'node:crypto';
import { ConfigurationError } from '../errors';
import { CachingVerifier, DEFAULT_CACHE_MAX_TTL_SECONDS } from './cache';
import { IntrospectionVerifier } from './introspection';
import { JwtVerifier } from './jwt';
import {
  ASYMMETRIC_ALGORITHMS,
  DEFAULT_JWT_CLOCK_TOLERANCE_SECONDS,
  HMAC_ALGORITHMS,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
  type JwtLinkedUser,
  type JwtVerifierOptions,
} from './jwt-options';
import { algorithmsForKey } from './keys';
import { LoginWithAmazonVerifier } from './lwa';
import type { LinkedUser, TokenVerifier } from './verifier';

/** Environment variables as `process.env` holds them; pass your own object in tests. */
export type Environment = Record<string, string | undefined>;

const VARIABLES = {
  jwt: [
    'JWT_SECRET',
    'JWT_PUBLIC_KEY',
    'JWKS_URI',
    'JWT_ISSUER',
    'JWT_AUDIENCE',
    'JWT_ALGORITHMS',
    'JWT_CLOCK_TOLERANCE_SECONDS',
    'JWT_SELF_EVIDENT_EXPIRY_SECONDS',
    'JWKS_MAX_AGE_SECONDS',
  ],
  introspection: [
    'INTROSPECTION_URL',
    'INTROSPECTION_CLIENT_ID',
    'INTROSPECTION_CLIENT_SECRET',
    'INTROSPECTION_AUTH_METHOD',
    'INTROSPECTION_AUDIENCE',
    'INTROSPECTION_CLIENT_IDS',
    'INTROSPECTION_CLOCK_TOLERANCE_SECONDS',
  ],
  lwa: ['LWA_CLIENT_ID', 'LWA_APP_IDS', 'LWA_TOKENINFO_URL', 'LWA_PROFILE_URL', 'LWA_FETCH_PROFILE'],
} as const;

type VerifierKind = keyof typeof VARIABLES;

/**
 * The verifier `TOKEN_VERIFIER` names, configured from its variables, behind a cache unless `VERIFY_CACHE_TTL_SECONDS=0`.
 * Options passed in code (to {@link jwtVerifierFromEnvironment}) override the environment. Anything missing or contradictory throws a
 * {@link ConfigurationError} naming the variable, at cold start rather than on the first request.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `TOKEN_VERIFIER` | `jwt`, `introspection` or `lwa` | `jwt` |
 * | `JWT_SECRET` / `JWT_PUBLIC_KEY` / `JWKS_URI` | exactly one: HS secret (≥ 32 bytes), PEM key (`\n` escapes work), or the server's JWKS URL | — |
 * | `JWT_ISSUER`, `JWT_AUDIENCE` | required `iss` and `aud` (comma lists) | — |
 * | `JWT_ALGORITHMS` | allowlist, comma list | `HS256` with a secret; with a PEM key what it can verify (`RS256` for RSA, `ES256`/`ES384`/`ES512` for an EC key on P-256/384/521); `RS256` with a JWKS |
 * | `JWT_CLOCK_TOLERANCE_SECONDS` | skew accepted on `exp` and `nbf` | 5 |
 * | `JWT_SELF_EVIDENT_EXPIRY_SECONDS` | how long past `exp` a token is self-evidently expired (whole seconds, > the tolerance) | 3600 |
 * | `JWKS_MAX_AGE_SECONDS` | the longest a fetched key set is trusted (a withdrawn key is refused after it) | 300 |
 * | `INTROSPECTION_URL`, `INTROSPECTION_CLIENT_ID`, `INTROSPECTION_CLIENT_SECRET` | RFC 7662 endpoint and the skill's credentials there | — |
 * | `INTROSPECTION_AUTH_METHOD` | `client_secret_basic` or `client_secret_post` | `client_secret_basic` |
 * | `INTROSPECTION_AUDIENCE` | if set, the `aud` a token must have (comma list) | — |
 * | `INTROSPECTION_CLIENT_IDS` | if set, the `client_id` a token must have been issued to: Alexa's client at the server (comma list) | — |
 * | `INTROSPECTION_CLOCK_TOLERANCE_SECONDS` | skew accepted between the server's clock and ours on `exp` | 30 |
 * | `LWA_CLIENT_ID` | the LWA client ID tokens must be issued to (tokeninfo's `aud`, `amzn1.application-oa2-client.…`) | — |
 * | `LWA_APP_IDS` | security profile IDs (tokeninfo's `app_id`, `amzn1.application.…`) whose tokens are accepted too (comma list) | — |
 * | `LWA_TOKENINFO_URL`, `LWA_PROFILE_URL` | endpoint overrides (tests) | Amazon's |
 * | `LWA_FETCH_PROFILE` | `true` to add the profile to the linked user | `false` |
 * | `VERIFY_CACHE_TTL_SECONDS` | the longest a valid verdict is cached; `0` turns the cache off | 300 |
 */
export function verifierFromEnvironment(env: Environment = process.env): TokenVerifier<LinkedUser> {
  const kind = (value(env.TOKEN_VERIFIER) ?? 'jwt') as VerifierKind;
  if (!(kind in VARIABLES))
    throw new ConfigurationError(`TOKEN_VERIFIER is "${kind}"; it must be jwt, introspection or lwa`);
  const strays = (Object.keys(VARIABLES) as VerifierKind[])
    .filter((other) => other !== kind)
    .flatMap((other) => VARIABLES[other].filter((name) => value(env[name]) !== undefined));
  if (strays.length > 0)
    throw new ConfigurationError(
      `TOKEN_VERIFIER is ${kind}, but ${strays.join(', ')} ${strays.length > 1 ? 'are' : 'is'} set too`,
    );

  const verifier: TokenVerifier<LinkedUser> =
    kind === 'jwt'
      ? jwtVerifierFromEnvironment(env)
      : kind === 'introspection'
        ? introspectionFromEnvironment(env)
        : lwaFromEnvironment(env);

  const ttl = value(env.VERIFY_CACHE_TTL_SECONDS);
  const maxTtlSeconds = ttl === undefined ? DEFAULT_CACHE_MAX_TTL_SECONDS : Number(ttl);
  if (!Number.isFinite(maxTtlSeconds) || maxTtlSeconds < 0)
    throw new ConfigurationError('VERIFY_CACHE_TTL_SECONDS must be a number of seconds, 0 to turn the cache off');
  return maxTtlSeconds === 0 ? verifier : new CachingVerifier(verifier, { maxTtlSeconds });
}

/**
 * A {@link JwtVerifier} from the `JWT_*` and `JWKS_*` variables of {@link verifierFromEnvironment}'s table, with
 * `overrides` in code taking precedence over them. It adds no verdict cache (a JWT is checked
 * locally, with no request per token); {@link verifierFromEnvironment} with `TOKEN_VERIFIER=jwt` does.
 *
 * Throws {@link ConfigurationError}, naming the variable, when no key or more than one is set
 * (`JWT_SECRET`, `JWT_PUBLIC_KEY`, `JWKS_URI`), when `JWT_ISSUER` or `JWT_AUDIENCE` is missing,
 * or when a value is malformed.
 *
 * @param env - Where to read the variables. Default: `process.env`.
 * @param overrides - Options that win over the environment.
 *
 * @example
 * ```ts
 * // JWKS_URI, JWT_ISSUER and JWT_AUDIENCE set on the Lambda function
 * const verifier = jwtVerifierFromEnvironment(process.env, { clockToleranceSeconds: 10 });
 * ```
 */
export function jwtVerifierFromEnvironment(
  env: Environment = process.env,
  overrides: Partial<JwtVerifierOptions<JwtLinkedUser>> = {},
): JwtVerifier<JwtLinkedUser> {
  const secret = overrides.secret ?? value(env.JWT_SECRET);
  const publicKey = overrides.publicKey ?? value(env.JWT_PUBLIC_KEY)?.replace(/\\n/g, '\n');
  const jwksUri = overrides.jwksUri ?? value(env.JWKS_URI);
  const keys = [secret && 'JWT_SECRET', publicKey && 'JWT_PUBLIC_KEY', jwksUri && 'JWKS_URI'].filter(Boolean);
  if (keys.length > 1)
    throw new ConfigurationError(`Set only one of JWT_SECRET, JWT_PUBLIC_KEY and JWKS_URI, not ${keys.join(' and ')}`);
  if (keys.length === 0) {
    throw new ConfigurationError(
      "Set JWT_SECRET (shared secret, HS256), JWT_PUBLIC_KEY (PEM public key, RS256/ES256) or JWKS_URI (the authorization server's keys)",
    );
  }
  const issuer = overrides.issuer ?? list(env.JWT_ISSUER);
  if (issuer === undefined) throw new ConfigurationError('Set JWT_ISSUER: the issuer (iss) of the access tokens');
  const audience = overrides.audience ?? list(env.JWT_AUDIENCE);
  if (audience === undefined) throw new ConfigurationError('Set JWT_AUDIENCE: the audience (aud) of the access tokens');
  const tolerance = value(env.JWT_CLOCK_TOLERANCE_SECONDS);
  const clockToleranceSeconds =
    overrides.clockToleranceSeconds ?? (tolerance === undefined ? undefined : Number(tolerance));
  if (clockToleranceSeconds !== undefined && !(Number.isFinite(clockToleranceSeconds) && clockToleranceSeconds >= 0)) {
    throw new ConfigurationError('JWT_CLOCK_TOLERANCE_SECONDS must be a number of seconds, 0 or more');
  }
  const selfEvidentExpirySeconds = overrides.selfEvidentExpirySeconds ?? selfEvidentExpiry(env, clockToleranceSeconds);

  const maxAge = value(env.JWKS_MAX_AGE_SECONDS);
  const jwksMaxAgeSeconds = maxAge === undefined ? undefined : Number(maxAge);
  if (jwksMaxAgeSeconds !== undefined && !(Number.isFinite(jwksMaxAgeSeconds) && jwksMaxAgeSeconds > 0)) {
    throw new ConfigurationError('JWKS_MAX_AGE_SECONDS must be a number of seconds, more than 0');
  }
  if (jwksMaxAgeSeconds !== undefined && jwksUri === undefined)
    throw new ConfigurationError('JWKS_MAX_AGE_SECONDS is set, but JWKS_URI is not');

  const algorithms = overrides.algorithms ?? list(env.JWT_ALGORITHMS) ?? defaultAlgorithms(secret, publicKey);
  const allowed: readonly string[] = secret !== undefined ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
  const refused = algorithms.filter((algorithm) => !allowed.includes(algorithm));
  if (refused.length > 0) {
    throw new ConfigurationError(
      `JWT_ALGORITHMS has ${refused.join(', ')}, which ${keys[0]} cannot verify; allowed: ${allowed.join(', ')}`,
    );
  }

  const common = { ...overrides, issuer, audience, clockToleranceSeconds, selfEvidentExpirySeconds };
  try {
    if (secret !== undefined) {
      return new JwtVerifier({
        ...common,
        secret,
        publicKey: undefined,
        jwksUri: undefined,
        algorithms: algorithms as [HmacAlgorithm, ...HmacAlgorithm[]],
      });
    }
    const asymmetric = algorithms as [AsymmetricAlgorithm, ...AsymmetricAlgorithm[]];
    return publicKey !== undefined
      ? new JwtVerifier({ ...common, publicKey, secret: undefined, jwksUri: undefined, algorithms: asymmetric })
      : new JwtVerifier({
          ...(jwksMaxAgeSeconds !== undefined ? { jwksMaxAgeMs: jwksMaxAgeSeconds * 1000 } : {}),
          ...common,
          jwksUri: jwksUri!,
          secret: undefined,
          publicKey: undefined,
          algorithms: asymmetric,
        });
  } catch (error) {
    if (error instanceof ConfigurationError)
      throw new ConfigurationError(`${keys[0]}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * The allowlist when `JWT_ALGORITHMS` is not set: `HS256` with a secret; with a PEM key, the
 * algorithms it can verify (`RS256` for an RSA key, the ES* of an EC key's curve), so that an EC
 * key works without naming its algorithm; `RS256` with a JWKS (the common choice of servers; a
 * token signed otherwise is "could not decide" with an ERROR naming `JWT_ALGORITHMS`).
 */
function defaultAlgorithms(secret: unknown, publicKey: unknown): [string, ...string[]] {
  if (secret !== undefined) return ['HS256'];
  if (publicKey === undefined) return ['RS256'];
  let key: KeyObject;
  try {
    key = publicKey instanceof KeyObject ? publicKey : createPublicKey(publicKey as string | Buffer);
  } catch {
    return ['RS256']; // not a key: the verifier says so, naming JWT_PUBLIC_KEY
  }
  const fitting = algorithmsForKey(key);
  if (fitting.length === 0) return ['RS256'];
  return fitting.includes('RS256') ? ['RS256'] : [fitting[0], ...fitting.slice(1)];
}

/**
 * `JWT_SELF_EVIDENT_EXPIRY_SECONDS`: whole seconds, more than 0 and more than the clock tolerance
 * (`JWT_CLOCK_TOLERANCE_SECONDS`, or its default); `undefined` when it is not set.
 */
function selfEvidentExpiry(env: Environment, clockToleranceSeconds: number | undefined): number | undefined {
  const raw = value(env.JWT_SELF_EVIDENT_EXPIRY_SECONDS);
  if (raw === undefined) return undefined;
  const seconds = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(Number.isSafeInteger(seconds) && seconds > 0)) {
    throw new ConfigurationError(
      'JWT_SELF_EVIDENT_EXPIRY_SECONDS must be a whole number of seconds, more than 0 (default 3600)',
    );
  }
  const tolerance = clockToleranceSeconds ?? DEFAULT_JWT_CLOCK_TOLERANCE_SECONDS;
  if (seconds <= tolerance) {
    throw new ConfigurationError(
      `JWT_SELF_EVIDENT_EXPIRY_SECONDS (${seconds}) must be more than JWT_CLOCK_TOLERANCE_SECONDS (${tolerance})`,
    );
  }
  return seconds;
}

function introspectionFromEnvironment(env: Environment): IntrospectionVerifier {
  const url = required(env, 'INTROSPECTION_URL', 'the RFC 7662 introspection endpoint');
  if (!URL.canParse(url)) throw new ConfigurationError('INTROSPECTION_URL is not a URL');
  const clientAuthMethod = value(env.INTROSPECTION_AUTH_METHOD) ?? 'client_secret_basic';
  if (clientAuthMethod !== 'client_secret_basic' && clientAuthMethod !== 'client_secret_post') {
    throw new ConfigurationError('INTROSPECTION_AUTH_METHOD must be client_secret_basic or client_secret_post');
  }
  const tolerance = value(env.INTROSPECTION_CLOCK_TOLERANCE_SECONDS);
  const clockToleranceSeconds = tolerance === undefined ? undefined : Number(tolerance);
  if (clockToleranceSeconds !== undefined && !(Number.isFinite(clockToleranceSeconds) && clockToleranceSeconds >= 0)) {
    throw new ConfigurationError('INTROSPECTION_CLOCK_TOLERANCE_SECONDS must be a number of seconds, 0 or more');
  }
  return new IntrospectionVerifier({
    url,
    clientId: required(env, 'INTROSPECTION_CLIENT_ID', "the skill's client ID at the introspection endpoint"),
    clientSecret: required(
      env,
      'INTROSPECTION_CLIENT_SECRET',
      "the skill's client secret at the introspection endpoint",
    ),
    clientAuthMethod,
    audience: list(env.INTROSPECTION_AUDIENCE),
    clientIds: list(env.INTROSPECTION_CLIENT_IDS),
    clockToleranceSeconds,
  });
}

function lwaFromEnvironment(env: Environment): LoginWithAmazonVerifier {
  const urls: Record<string, string> = {};
  for (const [name, option] of [
    ['LWA_TOKENINFO_URL', 'tokenInfoUrl'],
    ['LWA_PROFILE_URL', 'profileUrl'],
  ] as const) {
    const url = value(env[name]);
    if (url === undefined) continue;
    if (!URL.canParse(url)) throw new ConfigurationError(`${name} is not a URL`);
    urls[option] = url;
  }
  return new LoginWithAmazonVerifier({
    clientId: required(env, 'LWA_CLIENT_ID', 'the LWA client ID the access tokens are issued to'),
    appIds: list(env.LWA_APP_IDS),
    fetchProfile: value(env.LWA_FETCH_PROFILE) === 'true',
    ...urls,
  });
}

function required(env: Environment, name: string, what: string): string {
  const found = value(env[name]);
  if (found === undefined) throw new ConfigurationError(`Set ${name}: ${what}`);
  return found;
}

function value(raw: string | undefined): string | undefined {
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function list(raw: string | undefined): [string, ...string[]] | undefined {
  const items = (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? (items as [string, ...string[]]) : undefined;
}
