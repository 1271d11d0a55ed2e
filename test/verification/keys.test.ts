/** lib/verification/keys.ts: keys made once, which algorithms a key fits, weak RSA keys, and a key's identity. */
import { createPublicKey, createSecretKey, generateKeyPairSync } from 'node:crypto';
import { ConfigurationError } from '../../lib';
import {
  algorithmsForKey,
  isWeakRsaKey,
  keyFitsAlgorithm,
  keyIdentity,
  MIN_RSA_BITS,
  toKeyObject,
} from '../../lib/verification/keys';

const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
const rsaPss1024 = generateKeyPairSync('rsa-pss', { modulusLength: 1024 });
const rsaPss2048 = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const ed25519 = generateKeyPairSync('ed25519');
const secret = createSecretKey(Buffer.alloc(32, 7));
const pem = (key: { export(o: object): string | Buffer }) => key.export({ type: 'spki', format: 'pem' }).toString();
const common = { issuer: 'https://auth.example.test/', audience: 'skill' };

describe('isWeakRsaKey', () => {
  it(`is true for RSA and RSA-PSS keys under ${MIN_RSA_BITS} bits only`, () => {
    expect(MIN_RSA_BITS).toBe(2048);
    expect(isWeakRsaKey(rsa1024.publicKey)).toBe(true);
    expect(isWeakRsaKey(rsaPss1024.publicKey)).toBe(true);
    expect(isWeakRsaKey(rsa2048.publicKey)).toBe(false);
    expect(isWeakRsaKey(rsaPss2048.publicKey)).toBe(false);
    expect(isWeakRsaKey(p256.publicKey)).toBe(false);
    expect(isWeakRsaKey(secret)).toBe(false);
  });
});

describe('keyFitsAlgorithm', () => {
  it('fits HS* to a secret only', () => {
    expect(keyFitsAlgorithm(secret, 'HS256')).toBe(true);
    expect(keyFitsAlgorithm(rsa2048.publicKey, 'HS256')).toBe(false);
    expect(keyFitsAlgorithm(secret, 'RS256')).toBe(false);
  });

  it('fits RS* and PS* to an RSA public key, and PS* alone to an RSA-PSS key', () => {
    expect(keyFitsAlgorithm(rsa2048.publicKey, 'RS512')).toBe(true);
    expect(keyFitsAlgorithm(rsa2048.publicKey, 'PS384')).toBe(true);
    expect(keyFitsAlgorithm(rsaPss2048.publicKey, 'PS256')).toBe(true);
    expect(keyFitsAlgorithm(rsaPss2048.publicKey, 'RS256')).toBe(false);
    expect(keyFitsAlgorithm(rsa2048.privateKey, 'RS256')).toBe(false); // a private key is no verification key
  });

  it('fits each ES* to an EC key on its own curve only', () => {
    expect(keyFitsAlgorithm(p256.publicKey, 'ES256')).toBe(true);
    expect(keyFitsAlgorithm(p384.publicKey, 'ES384')).toBe(true);
    expect(keyFitsAlgorithm(p521.publicKey, 'ES512')).toBe(true);
    expect(keyFitsAlgorithm(p256.publicKey, 'ES384')).toBe(false);
    expect(keyFitsAlgorithm(p521.publicKey, 'ES256')).toBe(false);
  });

  it.each(['none', 'HS1', 'RS1', 'EdDSA', 'ES256K'])('fits no key to %s', (alg) => {
    for (const key of [secret, rsa2048.publicKey, p256.publicKey, ed25519.publicKey])
      expect(keyFitsAlgorithm(key, alg)).toBe(false);
  });
});

describe('algorithmsForKey', () => {
  it("is RS* and PS* for an RSA key, the one ES* of an EC key's curve, and nothing for Ed25519", () => {
    expect(algorithmsForKey(rsa2048.publicKey)).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
    expect(algorithmsForKey(p384.publicKey)).toEqual(['ES384']);
    expect(algorithmsForKey(ed25519.publicKey)).toEqual([]);
  });

  it('picks only among the algorithms given', () => {
    expect(algorithmsForKey(rsa2048.publicKey, ['ES256', 'PS512'])).toEqual(['PS512']);
  });
});

describe('keyIdentity', () => {
  it('is a SHA-256 of the key, the same for the same key and another for another, never the key', () => {
    const identity = keyIdentity(secret);
    expect(identity).toEqual({ kind: 'secret', keySha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(keyIdentity(createSecretKey(Buffer.alloc(32, 7)))).toEqual(identity);
    expect(keyIdentity(createSecretKey(Buffer.alloc(32, 8))).keySha256).not.toBe(identity.keySha256);
    expect(JSON.stringify(identity)).not.toContain(Buffer.alloc(32, 7).toString('hex'));
    expect(keyIdentity(rsa2048.publicKey)).toEqual({
      kind: 'publicKey',
      keySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(keyIdentity(createSecretKey(Buffer.from(pem(p256.publicKey)))).kind).toBe('secret');
  });

  it('names a public key by its numbers: the same key read from PEM, DER or a JWK alike, another key (RSA, EC, RSA-PSS) otherwise', () => {
    const same = [
      rsa2048.publicKey,
      createPublicKey(pem(rsa2048.publicKey)),
      createPublicKey({ key: rsa2048.publicKey.export({ format: 'jwk' }), format: 'jwk' }),
      createPublicKey({ key: rsa2048.publicKey.export({ type: 'spki', format: 'der' }), format: 'der', type: 'spki' }),
    ].map((key) => keyIdentity(key).keySha256);
    expect(new Set(same).size).toBe(1);
    const pss = rsaPss2048.publicKey;
    const others = [
      generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
      p256.publicKey,
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
      pss,
    ].map((key) => keyIdentity(key).keySha256);
    expect(new Set([...others, same[0]]).size).toBe(5);
    expect(keyIdentity(pss).keySha256).toBe(keyIdentity(createPublicKey(pem(pss))).keySha256);
  });
});

describe('toKeyObject', () => {
  it('makes a secret of at least 32 bytes a secret key, for HS* only', () => {
    expect(toKeyObject({ ...common, secret: 'x'.repeat(32), algorithms: ['HS256'] }).type).toBe('secret');
    expect(() => toKeyObject({ ...common, secret: 'x'.repeat(31), algorithms: ['HS256'] })).toThrow(
      /at least 32 bytes/,
    );
    expect(() => toKeyObject({ ...common, secret: 'x'.repeat(32), algorithms: ['RS256'] } as never)).toThrow(
      /only with HS256\/384\/512, not RS256/,
    );
  });

  it('makes a PEM public key a public key', () => {
    expect(toKeyObject({ ...common, publicKey: pem(rsa2048.publicKey), algorithms: ['RS256'] }).asymmetricKeyType).toBe(
      'rsa',
    );
  });

  it('refuses a weak RSA key, naming its size', () => {
    expect(() => toKeyObject({ ...common, publicKey: pem(rsa1024.publicKey), algorithms: ['RS256'] })).toThrow(
      /RSA key of 1024 bits: RSA keys under 2048 bits can be factored/,
    );
  });

  it('refuses a key that fits none of the algorithms allowed, saying which to allow', () => {
    expect(() => toKeyObject({ ...common, publicKey: pem(p256.publicKey), algorithms: ['RS256'] })).toThrow(
      /an EC P-256 key, which cannot verify RS256; allow ES256 \(JWT_ALGORITHMS\)/,
    );
    expect(() => toKeyObject({ ...common, publicKey: pem(ed25519.publicKey), algorithms: ['RS256'] })).toThrow(
      /use an RSA or EC/,
    );
  });

  it('refuses nonsense: no algorithms, both a secret and a key, a private key, text that is no PEM', () => {
    expect(() => toKeyObject({ ...common, secret: 'x'.repeat(32), algorithms: [] } as never)).toThrow(
      ConfigurationError,
    );
    expect(() =>
      toKeyObject({
        ...common,
        secret: 'x'.repeat(32),
        publicKey: pem(rsa2048.publicKey),
        algorithms: ['HS256'],
      } as never),
    ).toThrow(/exactly one of/);
    expect(() => toKeyObject({ ...common, publicKey: rsa2048.privateKey, algorithms: ['RS256'] })).toThrow(
      /must be a public key/,
    );
    expect(() => toKeyObject({ ...common, publicKey: 'not a pem', algorithms: ['RS256'] })).toThrow(
      /is not a PEM public key/,
    );
  });
});
