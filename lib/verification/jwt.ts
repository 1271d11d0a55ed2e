/**
 * A verifier for JWT access tokens signed with a shared secret (HS256/384/512), a PEM public key
 * (RS*, PS*, ES*), or the keys an authorization server publishes at its JWKS URL.
 *
 * Issuer, audience and the algorithm allowlist are required: a JWT checked without them is a JWT
 * anybody could have minted for another purpose. Keys become KeyObjects once, here, and not on
 * every request.
 *
 * **What a verdict rests on.** The signature is checked first (node:crypto, on the header's
 * algorithm and a key that fits it, see {@link checkSignature}), then the claims, here, in this order:
 *
 * | the verifier learned | verdict | kind |
 * |---|---|---|
 * | malformed token (not three strict base64url parts, a header or payload not a JSON object) | invalid | suspected (a) |
 * | `alg: none` or an algorithm no key of ours could verify (key confusion) | invalid | suspected (b) |
 * | the signature fails against the secret or PEM key (the key *is* the configuration) | invalid | suspected (c) |
 * | with a JWKS: the signature fails, or the `kid` is absent, in a key set fetched after the token was seen | invalid | suspected (d) |
 * | with a JWKS: the same, while no refetch is allowed right now (rate limit, backoff) | could not decide | |
 * | signature valid, but `exp`, `nbf` or `iat` not a number | invalid | suspected (e) |
 * | signature valid, but signed with an algorithm outside the allowlist | could not decide (`JWT_ALGORITHMS`) | |
 * | signature valid, but `iss` or `aud` not as configured | could not decide (`JWT_ISSUER`, `JWT_AUDIENCE`) | |
 * | `exp` past by `selfEvidentExpirySeconds` (default 3600) or more | expired | self-evident (f) |
 * | `exp` past beyond the clock tolerance, by less than `selfEvidentExpirySeconds` | expired | suspected (g) |
 * | signature valid, but a `crit` header (extensions we do not implement) | could not decide | |
 * | `b64: false` (the signature covers the raw payload: a failed check would prove nothing) | could not decide | |
 * | `nbf` in the future beyond the tolerance (the issuer's clock) | could not decide | |
 * | no `sub` (or `toLinkedUser` finds no user) | could not decide | |
 * | longer than `maxTokenLength` (a policy of ours) | could not decide | |
 *
 * The kind is what the unlinking policy reads ({@link RejectionEvidence}): *self-evident* only
 * where no configuration, key or clock fault of ours can produce the verdict, *suspected* (held
 * until the token is rejected again, on fresh knowledge) wherever one can:
 *
 * - (a) a server that issues opaque tokens (`TOKEN_VERIFIER` should be `introspection`) makes every genuine token malformed;
 * - (b) a key of the wrong type (a secret where the server signs RS256, an RSA key where it signs ES256) produces it for genuine tokens;
 * - (c) a wrong secret or PEM key, or a key rotated at the server under our static key, produces it for genuine tokens;
 * - (d) a `JWKS_URI` of another server (staging, another tenant) produces it for genuine tokens; `knowledgeAt` is that key set's fetch;
 * - (e) a server that writes its time claims as strings does so in every genuine token (our reading, not the token, is at fault);
 * - (f) our own key verified the signature, so the token is our issuer's, and it ended an hour ago: Alexa refreshes a token
 *   before it sends it, and no server runs a clock an hour off (see `selfEvidentExpirySeconds` for the whole argument);
 * - (g) an issuer's or a Lambda's clock some minutes off produces it for a token Alexa has just refreshed.
 *
 * "Could not decide" is a thrown {@link CannotDecideError}: the gate answers the family's
 * transient reply and logs one ERROR per container and reason, saying what to check.
 */
import {
  constants, createHash, createHmac, createPublicKey, createSecretKey, KeyObject, timingSafeEqual, verify as verifySignature,
} from 'node:crypto';
import { CannotDecideError, ConfigurationError } from '../errors';
import { isObject } from '../json';
import { JwksKeySet, MIN_RSA_BITS, isWeakRsaKey, keyFitsAlgorithm, type JwksKey, type KeySet, type LeftOutKey } from './jwks';
import type { LinkedUser, RejectionEvidence, TokenVerdict, TokenVerifier, VerificationContext } from './verifier';

/** The JWS algorithms a shared secret verifies (HMAC with SHA-256/384/512, RFC 7518 §3.2). */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
/**
 * The JWS algorithms a public key verifies: RSASSA-PKCS1-v1_5 (RS*), RSASSA-PSS (PS*) and ECDSA on
 * P-256/384/521 (ES256/384/512), RFC 7518 §3.3–3.5.
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512',
] as const;

/** JOSE signature algorithms of public key sets that {@link JwtVerifier} does not verify: "could not decide" with a JWKS, never invalid. */
const UNSUPPORTED_ASYMMETRIC_ALGORITHMS: readonly string[] = ['EdDSA', 'Ed25519', 'Ed448', 'ES256K'];

/** One of {@link HMAC_ALGORITHMS}. */
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
/** One of {@link ASYMMETRIC_ALGORITHMS}. */
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

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
  /** Seconds of clock skew accepted on `exp` and `nbf`. Default: 5. */
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
   * @default 3600
   */
  selfEvidentExpirySeconds?: number | undefined;
  /**
   * Longer tokens are not parsed, and "could not decide" (a policy of ours, not proof about the
   * token). Default: 8192 characters.
   */
  maxTokenLength?: number | undefined;
  /**
   * The linked user handed to domain handlers, from the verified claims.
   * Default: `{ subject: claims.sub, claims }`. A verified token in which it finds no user is
   * "could not decide" (the server vouched for the token without naming its user).
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
  /** Refetches an unknown `kid` or a failed signature may trigger back to back. Default: 3. */
  jwksRefetchBurst?: number | undefined;
  /** After that burst, one more refetch per this many ms (failed fetches count). Default: 30000 ms. */
  jwksCooldownMs?: number | undefined;
  /**
   * The longest a fetched key set is trusted (shortened by the JWKS answer's `Cache-Control: max-age`,
   * not below 10 s). Default: 300000 ms, so a withdrawn key is refused within 5 minutes.
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

/**
 * The version of the rules JwtVerifier's verdicts follow, part of its `configurationVersion`: changed
 * whenever a release judges some token otherwise, so a fleet proven under the old rules is not
 * taken as proven under the new ones.
 */
const JWT_RULES = '2026-12';

/** The smallest HS256 key RFC 7518 §3.2 allows: as many bytes as the hash. */
const MIN_SECRET_BYTES = 32;
/** Default of the `clockToleranceSeconds` of {@link JwtVerifier}: 5 seconds. */
export const DEFAULT_JWT_CLOCK_TOLERANCE_SECONDS = 5;
/**
 * Default of `selfEvidentExpirySeconds` (of the JWT and the introspection verifier): a token an
 * hour past its `exp` is self-evidently expired.
 */
export const DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS = 3600;
const DEFAULT_MAX_TOKEN_LENGTH = 8192;
/** The latest instant a Date can hold, in seconds since the epoch (ECMA-262 §21.4.1.1). */
const LAST_DATE_SECONDS = 8.64e12;

/** A parsed compact JWS, before its signature is checked. */
interface Parsed {
  alg: string;
  kid?: string;
  /** The header names `crit` extensions: a JWS this verifier does not implement. */
  extended: boolean;
}

type SignatureCheck = { outcome: 'signed'; claims: JwtClaims } | ({ outcome: 'invalid'; reason: string } & RejectionEvidence);

/**
 * Verifies JWT access tokens; invalid or expired only on proof about the token, "could not decide"
 * ({@link CannotDecideError}) for what is about us (see the table at the top of this module).
 */
export class JwtVerifier<P = JwtLinkedUser> implements TokenVerifier<P> {
  /** The one key of a secret or a public key; undefined with a JWKS. */
  readonly #key?: KeyObject;
  readonly #jwks?: JwksKeySet;
  /** The algorithms a key of this kind can verify at all; any other in a header is a forgery. */
  readonly #family: readonly string[];
  readonly #algorithms: readonly string[];
  readonly #issuers: readonly string[];
  readonly #audiences: readonly string[];
  readonly #clockTolerance: number;
  readonly #selfEvidentExpiry: number;
  readonly #maxTokenLength: number;
  readonly #toLinkedUser: (claims: JwtClaims) => P | undefined;
  /**
   * A short hash (16 hex digits of a SHA-256) of the settings the verdicts rest on, for the
   * unlinking policy: the kind of key and the key (a SHA-256 of a secret's bytes, of a public key's
   * SPKI DER; the URL of a JWKS), the issuers, audiences and algorithms, the clock tolerance and
   * `selfEvidentExpirySeconds`. The same settings give the same version in every container; any
   * change of one gives another. No setting is in it in clear.
   *
   * The hash of a secret adds nothing an attacker does not already have: every HS-signed token
   * is already an offline test of a guessed secret (and a secret of 32 random bytes withstands
   * both).
   */
  readonly configurationVersion: string;

  constructor(options: JwtVerifierOptions<P>) {
    requireIssuerAndAudience(options);
    if (options.jwksUri !== undefined) {
      requireAlgorithms(options, ASYMMETRIC_ALGORITHMS, 'A JWKS');
      if (options.secret !== undefined || options.publicKey !== undefined) throw new ConfigurationError('JwtVerifier needs exactly one of secret, publicKey and jwksUri');
      if (!URL.canParse(options.jwksUri)) throw new ConfigurationError('JwtVerifier jwksUri is not a URL');
      this.#jwks = new JwksKeySet(options.jwksUri, {
        refetchBurst: options.jwksRefetchBurst,
        cooldownMs: options.jwksCooldownMs,
        maxAgeMs: options.jwksMaxAgeMs,
      });
    } else {
      this.#key = toKeyObject(options);
    }
    this.#family = this.#key?.type === 'secret' ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
    this.#algorithms = [...options.algorithms];
    this.#issuers = typeof options.issuer === 'string' ? [options.issuer] : [...options.issuer];
    this.#audiences = typeof options.audience === 'string' ? [options.audience] : [...options.audience];
    this.#clockTolerance = options.clockToleranceSeconds ?? DEFAULT_JWT_CLOCK_TOLERANCE_SECONDS;
    if (!(Number.isFinite(this.#clockTolerance) && this.#clockTolerance >= 0)) throw new ConfigurationError('JwtVerifier clockToleranceSeconds must be 0 or more');
    this.#selfEvidentExpiry = options.selfEvidentExpirySeconds ?? DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS;
    if (!(Number.isFinite(this.#selfEvidentExpiry) && this.#selfEvidentExpiry > this.#clockTolerance)) {
      throw new ConfigurationError(
        `JwtVerifier selfEvidentExpirySeconds must be a number of seconds more than clockToleranceSeconds (${this.#clockTolerance})`,
      );
    }
    this.#maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
    this.#toLinkedUser = options.toLinkedUser ?? (defaultLinkedUser as unknown as (claims: JwtClaims) => P | undefined);
    this.configurationVersion = configurationDigest({
      verifier: 'jwt',
      // The rules a verdict follows: a library that judges otherwise is a new configuration, proven anew.
      rules: JWT_RULES,
      ...(this.#jwks ? { kind: 'jwks', jwksUri: this.#jwks.uri } : keyIdentity(this.#key!)),
      issuers: [...this.#issuers].sort(),
      audiences: [...this.#audiences].sort(),
      algorithms: [...this.#algorithms].sort(),
      clockToleranceSeconds: this.#clockTolerance,
      selfEvidentExpirySeconds: this.#selfEvidentExpiry,
    });
  }

  /**
   * With a JWKS: changes whenever a refetch brings a different key set, so a verdict cache drops
   * verdicts taken on the keys before. Undefined with a secret or a public key (nothing to refresh).
   */
  get knowledgeVersion(): number | undefined {
    return this.#jwks?.knowledgeVersion;
  }

  /** With a secret or a public key, local work; with a JWKS, fetches keys under the context's signal. */
  async verify(accessToken: string, context?: VerificationContext): Promise<TokenVerdict<P>> {
    const seenAt = Date.now();
    if (accessToken.length > this.#maxTokenLength) {
      throw new CannotDecideError('token too long', `an access token is longer than maxTokenLength (${this.#maxTokenLength} characters); raise it if the authorization server issues tokens this long`);
    }
    const parsed = parse(accessToken);
    if ('outcome' in parsed) return parsed;
    if (!this.#family.includes(parsed.alg)) {
      // A JWKS may publish keys of algorithms this verifier does not verify (EdDSA, ES256K): a token
      // signed so is the server's as likely as a forgery, and we cannot tell. `none`, HS* against a
      // public key set and names that are no JOSE signature algorithm stay invalid.
      if (this.#jwks && UNSUPPORTED_ASYMMETRIC_ALGORITHMS.includes(parsed.alg)) {
        throw new CannotDecideError('algorithm not supported', `tokens are signed with ${parsed.alg}, which JwtVerifier does not verify: configure the authorization server to sign access tokens with RS256, PS256 or ES256 (and JWT_ALGORITHMS to match)`);
      }
      return { outcome: 'invalid', reason: 'algorithm not allowed' };
    }

    let checked: SignatureCheck;
    if (this.#key) {
      checked = keyFitsAlgorithm(this.#key, parsed.alg) ? checkSignature(accessToken, this.#key, parsed.alg) : { outcome: 'invalid', reason: 'algorithm not allowed' };
    } else {
      checked = await this.#checkWithJwks(accessToken, parsed, seenAt, context);
    }
    if (checked.outcome !== 'signed') return checked;
    if (parsed.extended) {
      // Signed by a key we trust, so the server's token, in a form we do not implement: about us, not the token.
      throw new CannotDecideError('unsupported header', 'the authorization server signs its access tokens with a crit header (JWS extensions, RFC 7515 §4.1.11) naming extensions JwtVerifier does not implement; issue plain JWS access tokens');
    }
    return this.#checkClaims(checked.claims, parsed.alg);
  }

  /**
   * The signature against the published keys the token's `kid` and `alg` point to (with no `kid`:
   * every key that fits the `alg`). A failure is proof only against a key set fetched after the
   * token was seen, not a cache's copy older than the token ({@link provesAbout}); otherwise the set is
   * refetched, if the budget allows, and tried again. Before a failure is proof, the keys it was not
   * tried against are ({@link signedByUntrustedKey}): the server's token in a form we do not trust is
   * "could not decide", never invalid.
   */
  async #checkWithJwks(token: string, { alg, kid }: Parsed, seenAt: number, context?: VerificationContext): Promise<SignatureCheck> {
    const jwks = this.#jwks!;
    let set = await jwks.current(context);
    for (let refreshed = false; ; refreshed = true) {
      const candidates = candidateKeys(set.keys, alg, kid);
      for (const candidate of candidates) {
        const checked = checkSignature(token, candidate.key, alg);
        if (checked.outcome === 'signed' || checked.reason !== 'bad signature') return checked;
      }
      if (!wellFormed(token)) return { outcome: 'invalid', reason: 'malformed' };
      const reason = candidates.length === 0 ? 'unknown signing key' : 'bad signature';
      // Proven against this key set: the knowledge the verdict rests on is its content (a cache may serve it later).
      if (provesAbout(set, seenAt, token, this.#clockTolerance)) {
        const untrusted = signedByUntrustedKey(set, token, alg, kid);
        if (untrusted !== undefined) throw untrustedKeyError(untrusted, jwks.uri);
        return { outcome: 'invalid', reason, knowledgeAt: new Date(set.contentAt) };
      }
      if (refreshed) {
        throw new CannotDecideError(`${reason}, key set copy stale`, `the JWKS endpoint (JWKS_URI ${jwks.uri}) answered a refetch with a copy older than the token it was asked about (by its Age or Date headers): if this persists, check that caches in front of it honour Cache-Control: no-cache`);
      }
      const fresher = await jwks.refresh(seenAt, context);
      if (!fresher) {
        throw new CannotDecideError(`${reason}, key set refresh rate-limited`, `tokens are signed by keys the key set at JWKS_URI (${jwks.uri}) held a while ago does not confirm, and its refetches are spent for now; if this persists, check that JWKS_URI is the authorization server that issues the tokens`);
      }
      set = fresher;
    }
  }

  #checkClaims(claims: JwtClaims, alg: string): TokenVerdict<P> {
    for (const name of ['exp', 'nbf', 'iat'] as const) {
      if (claims[name] !== undefined && (typeof claims[name] !== 'number' || Number.isNaN(claims[name]))) {
        // Signed by a key we trust: the server's token, with a claim we cannot read. About us or the server, not the token.
        throw new CannotDecideError('unreadable claims', `the authorization server signs access tokens whose ${name} is not a number (RFC 7519 §2 NumericDate): fix the tokens it issues`);
      }
    }
    if (!this.#algorithms.includes(alg)) {
      throw new CannotDecideError('algorithm not allowed', `JWT_ALGORITHMS (the algorithms option) is ${this.#algorithms.join(',')}, but the authorization server signs its tokens with ${alg}`);
    }
    if (typeof claims.iss !== 'string' || !this.#issuers.includes(claims.iss)) {
      throw new CannotDecideError('issuer mismatch', issuerMismatch(this.#issuers, claims.iss));
    }
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!audiences.some((audience) => this.#audiences.includes(audience as string))) {
      throw new CannotDecideError('audience mismatch', audienceMismatch(this.#audiences, audiences));
    }
    // The clock in whole seconds, and the comparisons written as jose writes them: a fractional `nbf`
    // less than a second beyond the tolerance is "could not decide" here too, never valid where jose refuses it.
    const now = Math.floor(Date.now() / 1000);
    if (claims.exp !== undefined && claims.exp <= now - this.#clockTolerance) {
      // Self-evident only an hour (selfEvidentExpirySeconds) past exp, on a token our own key signed: see the module table, (f) and (g).
      return claims.exp <= now - this.#selfEvidentExpiry ? { outcome: 'expired', selfEvident: true } : { outcome: 'expired' };
    }
    // nbf, and iat, ahead of our clock beyond the tolerance: the issuer's clock and ours disagree. That
    // is no proof about the token (the server just signed it), so "could not decide", never invalid.
    if (claims.nbf !== undefined && claims.nbf > now + this.#clockTolerance) {
      throw new CannotDecideError('token not yet valid', `a token's nbf is ahead of this Lambda's clock by more than JWT_CLOCK_TOLERANCE_SECONDS (${this.#clockTolerance} s): check the authorization server's clock, or raise the tolerance`);
    }
    if (claims.iat !== undefined && claims.iat > now + this.#clockTolerance) {
      throw new CannotDecideError('token issued in the future', `a token's iat is ahead of this Lambda's clock by more than JWT_CLOCK_TOLERANCE_SECONDS (${this.#clockTolerance} s): check the authorization server's clock, or raise the tolerance`);
    }
    const linkedUser = this.#toLinkedUser(claims);
    if (linkedUser === undefined || linkedUser === null) {
      throw new CannotDecideError('no user in token', 'a verified token names no user: check that the authorization server puts a sub claim in its access tokens (or what toLinkedUser looks for)');
    }
    return {
      outcome: 'valid',
      principal: linkedUser,
      // An exp beyond the Date range is a token without a known end: no expiresAt (the cache's own TTL caps it).
      ...(claims.exp !== undefined && claims.exp <= LAST_DATE_SECONDS ? { expiresAt: new Date(claims.exp * 1000) } : {}),
    };
  }
}

/** What identifies a secret or a public key in {@link JwtVerifier.configurationVersion}: a SHA-256 of it, never the key. */
function keyIdentity(key: KeyObject): { kind: 'secret' | 'publicKey'; keySha256: string } {
  return key.type === 'secret'
    ? { kind: 'secret', keySha256: sha256Hex(key.export()) }
    : { kind: 'publicKey', keySha256: sha256Hex(key.export({ type: 'spki', format: 'der' })) };
}

/** The SHA-256 of `data`, in hex. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A verifier's `configurationVersion`: the first 16 hex digits of the SHA-256 of the canonical JSON
 * of `settings` (object keys sorted, `undefined` left out; arrays kept in order, so sort those
 * whose order means nothing). Pass hashes of secrets, never secrets. Shared by the shipped verifiers.
 *
 * @internal
 */
export function configurationDigest(settings: Record<string, unknown>): string {
  return sha256Hex(canonicalJson(settings)).slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function defaultLinkedUser(claims: JwtClaims): JwtLinkedUser | undefined {
  return typeof claims.sub === 'string' && claims.sub !== '' ? { subject: claims.sub, claims } : undefined;
}

/**
 * The keys to try, as jose picks them: with a `kid`, only the keys of that `kid`; without one, every
 * key; of those, the ones that fit the token's `alg` (and name no other `alg`).
 */
function candidateKeys(keys: readonly JwksKey[], alg: string, kid: string | undefined): JwksKey[] {
  const fits = (key: JwksKey) => (key.alg === undefined || key.alg === alg) && keyFitsAlgorithm(key.key, alg);
  return keys.filter((key) => (kid === undefined || key.kid === kid) && fits(key));
}

/**
 * The header of a compact JWS, read before any key is looked up: a verdict if it is not a signed
 * JWT. (The rest of the token is left to the signature check; see {@link wellFormed}.)
 */
function parse(token: string): Parsed | { outcome: 'invalid'; reason: string } {
  const malformed = { outcome: 'invalid', reason: 'malformed' } as const;
  const dot = token.indexOf('.');
  if (dot <= 0) return malformed;
  const header = json(token.slice(0, dot));
  if (!isObject(header)) return malformed;
  if (typeof header.alg !== 'string') return { outcome: 'invalid', reason: 'algorithm not allowed' };
  if (header.kid !== undefined && typeof header.kid !== 'string') return malformed;
  if (token.endsWith('.')) return { outcome: 'invalid', reason: 'unsigned token' };
  // With b64: false the signature covers the raw payload: a genuine token of that form would fail the
  // check below, and a failed check is no proof about it, so it is "could not decide" before any check.
  if (header.b64 === false) {
    throw new CannotDecideError('unsupported header', 'an access token has a b64: false header (unencoded payload, RFC 7797), which JwtVerifier does not implement; issue plain JWS access tokens');
  }
  return { alg: header.alg, ...(header.kid !== undefined ? { kid: header.kid } : {}), extended: header.crit !== undefined };
}

/** Three base64url parts, the second a JSON object: checked before a JWKS refetch, so that garbage never costs one. */
/**
 * Whether a failed check against `set` is proof about a token: the set was fetched after the token
 * was seen and, when the set is a cache's copy (its content older than its fetch, by `Age` or
 * `Date`) and the token has an `iat`, the copy's content is newer than the token (beyond the clock
 * tolerance): a token issued after the copy was made may be signed by a key the copy lacks. (`iat`
 * is unverified here: a forged one can only make the verdict "could not decide"; a copy's age is
 * taken as at most MAX_COPY_AGE_MS, so a dead token is judged at the latest that long after its
 * issue. A token without `iat` is judged on the fetch alone.)
 */
function provesAbout(set: KeySet, seenAt: number, token: string, clockToleranceSeconds: number): boolean {
  if (set.fetchedAt < seenAt) return false;
  if (set.contentAt >= set.fetchedAt) return true; // the origin's own answer
  const claims = json(token.split('.')[1] ?? '');
  const iat = isObject(claims) ? claims.iat : undefined;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return true;
  return set.contentAt >= (iat + clockToleranceSeconds + 1) * 1000; // + 1 s: Date and Age are whole seconds
}

/** Why a key we do not try to accept with verifies a token: it is the server's, in a form we do not trust. */
type UntrustedKey = LeftOutKey['why'] | 'kid not published';

/**
 * Whether `token`, which no usable key with its `kid` verifies, is signed by a key we do not
 * accept with: a key left out of the set (weak, unusable, for another use) that verifies it, one
 * left out under its `kid` that Node cannot read (we cannot tell), or a published key without
 * `kid` that verifies a token naming a `kid` (the server names keys it does not publish by name).
 */
function signedByUntrustedKey(set: KeySet, token: string, alg: string, kid: string | undefined): UntrustedKey | undefined {
  for (const leftOut of set.leftOut) {
    if ((kid !== undefined && leftOut.kid !== kid) || (leftOut.alg !== undefined && leftOut.alg !== alg)) continue;
    if (leftOut.key === undefined) {
      if (kid !== undefined) return leftOut.why;
    } else if (keyFitsAlgorithm(leftOut.key, alg) && checkSignature(token, leftOut.key, alg).outcome === 'signed') {
      return leftOut.why;
    }
  }
  if (kid !== undefined && !set.keys.some((key) => key.kid === kid)) {
    const unnamed = candidateKeys(set.keys.filter((key) => key.kid === undefined), alg, undefined);
    if (unnamed.some((key) => checkSignature(token, key.key, alg).outcome === 'signed')) return 'kid not published';
  }
  return undefined;
}

function untrustedKeyError(why: UntrustedKey, uri: string): CannotDecideError {
  switch (why) {
    case 'weak':
      return new CannotDecideError('weak signing key', `the key set at JWKS_URI (${uri}) signs tokens with an RSA key under ${MIN_RSA_BITS} bits, which JwtVerifier does not trust (it can be factored; jose refuses it too): have the authorization server sign with an RSA key of ${MIN_RSA_BITS} bits or more`);
    case 'unusable':
      return new CannotDecideError('unusable signing key', `the key set at JWKS_URI (${uri}) publishes a signing key in a form JwtVerifier (and jose) will not use — key_ops other than ["verify"], ext not a boolean, alg not a string, a private part, or a key type it cannot read — and tokens are signed with it: publish the public key alone, with key_ops ["verify"] or none`);
    case 'another use':
      return new CannotDecideError('key published for another use', `the key set at JWKS_URI (${uri}) publishes a key for another use (use other than sig, or key_ops without verify), and tokens are signed with it: publish the signing key with use sig`);
    case 'kid not published':
      return new CannotDecideError('kid not published', `tokens name a kid the key set at JWKS_URI (${uri}) does not publish, and are signed by one of its keys without a kid: publish the kid with the key (JwtVerifier and jose match a token's kid exactly)`);
  }
}

function wellFormed(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && parts.every(isBase64url) && isObject(json(parts[1]));
}

/**
 * Strict base64url (RFC 7515 §2): the URL-safe alphabet only, no padding, no white space, and a
 * length some bytes can have. (Node's own decoder skips what it does not know, so it is not asked
 * to judge.)
 */
function isBase64url(part: string): boolean {
  return part.length % 4 !== 1 && /^[A-Za-z0-9_-]+$/.test(part);
}

/** Decodes UTF-8 strictly: bytes that are not UTF-8 throw (as jose refuses them), never become U+FFFD. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true }); // a leading byte order mark is skipped, as jose's decoder does

/** A base64url part as JSON; undefined if it is not strict base64url, not UTF-8, or not JSON. */
function json(part: string): unknown {
  if (!isBase64url(part)) return undefined;
  try {
    return JSON.parse(strictUtf8.decode(Buffer.from(part, 'base64url')));
  } catch {
    return undefined;
  }
}

/** The hash of each algorithm, by its last three characters. */
const DIGESTS: Readonly<Record<string, string>> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };
/** The length of an ES* signature: r and s, each as long as the curve's order (RFC 7518 §3.4). */
const ECDSA_SIGNATURE_BYTES: Readonly<Record<string, number>> = { ES256: 64, ES384: 96, ES512: 132 };

/**
 * The signature alone, on exactly the header's `alg` and a key that fits it (the caller checked
 * that with `keyFitsAlgorithm`); the claims are checked after, in the verifier. node:crypto does
 * the cryptography, as aws-jwt-verify does: HMAC compared in constant time, RSASSA-PKCS1-v1_5,
 * RSASSA-PSS with a salt as long as the hash (RFC 7518 §3.5), and ECDSA with the JWS form of the
 * signature (r‖s, IEEE P1363) of exactly the curve's length. An error node:crypto throws is not a
 * verdict about the token and goes up as such ("could not decide").
 */
function checkSignature(token: string, key: KeyObject, alg: string): SignatureCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { outcome: 'invalid', reason: 'malformed' };
  const [header, payload, signature] = parts as [string, string, string];
  if (signature === '') return { outcome: 'invalid', reason: 'unsigned token' };
  if (!isBase64url(header) || !isBase64url(payload) || !isBase64url(signature)) return { outcome: 'invalid', reason: 'malformed' };
  const digest = DIGESTS[alg.slice(2)];
  if (digest === undefined) return { outcome: 'invalid', reason: 'algorithm not allowed' };
  const signed = Buffer.from(token.slice(0, header.length + 1 + payload.length), 'latin1'); // ASCII, as checked above
  const given = Buffer.from(signature, 'base64url');
  let verified: boolean;
  switch (alg.slice(0, 2)) {
    case 'HS': {
      const expected = createHmac(digest, key).update(signed).digest();
      verified = given.length === expected.length && timingSafeEqual(given, expected);
      break;
    }
    case 'RS':
      verified = verifySignature(digest, signed, key, given);
      break;
    case 'PS':
      verified = verifySignature(digest, signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }, given);
      break;
    case 'ES':
      verified = given.length === ECDSA_SIGNATURE_BYTES[alg] && verifySignature(digest, signed, { key, dsaEncoding: 'ieee-p1363' }, given);
      break;
    default:
      return { outcome: 'invalid', reason: 'algorithm not allowed' };
  }
  if (!verified) return { outcome: 'invalid', reason: 'bad signature' };
  const claims = json(payload);
  // Signed by a key we trust, so the server's token, in a form we cannot read: about us, not the token.
  if (!isObject(claims)) throw new CannotDecideError('unreadable claims', 'the authorization server signs access tokens whose payload is not a JSON object in UTF-8: issue JWT access tokens (RFC 9068)');
  return { outcome: 'signed', claims: claims as JwtClaims };
}

/** What to check when `iss` differs: the configured issuer, and how the tokens' differs when it is a near miss. */
function issuerMismatch(configured: readonly string[], actual: unknown): string {
  const setting = `JWT_ISSUER (the issuer option) is ${configured.join(',')}`;
  if (typeof actual !== 'string') return `${setting}, but the tokens carry no iss claim`;
  for (const issuer of configured) {
    // Only near misses are named: the difference is then derived from the setting, and no claim of a token is quoted.
    if (`${issuer}/` === actual) return `${setting} but tokens say ${issuer}/ (trailing slash)`;
    if (issuer === `${actual}/`) return `${setting} but tokens say ${actual} (without the trailing slash)`;
    if (issuer.toLowerCase() === actual.toLowerCase()) return `${setting} but the tokens' iss differs from it in letter case only`;
    if (issuer.trim() !== issuer) return `${setting}, with white space around it`;
  }
  return `${setting}, but the tokens' iss is another: set it to the authorization server's issuer exactly as its tokens carry it`;
}

function audienceMismatch(configured: readonly string[], actual: readonly unknown[]): string {
  const setting = `JWT_AUDIENCE (the audience option) is ${configured.join(',')}`;
  if (actual.length === 0) return `${setting}, but the tokens carry no aud claim`;
  const near = configured.some((audience) => actual.some((a) => typeof a === 'string' && a.toLowerCase().replace(/\/$/, '') === audience.toLowerCase().replace(/\/$/, '')));
  if (near) return `${setting}, and the tokens' aud differs from it only in letter case or a trailing slash`;
  return `${setting}, which none of the tokens' aud values is: set it to the audience the authorization server puts in the skill's access tokens`;
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

/**
 * The algorithms a public key can verify, of those given: RS* and PS* for RSA, the one ES* of an
 * EC key's curve. Empty for any other key (Ed25519, say).
 */
export function algorithmsForKey(key: KeyObject, algorithms: readonly AsymmetricAlgorithm[] = ASYMMETRIC_ALGORITHMS): AsymmetricAlgorithm[] {
  return algorithms.filter((algorithm) => keyFitsAlgorithm(key, algorithm));
}

/** What a public key is, for error messages: "an RSA key", "an EC P-256 key". */
function describeKey(key: KeyObject): string {
  if (key.asymmetricKeyType === 'ec') {
    const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? key.asymmetricKeyDetails?.namedCurve;
    return `an EC ${curve} key`;
  }
  return key.asymmetricKeyType === 'rsa' ? 'an RSA key' : `an ${key.asymmetricKeyType} key`;
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
  if (isWeakRsaKey(key)) {
    throw new ConfigurationError(`JwtVerifier publicKey is an RSA key of ${key.asymmetricKeyDetails?.modulusLength} bits: RSA keys under ${MIN_RSA_BITS} bits can be factored (jose refuses them too); use the authorization server's key of ${MIN_RSA_BITS} bits or more`);
  }
  const fitting = algorithmsForKey(key);
  if (!algorithms.some((algorithm) => fitting.includes(algorithm as AsymmetricAlgorithm))) {
    throw new ConfigurationError(
      `The public key is ${describeKey(key)}, which cannot verify ${algorithms.join(', ')}` +
        (fitting.length > 0 ? `; allow ${fitting.join(' or ')} (JWT_ALGORITHMS)` : '; use an RSA or EC (P-256/384/521) key'),
    );
  }
  return key;
}
