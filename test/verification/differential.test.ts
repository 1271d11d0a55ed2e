/** Differential test against jose: over ≥ 20,000 generated tokens from a printed seed, JwtVerifier accepts no token jose refuses, and refuses one jose accepts only for an intended difference written below. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { CannotDecideError, JwtVerifier, type TokenVerdict } from '../../lib';
import { AUDIENCE, ISSUER } from '../support/fixtures';
import { json, startLoopback, type Loopback } from '../support/loopback';

// ---------------------------------------------------------------------------------------------
// The intended differences: the only places where JwtVerifier may say invalid or expired while
// jose accepts. Each is recognised from the token and the key source alone (never from how the
// generator made the case), so a new kind of difference cannot hide behind one of these.
// ---------------------------------------------------------------------------------------------

/** What a classifier knows: the token and the kind of key source. */
interface Seen {
  token: string;
  source: SourceKind;
}

const INTENDED_DIFFERENCES: ReadonlyArray<{ name: string; why: string; applies: (seen: Seen) => boolean }> = [
  {
    name: 'non-canonical base64url',
    why: 'JwtVerifier reads only strict base64url (RFC 7515 §2: no padding, no white space), while jose decodes each part with atob, which skips ASCII white space and accepts "=" padding.',
    applies: ({ token }) => token.split('.').some((part) => !/^[A-Za-z0-9_-]*$/.test(part)),
  },
  {
    name: 'kid that is not a string, with a secret or a PEM key',
    why: 'RFC 7515 §4.1.4 makes `kid` a string, so JwtVerifier calls such a header malformed; jose, handed one key, never reads `kid`.',
    applies: ({ token, source }) => {
      const header = joseReads(token.split('.')[0] ?? '');
      return source !== 'jwks' && isRecord(header) && header.kid !== undefined && typeof header.kid !== 'string';
    },
  },
];

// ---------------------------------------------------------------------------------------------
// The run: seed, clock, keys.
// ---------------------------------------------------------------------------------------------

const SEED =
  process.env.DIFFERENTIAL_SEED !== undefined
    ? Number(process.env.DIFFERENTIAL_SEED) >>> 0
    : Math.floor(Math.random() * 2 ** 32);
const CASES = Math.max(20_000, Number(process.env.DIFFERENTIAL_CASES ?? 20_480));
const TOLERANCE = 5;
/** How many failing cases a failure prints (DIFFERENTIAL_SHOW). */
const SHOWN = Number(process.env.DIFFERENTIAL_SHOW ?? 5);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A small seeded PRNG (sfc32), so that a seed gives the same cases. */
function prng(seed: number) {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 2 ** 32;
  };
  for (let i = 0; i < 16; i += 1) next();
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => int(256))),
  };
}
const random = prng(SEED);

/** The clock both verifiers are given: a whole second from the seed, plus some milliseconds (so sub-second effects show). */
const NOW_MS = (1_700_000_000 + random.int(100_000_000)) * 1000 + random.int(1000);
const NOW = Math.floor(NOW_MS / 1000);

type SourceKind = 'secret' | 'pem' | 'jwks';
type Alg = string;
const HS = ['HS256', 'HS384', 'HS512'];
const RSA_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const ASYMMETRIC = [...RSA_ALGS, 'ES256', 'ES384', 'ES512'];

/** A key that signs tokens: what it is, how it signs, and the algorithms it can sign with. */
interface Signer {
  name: string;
  algs: readonly Alg[];
  /** HMAC key bytes, or a private key. */
  key: Buffer | KeyObject;
  publicKey?: KeyObject;
  /** PS* with the largest salt instead of one as long as the hash (RFC 7518 §3.5 wants the latter). */
  wrongSalt?: boolean;
}

const rsaPair = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits });
const ecPair = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });
const keys = {
  rsaA: rsaPair(2048),
  rsaB: rsaPair(2048),
  rsaWeak: rsaPair(1024),
  p256A: ecPair('P-256'),
  p256B: ecPair('P-256'),
  p384: ecPair('P-384'),
  p521: ecPair('P-521'),
  ed25519: generateKeyPairSync('ed25519'),
};
const SECRET = random.bytes(48);
const asymmetric = (name: keyof typeof keys, algs: readonly Alg[]): Signer => ({
  name,
  algs,
  key: keys[name].privateKey,
  publicKey: keys[name].publicKey,
});
const signers = {
  secret: { name: 'the secret', algs: HS, key: SECRET } as Signer,
  otherSecret: { name: 'another secret', algs: HS, key: random.bytes(48) } as Signer,
  rsaA: asymmetric('rsaA', RSA_ALGS),
  rsaB: asymmetric('rsaB', RSA_ALGS),
  rsaWeak: asymmetric(
    'rsaWeak',
    RSA_ALGS.filter((alg) => alg !== 'PS512'),
  ), // a 1024-bit key is too short for PS512
  rsaASalt: {
    ...asymmetric('rsaA', ['PS256', 'PS384', 'PS512']),
    name: 'rsaA (largest PSS salt)',
    wrongSalt: true,
  } as Signer,
  p256A: asymmetric('p256A', ['ES256']),
  p256B: asymmetric('p256B', ['ES256']),
  p384: asymmetric('p384', ['ES384']),
  p521: asymmetric('p521', ['ES512']),
  p256OtherHash: { ...asymmetric('p256A', ['ES384', 'ES512']), name: "p256A (another curve's algorithm)" } as Signer,
  ed25519: asymmetric('ed25519', ['EdDSA', 'Ed25519']),
  pemAsSecret: {
    name: "rsaA's PEM as an HMAC secret",
    algs: HS,
    key: Buffer.from(keys.rsaA.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  } as Signer,
  jwkAsSecret: {
    name: "rsaA's JWK as an HMAC secret",
    algs: ['HS256'],
    key: Buffer.from(JSON.stringify(keys.rsaA.publicKey.export({ format: 'jwk' }))),
  } as Signer,
};
const DIGEST: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** Signs `input` as `alg` says (the algorithm, not the header: a case may lie in its header). */
function signWith(signer: Signer, alg: Alg, input: Buffer): Buffer {
  if (alg === 'EdDSA' || alg === 'Ed25519') return sign(null, input, signer.key as KeyObject);
  const digest = DIGEST[alg.slice(2)]!;
  switch (alg.slice(0, 2)) {
    case 'HS':
      return createHmac(digest, signer.key).update(input).digest();
    case 'RS':
      return sign(digest, input, signer.key as KeyObject);
    case 'PS':
      return sign(digest, input, {
        key: signer.key as KeyObject,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: signer.wrongSalt ? constants.RSA_PSS_SALTLEN_MAX_SIGN : Number(alg.slice(2)) / 8,
      });
    default:
      return sign(digest, input, { key: signer.key as KeyObject, dsaEncoding: 'ieee-p1363' });
  }
}

// ---------------------------------------------------------------------------------------------
// Key sources: a secret, a PEM public key, or a JWKS served on 127.0.0.1 (with and without kid,
// with use/key_ops/alg/ext variations, weak and private keys), each with the same keys for jose.
// ---------------------------------------------------------------------------------------------

interface Source {
  name: string;
  kind: SourceKind;
  algorithms: Alg[];
  /** The keys it trusts (for a JWKS: every published key, usable or not), with the kid tokens for them carry. */
  trusted: Array<{ signer: Signer; kid?: unknown; alg?: unknown }>;
  /** For the oracle: the secret (base64), the PEM, or the JWKS JSON. */
  oracle: { secret: string } | { pem: string } | { jwks: unknown };
  verifier?: JwtVerifier;
}

const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const sources: Source[] = [
  {
    name: 'secret [HS256]',
    kind: 'secret',
    algorithms: ['HS256'],
    trusted: [{ signer: signers.secret }],
    oracle: { secret: SECRET.toString('base64') },
  },
  {
    name: 'secret [HS256,HS384,HS512]',
    kind: 'secret',
    algorithms: [...HS],
    trusted: [{ signer: signers.secret }],
    oracle: { secret: SECRET.toString('base64') },
  },
  {
    name: 'secret [HS512]',
    kind: 'secret',
    algorithms: ['HS512'],
    trusted: [{ signer: signers.secret }],
    oracle: { secret: SECRET.toString('base64') },
  },
  {
    name: 'PEM rsaA [RS256]',
    kind: 'pem',
    algorithms: ['RS256'],
    trusted: [{ signer: signers.rsaA }],
    oracle: { pem: pem(keys.rsaA.publicKey) },
  },
  {
    name: 'PEM rsaA [RS*,PS*]',
    kind: 'pem',
    algorithms: [...RSA_ALGS],
    trusted: [{ signer: signers.rsaA }],
    oracle: { pem: pem(keys.rsaA.publicKey) },
  },
  {
    name: 'PEM rsaA [PS256]',
    kind: 'pem',
    algorithms: ['PS256'],
    trusted: [{ signer: signers.rsaA }],
    oracle: { pem: pem(keys.rsaA.publicKey) },
  },
  {
    name: 'PEM p256A [ES256]',
    kind: 'pem',
    algorithms: ['ES256'],
    trusted: [{ signer: signers.p256A }],
    oracle: { pem: pem(keys.p256A.publicKey) },
  },
  {
    name: 'PEM p256A [ES256,RS256,ES384]',
    kind: 'pem',
    algorithms: ['ES256', 'RS256', 'ES384'],
    trusted: [{ signer: signers.p256A }],
    oracle: { pem: pem(keys.p256A.publicKey) },
  },
  {
    name: 'PEM p384 [ES384]',
    kind: 'pem',
    algorithms: ['ES384'],
    trusted: [{ signer: signers.p384 }],
    oracle: { pem: pem(keys.p384.publicKey) },
  },
  {
    name: 'PEM p521 [ES512]',
    kind: 'pem',
    algorithms: ['ES512'],
    trusted: [{ signer: signers.p521 }],
    oracle: { pem: pem(keys.p521.publicKey) },
  },
];

/** The signers a JWKS may publish, with the algorithm each fits. */
const PUBLISHABLE: Array<{ signer: Signer; fits: Alg[] }> = [
  { signer: signers.rsaA, fits: RSA_ALGS },
  { signer: signers.rsaB, fits: RSA_ALGS },
  { signer: signers.rsaWeak, fits: RSA_ALGS },
  { signer: signers.p256A, fits: ['ES256'] },
  { signer: signers.p256B, fits: ['ES256'] },
  { signer: signers.p384, fits: ['ES384'] },
  { signer: signers.p521, fits: ['ES512'] },
  { signer: signers.ed25519, fits: ['EdDSA'] },
];

/** A published key: a JWK, mostly plain, sometimes with a use/key_ops/alg/ext/kid variation or its private half. */
function publish(
  entry: (typeof PUBLISHABLE)[number],
  kid: unknown,
  plain: boolean,
): { jwk: Record<string, unknown>; alg?: unknown; variations: string[] } {
  const privateHalf = !plain && random.chance(0.04);
  const jwk: Record<string, unknown> = {
    ...(privateHalf ? (entry.signer.key as KeyObject) : entry.signer.publicKey!).export({ format: 'jwk' }),
  };
  const variations: string[] = privateHalf ? ['private key published'] : [];
  if (kid !== undefined) jwk.kid = kid;
  let alg: unknown;
  if (random.chance(0.5)) {
    alg =
      plain || random.chance(0.7)
        ? random.pick(entry.fits)
        : random.pick(['RS256', 'PS256', 'ES256', 'ES384', 'rs256', 'HS256', null, 5, '']);
    jwk.alg = alg;
  }
  if (random.chance(plain ? 0.3 : 0.5))
    jwk.use = plain || random.chance(0.6) ? 'sig' : random.pick(['enc', 'SIG', '', null]);
  if (random.chance(plain ? 0.2 : 0.4)) {
    jwk.key_ops =
      plain || random.chance(0.4)
        ? ['verify']
        : random.pick([
            ['sign'],
            ['verify', 'sign'],
            ['sign', 'verify'],
            ['verify', 'verify'],
            [],
            'verify',
            ['verify', 1],
            ['encrypt'],
            ['verify', 'encrypt'],
            null,
          ]);
  }
  if (!plain && random.chance(0.15)) jwk.ext = random.pick([true, false, 'true', 1, null]);
  for (const name of ['alg', 'use', 'key_ops', 'ext'])
    if (name in jwk && !plain) variations.push(`${name}: ${JSON.stringify(jwk[name])}`);
  return { jwk, alg, variations };
}

/** JWKS sources from the seed: a few plain ones (with and without kid) and many with variations. */
function jwksSources(count: number): Source[] {
  const made: Source[] = [];
  for (let index = 0; index < count; index += 1) {
    const plain = index < 4;
    const withKid = index % 2 === 0 ? random.chance(0.9) : random.chance(0.2);
    const published = [];
    const size = 1 + random.int(plain ? 2 : 4);
    for (let k = 0; k < size; k += 1) {
      const entry =
        plain && k === 0
          ? random.pick(PUBLISHABLE.filter((e) => e.signer !== signers.rsaWeak && e.signer !== signers.ed25519))
          : random.pick(PUBLISHABLE);
      const kid = withKid
        ? plain || random.chance(0.85)
          ? random.pick([`${entry.signer.name}-1`, 'shared', `k${k}`])
          : random.pick([5, null, '', { id: 1 }])
        : undefined;
      published.push({ entry, kid, ...publish(entry, kid, plain) });
    }
    const fitting = [...new Set(published.flatMap((p) => p.entry.fits.filter((alg) => ASYMMETRIC.includes(alg))))];
    const algorithms = [
      ...new Set([
        ...(fitting.length > 0 ? [random.pick(fitting)] : []),
        ...ASYMMETRIC.filter(() => random.chance(0.2)),
      ]),
    ];
    if (algorithms.length === 0) algorithms.push('RS256');
    const keysJson: unknown[] = published.map((p) => p.jwk);
    const junk = !plain && random.chance(0.05);
    if (junk) keysJson.splice(random.int(keysJson.length + 1), 0, random.pick([1, 'key', null, []]));
    const summary = published.map(
      (p) =>
        `${p.entry.signer.name}${p.kid !== undefined ? ` kid=${JSON.stringify(p.kid)}` : ' (no kid)'}${p.variations.length > 0 ? ` {${p.variations.join(', ')}}` : ''}`,
    );
    made.push({
      name: `JWKS #${index} [${algorithms.join(',')}]: ${summary.join('; ')}${junk ? '; plus a member that is not an object' : ''}`,
      kind: 'jwks',
      algorithms,
      trusted: published.map((p) => ({ signer: p.entry.signer, kid: p.kid, alg: p.alg })),
      oracle: { jwks: { keys: keysJson } },
    });
  }
  return made;
}
sources.push(...jwksSources(28));

// ---------------------------------------------------------------------------------------------
// Tokens: a signer and an algorithm, a header and claims (sometimes mutated before signing), an
// encoding, a signature, and sometimes a mutation after signing (a forgery, or a re-encoding).
// ---------------------------------------------------------------------------------------------

interface Case {
  id: number;
  source: Source;
  token: string;
  /** How the generator made it, for the report of a failure (a classifier never reads it). */
  made: string[];
}

const b64url = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');
const later = (seconds: number) => NOW + seconds;

function claimsFor(made: string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: random.chance(0.8) ? AUDIENCE : random.pick([[AUDIENCE], ['another-api', AUDIENCE]]),
    sub: `user-${random.int(1000)}`,
    iat: later(-random.int(600)),
    exp: later(30 + random.int(7200)),
    ...(random.chance(0.2) ? { scope: 'read write', jti: b64url(random.bytes(6)) } : {}),
  };
  if (random.chance(0.5)) return claims;
  const mutations = 1 + random.int(2);
  for (let m = 0; m < mutations; m += 1) {
    const name = random.pick(['iss', 'aud', 'exp', 'exp', 'exp', 'nbf', 'nbf', 'iat', 'sub', 'extra']);
    let value: unknown;
    switch (name) {
      case 'iss':
        value = random.pick([
          undefined,
          'https://evil.test/',
          `${ISSUER}x`,
          ISSUER.slice(0, -1),
          ISSUER.toUpperCase(),
          5,
          null,
          [ISSUER],
          '',
        ]);
        break;
      case 'aud':
        value = random.pick([
          undefined,
          'another-api',
          [AUDIENCE, 5],
          [],
          [[AUDIENCE]],
          5,
          null,
          AUDIENCE.toUpperCase(),
          { aud: AUDIENCE },
        ]);
        break;
      case 'exp': {
        const edge = NOW_MS / 1000 - TOLERANCE;
        value = random.pick([
          undefined,
          later(-TOLERANCE),
          later(-TOLERANCE - 1),
          later(-TOLERANCE + 1),
          later(-3),
          later(-60),
          later(-3599),
          later(-3600 - TOLERANCE),
          later(-86_400),
          Math.floor(edge) + Math.round(random.next() * 1000) / 1000,
          edge - 0.25 + random.next() * 0.5,
          later(-TOLERANCE) + 0.5,
          String(later(600)),
          null,
          true,
          [later(600)],
          0,
          -1,
          1e20,
          8.64e12 + 1,
          later(600) + 0.5,
          'Infinity',
        ]);
        break;
      }
      case 'nbf':
        value = random.pick([
          later(TOLERANCE),
          later(TOLERANCE + 1),
          later(TOLERANCE - 1),
          later(3600),
          later(-60),
          String(later(-60)),
          null,
          later(TOLERANCE) + 0.5,
          later(-1) + 0.25,
          NOW_MS / 1000 + TOLERANCE - 0.25 + random.next() * 0.5,
        ]);
        break;
      case 'iat':
        value = random.pick([
          undefined,
          later(3600),
          later(TOLERANCE + 1),
          later(-86_400),
          String(NOW),
          null,
          NOW + 0.5,
          -1,
        ]);
        break;
      case 'sub':
        value = random.pick([undefined, '', 5, null, { id: 'u' }, ['u'], 'ü-ser ☃', 'x'.repeat(300)]);
        break;
      default: {
        const extra = random.pick(['__proto__', 'constructor', 'toString', 'nested']);
        value = random.pick([{ sub: 'admin' }, 'x', null]);
        Object.defineProperty(claims, extra, { value, enumerable: true, writable: true, configurable: true });
        made.push(`claims ${extra}: ${JSON.stringify(value)}`);
        continue;
      }
    }
    if (value === undefined) delete claims[name];
    else claims[name] = value;
    made.push(`claims ${name}: ${value === undefined ? '(absent)' : JSON.stringify(value)}`);
  }
  return claims;
}

/** JSON text of `value` with a quirk sometimes (duplicate keys, not an object, white space): a JSON text jose and we both parse. */
function jsonText(value: Record<string, unknown>, what: 'header' | 'payload', made: string[], p: number): string {
  let text = JSON.stringify(value);
  if (!random.chance(p)) return text;
  const quirk = random.pick([
    'duplicate first',
    'duplicate last',
    'white space',
    'not an object',
    'invalid JSON',
    'escapes',
  ]);
  const field = what === 'header' ? 'alg' : random.pick(['iss', 'sub', 'aud', 'exp']);
  const other =
    what === 'header'
      ? random.pick(['"none"', '"HS256"', '"RS256"', '5'])
      : random.pick(['"https://evil.test/"', '"admin"', `${later(-86_400)}`, 'null', '"x"']);
  switch (quirk) {
    case 'duplicate first':
      text = `{"${field}":${other},${text.slice(1)}`;
      break;
    case 'duplicate last':
      text = `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"${field}":${other}}`;
      break;
    case 'white space':
      text = ` \n${text.replace(/,/g, ' ,\t')}\r\n`;
      break;
    case 'not an object':
      text = random.pick(['[1,2]', '"a string"', '42', 'null', 'true', '', `[${text}]`]);
      break;
    case 'invalid JSON':
      text = random.pick([`${text.slice(0, -1)},}`, text.slice(0, -1), `${text}x`, `{'alg':'HS256'}`]);
      break;
    default:
      text = text.replace(
        /"([a-z]+)":/,
        (_all, key: string) => `"${key.replace(/./, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}":`,
      );
  }
  made.push(`${what} JSON: ${quirk}`);
  return text;
}

/** The bytes of a JSON text, sometimes with a BOM or bytes that are not UTF-8. */
function textBytes(text: string, what: string, made: string[], p: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (!random.chance(p)) return bytes;
  const quirk = random.pick(['BOM', 'not UTF-8', 'overlong', 'NUL after']);
  made.push(`${what} bytes: ${quirk}`);
  const at = Math.max(1, bytes.indexOf(0x22 /* " */, 2) + 1);
  switch (quirk) {
    case 'BOM':
      return Buffer.concat([BOM, bytes]);
    case 'not UTF-8':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at)]);
    case 'overlong':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc1, 0x81]), bytes.subarray(at)]);
    default:
      return Buffer.concat([bytes, Buffer.from([0])]);
  }
}

const WHITE = [' ', '\n', '\t', '\r', '\f', '\v', '\u00a0'];
/** base64url of `bytes`, sometimes not canonical: padding, white space, + and /, a last character with other spare bits. */
function encodePart(bytes: Buffer, what: string, made: string[], p: number): string {
  const part = b64url(bytes);
  if (!random.chance(p)) return part;
  const quirk = random.pick(['padding', 'wrong padding', 'white space', 'standard base64', 'spare bits']);
  made.push(`${what} encoding: ${quirk}`);
  return reencode(part, quirk);
}

function reencode(part: string, quirk: string): string {
  switch (quirk) {
    case 'padding':
      return part + '='.repeat((4 - (part.length % 4)) % 4);
    case 'wrong padding':
      return `${part}${random.pick(['=', '==', '===', '=A'])}`;
    case 'white space': {
      const at = random.int(part.length + 1);
      return `${part.slice(0, at)}${random.pick(WHITE)}${part.slice(at)}`;
    }
    case 'standard base64':
      return Buffer.from(part, 'base64url').toString('base64').replace(/=+$/, '');
    default: {
      // the same bytes when the last character's spare bits are not zero (both decoders ignore them)
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const spare = { 2: 4, 3: 2 }[(part.length % 4) as 2 | 3];
      if (spare === undefined) return part;
      const last = alphabet.indexOf(part.at(-1)!);
      return part.slice(0, -1) + alphabet[(last & ~((1 << spare) - 1)) | random.int(1 << spare)];
    }
  }
}

function headerFor(alg: Alg, kid: unknown, made: string[]): Record<string, unknown> {
  const header: Record<string, unknown> = { alg, typ: 'JWT', ...(kid !== undefined ? { kid } : {}) };
  if (random.chance(0.7)) return header;
  const name = random.pick(['alg', 'kid', 'kid', 'crit', 'crit', 'b64', 'typ', 'extra']);
  switch (name) {
    case 'alg':
      header.alg = random.pick([
        alg.toLowerCase(),
        alg.replace(/^./, (c) => c.toLowerCase()),
        `${alg} `,
        'none',
        'None',
        '',
        undefined,
        5,
        [alg],
        random.pick([...HS, ...ASYMMETRIC, 'EdDSA', 'ES256K']),
      ]);
      break;
    case 'kid':
      header.kid = random.pick([
        undefined,
        'unknown',
        '',
        5,
        null,
        { id: 1 },
        ['k'],
        '../../dev/null',
        'x'.repeat(200),
      ]);
      break;
    case 'crit':
      Object.assign(
        header,
        random.pick([
          { crit: ['exp'], exp: later(600) },
          { crit: ['b64'], b64: true },
          { crit: ['b64'], b64: false },
          { crit: ['b64'] },
          { crit: [] },
          { crit: 'b64', b64: true },
          { crit: ['x-ours'], 'x-ours': 1 },
          { crit: ['x-ours'] },
          { crit: ['b64', 'b64'], b64: true },
          { crit: null },
          { crit: [5] },
        ]),
      );
      break;
    case 'b64':
      header.b64 = random.pick([false, true, 'false', 0]);
      break;
    case 'typ':
      header.typ = random.pick([undefined, 'at+jwt', 'application/at+jwt', 'jwt', 'JOSE', 5]);
      break;
    default:
      Object.assign(
        header,
        random.pick([
          { jwk: { kty: 'oct', k: b64url(random.bytes(32)) } },
          { jku: 'http://127.0.0.1:1/jwks' },
          { x5u: 'http://127.0.0.1:1/x.pem' },
          { cty: 'JWT' },
          { x5c: ['MIIB'] },
          { zip: 'DEF' },
        ]),
      );
  }
  if (header.alg === undefined) delete header.alg;
  if (header.kid === undefined) delete header.kid;
  if (header.typ === undefined) delete header.typ;
  made.push(`header ${name}: ${JSON.stringify(header)}`);
  return header;
}

/** A fresh token: every step may carry a mutation that the signature then covers. */
function freshToken(signer: Signer, alg: Alg, kid: unknown, made: string[]): string {
  const header = headerFor(alg, kid, made);
  const claims = claimsFor(made);
  const headerPart = encodePart(
    textBytes(jsonText(header, 'header', made, 0.04), 'header', made, 0.02),
    'header',
    made,
    0.02,
  );
  const payloadPart = encodePart(
    textBytes(jsonText(claims, 'payload', made, 0.08), 'payload', made, 0.04),
    'payload',
    made,
    0.03,
  );
  const signature = signWith(signer, alg, Buffer.from(`${headerPart}.${payloadPart}`, 'latin1'));
  return `${headerPart}.${payloadPart}.${b64url(signature)}`;
}

const ORDERS: Record<string, bigint> = {
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  ES384: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  ES512:
    0x01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};
const toBig = (bytes: Buffer) => BigInt(`0x${bytes.toString('hex') || '0'}`);
const fromBig = (value: bigint, length: number) => Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');
function der(signature: Buffer): Buffer {
  const integer = (bytes: Buffer) => {
    let trimmed = bytes;
    while (trimmed.length > 1 && trimmed[0] === 0 && trimmed[1]! < 0x80) trimmed = trimmed.subarray(1);
    if (trimmed[0]! >= 0x80) trimmed = Buffer.concat([Buffer.from([0]), trimmed]);
    return Buffer.concat([Buffer.from([0x02, trimmed.length]), trimmed]);
  };
  const half = signature.length / 2;
  const body = Buffer.concat([integer(signature.subarray(0, half)), integer(signature.subarray(half))]);
  return Buffer.concat([Buffer.from(body.length < 0x80 ? [0x30, body.length] : [0x30, 0x81, body.length]), body]);
}

/** A mutation of a signed token: the signed bytes changed without a new signature (a forgery), or the same bytes written otherwise. */
function mutateSigned(token: string, alg: Alg, made: string[], donor: string | undefined): string {
  const [h = '', p = '', s = ''] = token.split('.');
  const signature = Buffer.from(s, 'base64url');
  const kind = random.pick([
    'signature',
    'signature',
    'signature',
    'header',
    'payload',
    'encoding',
    'encoding',
    'segments',
  ]);
  let result = token;
  let what = kind;
  switch (kind) {
    case 'signature': {
      const how = random.pick([
        'bit flip',
        'truncate',
        'extend',
        'empty',
        'transplant',
        'zero',
        'high s',
        'der',
        'leading zero',
        'drop last byte',
      ]);
      what = `signature: ${how}`;
      let mutated: Buffer = Buffer.from(signature);
      if (how === 'bit flip' && mutated.length > 0) mutated[random.int(mutated.length)]! ^= 1 << random.int(8);
      if (how === 'truncate') mutated = mutated.subarray(0, random.int(mutated.length));
      if (how === 'extend') mutated = Buffer.concat([mutated, random.bytes(1 + random.int(4))]);
      if (how === 'empty') mutated = Buffer.alloc(0);
      if (how === 'transplant' && donor !== undefined) mutated = Buffer.from(donor.split('.')[2] ?? '', 'base64url');
      if (how === 'zero') mutated = Buffer.alloc(mutated.length);
      if (how === 'high s' && alg in ORDERS && mutated.length % 2 === 0) {
        const half = mutated.length / 2;
        mutated = Buffer.concat([
          mutated.subarray(0, half),
          fromBig(ORDERS[alg]! - toBig(mutated.subarray(half)), half),
        ]);
      }
      if (how === 'der' && mutated.length > 0 && mutated.length % 2 === 0) mutated = der(mutated);
      if (how === 'leading zero') mutated = Buffer.concat([Buffer.from([0]), mutated]);
      if (how === 'drop last byte') mutated = mutated.subarray(0, -1);
      result = `${h}.${p}.${b64url(mutated)}`;
      break;
    }
    case 'header': {
      const header = joseReads(h);
      const changed: Record<string, unknown> = isRecord(header) ? { ...header } : {};
      const how = random.pick([
        'alg none',
        'alg HS256',
        'alg other',
        'alg case',
        'kid',
        'crit',
        'b64 false',
        'another header',
      ]);
      what = `header swapped: ${how}`;
      if (how === 'alg none') changed.alg = random.pick(['none', 'NONE', 'nOnE']);
      if (how === 'alg HS256') changed.alg = 'HS256';
      if (how === 'alg other') changed.alg = random.pick([...HS, ...ASYMMETRIC, 'EdDSA']);
      if (how === 'alg case') changed.alg = String(changed.alg ?? '').toLowerCase();
      if (how === 'kid')
        changed.kid = random.pick(['shared', 'unknown', `${random.pick(Object.values(signers)).name}-1`, 5]);
      if (how === 'crit') Object.assign(changed, { crit: ['b64'], b64: true });
      if (how === 'b64 false') changed.b64 = false;
      if (how === 'another header') result = `${donor?.split('.')[0] ?? h}.${p}.${s}`;
      else if (how === 'alg none' && random.chance(0.5)) result = `${b64url(JSON.stringify(changed))}.${p}.`;
      else result = `${b64url(JSON.stringify(changed))}.${p}.${s}`;
      break;
    }
    case 'payload': {
      const claims = joseReads(p);
      const changed: Record<string, unknown> = isRecord(claims) ? { ...claims } : {};
      const how = random.pick(['sub', 'exp', 'aud', 'iss', 'another payload', 'same claims re-serialised']);
      what = `payload swapped: ${how}`;
      if (how === 'sub') changed.sub = 'admin';
      if (how === 'exp') changed.exp = later(86_400 * 365);
      if (how === 'aud') changed.aud = AUDIENCE;
      if (how === 'iss') changed.iss = ISSUER;
      result =
        how === 'another payload'
          ? `${h}.${donor?.split('.')[1] ?? p}.${s}`
          : `${h}.${b64url(JSON.stringify(changed, null, how === 'same claims re-serialised' ? 1 : undefined))}.${s}`;
      break;
    }
    case 'encoding': {
      const how = random.pick(['padding', 'wrong padding', 'white space', 'standard base64', 'spare bits']);
      const at = random.int(3);
      what = `encoding of part ${at + 1}: ${how}`;
      const parts = [h, p, s];
      parts[at] = reencode(parts[at]!, how);
      result = parts.join('.');
      break;
    }
    default: {
      const how = random.pick([
        'extra segment',
        'trailing dot',
        'empty header',
        'empty payload',
        'two parts',
        'leading white space',
        'zero-width space',
        'JWE-like',
      ]);
      what = `segments: ${how}`;
      if (how === 'extra segment') result = `${token}.${b64url(random.bytes(4))}`;
      if (how === 'trailing dot') result = `${token}.`;
      if (how === 'empty header') result = `.${p}.${s}`;
      if (how === 'empty payload') result = `${h}..${s}`;
      if (how === 'two parts') result = `${h}.${p}`;
      if (how === 'leading white space') result = `${random.pick(WHITE)}${token}${random.chance(0.5) ? '\n' : ''}`;
      if (how === 'zero-width space') result = `\u200b${token}`;
      if (how === 'JWE-like') result = `${h}.${b64url(random.bytes(16))}.${b64url(random.bytes(12))}.${p}.${s}`;
    }
  }
  made.push(`after signing, ${what}`);
  return result;
}

/** Algorithms slow to sign with (RSA, P-384, P-521): a pool of tokens for each, reused under mutations after signing. */
const slow = (alg: Alg) => /^(RS|PS|ES384|ES512)/.test(alg);

function generate(count: number): Case[] {
  const cases: Case[] = [];
  const pools = new Map<string, Array<{ token: string; made: string[] }>>();
  const secretAndPem = sources.filter((s) => s.kind !== 'jwks');
  const jwks = sources.filter((s) => s.kind === 'jwks');
  for (let id = 0; id < count; id += 1) {
    const source = random.chance(0.62) ? random.pick(secretAndPem) : random.pick(jwks);
    const made: string[] = [];
    // A trusted key mostly (so that valid tokens are common); sometimes another key, or key confusion.
    let signer: Signer;
    let kid: unknown;
    let publishedAlg: unknown;
    if (random.chance(0.82)) {
      const trusted = random.pick(source.trusted);
      signer = trusted.signer;
      kid = trusted.kid;
      publishedAlg = trusted.alg;
      if (source.kind !== 'jwks' && random.chance(0.1)) kid = random.pick(['key-1', 5, null, { k: 1 }, ['k']]);
      if (source.kind === 'jwks' && random.chance(0.1)) kid = random.pick([undefined, 'unknown', 5]);
    } else {
      signer = random.pick([
        signers.otherSecret,
        signers.rsaB,
        signers.rsaWeak,
        signers.rsaASalt,
        signers.p256B,
        signers.p256OtherHash,
        signers.ed25519,
        signers.pemAsSecret,
        signers.jwkAsSecret,
        signers.secret,
        signers.rsaA,
        signers.p384,
      ]);
      kid =
        source.kind === 'jwks'
          ? random.pick([...source.trusted.map((t) => t.kid), `${signer.name}-1`, 'shared', undefined])
          : undefined;
      made.push('signed by a key not published for this kid, or of another kind');
    }
    const inAllowlist = signer.algs.filter((alg) => source.algorithms.includes(alg));
    const alg =
      typeof publishedAlg === 'string' && signer.algs.includes(publishedAlg) && random.chance(0.9)
        ? publishedAlg
        : inAllowlist.length > 0 && random.chance(0.85)
          ? random.pick(inAllowlist)
          : random.pick(signer.algs);
    made.unshift(`${alg} by ${signer.name}${kid !== undefined ? `, kid ${JSON.stringify(kid)}` : ', no kid'}`);

    let token: string;
    const poolKey = `${signer.name}|${alg}|${JSON.stringify(kid)}`; // the source is not in the token: pools are shared
    const pool = pools.get(poolKey) ?? [];
    pools.set(poolKey, pool);
    const reuse = slow(alg) && pool.length >= 4 && random.chance(0.8);
    if (reuse) {
      const base = random.pick(pool);
      made.push(...base.made.slice(1).filter((step) => !made.includes(step)));
      token = mutateSigned(base.token, alg, made, random.pick(pool).token);
    } else {
      token = freshToken(signer, alg, kid, made);
      if (slow(alg) && pool.length < 24) pool.push({ token, made: [...made] });
      if (random.chance(0.3))
        token = mutateSigned(token, alg, made, cases.length > 0 ? cases[random.int(cases.length)]!.token : undefined);
    }
    cases.push({ id, source, token, made });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Reading a token as jose does (for the classifiers and the report only).
// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The bytes of a part as jose's decoder (atob) reads them: ASCII white space skipped, padding allowed. */
function looseBytes(part: string): Buffer | undefined {
  const compact = part.replace(/[\t\n\f\r ]/g, '');
  if (/[+/]/.test(compact) || compact.length % 4 === 1) return undefined;
  const unpadded = compact.length % 4 === 0 ? compact.replace(/={1,2}$/, '') : compact;
  if (!/^[A-Za-z0-9_-]*$/.test(unpadded)) return undefined;
  return Buffer.from(unpadded, 'base64url');
}

/** A part as jose parses it (UTF-8, a BOM stripped, JSON), or undefined. */
function joseReads(part: string): unknown {
  const bytes = looseBytes(part);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The oracle: jose in a child process (test/support/jose-oracle.mjs).
// ---------------------------------------------------------------------------------------------

interface JoseAnswer {
  id: number;
  accepted: boolean;
  sub?: unknown;
  code?: string;
  message?: string;
}

/** Starts the oracle on every case at once; its answers come when it has answered them all (and ended). */
function askJose(cases: readonly Case[]): {
  child: ChildProcessWithoutNullStreams;
  answers: Promise<Map<number, JoseAnswer>>;
} {
  const child = spawn(process.execPath, [join(__dirname, '../support/jose-oracle.mjs')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const answers = new Map<number, JoseAnswer>();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as JoseAnswer;
      answers.set(answer.id, answer);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`the jose oracle exited with ${code}: ${stderr}`)),
    );
  });
  const lines: string[] = [];
  for (const source of sources) lines.push(JSON.stringify({ key: source.name, ...source.oracle }));
  for (const c of cases) {
    lines.push(
      JSON.stringify({
        id: c.id,
        token: c.token,
        key: c.source.name,
        issuer: [ISSUER],
        audience: [AUDIENCE],
        algorithms: c.source.algorithms,
        clockTolerance: TOLERANCE,
        now: NOW_MS,
      }),
    );
  }
  child.stdin.on('error', () => undefined); // an oracle that died early is reported by `done`
  child.stdin.end(`${lines.join('\n')}\n`);
  const answered = done.then(() => answers);
  answered.catch(() => undefined); // awaited after JwtVerifier's run; a failure is reported there
  return { child, answers: answered };
}

// ---------------------------------------------------------------------------------------------
// The test.
// ---------------------------------------------------------------------------------------------

type Ours =
  | { outcome: 'valid'; subject: unknown }
  | { outcome: 'invalid' | 'expired'; reason?: string }
  | { outcome: 'could not decide'; reason: string }
  | { outcome: 'crash'; error: string };

function ours(verdict: TokenVerdict<unknown>): Ours {
  if (verdict.outcome === 'valid')
    return { outcome: 'valid', subject: (verdict.principal as { subject?: unknown }).subject };
  return { outcome: verdict.outcome, ...(verdict.outcome === 'invalid' ? { reason: verdict.reason } : {}) };
}

function report(c: Case, our: Ours, jose: JoseAnswer | undefined): string {
  const [h = '', p = ''] = c.token.split('.');
  const text = (part: string) => {
    const bytes = looseBytes(part);
    return bytes === undefined ? '(not base64url)' : JSON.stringify(bytes.toString('latin1'));
  };
  return [
    `case ${c.id} (seed ${SEED}), clock ${NOW_MS} ms`,
    `  key source: ${c.source.name}`,
    `  jose given: algorithms ${JSON.stringify(c.source.algorithms)}, issuer ${ISSUER}, audience ${AUDIENCE}, clockTolerance ${TOLERANCE}, currentDate ${new Date(NOW_MS).toISOString()}`,
    `  made as: ${c.made.join('; ')}`,
    `  token: ${JSON.stringify(c.token)}`,
    `  header bytes: ${text(h)}`,
    `  payload bytes: ${text(p)}`,
    `  JwtVerifier: ${JSON.stringify(our)}`,
    `  jose: ${JSON.stringify(jose)}`,
  ].join('\n');
}

describe('JwtVerifier against jose, over generated tokens', () => {
  let server: Loopback;
  let cases: Case[];
  const results: Array<{ c: Case; our: Ours; jose: JoseAnswer | undefined }> = [];
  let child: ChildProcessWithoutNullStreams | undefined;
  let elapsed = '';

  beforeAll(async () => {
    const started = performance.now();
    process.stdout.write(
      `differential: seed ${SEED} (DIFFERENTIAL_SEED=${SEED} to repeat), ${CASES} cases, clock ${NOW_MS}\n`,
    );
    server = await startLoopback((request, response) => {
      response.sendDate = false; // no Date: a key set is dated by its fetch alone (the clock below)
      const index = Number(/^\/jwks\/(\d+)$/.exec(request.url)?.[1]);
      const source = sources.filter((s) => s.kind === 'jwks')[index];
      if (source === undefined) json(response, 404, {});
      else json(response, 200, (source.oracle as { jwks: unknown }).jwks);
    });
    cases = generate(CASES);
    const generated = performance.now();
    const oracle = askJose(cases); // jose works in its process while JwtVerifier works in this one
    child = oracle.child;
    // Both verifiers read the same clock: JwtVerifier through Date.now, jose through currentDate.
    const clock = jest.spyOn(Date, 'now').mockReturnValue(NOW_MS);
    try {
      sources
        .filter((s) => s.kind === 'jwks')
        .forEach((source, index) => {
          source.verifier = new JwtVerifier({
            jwksUri: `${server.url}/jwks/${index}`,
            algorithms: source.algorithms as never,
            issuer: ISSUER,
            audience: AUDIENCE,
          });
        });
      for (const source of sources) {
        if (source.kind === 'secret')
          source.verifier = new JwtVerifier({
            secret: SECRET,
            algorithms: source.algorithms as never,
            issuer: ISSUER,
            audience: AUDIENCE,
          });
        if (source.kind === 'pem')
          source.verifier = new JwtVerifier({
            publicKey: (source.oracle as { pem: string }).pem,
            algorithms: source.algorithms as never,
            issuer: ISSUER,
            audience: AUDIENCE,
          });
      }
      const verdicts: Ours[] = [];
      for (const c of cases) {
        verdicts.push(
          await c.source
            .verifier!.verify(c.token)
            .then(ours, (error: unknown) =>
              error instanceof CannotDecideError
                ? ({ outcome: 'could not decide', reason: error.reason } as const)
                : ({ outcome: 'crash', error: String((error as Error)?.stack ?? error) } as const),
            ),
        );
      }
      const verified = performance.now();
      const answers = await oracle.answers;
      cases.forEach((c, index) => results.push({ c, our: verdicts[index]!, jose: answers.get(c.id) }));
      elapsed = `generated in ${Math.round(generated - started)} ms, JwtVerifier ${Math.round(verified - generated)} ms, jose done ${Math.round(performance.now() - generated)} ms after generation`;
    } finally {
      clock.mockRestore();
    }
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill();
    await server?.close();
  });

  it(`gives every one of ${CASES} generated tokens a verdict: valid, invalid, expired or "could not decide", never a crash`, () => {
    expect(results).toHaveLength(CASES);
    const crashes = results.filter((r) => r.our.outcome === 'crash' || r.jose === undefined);
    expect(crashes.slice(0, SHOWN).map((r) => report(r.c, r.our, r.jose))).toEqual([]);
  });

  it(`accepts no token jose refuses, and names the same user as jose, over ${CASES} generated cases from a printed seed`, () => {
    const wrong = results.filter(
      (r) => r.our.outcome === 'valid' && (!r.jose?.accepted || r.jose.sub !== r.our.subject),
    );
    expect(wrong.slice(0, SHOWN).map((r) => report(r.c, r.our, r.jose))).toEqual([]);
  });

  it('refuses (invalid or expired) a token jose accepts only for one of the intended differences written at the top of this file', () => {
    const unexplained = results.filter(
      (r) =>
        (r.our.outcome === 'invalid' || r.our.outcome === 'expired') &&
        r.jose?.accepted &&
        !INTENDED_DIFFERENCES.some((d) => d.applies({ token: r.c.token, source: r.c.source.kind })),
    );
    expect(unexplained.slice(0, SHOWN).map((r) => report(r.c, r.our, r.jose))).toEqual([]);
  });

  it('covers every algorithm and every kind of key source with tokens both accept, and prints what it saw', () => {
    const pairs = new Map<string, number>();
    const differences = new Map<string, number>(INTENDED_DIFFERENCES.map((d) => [d.name, 0]));
    const acceptedBy = new Set<string>();
    for (const { c, our, jose } of results) {
      const key = `${our.outcome.padEnd(16)} × ${jose?.accepted ? 'jose accepts' : `jose refuses (${jose?.code ?? '?'})`}`;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
      if (our.outcome === 'valid' && jose?.accepted) {
        const header = joseReads(c.token.split('.')[0] ?? '');
        acceptedBy.add(c.source.kind).add(String(isRecord(header) ? header.alg : undefined));
      }
      if ((our.outcome === 'invalid' || our.outcome === 'expired') && jose?.accepted) {
        const seen = { token: c.token, source: c.source.kind };
        for (const d of INTENDED_DIFFERENCES)
          if (d.applies(seen)) differences.set(d.name, differences.get(d.name)! + 1);
      }
    }
    const lines = [...pairs.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([pair, n]) => `  ${String(n).padStart(6)}  ${pair}`);
    const intended = [...differences.entries()].map(([name, n]) => `  ${String(n).padStart(6)}  ${name}`);
    process.stdout.write(
      `differential: seed ${SEED}, ${results.length} cases (${elapsed})\n ours × jose:\n${lines.join('\n')}\n intended differences seen:\n${intended.join('\n')}\n`,
    );
    for (const expected of ['secret', 'pem', 'jwks', ...HS, ...ASYMMETRIC]) expect([...acceptedBy]).toContain(expected);
  });
});
