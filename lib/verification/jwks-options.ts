/**
 * The options of {@link JwksKeySet}, their defaults, and the key sets it hands out. See
 * `docs/verifiers.md`.
 */
import type { KeyObject } from 'node:crypto';

/** Default of {@link JwksOptions.refetchBurst} (and `jwksRefetchBurst` of a JWT verifier): 3 refetches back to back. */
export const DEFAULT_JWKS_REFETCH_BURST = 3;
/** Default of {@link JwksOptions.cooldownMs} (and `jwksCooldownMs` of a JWT verifier): 30000 ms. */
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
/** Default of {@link JwksOptions.maxAgeMs} (and `jwksMaxAgeMs` of a JWT verifier): 300000 ms (5 minutes). */
export const DEFAULT_JWKS_MAX_AGE_MS = 300_000;
/**
 * The oldest a copy of a key set is taken to be, whatever its `Age` or `Date` say: 1 hour. Beyond
 * it a copy's age is not believed (a frozen `Date`, a cache that never refreshes), so a token issued
 * more than this long before a fetch is always judged against it, and no dead token waits for ever.
 */
export const MAX_COPY_AGE_MS = 3_600_000;

/** How often {@link JwksKeySet} may fetch, and how long it trusts what it fetched. */
export interface JwksOptions {
  /**
   * How many refetches an unknown `kid` or a failed signature may trigger back to back, before the
   * cooldown applies (a rotation needs one; a few spare absorb a burst of new tokens).
   *
   * @defaultValue {@link DEFAULT_JWKS_REFETCH_BURST} (3)
   */
  refetchBurst?: number | undefined;
  /**
   * After the burst, one more refetch per this many ms. Failed fetches count (a flood of random
   * `kid`s costs at most 3 requests, then 2 a minute).
   *
   * @defaultValue {@link DEFAULT_JWKS_COOLDOWN_MS} (30000 ms)
   */
  cooldownMs?: number | undefined;
  /**
   * The longest a fetched key set is trusted, in ms; a `Cache-Control: max-age` in the JWKS answer
   * shortens it (down to 10 s, or `maxAgeMs` if that is less). With the default, a withdrawn key is
   * refused at most 5 minutes later, and a healthy server is asked once per 5 minutes.
   *
   * @defaultValue {@link DEFAULT_JWKS_MAX_AGE_MS} (300000 ms: 5 minutes)
   */
  maxAgeMs?: number | undefined;
}

/** One usable signing key of a key set. */
export interface JwksKey {
  /** The key's `kid`, if the server published one. */
  readonly kid?: string;
  /** The key's `alg`, if the server published one: the key is then used for that algorithm only. */
  readonly alg?: string;
  /** The public key, as Node's crypto uses it. */
  readonly key: KeyObject;
}

/** A key of a key set left out, and why. */
export interface LeftOutKey {
  /** The key's `kid`, if the server published one. */
  readonly kid?: string;
  /** The key's `alg`, if the server published one. */
  readonly alg?: string;
  /**
   * `weak`: an RSA key under {@link MIN_RSA_BITS} bits; `unusable`: a signing key published in a
   * form jose would not use (see {@link JwksKeySet}); `another use`: `use` other than `sig`,
   * or `key_ops` without `verify`.
   */
  readonly why: 'weak' | 'unusable' | 'another use';
  /** The public key, when Node can read it: tried, never trusted. */
  readonly key?: KeyObject;
}

/** A key set as fetched: its keys and how current its content is. */
export interface KeySet {
  /** The usable signing keys (`use` absent or `sig`, `key_ops` absent or `["verify"]`, public, a key type Node can read: see `verifiesSignatures`); others are left out. */
  readonly keys: readonly JwksKey[];
  /** The keys left out (weak, in a form not to use, or for another use): never used to accept a token. */
  readonly leftOut: readonly LeftOutKey[];
  /** `Date.now()` when the fetch that brought this set began. */
  readonly fetchedAt: number;
  /**
   * `Date.now()` when this set's content was last known current: {@link KeySet.fetchedAt} less the
   * copy's age (its `Age`, or how far its `Date` is behind), at most {@link MAX_COPY_AGE_MS}. It
   * knows of nothing signed after that.
   */
  readonly contentAt: number;
  /** After this `Date.now()`, the set is not trusted any more. */
  readonly expiresAt: number;
}
