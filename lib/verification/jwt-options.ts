/**
 * The options of {@link JwtVerifier}, their defaults, the algorithms it verifies and the claims it
 * reads; and the checks of the options that need no key. See `docs/verifiers.md`.
 */
import { ConfigurationError } from '../errors';
import type { KeyObject } from 'node:crypto';
import type { LinkedUser, RejectionEvidence } from './verifier';

/** The JWS algorithms a shared secret verifies (HMAC with SHA-256/384/512, RFC 7518 §3.2). */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
/**
 * The JWS algorithms a public key verifies: RSASSA-PKCS1-v1_5 (RS*), RSASSA-PSS (PS*) and ECDSA on
 * P-256/384/521 (ES256/384/512), RFC 7518 §3.3–3.5.
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;

/** JOSE signature algorithms of public key sets that {@link JwtVerifier} does not verify: "could not decide" with a JWKS, never invalid. */
export const UNSUPPORTED_ASYMMETRIC_ALGORITHMS: readonly string[] = ['EdDSA', 'Ed25519', 'Ed448', 'ES256K'];

/** One of {@link HMAC_ALGORITHMS}. */
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
/** One of {@link ASYMMETRIC_ALGORITHMS}. */
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/** Default of the `clockToleranceSeconds` of {@link JwtVerifier}: 5 seconds. */
export const DEFAULT_JWT_CLOCK_TOLERANCE_SECONDS = 5;
/**
 * Default of `selfEvidentExpirySeconds` (of the JWT and the introspection verifier): a token an
 * hour past its `exp` is self-evidently expired.
 */
export const DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS = 3600;
/** Default of the `maxTokenLength` of {@link JwtVerifier}: 8192 characters (a policy limit; longer is "could not decide"). */
export const DEFAULT_JWT_MAX_TOKEN_LENGTH = 8192;
/** The smallest HS256 key RFC 7518 §3.2 allows: as many bytes as the hash. */
export const MIN_SECRET_BYTES = 32;

/** The claims of a verified JWT access token: the registered ones typed, any other as the server put it. */
export interface JwtClaims {
  /** Issuer: who signed the token; must be one of the verifier's `issuer`. */
  iss?: string;
  /** Subject: the user the token is about; the default linked user's `subject`. */
  sub?: string;
  /** Audience: whom the token is for; one of them must be one of the verifier's `audience`. */
  aud?: string | string[];
  /** Expiry, in seconds since the epoch: past it (beyond the clock tolerance) the token is expired. */
  exp?: number;
  /** Not before, in seconds since the epoch: ahead of our clock beyond the tolerance, "could not decide". */
  nbf?: number;
  /** Issued at, in seconds since the epoch: ahead of our clock beyond the tolerance, "could not decide". */
  iat?: number;
  /** The token's unique ID, if the server gives one (not checked). */
  jti?: string;
  [claim: string]: unknown;
}

interface CommonJwtOptions<P> {
  /** The `iss` the token must carry (one of them, if a list). */
  issuer: string | [string, ...string[]];
  /** The `aud` the token must carry (one of them, if a list). */
  audience: string | [string, ...string[]];
  /**
   * Seconds of clock skew accepted on `exp` and `nbf`.
   *
   * @defaultValue {@link DEFAULT_JWT_CLOCK_TOLERANCE_SECONDS} (5)
   */
  clockToleranceSeconds?: number | undefined;
  /**
   * How long past its `exp`, in seconds, an expired token is *self-evidently* expired
   * (`selfEvident: true`, see {@link RejectionEvidence}): a verdict no fault of ours can produce,
   * which the unlinking policy answers at once. Between `exp` plus the clock tolerance and `exp`
   * plus this, the token is expired but only *suspected*. `JWT_SELF_EVIDENT_EXPIRY_SECONDS` from
   * the environment. Must be more than `clockToleranceSeconds` ({@link ConfigurationError} if not).
   *
   * Why an hour is proof: the signature was verified by our own key, so the token is our issuer's
   * and its `exp` is what our issuer wrote. Alexa refreshes a token before it sends it, so a token
   * an hour past its `exp` is one Alexa could not refresh: the link is gone. An issuer's clock an
   * hour off is far outside what any server runs with; and a clock fault of ours that made *every*
   * token look that old is caught by the policy's proof rule (a configuration that has never
   * accepted a token holds even self-evident rejections).
   *
   * @defaultValue {@link DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS} (3600)
   */
  selfEvidentExpirySeconds?: number | undefined;
  /**
   * Longer tokens are not parsed, and "could not decide" (a policy of ours, not proof about the
   * token).
   *
   * @defaultValue {@link DEFAULT_JWT_MAX_TOKEN_LENGTH} (8192 characters)
   */
  maxTokenLength?: number | undefined;
  /**
   * The linked user handed to domain handlers, from the verified claims. A verified token in which
   * it finds no user is "could not decide" (the server vouched for the token without naming its user).
   *
   * @defaultValue `{ subject: claims.sub, claims }`
   */
  toLinkedUser?: ((claims: JwtClaims) => P | undefined) | undefined;
}

/** A {@link JwtVerifier} on a shared secret: tokens signed with HS256/384/512. */
export interface JwtSecretOptions<P> extends CommonJwtOptions<P> {
  /** The shared secret (UTF-8 text, raw bytes or a secret KeyObject); at least 32 bytes. */
  secret: string | Buffer | KeyObject;
  /** The algorithms accepted (required: no default allowlist for a secret). */
  algorithms: [HmacAlgorithm, ...HmacAlgorithm[]];
  /** Not with a secret: exactly one of `secret`, `publicKey` and `jwksUri`. */
  publicKey?: undefined;
  /** Not with a secret: exactly one of `secret`, `publicKey` and `jwksUri`. */
  jwksUri?: undefined;
}

/** A {@link JwtVerifier} on the authorization server's public key (RS*, PS*, ES*). */
export interface JwtPublicKeyOptions<P> extends CommonJwtOptions<P> {
  /** The PEM public key (or a public KeyObject) of the authorization server. */
  publicKey: string | Buffer | KeyObject;
  /** At least one must fit the key: RS* or PS* for an RSA key, ES256/384/512 for an EC key on P-256/384/521. */
  algorithms: [AsymmetricAlgorithm, ...AsymmetricAlgorithm[]];
  /** Not with a public key: exactly one of `secret`, `publicKey` and `jwksUri`. */
  secret?: undefined;
  /** Not with a public key: exactly one of `secret`, `publicKey` and `jwksUri`. */
  jwksUri?: undefined;
}

/** A {@link JwtVerifier} on the keys the authorization server publishes at its JWKS URL. */
export interface JwtJwksOptions<P> extends CommonJwtOptions<P> {
  /** The authorization server's JWKS URL (`jwks_uri` of its discovery document). */
  jwksUri: string;
  /** The algorithms accepted (required); a published key is used only for those it fits (and its own `alg`, if it names one). */
  algorithms: [AsymmetricAlgorithm, ...AsymmetricAlgorithm[]];
  /**
   * Refetches an unknown `kid` or a failed signature may trigger back to back.
   *
   * @defaultValue {@link DEFAULT_JWKS_REFETCH_BURST} (3)
   */
  jwksRefetchBurst?: number | undefined;
  /**
   * After that burst, one more refetch per this many ms (failed fetches count).
   *
   * @defaultValue {@link DEFAULT_JWKS_COOLDOWN_MS} (30000 ms)
   */
  jwksCooldownMs?: number | undefined;
  /**
   * The longest a fetched key set is trusted (shortened by the JWKS answer's `Cache-Control: max-age`,
   * not below 10 s), so a withdrawn key is refused within it.
   *
   * @defaultValue {@link DEFAULT_JWKS_MAX_AGE_MS} (300000 ms: 5 minutes)
   */
  jwksMaxAgeMs?: number | undefined;
  /** Not with a JWKS: exactly one of `secret`, `publicKey` and `jwksUri`. */
  secret?: undefined;
  /** Not with a JWKS: exactly one of `secret`, `publicKey` and `jwksUri`. */
  publicKey?: undefined;
}

/**
 * The options of a {@link JwtVerifier}: issuer, audience and algorithms, and exactly one source of
 * keys (a secret, a public key or a JWKS URL); `P` is the linked user `toLinkedUser` makes.
 */
export type JwtVerifierOptions<P> = JwtSecretOptions<P> | JwtPublicKeyOptions<P> | JwtJwksOptions<P>;

/** The default linked user of a JWT verifier. */
export interface JwtLinkedUser extends LinkedUser {
  /** The `sub` claim: who the token identifies in the service. */
  subject: string;
  /** Every verified claim. */
  claims: JwtClaims;
}

/** Throws {@link ConfigurationError} unless `options.algorithms` is a non-empty list of `allowed` algorithms. */
export function requireAlgorithms(
  options: { algorithms: readonly string[] },
  allowed: readonly string[],
  what: string,
): void {
  const algorithms: readonly string[] = Array.isArray(options.algorithms) ? options.algorithms : [];
  if (algorithms.length === 0) throw new ConfigurationError('JwtVerifier needs a non-empty algorithm allowlist');
  const refused = algorithms.filter((a) => !allowed.includes(a));
  if (refused.length > 0)
    throw new ConfigurationError(`${what} works only with RS*, PS* and ES* algorithms, not ${refused.join(', ')}`);
}

/** Throws {@link ConfigurationError} unless `issuer` and `audience` are non-empty strings (or lists of them). */
export function requireIssuerAndAudience(options: CommonJwtOptions<unknown>): void {
  const nonEmpty = (value: unknown) =>
    typeof value === 'string'
      ? value.trim() !== ''
      : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.trim() !== '');
  if (!nonEmpty(options.issuer)) throw new ConfigurationError('JwtVerifier needs an issuer');
  if (!nonEmpty(options.audience)) throw new ConfigurationError('JwtVerifier needs an audience');
}
