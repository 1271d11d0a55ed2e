/**
 * A JSON Web Key Set, fetched from the authorization server's `jwks_uri` and kept as KeyObjects,
 * refreshed so that a verdict about a token rests on knowledge fresh enough to prove it
 * ({@link JwksKeySet}). See `docs/verifiers.md`.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { AuthorizationServerError, CannotDecideError, ConfigurationError } from '../errors';
import { isObject } from '../json';
import { fetchJson } from './http';
import {
  DEFAULT_JWKS_COOLDOWN_MS,
  DEFAULT_JWKS_MAX_AGE_MS,
  DEFAULT_JWKS_REFETCH_BURST,
  MAX_COPY_AGE_MS,
  type JwksKey,
  type JwksOptions,
  type KeySet,
  type LeftOutKey,
} from './jwks-options';
import { isWeakRsaKey, MIN_RSA_BITS, signingUsability } from './keys';
import { untilAborted } from './until-aborted';
import type { VerificationContext } from './verifier';

/** How far an answer's `Date` may be behind our clock and still be the origin answering now: 30 s. */
const DATE_SLACK_MS = 30_000;
/** The shortest a `Cache-Control: max-age` can make a key set's life (so `max-age=0` does not mean a fetch per request). */
const MIN_CACHE_CONTROL_AGE_MS = 10_000;
/** The first wait after a failed fetch; it doubles with each further failure, up to the cooldown. */
const FIRST_BACKOFF_MS = 1000;

/**
 * The key set of one `jwks_uri`, shared by the verifications of a container, kept and refreshed so
 * that a verdict about a token rests on knowledge fresh enough to prove it:
 *
 * - **Refetch on doubt.** An unknown `kid` or a signature that fails against the keys held asks for
 *   a key set fetched after the token was seen ({@link JwksKeySet.refresh}): rotated keys, keys
 *   replaced under the same `kid` and servers that publish no `kid` are all found.
 * - **Bounded.** Those refetches are rate-limited, a burst (default 3) and then one per cooldown
 *   (default 30 s), failed fetches included, so a flood of random `kid`s costs a bounded number of
 *   requests. A refetch the budget refuses leaves the token "could not decide", never invalid.
 * - **A maximum age.** A key set is trusted for at most `maxAgeMs` (default 5 minutes), shorter if
 *   the JWKS answer's `Cache-Control: max-age` says so (never below 10 s or `maxAgeMs`, whichever
 *   is less): a withdrawn key stops being trusted.
 * - **Outages back off.** After a failed fetch the next one waits 1 s, then 2 s, 4 s… up to the
 *   cooldown, instead of fetching per request. Meanwhile the last good key set serves while it is
 *   within its maximum age; past it, every token is "could not decide" ({@link CannotDecideError}
 *   `key set unavailable`, with the {@link AuthorizationServerError} as its cause).
 * - **Fresh copies, dated by their content.** A refetch asks for a fresh copy (`Cache-Control:
 *   no-cache`), and a set's `contentAt` is when its content was current: the fetch's start less the
 *   copy's age (its `Age`, or how far its `Date` is behind, beyond 30 s of slack, RFC 9111 §4.2.3), taken as at most
 *   {@link MAX_COPY_AGE_MS}, so a CDN's 15-minute-old copy is 15 minutes old, and a verifier can
 *   tell a copy older than the token it judges.
 * - **No weak or unusable keys.** An RSA key under {@link MIN_RSA_BITS} bits, a signing key
 *   published in a form jose would not use (`key_ops` other than `["verify"]`, a private part, a
 *   malformed `ext` or `alg`), and a key published for another use are left out of `keys` and
 *   listed in {@link KeySet.leftOut}: never used to accept. A verifier tries them on a token that
 *   fails every usable key: one that verifies makes it "could not decide" (the server's token, in
 *   a form we do not trust), one that fails leaves it proven invalid.
 * - Concurrent fetches are one request.
 *
 * Node's own `crypto.createPublicKey({ format: 'jwk' })` turns JWKs into keys: no JWKS library.
 *
 * Node's own `crypto.createPublicKey({ format: 'jwk' })` turns JWKs into keys: no JWKS library.
 */
export class JwksKeySet {
  #set?: KeySet;
  /** The content of the current set, to tell a refresh that changed something from one that did not. */
  #fingerprint = '';
  #version = 0;
  #fetching: { startedAt: number; promise: Promise<KeySet> } | undefined;
  /** Refetches the budget still allows now (a token bucket). */
  #budget: number;
  #budgetCheckedAt = Date.now();
  #failures = 0;
  #retryAt = Number.NEGATIVE_INFINITY;
  readonly #burst: number;
  readonly #cooldownMs: number;
  readonly #maxAgeMs: number;

  constructor(
    /** The authorization server's `jwks_uri` (JWKS_URI). */
    readonly uri: string,
    options: JwksOptions = {},
  ) {
    this.#burst = positive(options.refetchBurst ?? DEFAULT_JWKS_REFETCH_BURST, 'refetchBurst', true);
    this.#cooldownMs = positive(options.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS, 'cooldownMs');
    this.#maxAgeMs = positive(options.maxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS, 'maxAgeMs');
    this.#budget = this.#burst;
  }

  /**
   * A number that changes whenever a fetch brings a key set different from the one held (a key
   * added, withdrawn or replaced): verdicts taken before rest on older knowledge.
   */
  get knowledgeVersion(): number {
    return this.#version;
  }

  /**
   * A key set within its maximum age: the one held, or one fetched now (a cold start, or the held
   * set has aged out). Throws {@link CannotDecideError} (`key set unavailable`) when there is none.
   */
  async current(context?: Pick<VerificationContext, 'signal'>): Promise<KeySet> {
    const set = this.#set;
    if (set && Date.now() < set.expiresAt) return set;
    if (this.#fetching) return this.#settle(this.#fetching.promise, context);
    if (Date.now() < this.#retryAt)
      throw this.#unavailable(
        new AuthorizationServerError('The JWKS endpoint failed a moment ago; the next try waits for its backoff'),
      );
    return this.#settle(this.#fetch(), context);
  }

  /**
   * A key set fetched no earlier than `since` (a `Date.now()`): the one held if it is that fresh,
   * else one fetched now if the refetch budget allows. `undefined` when it does not allow one now;
   * throws {@link CannotDecideError} (`key set unavailable`) when the fetch fails.
   */
  async refresh(since: number, context?: Pick<VerificationContext, 'signal'>): Promise<KeySet | undefined> {
    if (this.#fetching) {
      const inFlight = this.#fetching;
      if (inFlight.startedAt >= since) return this.#settle(inFlight.promise, context);
      await this.#settle(inFlight.promise, context).catch((error: unknown) => {
        if (context?.signal?.aborted) throw error; // this caller's own deadline passed: it stops waiting
      });
    }
    if (this.#set && this.#set.fetchedAt >= since && Date.now() < this.#set.expiresAt) return this.#set;
    if (this.#fetching) return this.refresh(since, context); // another caller started one meanwhile
    if (Date.now() < this.#retryAt || !this.#spend()) return undefined;
    return this.#settle(this.#fetch(true), context);
  }

  /** Takes one refetch from the budget, if it has one: `burst` at most, one more per cooldown. */
  #spend(): boolean {
    const now = Date.now();
    this.#budget = Math.min(this.#burst, this.#budget + (now - this.#budgetCheckedAt) / this.#cooldownMs);
    this.#budgetCheckedAt = now;
    if (this.#budget < 1) return false;
    this.#budget -= 1;
    return true;
  }

  /**
   * Waits for a fetch, at most until the caller's own signal aborts. The fetch is shared: it runs
   * under its own timeout, never under one caller's signal, so a caller short of time neither
   * aborts it for the others nor counts as a failure of the JWKS endpoint.
   */
  async #settle(fetching: Promise<KeySet>, context?: Pick<VerificationContext, 'signal'>): Promise<KeySet> {
    try {
      return await untilAborted(fetching, context?.signal);
    } catch (error) {
      throw error instanceof CannotDecideError ? error : this.#unavailable(error);
    }
  }

  #unavailable(cause: unknown): CannotDecideError {
    const what = cause instanceof Error ? cause.message : 'it failed';
    return new CannotDecideError(
      'key set unavailable',
      `the JWKS endpoint (JWKS_URI ${this.uri}) gave no usable key set: ${what}`,
      { cause },
    );
  }

  /** Starts the one fetch; `fresh` asks caches between us and the server for a fresh copy. */
  #fetch(fresh = false): Promise<KeySet> {
    const startedAt = Date.now();
    const promise = this.#load(startedAt, fresh).then(
      (set) => {
        this.#failures = 0;
        this.#retryAt = Number.NEGATIVE_INFINITY;
        return set;
      },
      (error: unknown) => {
        this.#failures += 1;
        this.#retryAt = Date.now() + Math.min(this.#cooldownMs, FIRST_BACKOFF_MS * 2 ** (this.#failures - 1));
        throw error;
      },
    );
    const fetching = {
      startedAt,
      promise: promise.finally(() => {
        if (this.#fetching === fetching) this.#fetching = undefined;
      }),
    };
    fetching.promise.catch(() => undefined); // the callers see the failure; nobody else must
    this.#fetching = fetching;
    return fetching.promise;
  }

  async #load(startedAt: number, fresh: boolean): Promise<KeySet> {
    // No caller's signal: the fetch is shared (fetchJson's own timeout, DEFAULT_HTTP_TIMEOUT_MS, bounds it).
    const request: Record<string, string> = fresh
      ? { Accept: 'application/json', 'Cache-Control': 'no-cache', Pragma: 'no-cache' }
      : { Accept: 'application/json' };
    const { status, body, headers } = await fetchJson('The JWKS endpoint', this.uri, { headers: request });
    if (status !== 200) throw new AuthorizationServerError(`The JWKS endpoint answered ${status}`, { status });
    if (!isObject(body) || !Array.isArray(body.keys))
      throw new AuthorizationServerError('The JWKS endpoint answered no key set', { status });
    const keys: JwksKey[] = [];
    const leftOut: LeftOutKey[] = [];
    const seen: string[] = [];
    // jose refuses a whole key set with a member that is not a JSON object ("JSON Web Key Set malformed"): so do we.
    if (!body.keys.every(isObject))
      throw new AuthorizationServerError(
        'The JWKS endpoint answered a key set with a member that is not a JSON object',
        { status },
      );
    for (const jwk of body.keys) {
      const kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
      const alg = typeof jwk.alg === 'string' ? jwk.alg : undefined;
      const named = { ...(kid !== undefined ? { kid } : {}), ...(alg !== undefined ? { alg } : {}) };
      let key: KeyObject | undefined;
      try {
        key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      } catch {
        // a key Node cannot read (another kty): kept only by its name, below
      }
      const usability = signingUsability(jwk);
      seen.push(JSON.stringify([usability, kid, alg, key?.export({ format: 'jwk' })]));
      if (usability === 'signing' && key !== undefined && !isWeakRsaKey(key)) keys.push({ key, ...named });
      else if (usability !== 'signing' || key !== undefined)
        leftOut.push({
          ...named,
          why: usability === 'signing' ? 'weak' : usability,
          ...(key !== undefined ? { key } : {}),
        });
    }
    if (keys.length === 0) {
      const why = leftOut.some((key) => key.why === 'weak')
        ? `: its RSA keys are under ${MIN_RSA_BITS} bits, too weak to trust`
        : leftOut.some((key) => key.why === 'unusable')
          ? ': its signing keys are published in a form not to use (key_ops, ext, alg or a private part)'
          : '';
      throw new AuthorizationServerError(`The JWKS endpoint answered no usable signing key${why}`, { status });
    }
    // The copy is as old as a cache says (`Age`, RFC 9111 §5.1) or its `Date` shows, whichever is
    // more (RFC 9111 §4.2.3), and believed up to MAX_COPY_AGE_MS: its knowledge starts then.
    const age = Number(headers?.get('age') ?? '') * 1000;
    const date = Date.parse(headers?.get('date') ?? '');
    // A `Date` within DATE_SLACK_MS of our clock is the origin answering now (whole seconds, clocks that differ a little).
    const behind = Number.isFinite(date) && startedAt - date > DATE_SLACK_MS ? startedAt - date : 0;
    const copyAge = Math.min(MAX_COPY_AGE_MS, Math.max(0, Number.isFinite(age) ? age : 0, behind));
    const contentAt = startedAt - copyAge;
    const lifetime = this.#lifetime(headers?.get('cache-control') ?? null);
    const set: KeySet = {
      keys,
      leftOut,
      fetchedAt: startedAt,
      contentAt,
      // Its life runs from its content, but an old copy is still kept a while (so an old CDN copy does not mean a fetch per request).
      expiresAt: Math.max(
        contentAt + lifetime,
        startedAt + Math.max(Math.min(MIN_CACHE_CONTROL_AGE_MS, this.#maxAgeMs), lifetime / 2),
      ),
    };
    // A cache's older copy neither replaces a newer set still in its life nor counts as a change of knowledge.
    if (!this.#set || this.#set.contentAt <= set.contentAt || this.#set.expiresAt <= Date.now()) {
      this.#set = set;
      const fingerprint = seen.sort().join('\n');
      if (fingerprint !== this.#fingerprint) {
        this.#fingerprint = fingerprint;
        this.#version += 1;
      }
    }
    return set;
  }

  /** How long a set may be trusted: `maxAgeMs`, shortened by the answer's `Cache-Control` (no-store, no-cache, max-age). */
  #lifetime(cacheControl: string | null): number {
    if (cacheControl === null) return this.#maxAgeMs;
    const floor = Math.min(MIN_CACHE_CONTROL_AGE_MS, this.#maxAgeMs);
    if (/\b(no-store|no-cache)\b/i.test(cacheControl)) return floor;
    const maxAge = /\bmax-age\s*=\s*"?(\d+)/i.exec(cacheControl);
    if (!maxAge) return this.#maxAgeMs;
    return Math.min(this.#maxAgeMs, Math.max(floor, Number(maxAge[1]) * 1000));
  }
}

function positive(value: number, name: string, integer = false): number {
  if (!(Number.isFinite(value) && value > 0) || (integer && !Number.isInteger(value))) {
    throw new ConfigurationError(`JwksKeySet ${name} must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}
