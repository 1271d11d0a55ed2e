/** lib/verification/signature.ts: the signature of a compact JWS on exactly its alg, checked with node:crypto. */
import { constants, createHmac, createSecretKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { CannotDecideError } from '../../lib';
import { checkSignature } from '../../lib/verification/signature';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const secret = createSecretKey(Buffer.from('a-test-secret-that-is-long-enough-for-hs256'));
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const curves = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const;
const ec = Object.fromEntries(
  Object.entries(curves).map(([alg, namedCurve]) => [alg, generateKeyPairSync('ec', { namedCurve })]),
);
const DIGEST: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };
const claims = { sub: 'rider-42', iss: 'https://auth.example.test/' };

/** A token signed with `alg` by node:crypto, as an authorization server would sign it. */
function signed(alg: string, payload: string = part(claims)): string {
  const input = `${part({ alg, typ: 'JWT' })}.${payload}`;
  const digest = DIGEST[alg.slice(2)]!;
  let signature: Buffer;
  if (alg.startsWith('HS')) signature = createHmac(digest, secret).update(input).digest();
  else if (alg.startsWith('RS')) signature = sign(digest, Buffer.from(input), rsa.privateKey);
  else if (alg.startsWith('PS'))
    signature = sign(digest, Buffer.from(input), {
      key: rsa.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: Number(alg.slice(2)) / 8,
    });
  else signature = sign(digest, Buffer.from(input), { key: ec[alg]!.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
const keyFor = (alg: string): KeyObject =>
  alg.startsWith('HS') ? secret : alg.startsWith('ES') ? ec[alg]!.publicKey : rsa.publicKey;
const ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
];

describe('checkSignature', () => {
  it.each(ALGORITHMS)('says signed, with the claims, for a token signed with %s', (alg) => {
    expect(checkSignature(signed(alg), keyFor(alg), alg)).toEqual({ outcome: 'signed', claims });
  });

  it.each(ALGORITHMS)('says "bad signature" for a %s token whose payload was changed', (alg) => {
    const [header, , signature] = signed(alg).split('.');
    const tampered = `${header}.${part({ ...claims, sub: 'someone-else' })}.${signature}`;
    expect(checkSignature(tampered, keyFor(alg), alg)).toEqual({ outcome: 'invalid', reason: 'bad signature' });
  });

  it('checks exactly the alg it is given: an RS256 signature is no PS256 one, nor an HS256 one of another length', () => {
    expect(checkSignature(signed('RS256'), rsa.publicKey, 'PS256')).toEqual({
      outcome: 'invalid',
      reason: 'bad signature',
    });
    expect(checkSignature(signed('HS256'), secret, 'HS384')).toEqual({ outcome: 'invalid', reason: 'bad signature' });
  });

  it.each([
    ['an HMAC one byte short', 'HS256', 31],
    ['an ECDSA signature in DER, not r‖s', 'ES256', 0],
    ['an ES256 signature one byte too long', 'ES256', 65],
    ['an ES512 signature of 130 bytes (not 132)', 'ES512', 130],
  ])('says "bad signature" for a signature of the wrong length: %s', (_name, alg, length) => {
    const [header, payload] = signed(alg).split('.');
    const input = `${header}.${payload}`;
    const signature =
      length === 0
        ? sign('sha256', Buffer.from(input), ec.ES256!.privateKey) // DER
        : Buffer.alloc(length, 1);
    expect(checkSignature(`${input}.${signature.toString('base64url')}`, keyFor(alg), alg)).toEqual({
      outcome: 'invalid',
      reason: 'bad signature',
    });
  });

  it('says "unsigned token" for an empty signature, and malformed for a token not of three base64url parts', () => {
    const [header, payload] = signed('HS256').split('.');
    expect(checkSignature(`${header}.${payload}.`, secret, 'HS256')).toEqual({
      outcome: 'invalid',
      reason: 'unsigned token',
    });
    expect(checkSignature(`${header}.${payload}`, secret, 'HS256')).toEqual({
      outcome: 'invalid',
      reason: 'malformed',
    });
    expect(checkSignature(`${signed('HS256')}=`, secret, 'HS256')).toEqual({ outcome: 'invalid', reason: 'malformed' });
  });

  it.each(['none', 'HS1', 'XS256', 'EdDSA'])('says "algorithm not allowed" for alg %s', (alg) => {
    expect(checkSignature(signed('HS256'), secret, alg)).toEqual({
      outcome: 'invalid',
      reason: 'algorithm not allowed',
    });
  });

  it('could not decide (throws) when a trusted key signed a payload that is not a JSON object: about the server, not the token', () => {
    const token = signed('HS256', Buffer.from('[1,2]').toString('base64url'));
    expect(() => checkSignature(token, secret, 'HS256')).toThrow(CannotDecideError);
    expect(() => checkSignature(token, secret, 'HS256')).toThrow(
      expect.objectContaining({ reason: 'unreadable claims' }),
    );
  });
});
