/**
 * A JSON Web Key Set, fetched from the authorization server's `jwks_uri` and kept as KeyObjects.
 *
 * - A key is looked up by `kid`; an unknown `kid` triggers a refetch, at most once per cooldown
 *   (default 30 s), so that rotated keys are found and random `kid`s cannot hammer the server.
 * - Concurrent refetches are one request.
 * - When a refetch fails, the last good key set stays; the failure is an
 *   {@link AuthorizationServerError} ("could not decide") only for a token whose key is not in it.
 *
 * Node's own `crypto.createPublicKey({ format: 'jwk' })` turns JWKs into keys: no JWKS library.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { AuthorizationServerError } from '../errors';
import { isObject } from '../json';
import { fetchJson } from './http';
import type { VerificationContext } from './verifier';

export interface JwksOptions {
  /** The least time between two fetches that an unknown `kid` triggers. Default: 30000 ms. */
  cooldownMs?: number;
}

const DEFAULT_COOLDOWN_MS = 30_000;

export class JwksKeySet {
  #keys = new Map<string, KeyObject>();
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #fetching?: Promise<void>;
  readonly #cooldownMs: number;

  constructor(readonly uri: string, options: JwksOptions = {}) {
    this.#cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
  }

  /**
   * The key for `kid` (with no `kid`: the only key), fetching the key set when the key is not known
   * and the cooldown allows. `undefined` when a fresh enough key set has no such key.
   */
  async keyFor(kid: string | undefined, context?: Pick<VerificationContext, 'signal'>): Promise<KeyObject | undefined> {
    const known = this.#find(kid);
    if (known) return known;
    if (Date.now() - this.#fetchedAt >= this.#cooldownMs) {
      await (this.#fetching ??= this.#fetch(context).finally(() => (this.#fetching = undefined)));
    }
    return this.#find(kid);
  }

  #find(kid: string | undefined): KeyObject | undefined {
    if (kid !== undefined) return this.#keys.get(kid);
    return this.#keys.size === 1 ? [...this.#keys.values()][0] : undefined;
  }

  async #fetch(context?: Pick<VerificationContext, 'signal'>): Promise<void> {
    const { status, body } = await fetchJson('The JWKS endpoint', this.uri, { headers: { Accept: 'application/json' } }, context);
    if (status !== 200) throw new AuthorizationServerError(`The JWKS endpoint answered ${status}`, { status });
    if (!isObject(body) || !Array.isArray(body.keys)) throw new AuthorizationServerError('The JWKS endpoint answered no key set', { status });
    const keys = new Map<string, KeyObject>();
    for (const jwk of body.keys) {
      if (!isObject(jwk) || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
      try {
        const key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
        if (key.type === 'public') keys.set(typeof jwk.kid === 'string' ? jwk.kid : '', key);
      } catch {
        // a key Node cannot read (another kty, a private key) is left out
      }
    }
    if (keys.size === 0) throw new AuthorizationServerError('The JWKS endpoint answered no usable signing key', { status });
    this.#keys = keys;
    this.#fetchedAt = Date.now();
  }
}
