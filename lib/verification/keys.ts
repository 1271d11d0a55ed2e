/**
 * Keys as {@link JwtVerifier} takes them: a secret or a PEM public key made a KeyObject once, which
 * algorithms a key fits, which RSA keys are too weak, and what identifies a key in a
 * `configurationVersion`. See `docs/verifiers.md`.
 */
import { createPublicKey, createSecretKey, KeyObject, type JsonWebKey } from 'node:crypto';
import { ConfigurationError } from '../errors';
import { sha256Hex } from './configuration-version';
import {
  ASYMMETRIC_ALGORITHMS,
  HMAC_ALGORITHMS,
  MIN_SECRET_BYTES,
  requireAlgorithms,
  type AsymmetricAlgorithm,
  type JwtPublicKeyOptions,
  type JwtSecretOptions,
} from './jwt-options';

/** The smallest RSA modulus trusted, in bits (RFC 7518 §3.3; jose refuses smaller keys too): a 512-bit key can be factored. */
export const MIN_RSA_BITS = 2048;

const CURVES: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

/** Whether `key` is an RSA (or RSA-PSS) key under {@link MIN_RSA_BITS} bits. */
export function isWeakRsaKey(key: KeyObject): boolean {
  return (
    (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') &&
    (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS
  );
}

/** Whether `key` can verify a signature made with `alg` (RS*, PS*: an RSA key; ES*: an EC key on the algorithm's curve; HS*: a secret). */
export function keyFitsAlgorithm(key: KeyObject, alg: string): boolean {
  if (/^HS(256|384|512)$/.test(alg)) return key.type === 'secret';
  if (key.type !== 'public') return false;
  if (/^(RS|PS)(256|384|512)$/.test(alg))
    return key.asymmetricKeyType === 'rsa' || (alg.startsWith('PS') && key.asymmetricKeyType === 'rsa-pss');
  if (alg in CURVES) return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === CURVES[alg];
  return false;
}

/**
 * The algorithms a public key can verify, of those given: RS* and PS* for RSA, the one ES* of an
 * EC key's curve. Empty for any other key (Ed25519, say).
 */
export function algorithmsForKey(
  key: KeyObject,
  algorithms: readonly AsymmetricAlgorithm[] = ASYMMETRIC_ALGORITHMS,
): AsymmetricAlgorithm[] {
  return algorithms.filter((algorithm) => keyFitsAlgorithm(key, algorithm));
}

/** What identifies a secret or a public key in {@link JwtVerifier.configurationVersion}: a SHA-256 of it, never the key. */
export function keyIdentity(key: KeyObject): { kind: 'secret' | 'publicKey'; keySha256: string } {
  return key.type === 'secret'
    ? { kind: 'secret', keySha256: sha256Hex(key.export()) }
    : { kind: 'publicKey', keySha256: publicKeyDigest(key) };
}

/**
 * A SHA-256 of a public key's own numbers, read as a JWK (kty, crv, n, e, x, y): a tenth of the
 * cold-start time of encoding it as SPKI DER, which OpenSSL's encoder is loaded for. A key that
 * has no JWK form (RSA-PSS) is hashed as SPKI DER.
 */
function publicKeyDigest(key: KeyObject): string {
  let jwk: JsonWebKey;
  try {
    jwk = key.export({ format: 'jwk' });
  } catch {
    return sha256Hex(key.export({ type: 'spki', format: 'der' }));
  }
  return sha256Hex(JSON.stringify([jwk.kty, jwk.crv, jwk.n, jwk.e, jwk.x, jwk.y]));
}

/** The one key of a secret or a public key, checked: long enough, strong enough, fit for an algorithm allowed. */
export function toKeyObject(options: JwtSecretOptions<unknown> | JwtPublicKeyOptions<unknown>): KeyObject {
  const algorithms: readonly string[] = Array.isArray(options.algorithms) ? options.algorithms : [];
  if (algorithms.length === 0) throw new ConfigurationError('JwtVerifier needs a non-empty algorithm allowlist');
  const hasSecret = options.secret !== undefined;
  const hasPublicKey = options.publicKey !== undefined;
  if (hasSecret === hasPublicKey)
    throw new ConfigurationError('JwtVerifier needs exactly one of secret, publicKey and jwksUri');

  if (hasSecret) {
    const notHmac = algorithms.filter((a) => !(HMAC_ALGORITHMS as readonly string[]).includes(a));
    if (notHmac.length > 0)
      throw new ConfigurationError(`A shared secret works only with HS256/384/512, not ${notHmac.join(', ')}`);
    const key =
      options.secret instanceof KeyObject
        ? options.secret
        : createSecretKey(Buffer.from(options.secret as string | Buffer));
    if (key.type !== 'secret')
      throw new ConfigurationError('JwtVerifier secret must be a secret key, not a public or private key');
    if ((key.symmetricKeySize ?? 0) < MIN_SECRET_BYTES) {
      throw new ConfigurationError(`JwtVerifier secret must be at least ${MIN_SECRET_BYTES} bytes long`);
    }
    return key;
  }

  requireAlgorithms(options, ASYMMETRIC_ALGORITHMS, 'A public key');
  let key: KeyObject;
  try {
    key =
      options.publicKey instanceof KeyObject
        ? options.publicKey
        : createPublicKey(options.publicKey as string | Buffer);
  } catch (cause) {
    throw new ConfigurationError('JwtVerifier publicKey is not a PEM public key', { cause });
  }
  if (key.type !== 'public') throw new ConfigurationError('JwtVerifier publicKey must be a public key');
  if (isWeakRsaKey(key)) {
    throw new ConfigurationError(
      `JwtVerifier publicKey is an RSA key of ${key.asymmetricKeyDetails?.modulusLength} bits: RSA keys under ${MIN_RSA_BITS} bits can be factored (jose refuses them too); use the authorization server's key of ${MIN_RSA_BITS} bits or more`,
    );
  }
  const fitting = algorithmsForKey(key);
  if (!algorithms.some((algorithm) => fitting.includes(algorithm as AsymmetricAlgorithm))) {
    throw new ConfigurationError(
      `The public key is ${describeKey(key)}, which cannot verify ${algorithms.join(', ')}` +
        (fitting.length > 0
          ? `; allow ${fitting.join(' or ')} (JWT_ALGORITHMS)`
          : '; use an RSA or EC (P-256/384/521) key'),
    );
  }
  return key;
}

/** What a public key is, for error messages: "an RSA key", "an EC P-256 key". */
function describeKey(key: KeyObject): string {
  if (key.asymmetricKeyType === 'ec') {
    const curve =
      { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[key.asymmetricKeyDetails?.namedCurve ?? ''] ??
      key.asymmetricKeyDetails?.namedCurve;
    return `an EC ${curve} key`;
  }
  return key.asymmetricKeyType === 'rsa' ? 'an RSA key' : `an ${key.asymmetricKeyType} key`;
}

/**
 * Whether a published JWK is a signing key we use, as jose (and WebCrypto, which imports it there)
 * decides. `another use`: `use` other than `sig`, or `key_ops` without `verify` (an encryption key,
 * say: not a candidate at all). `unusable`: meant to verify, but `key_ops` is not exactly
 * `["verify"]`, `ext` is not a boolean, `alg` is not a string, or its private part (`d`) is
 * published (then it proves nothing about who signed).
 */
export function signingUsability(jwk: Record<string, unknown>): 'signing' | 'another use' | 'unusable' {
  if (jwk.use !== undefined && jwk.use !== 'sig') return 'another use';
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops) || !jwk.key_ops.includes('verify')) return 'another use';
    if (jwk.key_ops.length !== 1) return 'unusable';
  }
  if (jwk.ext !== undefined && typeof jwk.ext !== 'boolean') return 'unusable';
  if (jwk.alg !== undefined && typeof jwk.alg !== 'string') return 'unusable';
  return jwk.d === undefined ? 'signing' : 'unusable';
}
