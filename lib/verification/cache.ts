/**
 * A cache in front of any verifier, for what a warm Lambda container sees again and again
 * ({@link CachingVerifier}). See `docs/verifiers.md`.
 */
import { ConfigurationError } from '../errors';
import { tokenDigest } from '../logging';
import { untilAbortedIfPending } from './until-aborted';
import type { RejectionEvidence, TokenVerdict, TokenVerifier, VerificationContext } from './verifier';

/** Default of {@link CachingVerifierOptions.maxTtlSeconds}: 300 seconds (5 minutes). */
export const DEFAULT_CACHE_MAX_TTL_SECONDS = 300;
/** Default of {@link CachingVerifierOptions.negativeTtlSeconds}: 10 seconds. */
export const DEFAULT_CACHE_NEGATIVE_TTL_SECONDS = 10;
/** Default of {@link CachingVerifierOptions.maxEntries}: 10000 verdicts. */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

/** How long and how many verdicts {@link CachingVerifier} keeps. */
export interface CachingVerifierOptions {
  /**
   * The longest a valid verdict is kept, in seconds (never past the token's `expiresAt`). With the
   * default, a revoked token is let in at most 5 minutes longer, while a user's requests in a
   * conversation cost one verification. `VERIFY_CACHE_TTL_SECONDS` from the environment.
   *
   * @defaultValue {@link DEFAULT_CACHE_MAX_TTL_SECONDS} (300)
   */
  maxTtlSeconds?: number | undefined;
  /**
   * How long invalid and expired verdicts are kept, in seconds; 0 keeps none. With the default, a
   * flood of one bad token costs one upstream call, and a token the server just started accepting
   * is not refused for long.
   *
   * @defaultValue {@link DEFAULT_CACHE_NEGATIVE_TTL_SECONDS} (10)
   */
  negativeTtlSeconds?: number | undefined;
  /**
   * The most verdicts kept, the least recently used going first (with the default, a few MB at
   * most, well within a Lambda's memory).
   *
   * @defaultValue {@link DEFAULT_CACHE_MAX_ENTRIES} (10000)
   */
  maxEntries?: number | undefined;
}

interface Entry<P> {
  /** The verdict as served again: a rejection stamped with the `knowledgeAt` it rests on. */
  verdict: TokenVerdict<P>;
  until: number;
  /** The inner verifier's `knowledgeVersion` when the verification began. */
  version: number | undefined;
  /** When the verification began, in the order of this cache's verifications: a late one never replaces a newer one's verdict. */
  started: number;
}

interface Pending<P> {
  verification: Promise<TokenVerdict<P>>;
  /** `Date.now()` when the inner verification began: the knowledge of a rejection without its own `knowledgeAt`. */
  startedAt: number;
  /** The signal of the caller that started it: once aborted, later callers start their own. */
  signal: AbortSignal | undefined;
}

/**
 * A verdict cache in front of any verifier: a warm container answers a returning token without
 * asking the server again, and never keeps "could not decide". Keep one per container (create it
 * at module load), not one per request.
 *
 * - Keyed by the SHA-256 of the token: the cache never holds a token.
 * - A valid verdict is kept no longer than the token lives (`expiresAt`) and `maxTtlSeconds`.
 * - Invalid and expired verdicts are kept `negativeTtlSeconds`, so a flood of one bad token
 *   costs one upstream call.
 * - "Could not decide" (a throw) is never kept: the next request asks again.
 * - Concurrent verifications of one token are one upstream call, but no caller waits on it past
 *   its own deadline: a caller that joins a pending verification races it against its own
 *   context's signal, and a pending verification whose first caller's signal has aborted is not
 *   joined (a later caller starts its own).
 * - No verdict outlives the knowledge it was taken on: when the inner verifier exposes
 *   `knowledgeVersion` (a JWKS refetched, say), a verdict is kept only if the version did not
 *   change while it was taken, and dropped on a hit once the version has changed.
 * - At most `maxEntries` verdicts, the least recently used going first.
 * - A kept invalid or expired verdict says how old its knowledge is: served again, it carries the
 *   `knowledgeAt` the inner verifier gave it, or, if none, when the inner verification began, so
 *   the unlinking policy never takes a verdict replayed from the cache for a fresh rejection. A
 *   verdict just taken is handed on as the inner verifier gave it (a caller that joined it while
 *   it was pending gets it stamped too: its knowledge began before that caller asked).
 * - `configurationVersion` is the inner verifier's: the cache changes no verdict.
 *
 * Throws {@link ConfigurationError} from the constructor when `inner` is not a verifier or an
 * option is out of range.
 *
 * @example
 * ```ts
 * const verifier = new CachingVerifier(new IntrospectionVerifier({ url, clientId, clientSecret }), { maxTtlSeconds: 60 });
 * ```
 */
export class CachingVerifier<P> implements TokenVerifier<P> {
  readonly #entries = new Map<string, Entry<P>>();
  readonly #pending = new Map<string, Pending<P>>();
  readonly #maxTtlMs: number;
  readonly #negativeTtlMs: number;
  readonly #maxEntries: number;
  #verifications = 0;

  constructor(
    /** The verifier whose verdicts are kept; asked on every miss. */
    readonly inner: TokenVerifier<P>,
    options: CachingVerifierOptions = {},
  ) {
    if (typeof inner?.verify !== 'function') throw new ConfigurationError('CachingVerifier needs a verifier to cache');
    this.#maxTtlMs = seconds(options.maxTtlSeconds ?? DEFAULT_CACHE_MAX_TTL_SECONDS, 'maxTtlSeconds') * 1000;
    this.#negativeTtlMs =
      seconds(options.negativeTtlSeconds ?? DEFAULT_CACHE_NEGATIVE_TTL_SECONDS, 'negativeTtlSeconds') * 1000;
    this.#maxEntries = options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1)
      throw new ConfigurationError('maxEntries must be a positive whole number');
  }

  /**
   * The inner verifier's `configurationVersion`: the settings the verdicts rest on are the inner
   * verifier's, and the cache changes none of them.
   */
  get configurationVersion(): string | undefined {
    return this.inner.configurationVersion;
  }

  /** How many verdicts are kept now. */
  get size(): number {
    return this.#entries.size;
  }

  async verify(accessToken: string, context: VerificationContext): Promise<TokenVerdict<P>> {
    const key = tokenDigest(accessToken).toString('base64url'); // the hash the decision log's fingerprint reuses
    const now = Date.now();
    const entry = this.#entries.get(key);
    if (entry && entry.until > now && entry.version === this.inner.knowledgeVersion) {
      this.#entries.delete(key); // re-inserted: most recently used last
      this.#entries.set(key, entry);
      return entry.verdict;
    }
    if (entry) this.#entries.delete(key); // past its time, or taken on knowledge since refreshed

    const pending = this.#pending.get(key);
    if (pending && !pending.signal?.aborted) {
      return untilAbortedIfPending(pending.verification, context).then((verdict) =>
        withKnowledgeAt(verdict, pending.startedAt),
      );
    }

    const version = this.inner.knowledgeVersion;
    const sequence = ++this.#verifications;
    const startedAt = Date.now();
    let started: Promise<TokenVerdict<P>>;
    try {
      started = Promise.resolve(this.inner.verify(accessToken, context));
    } catch (error) {
      started = Promise.reject(error);
    }
    const verification = started.then((verdict) => {
      if (this.inner.knowledgeVersion === version)
        this.#keep(key, withKnowledgeAt(verdict, startedAt), version, sequence);
      return verdict;
    });
    // The first caller's signal, for later callers to see whether it aborted; read only if the verification is still pending.
    const mine: Pending<P> = {
      verification,
      startedAt,
      get signal() {
        return context?.signal;
      },
    };
    this.#pending.set(key, mine);
    verification
      .catch(() => undefined)
      .finally(() => {
        if (this.#pending.get(key) === mine) this.#pending.delete(key);
      });
    return untilAbortedIfPending(verification, context);
  }

  #keep(key: string, verdict: TokenVerdict<P>, version: number | undefined, started: number): void {
    const now = Date.now();
    let until: number;
    if (verdict?.outcome === 'valid') {
      const expiresAt = verdict.expiresAt instanceof Date ? verdict.expiresAt.getTime() : Number.POSITIVE_INFINITY;
      until = Math.min(now + this.#maxTtlMs, expiresAt);
    } else if (verdict?.outcome === 'invalid' || verdict?.outcome === 'expired') {
      until = now + this.#negativeTtlMs;
    } else {
      return; // not a verdict: the gate says "could not decide", and so does the next request
    }
    if (until <= now) return;
    const kept = this.#entries.get(key);
    if (kept && kept.started > started) return; // a verification that began later settled first
    this.#entries.delete(key);
    this.#entries.set(key, { verdict, until, version, started });
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}

/**
 * `verdict` as a later caller gets it: a rejection with the `knowledgeAt` ({@link RejectionEvidence})
 * it rests on (its own, or `startedAt`, when the inner verification began); anything else as it is.
 */
function withKnowledgeAt<P>(verdict: TokenVerdict<P>, startedAt: number): TokenVerdict<P> {
  if (verdict?.outcome !== 'invalid' && verdict?.outcome !== 'expired') return verdict;
  if (verdict.knowledgeAt instanceof Date && Number.isFinite(verdict.knowledgeAt.getTime())) return verdict;
  return { ...verdict, knowledgeAt: new Date(startedAt) };
}

function seconds(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigurationError(`${name} must be a number of seconds, 0 or more`);
  return value;
}
