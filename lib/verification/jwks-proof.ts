/**
 * When a signature that fails against a JWKS is proof about the token: which published keys to try,
 * whether the key set is fresh enough to prove anything ({@link provesAbout}), and whether a key we
 * do not accept with signed it ({@link signedByUntrustedKey}). See `docs/verifiers.md`.
 */
import { CannotDecideError } from '../errors';
import { isObject } from '../json';
import { json } from './compact';
import type { JwksKey, KeySet, LeftOutKey } from './jwks-options';
import { keyFitsAlgorithm, MIN_RSA_BITS } from './keys';
import { checkSignature } from './signature';

/**
 * The keys to try, as jose picks them: with a `kid`, only the keys of that `kid`; without one, every
 * key; of those, the ones that fit the token's `alg` (and name no other `alg`).
 */
export function candidateKeys(keys: readonly JwksKey[], alg: string, kid: string | undefined): JwksKey[] {
  const fits = (key: JwksKey) => (key.alg === undefined || key.alg === alg) && keyFitsAlgorithm(key.key, alg);
  return keys.filter((key) => (kid === undefined || key.kid === kid) && fits(key));
}

/**
 * Whether a failed check against `set` is proof about a token: the set was fetched after the token
 * was seen and, when the set is a cache's copy (its content older than its fetch, by `Age` or
 * `Date`) and the token has an `iat`, the copy's content is newer than the token (beyond the clock
 * tolerance): a token issued after the copy was made may be signed by a key the copy lacks. (`iat`
 * is unverified here: a forged one can only make the verdict "could not decide"; a copy's age is
 * taken as at most MAX_COPY_AGE_MS, so a dead token is judged at the latest that long after its
 * issue. A token without `iat` is judged on the fetch alone.)
 */
export function provesAbout(set: KeySet, seenAt: number, token: string, clockToleranceSeconds: number): boolean {
  if (set.fetchedAt < seenAt) return false;
  if (set.contentAt >= set.fetchedAt) return true; // the origin's own answer
  const claims = json(token.split('.')[1] ?? '');
  const iat = isObject(claims) ? claims.iat : undefined;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return true;
  return set.contentAt >= (iat + clockToleranceSeconds + 1) * 1000; // + 1 s: Date and Age are whole seconds
}

/** Why a key we do not try to accept with verifies a token: it is the server's, in a form we do not trust. */
export type UntrustedKey = LeftOutKey['why'] | 'kid not published';

/**
 * Whether `token`, which no usable key with its `kid` verifies, is signed by a key we do not
 * accept with: a key left out of the set (weak, unusable, for another use) that verifies it, one
 * left out under its `kid` that Node cannot read (we cannot tell), or a published key without
 * `kid` that verifies a token naming a `kid` (the server names keys it does not publish by name).
 */
export function signedByUntrustedKey(
  set: KeySet,
  token: string,
  alg: string,
  kid: string | undefined,
): UntrustedKey | undefined {
  for (const leftOut of set.leftOut) {
    if ((kid !== undefined && leftOut.kid !== kid) || (leftOut.alg !== undefined && leftOut.alg !== alg)) continue;
    if (leftOut.key === undefined) {
      if (kid !== undefined) return leftOut.why;
    } else if (keyFitsAlgorithm(leftOut.key, alg) && checkSignature(token, leftOut.key, alg).outcome === 'signed') {
      return leftOut.why;
    }
  }
  if (kid !== undefined && !set.keys.some((key) => key.kid === kid)) {
    const unnamed = candidateKeys(
      set.keys.filter((key) => key.kid === undefined),
      alg,
      undefined,
    );
    if (unnamed.some((key) => checkSignature(token, key.key, alg).outcome === 'signed')) return 'kid not published';
  }
  return undefined;
}

/** The "could not decide" of a token signed by a key we do not accept with, saying what to fix at the server. */
export function untrustedKeyError(why: UntrustedKey, uri: string): CannotDecideError {
  switch (why) {
    case 'weak':
      return new CannotDecideError(
        'weak signing key',
        `the key set at JWKS_URI (${uri}) signs tokens with an RSA key under ${MIN_RSA_BITS} bits, which JwtVerifier does not trust (it can be factored; jose refuses it too): have the authorization server sign with an RSA key of ${MIN_RSA_BITS} bits or more`,
      );
    case 'unusable':
      return new CannotDecideError(
        'unusable signing key',
        `the key set at JWKS_URI (${uri}) publishes a signing key in a form JwtVerifier (and jose) will not use — key_ops other than ["verify"], ext not a boolean, alg not a string, a private part, or a key type it cannot read — and tokens are signed with it: publish the public key alone, with key_ops ["verify"] or none`,
      );
    case 'another use':
      return new CannotDecideError(
        'key published for another use',
        `the key set at JWKS_URI (${uri}) publishes a key for another use (use other than sig, or key_ops without verify), and tokens are signed with it: publish the signing key with use sig`,
      );
    case 'kid not published':
      return new CannotDecideError(
        'kid not published',
        `tokens name a kid the key set at JWKS_URI (${uri}) does not publish, and are signed by one of its keys without a kid: publish the kid with the key (JwtVerifier and jose match a token's kid exactly)`,
      );
  }
}
