/**
 * A verifier for JWT access tokens signed with a shared secret (HS256/384/512), a PEM public key
 * (RS*, PS*, ES*), or the keys an authorization server publishes at its JWKS URL, on jsonwebtoken.
 *
 * Issuer, audience and the algorithm allowlist are required: a JWT checked without them is a JWT
 * anybody could have minted for another purpose. Keys become KeyObjects once, here, and not on
 * every request (a Buffer secret costs jsonwebtoken ~30× the time of a KeyObject).
 */
import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import type * as JsonWebToken from 'jsonwebtoken';
import type { JwtPayload } from 'jsonwebtoken';
import { ConfigurationError } from '../errors';
import { JwksKeySet } from './jwks';
import type { LinkedUser, TokenVerdict, TokenVerifier, VerificationContext } from './verifier';

export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export const ASYMMETRIC_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512',
] as const;

export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

interface CommonJwtOptions<P> {
  /** The `iss` the token must carry (one of them, if a list). */
  issuer: string | [string, ...string[]];
  /** The `aud` the token must carry (one of them, if a list). */
  audience: string | [string, ...string[]];
  /** Seconds of clock skew accepted on `exp` and `nbf`. Default: 5. */
  clockToleranceSeconds?: number;
  /** Longer tokens are invalid without being parsed. Default: 8192 characters. */
  maxTokenLength?: number;
  /**
   * The linked user handed to domain handlers, from the verified claims.
   * Default: `{ subject: claims.sub, claims }`; a token without a `sub` is invalid.
   */
  toLinkedUser?: (claims: JwtPayload) => P;
}

export interface JwtSecretOptions<P> extends CommonJwtOptions<P> {
  /** The shared secret (UTF-8 text, raw bytes or a secret KeyObject); at least 32 bytes. */
  secret: string | Buffer | KeyObject;
  algorithms: [HmacAlgorithm, ...HmacAlgorithm[]];
  publicKey?: never;
  jwksUri?: never;
}

export interface JwtPublicKeyOptions<P> extends CommonJwtOptions<P> {
  /** The PEM public key (or a public KeyObject) of the authorization server. */
  publicKey: string | Buffer | KeyObject;
  algorithms: [AsymmetricAlgorithm, ...AsymmetricAlgorithm[]];
  secret?: never;
  jwksUri?: never;
}

export interface JwtJwksOptions<P> extends CommonJwtOptions<P> {
  /** The authorization server's JWKS URL (`jwks_uri` of its discovery document). */
  jwksUri: string;
  algorithms: [AsymmetricAlgorithm, ...AsymmetricAlgorithm[]];
  /** The least time between two JWKS fetches that an unknown `kid` triggers. Default: 30000 ms. */
  jwksCooldownMs?: number;
  secret?: never;
  publicKey?: never;
}

export type JwtVerifierOptions<P> = JwtSecretOptions<P> | JwtPublicKeyOptions<P> | JwtJwksOptions<P>;

/** The default linked user of a JWT verifier. */
export interface JwtLinkedUser extends LinkedUser {
  /** The `sub` claim: who the token identifies in the service. */
  subject: string;
  /** Every verified claim. */
  claims: JwtPayload;
}

type Jwt = typeof JsonWebToken;
let jsonwebtoken: Jwt | undefined;

/**
 * jsonwebtoken, loaded on the first verification rather than at cold start: it is the heaviest
 * module of a gated Lambda's init (see bench/results.md).
 */
function jwt(): Jwt {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (jsonwebtoken ??= require('jsonwebtoken') as Jwt);
}

/** The smallest HS256 key RFC 7518 §3.2 allows: as many bytes as the hash. */
const MIN_SECRET_BYTES = 32;
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
const DEFAULT_MAX_TOKEN_LENGTH = 8192;

export class JwtVerifier<P = JwtLinkedUser> implements TokenVerifier<P> {
  /** The one key of a secret or a public key; undefined with a JWKS. */
  readonly #key?: KeyObject;
  readonly #jwks?: JwksKeySet;
  readonly #verifyOptions: JsonWebToken.VerifyOptions & { complete?: false };
  readonly #maxTokenLength: number;
  readonly #toLinkedUser: (claims: JwtPayload) => P | undefined;

  constructor(options: JwtVerifierOptions<P>) {
    requireIssuerAndAudience(options);
    if (options.jwksUri !== undefined) {
      requireAlgorithms(options, ASYMMETRIC_ALGORITHMS, 'A JWKS');
      if (options.secret !== undefined || options.publicKey !== undefined) throw new ConfigurationError('JwtVerifier needs exactly one of secret, publicKey and jwksUri');
      if (!URL.canParse(options.jwksUri)) throw new ConfigurationError('JwtVerifier jwksUri is not a URL');
      this.#jwks = new JwksKeySet(options.jwksUri, { cooldownMs: options.jwksCooldownMs });
    } else {
      this.#key = toKeyObject(options);
    }
    this.#verifyOptions = {
      algorithms: [...options.algorithms],
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    };
    this.#maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
    this.#toLinkedUser = options.toLinkedUser ?? (defaultLinkedUser as unknown as (claims: JwtPayload) => P | undefined);
  }

  /** With a secret or a public key, local work; with a JWKS, fetches keys under the context's signal. */
  async verify(accessToken: string, context?: VerificationContext): Promise<TokenVerdict<P>> {
    if (accessToken.length > this.#maxTokenLength) return { outcome: 'invalid', reason: 'token too long' };
    let key = this.#key;
    if (!key) {
      const header = jwtHeader(accessToken);
      if (!header) return { outcome: 'invalid', reason: 'malformed' };
      if (typeof header.alg !== 'string' || !this.#verifyOptions.algorithms!.includes(header.alg as JsonWebToken.Algorithm)) {
        return { outcome: 'invalid', reason: 'algorithm not allowed' };
      }
      if (header.kid !== undefined && typeof header.kid !== 'string') return { outcome: 'invalid', reason: 'malformed' };
      key = await this.#jwks!.keyFor(header.kid, context); // throws when the JWKS cannot be had: could not decide
      if (!key) return { outcome: 'invalid', reason: 'unknown signing key' };
    }
    let claims: JwtPayload;
    try {
      const payload = jwt().verify(accessToken, key, this.#verifyOptions);
      if (typeof payload !== 'object' || payload === null) return { outcome: 'invalid', reason: 'payload is not a JSON object' };
      claims = payload;
    } catch (error) {
      const { TokenExpiredError, NotBeforeError, JsonWebTokenError } = jwt();
      if (error instanceof TokenExpiredError) return { outcome: 'expired' };
      if (error instanceof NotBeforeError) return { outcome: 'invalid', reason: 'not yet valid' };
      if (error instanceof JsonWebTokenError) return { outcome: 'invalid', reason: invalidReason(error) };
      throw error; // not a verdict about the token: the gate makes it "could not decide"
    }
    const linkedUser = this.#toLinkedUser(claims);
    if (linkedUser === undefined || linkedUser === null) return { outcome: 'invalid', reason: 'no linked user in claims' };
    return {
      outcome: 'valid',
      principal: linkedUser,
      ...(typeof claims.exp === 'number' ? { expiresAt: new Date(claims.exp * 1000) } : {}),
    };
  }
}

function defaultLinkedUser(claims: JwtPayload): JwtLinkedUser | undefined {
  return typeof claims.sub === 'string' && claims.sub !== '' ? { subject: claims.sub, claims } : undefined;
}

/** jsonwebtoken's messages, turned into fixed reasons (its messages may quote expected claims). */
function invalidReason(error: JsonWebToken.JsonWebTokenError): string {
  const message = error.message;
  if (message.startsWith('jwt audience invalid')) return 'wrong audience';
  if (message.startsWith('jwt issuer invalid')) return 'wrong issuer';
  if (message === 'invalid signature') return 'bad signature';
  if (message === 'invalid algorithm' || message.includes('must be a symmetric key') || message.includes('must be an asymmetric key')) {
    return 'algorithm not allowed';
  }
  if (message === 'jwt signature is required') return 'unsigned token';
  if (message === 'jwt malformed' || message.startsWith('invalid token') || message === 'jwt must be a string' || message === 'jwt must be provided') return 'malformed';
  if (message.startsWith('invalid ') && message.endsWith(' value')) return 'malformed claims';
  return 'rejected';
}

/** The JOSE header of a compact JWS, or undefined if it is not one. */
function jwtHeader(token: string): Record<string, unknown> | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && !Array.isArray(header) ? header : undefined;
  } catch {
    return undefined;
  }
}

function requireAlgorithms(options: { algorithms: readonly string[] }, allowed: readonly string[], what: string): void {
  const algorithms: readonly string[] = Array.isArray(options.algorithms) ? options.algorithms : [];
  if (algorithms.length === 0) throw new ConfigurationError('JwtVerifier needs a non-empty algorithm allowlist');
  const refused = algorithms.filter((a) => !allowed.includes(a));
  if (refused.length > 0) throw new ConfigurationError(`${what} works only with RS*, PS* and ES* algorithms, not ${refused.join(', ')}`);
}

function requireIssuerAndAudience(options: CommonJwtOptions<unknown>): void {
  const nonEmpty = (value: unknown) =>
    typeof value === 'string' ? value.trim() !== '' : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.trim() !== '');
  if (!nonEmpty(options.issuer)) throw new ConfigurationError('JwtVerifier needs an issuer');
  if (!nonEmpty(options.audience)) throw new ConfigurationError('JwtVerifier needs an audience');
}

function toKeyObject(options: JwtSecretOptions<unknown> | JwtPublicKeyOptions<unknown>): KeyObject {
  const algorithms: readonly string[] = Array.isArray(options.algorithms) ? options.algorithms : [];
  if (algorithms.length === 0) throw new ConfigurationError('JwtVerifier needs a non-empty algorithm allowlist');
  const hasSecret = options.secret !== undefined;
  const hasPublicKey = options.publicKey !== undefined;
  if (hasSecret === hasPublicKey) throw new ConfigurationError('JwtVerifier needs exactly one of secret, publicKey and jwksUri');

  if (hasSecret) {
    const notHmac = algorithms.filter((a) => !(HMAC_ALGORITHMS as readonly string[]).includes(a));
    if (notHmac.length > 0) throw new ConfigurationError(`A shared secret works only with HS256/384/512, not ${notHmac.join(', ')}`);
    const key = options.secret instanceof KeyObject ? options.secret : createSecretKey(Buffer.from(options.secret as string | Buffer));
    if (key.type !== 'secret') throw new ConfigurationError('JwtVerifier secret must be a secret key, not a public or private key');
    if ((key.symmetricKeySize ?? 0) < MIN_SECRET_BYTES) {
      throw new ConfigurationError(`JwtVerifier secret must be at least ${MIN_SECRET_BYTES} bytes long`);
    }
    return key;
  }

  requireAlgorithms(options, ASYMMETRIC_ALGORITHMS, 'A public key');
  let key: KeyObject;
  try {
    key = options.publicKey instanceof KeyObject ? options.publicKey : createPublicKey(options.publicKey as string | Buffer);
  } catch (cause) {
    throw new ConfigurationError('JwtVerifier publicKey is not a PEM public key', { cause });
  }
  if (key.type !== 'public') throw new ConfigurationError('JwtVerifier publicKey must be a public key');
  return key;
}
