/**
 * An attack corpus against the JWT verifiers (shared secret, PEM key, JWKS): every forged or
 * broken token is invalid — never valid, never a crash, and never a self-evident rejection (a
 * forgery is no proof that no fault of ours made the verdict: a wrong key makes the same).
 *
 * A few tokens of the corpus are not forgeries: they are validly signed by a key the verifier
 * trusts, and only carry a wrong `aud`/`iss`, an `nbf` ahead, or too many characters. The token is
 * then the server's and what does not fit is our setting, a clock or our policy: since issue 12
 * those are "could not decide" (a CannotDecideError with a fixed reason) for the verifier that
 * trusts the key, and still invalid for the others (for them the signature fails).
 */
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { CannotDecideError, JwtVerifier, type TokenVerifier, type VerificationContext } from '../../lib';
import { localSigningKey } from '../../lib/testing';
import { AUDIENCE, craftToken, ISSUER, rsa, rsaPublicPem, rsToken, SECRET, validClaims } from '../support/fixtures';
import { json, startLoopback, type Loopback } from '../support/loopback';

const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attackerJwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'attacker', alg: 'RS256' };
const signRs =
  (key = attacker.privateKey) =>
  (input: string) =>
    createSign('RSA-SHA256').update(input).sign(key);
const signHs = (secret: string | Buffer) => (input: string) => createHmac('sha256', secret).update(input).digest();
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

const published = localSigningKey('key-1');

/**
 * Each attack: a name, a token built against the key the verifier trusts, and — for the tokens
 * validly signed by a trusted key — the reason of the "could not decide" a verifier that trusts
 * that key gives instead of invalid.
 */
const corpus: Array<[string, () => string, string?]> = [
  ['alg: none, no signature', () => craftToken({ alg: 'none', typ: 'JWT' }, validClaims())],
  ['alg: NoNe', () => craftToken({ alg: 'NoNe' }, validClaims())],
  ['alg: none with a signature part', () => `${craftToken({ alg: 'none' }, validClaims())}c2ln`],
  [
    'HS256 signed with the RS256 public key (key confusion)',
    () => craftToken({ alg: 'HS256', kid: 'key-1' }, validClaims(), signHs(rsaPublicPem)),
  ],
  [
    'HS256 signed with the JWKS key as a secret',
    () => craftToken({ alg: 'HS256', kid: 'key-1' }, validClaims(), signHs(JSON.stringify(published.jwks.keys[0]))),
  ],
  [
    'an embedded jwk header with the attacker key',
    () => craftToken({ alg: 'RS256', jwk: attackerJwk }, validClaims(), signRs()),
  ],
  [
    'a jku header pointing at the attacker',
    () =>
      craftToken({ alg: 'RS256', jku: 'http://127.0.0.1:1/attacker.json', kid: 'attacker' }, validClaims(), signRs()),
  ],
  [
    'an x5u header pointing at the attacker',
    () => craftToken({ alg: 'RS256', x5u: 'http://127.0.0.1:1/attacker.pem' }, validClaims(), signRs()),
  ],
  ['kid path traversal', () => craftToken({ alg: 'RS256', kid: '../../../../dev/null' }, validClaims(), signRs())],
  [
    'kid SQL injection',
    () => craftToken({ alg: 'HS256', kid: "x' UNION SELECT 'secret" }, validClaims(), signHs('secret')),
  ],
  ['kid that is an object', () => craftToken({ alg: 'RS256', kid: { $ne: null } }, validClaims(), signRs())],
  [
    'signed by the attacker key with the trusted kid',
    () => craftToken({ alg: 'RS256', kid: 'key-1' }, validClaims(), signRs()),
  ],
  [
    'a day past its exp, signed by the attacker key with the trusted kid',
    () => craftToken({ alg: 'RS256', kid: 'key-1' }, validClaims({ exp: now() - 86_400 }), signRs()),
  ],
  [
    'wrong audience',
    () => published.mint({ issuer: ISSUER, audience: 'another-api', subject: 'u' }),
    'audience mismatch',
  ],
  [
    'no audience',
    () => craftToken({ alg: 'RS256', kid: 'key-1' }, validClaims({ aud: undefined }), signRs(rsa.privateKey)),
    'audience mismatch',
  ],
  [
    'wrong issuer',
    () => published.mint({ issuer: 'https://evil.test/', audience: AUDIENCE, subject: 'u' }),
    'issuer mismatch',
  ],
  [
    'no issuer',
    () => craftToken({ alg: 'RS256', kid: 'key-1' }, validClaims({ iss: undefined }), signRs(rsa.privateKey)),
    'issuer mismatch',
  ],
  [
    'nbf in the future',
    () => published.mint({ issuer: ISSUER, audience: AUDIENCE, subject: 'u', notBeforeSeconds: 3600 }),
    'token not yet valid',
  ],
  [
    'exp as a string, signed by the trusted key',
    () =>
      craftToken({ alg: 'RS256', kid: 'key-1' }, validClaims({ exp: String(now() + 3600) }), signRs(rsa.privateKey)),
    'unreadable claims',
  ],
  [
    'a tampered payload',
    () => {
      const [h, , s] = rsToken({ keyId: 'key-1' }).split('.');
      return `${h}.${b64(validClaims({ sub: 'admin' }))}.${s}`;
    },
  ],
  [
    'a tampered signature',
    () => {
      const t = rsToken({ keyId: 'key-1' });
      return `${t.slice(0, -6)}AAAAAA`;
    },
  ],
  ['truncated', () => rsToken({ keyId: 'key-1' }).slice(0, 40)],
  ['without its signature', () => rsToken({ keyId: 'key-1' }).split('.').slice(0, 2).join('.') + '.'],
  [
    'oversized',
    () => craftToken({ alg: 'RS256', kid: 'key-1' }, validClaims({ pad: 'x'.repeat(20_000) }), signRs(rsa.privateKey)),
    'token too long',
  ],
  ['not a JWT at all', () => 'Atza|IwEBIOpaqueLoginWithAmazonToken'],
  ['two parts', () => 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0'],
  ['six parts (JWE-like)', () => 'a.b.c.d.e.f'],
  ['unicode', () => 'ツ.トークン.署名'],
  ['a header that is not JSON', () => `${Buffer.from('{not json').toString('base64url')}.${b64(validClaims())}.c2ln`],
  [
    'a payload that is an array, signed by the trusted secret',
    () => craftToken({ alg: 'HS256' }, [1, 2, 3], signHs(SECRET)),
    'unreadable claims',
  ],
  [
    'a crit header naming an extension, signed by the attacker',
    () => craftToken({ alg: 'RS256', kid: 'key-1', crit: ['exp'], exp: 1 }, validClaims(), signRs()),
  ],
  [
    'a crit header on a token signed by the trusted key',
    () =>
      craftToken(
        { alg: 'RS256', kid: 'key-1-pem', crit: ['x-ours'], 'x-ours': 1 },
        validClaims(),
        signRs(rsa.privateKey),
      ),
    'unsupported header',
  ],
  [
    'b64: false (an unencoded payload), signed by the attacker',
    () => craftToken({ alg: 'RS256', kid: 'key-1', b64: false, crit: ['b64'] }, validClaims(), signRs()),
    'unsupported header',
  ],
  ['base64 padding after the signature', () => `${rsToken({ keyId: 'key-1' })}==`],
  [
    'white space inside the signature',
    () => {
      const t = rsToken({ keyId: 'key-1' });
      return `${t.slice(0, -8)} ${t.slice(-8)}`;
    },
  ],
  [
    'a genuine signature in standard base64 (+ and /)',
    () => {
      let parts: string[];
      for (let n = 0; !/[-_]/.test((parts = rsToken({ keyId: 'key-1', claims: { n } }).split('.'))[2]); n += 1); // one that differs in base64
      return `${parts[0]}.${parts[1]}.${Buffer.from(parts[2], 'base64url').toString('base64').replace(/=+$/, '')}`;
    },
  ],
  ['a signature one character too long', () => `${rsToken({ keyId: 'key-1' })}A`],
  ['zero-width spaces around it', () => `\u200b${rsToken({ keyId: 'key-1' })}\u200b`],
];

describe('the attack corpus', () => {
  let jwks: Loopback;
  let verifiers: Array<[string, () => TokenVerifier<unknown>]>;
  beforeAll(async () => {
    jwks = await startLoopback((_req, res) =>
      json(res, 200, {
        keys: [...published.jwks.keys, { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'key-1-pem', alg: 'RS256' }],
      }),
    );
    const secret = new JwtVerifier({ secret: SECRET, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
    const pem = new JwtVerifier({ publicKey: rsaPublicPem, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });
    verifiers = [
      ['a shared secret (HS256)', () => secret],
      ['a PEM public key (RS256)', () => pem],
      // A new JWKS verifier per attack: a warm one whose refetch budget the corpus spent would
      // rightly answer "could not decide" for unknown kids (see the flood test in jwks.test.ts).
      [
        'a JWKS URL (RS256)',
        () =>
          new JwtVerifier({ jwksUri: `${jwks.url}/jwks`, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE }),
      ],
    ];
  });
  afterAll(() => jwks.close());
  const context = (): VerificationContext => ({
    family: 'directive',
    signal: AbortSignal.timeout(2000),
    deadline: new Date(Date.now() + 2000),
  });
  const outcome = (verifier: TokenVerifier<unknown>, token: string) =>
    verifier.verify(token, context()).then(
      (verdict) =>
        verdict.outcome !== 'valid' && verdict.selfEvident !== undefined
          ? `${verdict.outcome} (selfEvident: ${verdict.selfEvident})`
          : verdict.outcome,
      (error: unknown) =>
        error instanceof CannotDecideError ? `could not decide: ${error.reason}` : `crash: ${String(error)}`,
    );

  // (one object per row: rows of two and three items would make jest take the last parameter for `done`)
  const rows = corpus.map(([name, token, undecided]) => [name, { token, undecided }] as const);
  it.each(rows)(
    '%s: never valid, never a crash, never self-evident, for every JWT verifier',
    async (_name, { token, undecided }) => {
      const outcomes = [];
      for (const [, verifier] of verifiers) outcomes.push(await outcome(verifier(), token()));
      for (const seen of outcomes)
        expect(seen).toBe(
          undecided !== undefined && seen.startsWith('could not decide') ? `could not decide: ${undecided}` : 'invalid',
        );
      // validly signed, wrong only in what we configured: the verifier that trusts the key cannot decide
      if (undecided !== undefined) expect(outcomes).toContain(`could not decide: ${undecided}`);
    },
  );

  it(`holds ${corpus.length} attacks, and the same verifiers accept the genuine token`, async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(
      (await verifiers[2][1]().verify(published.mint({ issuer: ISSUER, audience: AUDIENCE, subject: 'u' }), context()))
        .outcome,
    ).toBe('valid');
    expect((await verifiers[1][1]().verify(rsToken(), context())).outcome).toBe('valid');
  });

  it('lets no forgery in through a warm JWKS verifier whose refetch budget is spent: invalid or "could not decide", never valid', async () => {
    const warm = new JwtVerifier({
      jwksUri: `${jwks.url}/jwks`,
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    expect(
      (await warm.verify(published.mint({ issuer: ISSUER, audience: AUDIENCE, subject: 'u' }), context())).outcome,
    ).toBe('valid');
    for (const [, token] of [...corpus, ...corpus]) {
      const seen = await outcome(warm, token());
      expect(seen === 'invalid' || seen.startsWith('could not decide')).toBe(true);
    }
  });
});
