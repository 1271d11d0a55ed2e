/**
 * A cache in front of any verifier, for what a warm Lambda container sees again and again.
 *
 * - Keyed by the SHA-256 of the token: the cache never holds a token.
 * - A valid verdict is kept no longer than the token lives (`expiresAt`) and `maxTtlSeconds`.
 * - Invalid and expired verdicts are kept `negativeTtlSeconds`, so a flood of one bad token
 *   costs one upstream call.
 * - "Could not decide" (a throw) is never kept: the next request asks again.
 * - Concurrent verifications of one token are one upstream call.
 * - At most `maxEntries` verdicts, the least recently used going first.
 */
import { createHash } from 'node:crypto';
import { ConfigurationError } from '../errors';
import type { TokenVerdict, TokenVerifier, VerificationContext } from './verifier';

export interface CachingVerifierOptions {
  /** The longest a valid verdict is kept. Default: 300 s. */
  maxTtlSeconds?: number;
  /** How long invalid and expired verdicts are kept. Default: 10 s; 0 keeps none. */
  negativeTtlSeconds?: number;
  /** The most verdicts kept. Default: 10000. */
  maxEntries?: number;
}

interface Entry<P> {
  verdict: TokenVerdict<P>;
  until: number;
}

export class CachingVerifier<P> implements TokenVerifier<P> {
  readonly #entries = new Map<string, Entry<P>>();
  readonly #pending = new Map<string, Promise<TokenVerdict<P>>>();
  readonly #maxTtlMs: number;
  readonly #negativeTtlMs: number;
  readonly #maxEntries: number;

  constructor(readonly inner: TokenVerifier<P>, options: CachingVerifierOptions = {}) {
    if (typeof inner?.verify !== 'function') throw new ConfigurationError('CachingVerifier needs a verifier to cache');
    this.#maxTtlMs = seconds(options.maxTtlSeconds ?? 300, 'maxTtlSeconds') * 1000;
    this.#negativeTtlMs = seconds(options.negativeTtlSeconds ?? 10, 'negativeTtlSeconds') * 1000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1) throw new ConfigurationError('maxEntries must be a positive whole number');
  }

  /** How many verdicts are kept now. */
  get size(): number {
    return this.#entries.size;
  }

  async verify(accessToken: string, context: VerificationContext): Promise<TokenVerdict<P>> {
    const key = createHash('sha256').update(accessToken).digest('base64url');
    const now = Date.now();
    const entry = this.#entries.get(key);
    if (entry && entry.until > now) {
      this.#entries.delete(key); // re-inserted: most recently used last
      this.#entries.set(key, entry);
      return entry.verdict;
    }
    if (entry) this.#entries.delete(key);

    const pending = this.#pending.get(key);
    if (pending) return pending;
    const verification = this.inner.verify(accessToken, context).then((verdict) => {
      this.#keep(key, verdict);
      return verdict;
    });
    this.#pending.set(key, verification);
    try {
      return await verification;
    } finally {
      this.#pending.delete(key);
    }
  }

  #keep(key: string, verdict: TokenVerdict<P>): void {
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
    this.#entries.set(key, { verdict, until });
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}

function seconds(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new ConfigurationError(`${name} must be a number of seconds, 0 or more`);
  return value;
}
