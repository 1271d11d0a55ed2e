/**
 * An attack corpus against the JWT verifiers (shared secret, PEM key, JWKS): every forged or
 * broken token is invalid — never valid, never a crash, never "could not decide".
 */
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { JwtVerifier, type TokenVerifier, type VerificationContext } from '../../lib';
import { localSigningKey } from '../../lib/testing';
import { AUDIENCE, craftToken, ISSUER, rsa, rsaPublicPem, rsToken, SECRET, validClaims } from '../support/fixtures';
import { json, startLoopback, type Loopback } from '../support/loopback';

const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attackerJwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'attacker', alg: 'RS256' };
const signRs = (key = attacker.privateKey) => (input: string) => createSign('RSA-SHA256').update(input).sign(key);
const signHs = (secret: string | Buffer) => (input: string) => createHmac('sha256', secret).update(input).digest();
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

const published = localSigningKey('key-1');

/** Each attack: a name and a token, built against the key the verifier trusts. */
const corpus: Array<[string, () => string]> = [
  ['alg: none, no signature', () => craftToken({ alg: 'none', typ: 'JWT' }, validClaims())],
  ['alg: NoNe', () => craftToken({ alg: 'NoNe' }, validClaims())],
  ['alg: none with a signature part', () => `${craftToken({ alg: 'none' }, validClaims())}c2ln`],
  ['HS256 signed with the RS256 public key (key confusion)', () => craftToken({ alg: 'HS256', kid: 'key-1' }, validClaims(), signHs(rsaPublicPem))],
  ['HS256 signed with the JWKS key as a secret', () => craftToken({ alg: 'HS256', kid: 'key-1' }, validClaims(), signHs(JSON.stringify(published.jwks.keys[0])))],
  ['an embedded jwk header with the attacker key', () => craftToken({ alg: 'RS256', jwk: attackerJwk }, validClaims(), signRs())],
  ['a jku header pointing at the attacker', () => craftToken({ alg: 'RS256', jku: 'http://127.0.0.1:1/attacker.json', kid: 'attacker' }, validClaims(), signRs())],
  ['an x5u header pointing at the attacker', () => craftToken({ alg: 'RS256', x5u: 'http://127.0.0.1:1/attacker.pem' }, validClaims(), signRs())],
  ['kid path traversal', () => craftToken({ alg: 'RS256', kid: '../../../../dev/null' }, validClaims(), signRs())],
  ['kid SQL injection', () => craftToken({ alg: 'HS256', kid: "x' UNION SELECT 'secret" }, validClaims(), signHs('secret'))],
  ['kid that is an object', () => craftToken({ alg: 'RS256', kid: { $ne: null } }, validClaims(), signRs())],
  ['signed by the attacker key with the trusted kid', () => craftToken({ alg: 'RS256', kid: 'key-1' }, validClaims(), signRs())],
  ['wrong audience', () => published.mint({ issuer: ISSUER, audience: 'another-api', subject: 'u' })],
  ['no audience', () => craftToken({ alg: 'RS256', kid: 'key-1' }, validClaims({ aud: undefined }), signRs(rsa.privateKey))],
  ['wrong issuer', () => published.mint({ issuer: 'https://evil.test/', audience: AUDIENCE, subject: 'u' })],
  ['no issuer', () => craftToken({ alg: 'RS256', kid: 'key-1' }, validClaims({ iss: undefined }), signRs(rsa.privateKey))],
  ['nbf in the future', () => published.mint({ issuer: ISSUER, audience: AUDIENCE, subject: 'u', notBeforeSeconds: 3600 })],
  ['exp as a string', () => craftToken({ alg: 'RS256', kid: 'key-1' }, validClaims({ exp: String(now() + 3600) }), signRs(rsa.privateKey))],
  ['a tampered payload', () => { const [h, , s] = rsToken({ keyId: 'key-1' }).split('.'); return `${h}.${b64(validClaims({ sub: 'admin' }))}.${s}`; }],
  ['a tampered signature', () => { const t = rsToken({ keyId: 'key-1' }); return `${t.slice(0, -6)}AAAAAA`; }],
  ['truncated', () => rsToken({ keyId: 'key-1' }).slice(0, 40)],
  ['without its signature', () => rsToken({ keyId: 'key-1' }).split('.').slice(0, 2).join('.') + '.'],
  ['oversized', () => craftToken({ alg: 'RS256', kid: 'key-1' }, validClaims({ pad: 'x'.repeat(20_000) }), signRs(rsa.privateKey))],
  ['not a JWT at all', () => 'Atza|IwEBIOpaqueLoginWithAmazonToken'],
  ['two parts', () => 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0'],
  ['six parts (JWE-like)', () => 'a.b.c.d.e.f'],
  ['unicode', () => 'ツ.トークン.署名'],
  ['a header that is not JSON', () => `${Buffer.from('{not json').toString('base64url')}.${b64(validClaims())}.c2ln`],
  ['a payload that is an array', () => craftToken({ alg: 'HS256' }, [1, 2, 3], signHs(SECRET))],
  ['zero-width spaces around it', () => `\u200b${rsToken({ keyId: 'key-1' })}\u200b`],
];

describe('the attack corpus', () => {
  let jwks: Loopback;
  let verifiers: Array<[string, TokenVerifier<unknown>]>;
  beforeAll(async () => {
    jwks = await startLoopback((_req, res) => json(res, 200, { keys: [...published.jwks.keys, { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'key-1-pem', alg: 'RS256' }] }));
    verifiers = [
      ['a shared secret (HS256)', new JwtVerifier({ secret: SECRET, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE })],
      ['a PEM public key (RS256)', new JwtVerifier({ publicKey: rsaPublicPem, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE })],
      ['a JWKS URL (RS256)', new JwtVerifier({ jwksUri: `${jwks.url}/jwks`, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE })],
    ];
  });
  afterAll(() => jwks.close());
  const context = (): VerificationContext => ({ family: 'directive', signal: AbortSignal.timeout(2000), deadline: new Date(Date.now() + 2000) });

  it.each(corpus)('%s: invalid for every JWT verifier', async (_name, token) => {
    for (const [, verifier] of verifiers) {
      const verdict = await verifier.verify(token(), context());
      expect(verdict.outcome).toBe('invalid');
    }
  });

  it(`holds ${corpus.length} attacks, and the same verifiers accept the genuine token`, async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect((await verifiers[2][1].verify(published.mint({ issuer: ISSUER, audience: AUDIENCE, subject: 'u' }), context())).outcome).toBe('valid');
    expect((await verifiers[1][1].verify(rsToken(), context())).outcome).toBe('valid');
  });
});
