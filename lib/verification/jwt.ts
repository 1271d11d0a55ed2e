/**
 * A verifier for JWT access tokens signed with a shared secret (HS256/384/512), a PEM public key
 * (RS*, PS*, ES*), or the keys an authorization server publishes at its JWKS URL. It checks, in
 * order: parse → algorithm → signature (key or JWKS) → claims → user. What each verdict rests on,
 * and of which kind it is (self-evident or suspected), is the table in `docs/verifiers.md` ("What a verdict rests on").
 */
import type { KeyObject } from 'node:crypto';
import { CannotDecideError, ConfigurationError } from '../errors';
import { checkClaims, defaultLinkedUser, type ClaimRules } from './claims';
import { parse, wellFormed, type Parsed } from './compact';
import { configurationDigest } from './configuration-version';
import { JwksKeySet } from './jwks';
import { candidateKeys, provesAbout, signedByUntrustedKey, untrustedKeyError } from './jwks-proof';
import {
  ASYMMETRIC_ALGORITHMS,
  DEFAULT_JWT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_JWT_MAX_TOKEN_LENGTH,
  DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS,
  HMAC_ALGORITHMS,
  requireAlgorithms,
  requireIssuerAndAudience,
  UNSUPPORTED_ASYMMETRIC_ALGORITHMS,
  type JwtClaims,
  type JwtLinkedUser,
  type JwtVerifierOptions,
} from './jwt-options';
import { keyFitsAlgorithm, keyIdentity, toKeyObject } from './keys';
import { checkSignature, type SignatureCheck } from './signature';
import type { TokenVerdict, TokenVerifier, VerificationContext } from './verifier';

// Where lib/testing finds them (the options and their types are in jwt-options.ts).
export type { AsymmetricAlgorithm, HmacAlgorithm } from './jwt-options';

/**
 * The version of the rules JwtVerifier's verdicts follow, part of its `configurationVersion`: changed
 * whenever a release judges some token otherwise, so a fleet proven under the old rules is not
 * taken as proven under the new ones.
 */
const JWT_RULES = '2026-12';

/**
 * Verifies JWT access tokens; invalid or expired only on proof about the token, "could not decide"
 * ({@link CannotDecideError}) for what is about us (see the verdict table in `docs/verifiers.md`).
 */
export class JwtVerifier<P = JwtLinkedUser> implements TokenVerifier<P> {
  /** The one key of a secret or a public key; undefined with a JWKS. */
  readonly #key?: KeyObject;
  readonly #jwks?: JwksKeySet;
  /** The algorithms a key of this kind can verify at all (HS* for a secret, else RS*, PS*, ES*); any other in a header is a forgery. */
  readonly #verifiableAlgorithms: readonly string[];
  /** What the claims of a token whose signature verifies are checked against. */
  readonly #claimRules: ClaimRules<P>;
  readonly #maxTokenLength: number;
  /**
   * A short hash (16 hex digits of a SHA-256) of the settings the verdicts rest on, for the
   * unlinking policy: the kind of key and the key (a SHA-256 of a secret's bytes, of a public key's
   * numbers; the URL of a JWKS), the issuers, audiences and algorithms, the clock tolerance and
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
      if (options.secret !== undefined || options.publicKey !== undefined)
        throw new ConfigurationError('JwtVerifier needs exactly one of secret, publicKey and jwksUri');
      if (!URL.canParse(options.jwksUri)) throw new ConfigurationError('JwtVerifier jwksUri is not a URL');
      this.#jwks = new JwksKeySet(options.jwksUri, {
        refetchBurst: options.jwksRefetchBurst,
        cooldownMs: options.jwksCooldownMs,
        maxAgeMs: options.jwksMaxAgeMs,
      });
    } else {
      this.#key = toKeyObject(options);
    }
    this.#verifiableAlgorithms = this.#key?.type === 'secret' ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
    const clockToleranceSeconds = options.clockToleranceSeconds ?? DEFAULT_JWT_CLOCK_TOLERANCE_SECONDS;
    if (!(Number.isFinite(clockToleranceSeconds) && clockToleranceSeconds >= 0))
      throw new ConfigurationError('JwtVerifier clockToleranceSeconds must be 0 or more');
    const selfEvidentExpirySeconds = options.selfEvidentExpirySeconds ?? DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS;
    if (!(Number.isFinite(selfEvidentExpirySeconds) && selfEvidentExpirySeconds > clockToleranceSeconds)) {
      throw new ConfigurationError(
        `JwtVerifier selfEvidentExpirySeconds must be a number of seconds more than clockToleranceSeconds (${clockToleranceSeconds})`,
      );
    }
    const rules: ClaimRules<P> = {
      algorithms: [...options.algorithms],
      issuers: typeof options.issuer === 'string' ? [options.issuer] : [...options.issuer],
      audiences: typeof options.audience === 'string' ? [options.audience] : [...options.audience],
      clockToleranceSeconds,
      selfEvidentExpirySeconds,
      toLinkedUser: options.toLinkedUser ?? (defaultLinkedUser as unknown as (claims: JwtClaims) => P | undefined),
    };
    this.#claimRules = rules;
    this.#maxTokenLength = options.maxTokenLength ?? DEFAULT_JWT_MAX_TOKEN_LENGTH;
    this.configurationVersion = configurationDigest({
      verifier: 'jwt',
      // The rules a verdict follows: a library that judges otherwise is a new configuration, proven anew.
      rules: JWT_RULES,
      ...(this.#jwks ? { kind: 'jwks', jwksUri: this.#jwks.uri } : keyIdentity(this.#key!)),
      issuers: [...rules.issuers].sort(),
      audiences: [...rules.audiences].sort(),
      algorithms: [...rules.algorithms].sort(),
      clockToleranceSeconds,
      selfEvidentExpirySeconds,
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
      throw new CannotDecideError(
        'token too long',
        `an access token is longer than maxTokenLength (${this.#maxTokenLength} characters); raise it if the authorization server issues tokens this long`,
      );
    }
    // 1. Parse: the header, before any key is looked up.
    const parsed = parse(accessToken);
    if ('outcome' in parsed) return parsed;
    // 2. Algorithm: one a key of ours could verify at all.
    if (!this.#verifiableAlgorithms.includes(parsed.alg)) {
      // A JWKS may publish keys of algorithms this verifier does not verify (EdDSA, ES256K): a token
      // signed so is the server's as likely as a forgery, and we cannot tell. `none`, HS* against a
      // public key set and names that are no JOSE signature algorithm stay invalid.
      if (this.#jwks && UNSUPPORTED_ASYMMETRIC_ALGORITHMS.includes(parsed.alg)) {
        throw new CannotDecideError(
          'algorithm not supported',
          `tokens are signed with ${parsed.alg}, which JwtVerifier does not verify: configure the authorization server to sign access tokens with RS256, PS256 or ES256 (and JWT_ALGORITHMS to match)`,
        );
      }
      return { outcome: 'invalid', reason: 'algorithm not allowed' };
    }

    // 3. Signature: against the one key, or the published keys.
    let checked: SignatureCheck;
    if (this.#key) {
      checked = keyFitsAlgorithm(this.#key, parsed.alg)
        ? checkSignature(accessToken, this.#key, parsed.alg)
        : { outcome: 'invalid', reason: 'algorithm not allowed' };
    } else {
      checked = await this.#checkWithJwks(accessToken, parsed, seenAt, context);
    }
    if (checked.outcome !== 'signed') return checked;
    if (parsed.extended) {
      // Signed by a key we trust, so the server's token, in a form we do not implement: about us, not the token.
      throw new CannotDecideError(
        'unsupported header',
        'the authorization server signs its access tokens with a crit header (JWS extensions, RFC 7515 §4.1.11) naming extensions JwtVerifier does not implement; issue plain JWS access tokens',
      );
    }
    // 4. Claims, then 5. the user they name.
    return checkClaims(checked.claims, parsed.alg, this.#claimRules);
  }

  /**
   * The signature against the published keys the token's `kid` and `alg` point to (with no `kid`:
   * every key that fits the `alg`). A failure is proof only against a key set fetched after the
   * token was seen, not a cache's copy older than the token ({@link provesAbout}); otherwise the set is
   * refetched, if the refetch budget allows, and tried again. Before a failure is proof, the keys it was not
   * tried against are ({@link signedByUntrustedKey}): the server's token in a form we do not trust is
   * "could not decide", never invalid.
   */
  async #checkWithJwks(
    token: string,
    { alg, kid }: Parsed,
    seenAt: number,
    context?: VerificationContext,
  ): Promise<SignatureCheck> {
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
      if (provesAbout(set, seenAt, token, this.#claimRules.clockToleranceSeconds)) {
        const untrusted = signedByUntrustedKey(set, token, alg, kid);
        if (untrusted !== undefined) throw untrustedKeyError(untrusted, jwks.uri);
        return { outcome: 'invalid', reason, knowledgeAt: new Date(set.contentAt) };
      }
      if (refreshed) {
        throw new CannotDecideError(
          `${reason}, key set copy stale`,
          `the JWKS endpoint (JWKS_URI ${jwks.uri}) answered a refetch with a copy older than the token it was asked about (by its Age or Date headers): if this persists, check that caches in front of it honour Cache-Control: no-cache`,
        );
      }
      const fresher = await jwks.refresh(seenAt, context);
      if (!fresher) {
        throw new CannotDecideError(
          `${reason}, key set refresh rate-limited`,
          `tokens are signed by keys the key set at JWKS_URI (${jwks.uri}) held a while ago does not confirm, and its refetches are spent for now; if this persists, check that JWKS_URI is the authorization server that issues the tokens`,
        );
      }
      set = fresher;
    }
  }
}
