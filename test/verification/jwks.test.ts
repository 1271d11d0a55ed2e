/**
 * JwtVerifier with a JWKS, against a key set served on 127.0.0.1: key rotation in all its forms,
 * a bounded refetch budget, a maximum key-set age, and outages that back off. A verdict of invalid
 * only on a key set fetched after the token was seen; "could not decide" when none can be had.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  AuthorizationServerError,
  CannotDecideError,
  decide,
  JwksKeySet,
  JwtVerifier,
  VerifierTimeoutError,
  type VerificationContext,
} from '../../lib';
import { findCause } from '../../lib/logging';
import { mintAccessToken } from '../../lib/testing';
import { AUDIENCE, ISSUER, rsa, rsToken } from '../support/fixtures';
import { json, startLoopback, type Loopback } from '../support/loopback';
import { found } from './context';

const rsaPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const A = rsaPair();
const B = rsaPair();
const C = rsaPair();
const P256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const P384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });

const jwk = (publicKey: KeyObject, kid?: string, extra: object = {}) => ({
  ...publicKey.export({ format: 'jwk' }),
  ...(kid !== undefined ? { kid } : {}),
  use: 'sig',
  ...extra,
});
const token = (privateKey: KeyObject, kid?: string, algorithm: 'RS256' | 'ES256' = 'RS256') =>
  mintAccessToken({
    key: privateKey,
    algorithm,
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: 'rider-42',
    ...(kid !== undefined ? { keyId: kid } : {}),
  });
const context = (): VerificationContext => ({
  family: 'custom',
  signal: AbortSignal.timeout(2000),
  deadline: new Date(Date.now() + 2000),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The verdict's outcome, or "could not decide: <reason>" for a CannotDecideError. */
/** An invalid verdict proven against a key set: dated by that set's fetch. */
const rejected = (reason: string) => ({ outcome: 'invalid', reason, knowledgeAt: expect.any(Date) });
/** A token of `privateKey` under `kid`, `expiresInSeconds` from now (negative: expired). */
const aged = (privateKey: KeyObject, kid: string, expiresInSeconds: number) =>
  mintAccessToken({
    key: privateKey,
    algorithm: 'RS256',
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: 'u',
    keyId: kid,
    expiresInSeconds,
  });
const outcome = (promise: Promise<{ outcome: string }>) =>
  promise.then(
    (verdict) => verdict.outcome,
    (error: unknown) =>
      error instanceof CannotDecideError ? `could not decide: ${error.reason}` : `threw ${String(error)}`,
  );

describe('JwtVerifier with a JWKS: key rotation', () => {
  let server: Loopback;
  let keys: object[];
  beforeEach(async () => {
    keys = [jwk(A.publicKey, 'key-a', { alg: 'RS256' })];
    server = await startLoopback((_req, res) => json(res, 200, { keys }));
  });
  afterEach(() => server.close());
  const verifier = (options: { jwksRefetchBurst?: number; jwksCooldownMs?: number; jwksMaxAgeMs?: number } = {}) =>
    new JwtVerifier({
      jwksUri: `${server.url}/jwks`,
      algorithms: ['RS256', 'ES256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      ...options,
    });

  it('finds a new kid at once, in a warm verifier that fetched the key set just before the rotation', async () => {
    const v = verifier();
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('valid');
    keys = [jwk(B.publicKey, 'key-b'), jwk(A.publicKey, 'key-a')];
    expect(await outcome(v.verify(token(B.privateKey, 'key-b'), context()))).toBe('valid');
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('valid');
    expect(server.requests).toHaveLength(2);
  });

  it("finds a key replaced under the same kid (the signature failure refetches), and then proves the old key's tokens invalid", async () => {
    const v = verifier();
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('valid');
    keys = [jwk(B.publicKey, 'key-a')];
    expect(await outcome(v.verify(token(B.privateKey, 'key-a'), context()))).toBe('valid');
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('invalid');
    expect(server.requests).toHaveLength(3); // cold, the replaced key, and a set fetched after the old token was seen
  });

  it('tries a token without kid against each published key that fits its alg, however many the set holds', async () => {
    keys = [jwk(A.publicKey), jwk(P384.publicKey), jwk(B.publicKey), jwk(P256.publicKey)];
    const v = verifier();
    expect(await outcome(v.verify(token(B.privateKey), context()))).toBe('valid');
    expect(await outcome(v.verify(token(P256.privateKey, undefined, 'ES256'), context()))).toBe('valid');
    expect(await v.verify(token(C.privateKey), context())).toEqual(rejected('bad signature'));
    expect(server.requests).toHaveLength(2); // the forged one refetched once, to be sure
  });

  it('does not try a key whose published alg is another, nor an RSA key for ES256', async () => {
    keys = [jwk(A.publicKey, undefined, { alg: 'RS512' })];
    const v = verifier();
    expect(await v.verify(token(A.privateKey), context())).toEqual(rejected('unknown signing key'));
    expect(await v.verify(token(P256.privateKey, undefined, 'ES256'), context())).toEqual(
      rejected('unknown signing key'),
    );
  });

  it('finds a rotated key of a server that publishes no kid', async () => {
    keys = [jwk(A.publicKey)];
    const v = verifier();
    expect(await outcome(v.verify(token(A.privateKey), context()))).toBe('valid');
    keys = [jwk(C.publicKey), jwk(A.publicKey)];
    expect(await outcome(v.verify(token(C.privateKey), context()))).toBe('valid');
  });

  it('stops trusting a withdrawn key once the key set is older than its maximum age', async () => {
    keys = [jwk(A.publicKey, 'key-a'), jwk(B.publicKey, 'key-b')];
    const v = verifier({ jwksMaxAgeMs: 300 });
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('valid');
    const before = v.knowledgeVersion;
    keys = [jwk(B.publicKey, 'key-b')];
    await sleep(350);
    expect(await v.verify(token(A.privateKey, 'key-a'), context())).toEqual(rejected('unknown signing key'));
    expect(await outcome(v.verify(token(B.privateKey, 'key-b'), context()))).toBe('valid');
    expect(v.knowledgeVersion).not.toBe(before);
  });

  it('changes knowledgeVersion when a refetch brings other keys, and keeps it when the same keys come back', async () => {
    const v = verifier({ jwksMaxAgeMs: 100 });
    expect(v.knowledgeVersion).toBe(0);
    await v.verify(token(A.privateKey, 'key-a'), context());
    expect(v.knowledgeVersion).toBe(1);
    await sleep(150);
    await v.verify(token(A.privateKey, 'key-a'), context());
    expect(server.requests).toHaveLength(2);
    expect(v.knowledgeVersion).toBe(1);
    keys = [jwk(B.publicKey, 'key-b'), jwk(A.publicKey, 'key-a')];
    await v.verify(token(B.privateKey, 'key-b'), context());
    expect(v.knowledgeVersion).toBe(2);
  });

  it('has no knowledgeVersion with a secret (nothing to refresh)', () => {
    expect(
      new JwtVerifier({
        secret: 'a-test-secret-that-is-long-enough-for-hs256',
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      }).knowledgeVersion,
    ).toBeUndefined();
  });
});

describe('JwtVerifier with a JWKS: what a rejection rests on', () => {
  let server: Loopback;
  let arrivals: number[];
  let delayMs: number;
  beforeEach(async () => {
    arrivals = [];
    delayMs = 0;
    server = await startLoopback((_req, res) => {
      arrivals.push(Date.now());
      setTimeout(() => json(res, 200, { keys: [jwk(A.publicKey, 'key-a')] }), delayMs);
    });
  });
  afterEach(() => server.close());
  const verifier = () =>
    new JwtVerifier({ jwksUri: `${server.url}/jwks`, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });
  const knowledgeOf = (verdict: unknown) => (verdict as { knowledgeAt: Date }).knowledgeAt.getTime();

  it.each([
    ['an unknown kid', () => token(C.privateKey, 'key-c'), 'unknown signing key'],
    ['a bad signature under a known kid', () => token(C.privateKey, 'key-a'), 'bad signature'],
  ])(
    'dates invalid for %s by the fetch of the key set it proved it against, not by the answer',
    async (_name, forged, reason) => {
      const v = verifier();
      expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('valid'); // a key set held from before
      delayMs = 100; // the refetch takes a while to answer
      const before = Date.now();
      const verdict = await v.verify(forged(), context());
      const answered = Date.now();
      expect(verdict).toEqual({ outcome: 'invalid', reason, knowledgeAt: expect.any(Date) });
      expect(arrivals).toHaveLength(2); // refetched after the token was seen
      expect(knowledgeOf(verdict)).toBeGreaterThanOrEqual(before); // a set fetched after the token was seen
      expect(knowledgeOf(verdict)).toBeLessThanOrEqual(arrivals[1]); // the fetch began before the JWKS endpoint got the request
      expect(answered - knowledgeOf(verdict)).toBeGreaterThanOrEqual(90); // the set's fetch time, not the moment of the verdict
    },
  );

  it("dates a cold start's invalid verdict by the first fetch, and a later one by the refetch it caused", async () => {
    const v = verifier();
    const started = Date.now();
    const first = await v.verify(token(C.privateKey, 'key-c'), context()); // a cold start: the set is fetched after the token was seen
    const second = await v.verify(token(C.privateKey, 'key-c'), context()); // seen after that fetch: refetched
    expect(arrivals).toHaveLength(2);
    expect(knowledgeOf(first)).toBeGreaterThanOrEqual(started);
    expect(knowledgeOf(first)).toBeLessThanOrEqual(arrivals[0]);
    expect(knowledgeOf(second)).toBeGreaterThanOrEqual(arrivals[0]);
    expect(knowledgeOf(second)).toBeLessThanOrEqual(arrivals[1]);
  });

  it('never says self-evident for a bad signature or an unknown kid, however long ago the forged token expired', async () => {
    const v = verifier();
    for (const kid of ['key-a', 'key-c']) {
      const verdict = await v.verify(aged(C.privateKey, kid, -86_400), context());
      expect(verdict.outcome).toBe('invalid');
      expect(verdict).not.toHaveProperty('selfEvident');
    }
  });

  it('says expired, self-evidently, for a token a published key signed a day past its exp, and only suspected minutes past', async () => {
    const v = verifier();
    expect(await v.verify(aged(A.privateKey, 'key-a', -86_400), context())).toEqual({
      outcome: 'expired',
      selfEvident: true,
    });
    expect(await v.verify(aged(A.privateKey, 'key-a', -300), context())).toEqual({ outcome: 'expired' });
  });

  it('has a configurationVersion of its JWKS URL and settings, the same in another container, not of the keys it fetched', async () => {
    const v = verifier();
    const before = v.configurationVersion;
    await v.verify(token(A.privateKey, 'key-a'), context());
    expect(v.configurationVersion).toBe(before); // a key rotation is new knowledge, not a new configuration
    expect(verifier().configurationVersion).toBe(before);
  });
});

describe('JwtVerifier with a JWKS: a bounded refetch budget', () => {
  let server: Loopback;
  beforeEach(async () => {
    server = await startLoopback((_req, res) => json(res, 200, { keys: [jwk(A.publicKey, 'key-a')] }));
  });
  afterEach(() => server.close());
  const verifier = (options: object = {}) =>
    new JwtVerifier({
      jwksUri: `${server.url}/jwks`,
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      ...options,
    });

  it('costs a burst of fetches for a flood of random kids, then answers "could not decide" without fetching', async () => {
    const v = verifier();
    await v.verify(token(A.privateKey, 'key-a'), context());
    const outcomes = [];
    for (let i = 0; i < 20; i += 1)
      outcomes.push(await outcome(v.verify(token(C.privateKey, `random-${i}`), context())));
    expect(outcomes.slice(0, 3)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(new Set(outcomes.slice(3))).toEqual(
      new Set(['could not decide: unknown signing key, key set refresh rate-limited']),
    );
    expect(server.requests).toHaveLength(1 + 3);
    // the genuine users are served from the key set held all along
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('valid');
  });

  it('allows one more refetch per cooldown once the burst is spent', async () => {
    const v = verifier({ jwksRefetchBurst: 1, jwksCooldownMs: 200 });
    await v.verify(token(A.privateKey, 'key-a'), context());
    expect(await outcome(v.verify(token(C.privateKey, 'x'), context()))).toBe('invalid');
    expect(await outcome(v.verify(token(C.privateKey, 'y'), context()))).toBe(
      'could not decide: unknown signing key, key set refresh rate-limited',
    );
    expect(await outcome(v.verify(token(C.privateKey, 'key-a'), context()))).toBe(
      'could not decide: bad signature, key set refresh rate-limited',
    );
    await sleep(250);
    expect(await outcome(v.verify(token(C.privateKey, 'y'), context()))).toBe('invalid');
    expect(server.requests).toHaveLength(3);
  });

  it('names JWKS_URI in what to check when the budget is spent', async () => {
    const v = verifier({ jwksRefetchBurst: 1 });
    await v.verify(token(A.privateKey, 'key-a'), context());
    await v.verify(token(C.privateKey, 'x'), context());
    await expect(v.verify(token(C.privateKey, 'y'), context())).rejects.toMatchObject({
      check: expect.stringContaining(`JWKS_URI (${server.url}/jwks)`),
    });
  });

  it('spends no refetch on garbage: a token whose payload is not JSON is invalid at once, whatever its kid', async () => {
    const v = verifier();
    await v.verify(token(A.privateKey, 'key-a'), context());
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'random' })).toString('base64url');
    expect(await v.verify(`${header}.bm90IGpzb24.c2ln`, context())).toEqual({
      outcome: 'invalid',
      reason: 'malformed',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('coalesces the refetches of concurrent tokens with unknown kids into one request', async () => {
    const v = verifier();
    await v.verify(token(A.privateKey, 'key-a'), context());
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => outcome(v.verify(token(C.privateKey, 'key-c'), context()))),
    );
    expect(new Set(outcomes)).toEqual(new Set(['invalid']));
    expect(server.requests).toHaveLength(2);
  });
});

describe('JwtVerifier with a JWKS: algorithms it does not verify', () => {
  it('could not decide for an EdDSA token (the server may sign so; we cannot tell it from a forgery), never invalid, never valid', async () => {
    const ed = generateKeyPairSync('ed25519');
    const server = await startLoopback((_req, res) =>
      json(res, 200, { keys: [jwk(ed.publicKey, 'key-ed', { alg: 'EdDSA' })] }),
    );
    try {
      const v = new JwtVerifier({
        jwksUri: `${server.url}/jwks`,
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'key-ed', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(
        JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'rider-42', exp: Math.floor(Date.now() / 1000) + 600 }),
      ).toString('base64url');
      const signature = sign(null, Buffer.from(`${header}.${payload}`), ed.privateKey).toString('base64url');
      expect(await outcome(v.verify(`${header}.${payload}.${signature}`, context()))).toBe(
        'could not decide: algorithm not supported',
      );
      const hs = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'key-ed' })).toString('base64url')}.${payload}.c2ln`;
      expect(await outcome(v.verify(hs, context()))).toBe('invalid'); // HS* against a public key set: key confusion, a forgery
    } finally {
      await server.close();
    }
  });
});

describe('JwtVerifier with a JWKS: outages', () => {
  let server: Loopback;
  let up: boolean;
  beforeEach(async () => {
    up = true;
    server = await startLoopback((_req, res) =>
      up ? json(res, 200, { keys: [jwk(A.publicKey, 'key-a')] }) : json(res, 503, 'down'),
    );
  });
  afterEach(() => server.close());
  const verifier = (options: object = {}) =>
    new JwtVerifier({
      jwksUri: `${server.url}/jwks`,
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      ...options,
    });

  it('serves the last good key set while it is within its maximum age, and cannot decide for an unknown kid meanwhile', async () => {
    const v = verifier();
    await v.verify(token(A.privateKey, 'key-a'), context());
    up = false;
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('valid');
    const error = await v.verify(token(B.privateKey, 'key-b'), context()).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CannotDecideError);
    expect(error).toMatchObject({
      reason: 'key set unavailable',
      check: expect.stringContaining('answered 503'),
      cause: expect.any(AuthorizationServerError),
    });
  });

  it('backs off after a failed fetch instead of fetching per request, and recovers', async () => {
    const v = verifier({ jwksMaxAgeMs: 100 });
    await v.verify(token(A.privateKey, 'key-a'), context());
    up = false;
    await sleep(150);
    const outcomes = [];
    for (let i = 0; i < 10; i += 1) outcomes.push(await outcome(v.verify(token(A.privateKey, 'key-a'), context())));
    expect(new Set(outcomes)).toEqual(new Set(['could not decide: key set unavailable']));
    expect(server.requests).toHaveLength(2); // the first, and one failed try: the other nine waited for the backoff
    up = true;
    await sleep(1100); // the first backoff is 1 s
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('valid');
  });

  it("shares a fetch without letting one caller's deadline abort it for the others, or count as an outage", async () => {
    await server.close();
    server = await startLoopback(
      (_req, res) => void setTimeout(() => json(res, 200, { keys: [jwk(A.publicKey, 'key-a')] }), 150),
    );
    const v = verifier();
    const hurried: VerificationContext = {
      family: 'custom',
      signal: AbortSignal.timeout(20),
      deadline: new Date(Date.now() + 20),
    };
    const [first, second] = await Promise.all([
      outcome(v.verify(token(A.privateKey, 'key-a'), hurried)),
      outcome(v.verify(token(A.privateKey, 'key-a'), context())),
    ]);
    expect(first).toBe('could not decide: key set unavailable'); // its own deadline passed
    expect(second).toBe('valid');
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('valid'); // no backoff: the endpoint did not fail
    expect(server.requests).toHaveLength(1);
  });

  it('could not decide, never invalid, on a cold start while the JWKS endpoint is down', async () => {
    up = false;
    expect(await outcome(verifier().verify(token(A.privateKey, 'key-a'), context()))).toBe(
      'could not decide: key set unavailable',
    );
  });
});

describe('JwksKeySet', () => {
  let server: Loopback;
  let cacheControl: string | undefined;
  beforeAll(async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        ...(cacheControl !== undefined ? { 'Cache-Control': cacheControl } : {}),
      });
      res.end(
        JSON.stringify({
          keys: [
            jwk(A.publicKey, 'key-a'),
            { kty: 'oct', k: 'c2VjcmV0', kid: 'symmetric' },
            jwk(B.publicKey, 'enc', { use: 'enc' }),
          ],
        }),
      );
    });
  });
  afterAll(() => server.close());

  it.each([
    ['no Cache-Control', undefined, 300_000],
    ['max-age=60', 'public, max-age=60', 60_000],
    ['max-age beyond the maximum age', 'max-age=86400', 300_000],
    ['max-age=0 (never below 10 s)', 'max-age=0', 10_000],
    ['no-store', 'no-store', 10_000],
  ])(
    "trusts a key set for its maximum age, shortened by the answer's Cache-Control: %s",
    async (_name, header, lifetime) => {
      cacheControl = header;
      const set = await new JwksKeySet(`${server.url}/jwks`).current();
      expect(set.expiresAt - set.fetchedAt).toBe(lifetime);
    },
  );

  it('keeps only public signing keys', async () => {
    cacheControl = undefined;
    const set = await new JwksKeySet(`${server.url}/jwks`).current();
    expect(set.keys.map((key) => key.kid)).toEqual(['key-a']);
  });
});

describe('JwtVerifier with a JWKS: weak keys', () => {
  const Weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
  let server: Loopback;
  let keys: object[];
  beforeEach(async () => {
    server = await startLoopback((_req, res) => json(res, 200, { keys }));
  });
  afterEach(() => server.close());
  const verifier = () =>
    new JwtVerifier({ jwksUri: `${server.url}/jwks`, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });

  it('leaves an RSA key under 2048 bits out of the set, and cannot decide for a token it signed (never valid)', async () => {
    keys = [jwk(Weak.publicKey, 'weak'), jwk(A.publicKey, 'key-a')];
    const v = verifier();
    expect(await outcome(v.verify(token(Weak.privateKey, 'weak'), context()))).toBe(
      'could not decide: weak signing key',
    );
    expect(await outcome(v.verify(token(Weak.privateKey), context()))).toBe('could not decide: weak signing key'); // no kid: the weak key could have signed it
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('valid');
    const set = await new JwksKeySet(`${server.url}/jwks`).current();
    expect(set.keys.map((key) => key.kid)).toEqual(['key-a']);
    expect(set.leftOut).toEqual([{ kid: 'weak', why: 'weak', key: expect.anything() }]);
    expect(await v.verify(token(C.privateKey), context())).toEqual(rejected('bad signature')); // a forgery without kid: the weak key does not verify it either
  });

  it('tells the operator why, without the token, when a token of a weak key comes', async () => {
    keys = [jwk(Weak.publicKey, 'weak'), jwk(A.publicKey, 'key-a')];
    const weakToken = token(Weak.privateKey, 'weak');
    const error = await verifier()
      .verify(weakToken, context())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CannotDecideError);
    expect((error as Error).message).toMatch(/RSA key under 2048 bits/);
    expect((error as Error).message).not.toContain(weakToken);
  });

  it('has no usable key set when every key is weak, and says so', async () => {
    keys = [jwk(Weak.publicKey, 'weak')];
    const error = await verifier()
      .verify(token(Weak.privateKey, 'weak'), context())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CannotDecideError);
    expect((error as CannotDecideError).reason).toBe('key set unavailable');
    expect((error as Error).message).toMatch(/under 2048 bits/);
  });
});

describe('JwtVerifier with a JWKS: a cached copy is as old as its content', () => {
  let server: Loopback;
  let keys: object[];
  let headers: Record<string, string>;
  beforeEach(async () => {
    headers = {};
    server = await startLoopback((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify({ keys }));
    });
  });
  afterEach(() => server.close());
  const verifier = () =>
    new JwtVerifier({ jwksUri: `${server.url}/jwks`, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });

  it('asks for a fresh copy when it refetches (Cache-Control: no-cache), not on its routine fetch', async () => {
    keys = [jwk(A.publicKey, 'key-a')];
    const v = verifier();
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe('valid');
    keys = [jwk(B.publicKey, 'key-b')];
    expect(await outcome(v.verify(token(B.privateKey, 'key-b'), context()))).toBe('valid');
    expect(server.requests.map((request) => request.headers['cache-control'])).toEqual([undefined, 'no-cache']);
  });

  it('cannot decide for a new kid when the refetch brings a 15-minute-old copy (Age: 900) without it, and proves it invalid on a fresh one', async () => {
    keys = [jwk(A.publicKey, 'key-a')];
    headers = { Age: '900' };
    const v = verifier();
    expect(await outcome(v.verify(token(B.privateKey, 'key-b'), context()))).toBe(
      'could not decide: unknown signing key, key set copy stale',
    );
    headers = {};
    expect(await v.verify(token(B.privateKey, 'key-b'), context())).toEqual(rejected('unknown signing key'));
  });

  it("dates a set by its content: the fetch less the copy's age, by its Age or its Date, whichever is more", async () => {
    keys = [jwk(A.publicKey, 'key-a')];
    const date = new Date(Math.floor(Date.now() / 1000) * 1000 - 600_000);
    headers = { Age: '60', Date: date.toUTCString() };
    const set = await new JwksKeySet(`${server.url}/jwks`).current();
    expect(set.fetchedAt - set.contentAt).toBeGreaterThanOrEqual(600_000);
    expect(set.fetchedAt - set.contentAt).toBeLessThan(601_000);
    headers = { Age: '90' };
    const aged = await new JwksKeySet(`${server.url}/jwks`).current();
    expect(aged.fetchedAt - aged.contentAt).toBe(90_000);
  });

  it('takes a copy as at most an hour old, whatever its Date says (a frozen Date strands no dead token)', async () => {
    keys = [jwk(A.publicKey, 'key-a')];
    headers = { Date: new Date(Date.now() - 86_400_000).toUTCString() };
    const set = await new JwksKeySet(`${server.url}/jwks`).current();
    expect(set.fetchedAt - set.contentAt).toBe(3_600_000);
    const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() - 2 * 3_600_000); // issued two hours ago
    const dead = token(B.privateKey, 'key-b');
    clock.mockRestore();
    expect(await verifier().verify(dead, context())).toEqual(rejected('unknown signing key'));
  });

  it('proves a dead token invalid behind a cache that always answers with an Age (a CDN that ignores no-cache)', async () => {
    headers = { Age: '5' };
    keys = [jwk(A.publicKey, 'key-a')];
    const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() - 3_600_000); // issued an hour ago, by a key since withdrawn
    const withKid = token(B.privateKey, 'key-b');
    const withoutKid = token(B.privateKey);
    clock.mockRestore();
    const v = verifier();
    expect(await v.verify(withKid, context())).toEqual(rejected('unknown signing key'));
    expect(await v.verify(withoutKid, context())).toEqual(rejected('bad signature'));
  });

  it("cannot decide when the copy's Date is older than the token's iat (a cache that sends no Age), and proves it invalid once it is not", async () => {
    keys = [jwk(A.publicKey, 'key-a')];
    headers = { Date: new Date(Date.now() - 900_000).toUTCString() };
    const v = verifier();
    const newToken = token(B.privateKey, 'key-b');
    expect(await outcome(v.verify(newToken, context()))).toBe(
      'could not decide: unknown signing key, key set copy stale',
    );
    headers = { Date: new Date().toUTCString() };
    expect(await v.verify(newToken, context())).toEqual(rejected('unknown signing key'));
  });

  it("keeps proving a token issued long before the copy invalid, whatever the copy's Date", async () => {
    keys = [jwk(A.publicKey, 'key-a')];
    headers = { Date: new Date(Date.now() - 900_000).toUTCString() };
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now - 3_600_000); // issued an hour ago
    const old = token(B.privateKey, 'key-b');
    clock.mockRestore();
    expect(await verifier().verify(old, context())).toEqual(rejected('unknown signing key'));
  });
});

describe('JwtVerifier with a JWKS picks keys as jose does', () => {
  let server: Loopback;
  let keys: object[];
  beforeEach(async () => {
    server = await startLoopback((_req, res) => json(res, 200, { keys }));
  });
  afterEach(() => server.close());
  const verifier = () =>
    new JwtVerifier({ jwksUri: `${server.url}/jwks`, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });

  it.each([
    ['key_ops without verify', { key_ops: ['encrypt'] }],
    ['key_ops that is not a list', { key_ops: 'verify' }],
    ['use enc', { use: 'enc' }],
  ])(
    'never verifies with a key published for another use (%s): its own tokens could not decide, forgeries naming it invalid',
    async (_name, extra) => {
      keys = [jwk(A.publicKey, 'key-a', extra), jwk(B.publicKey, 'key-b')];
      expect(await outcome(verifier().verify(token(A.privateKey, 'key-a'), context()))).toBe(
        'could not decide: key published for another use',
      );
      expect(await outcome(verifier().verify(token(C.privateKey, 'key-a'), context()))).toBe('invalid');
    },
  );

  it.each([
    ['key_ops naming sign besides verify (a public key imports for verify only)', { key_ops: ['verify', 'sign'] }],
    ['key_ops naming verify twice', { key_ops: ['verify', 'verify'] }],
    ['an ext that is not a boolean', { ext: 'true' }],
    ['an alg that is not a string', { alg: 5 }],
    ['its private half published', A.privateKey.export({ format: 'jwk' })],
  ])(
    'never verifies with a key jose would not use either (%s), and cannot decide for its tokens rather than call them forged',
    async (_name, extra) => {
      keys = [jwk(A.publicKey, 'key-a', extra), jwk(B.publicKey, 'key-b')];
      expect(await outcome(verifier().verify(token(A.privateKey, 'key-a'), context()))).toBe(
        'could not decide: unusable signing key',
      );
      expect(await outcome(verifier().verify(token(C.privateKey, 'key-a'), context()))).toBe('invalid'); // a forgery naming it: proven
      expect(await outcome(verifier().verify(token(B.privateKey, 'key-b'), context()))).toBe('valid');
    },
  );

  it('could not decide, as jose refuses the whole key set, when a member of the set is not an object', async () => {
    keys = [jwk(A.publicKey, 'key-a'), 'key-b' as unknown as object];
    expect(await outcome(verifier().verify(token(A.privateKey, 'key-a'), context()))).toBe(
      'could not decide: key set unavailable',
    );
  });

  it('verifies with a key whose key_ops include verify', async () => {
    keys = [jwk(A.publicKey, 'key-a', { key_ops: ['verify'] })];
    expect(await outcome(verifier().verify(token(A.privateKey, 'key-a'), context()))).toBe('valid');
  });

  it("does not try a token whose kid is absent from the set against the set's keys without kid", async () => {
    keys = [jwk(A.publicKey)];
    const v = verifier();
    expect(await outcome(v.verify(token(A.privateKey, 'key-elsewhere'), context()))).toBe(
      'could not decide: kid not published',
    ); // never valid, as in jose; never invalid either
    expect(await v.verify(token(C.privateKey, 'key-elsewhere'), context())).toEqual(rejected('unknown signing key'));
    expect(await outcome(v.verify(token(A.privateKey), context()))).toBe('valid'); // no kid: every key is tried
  });

  it("cannot decide for a token its key signed whose payload is not UTF-8 (the server's token, in a form we cannot read)", async () => {
    keys = [jwk(A.publicKey, 'key-a')];
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'key-a', typ: 'JWT' })).toString('base64url');
    const claims = `{"iss":"${ISSUER}","aud":"${AUDIENCE}","sub":"\u00ff","exp":${Math.floor(Date.now() / 1000) + 600}}`;
    const bytes = Buffer.from(claims, 'latin1'); // \u00ff as one byte 0xff: not UTF-8
    const payload = bytes.toString('base64url');
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), A.privateKey).toString('base64url');
    expect(await outcome(verifier().verify(`${header}.${payload}.${signature}`, context()))).toBe(
      'could not decide: unreadable claims',
    );
    const forged = sign('sha256', Buffer.from(`${header}.${payload}`), B.privateKey).toString('base64url');
    expect(await outcome(verifier().verify(`${header}.${payload}.${forged}`, context()))).toBe('invalid');
  });

  it('cannot decide, never invalid, for a genuine token naming a kid the set publishes only without one', async () => {
    keys = [jwk(A.publicKey), jwk(B.publicKey, 'key-b')];
    const v = verifier();
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe(
      'could not decide: kid not published',
    );
    expect(await v.verify(token(C.privateKey, 'key-a'), context())).toEqual(rejected('unknown signing key'));
  });

  it('cannot decide for a token signed by a key published for another use, and proves a forgery naming it invalid', async () => {
    keys = [jwk(A.publicKey, 'key-a', { use: 'enc' }), jwk(B.publicKey, 'key-b')];
    const v = verifier();
    expect(await outcome(v.verify(token(A.privateKey, 'key-a'), context()))).toBe(
      'could not decide: key published for another use',
    );
    expect(await v.verify(token(C.privateKey, 'key-a'), context())).toEqual(rejected('unknown signing key'));
  });
});

const jwkOf = (kid: string, key = rsa.publicKey) => ({
  ...key.export({ format: 'jwk' }),
  kid,
  alg: 'RS256',
  use: 'sig',
});

describe('JwtVerifier with a JWKS URL', () => {
  let jwks: Loopback;
  let keys: object[];
  beforeEach(async () => {
    keys = [jwkOf('key-a')];
    jwks = await startLoopback((_req, res) => json(res, 200, { keys }));
  });
  afterEach(() => jwks.close());
  const verifier = (options: { jwksCooldownMs?: number; jwksRefetchBurst?: number } = {}) =>
    new JwtVerifier({
      jwksUri: `${jwks.url}/jwks`,
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      ...options,
    });

  it('says valid for a token signed with a published key, fetching the key set once', async () => {
    const v = verifier();
    expect((await v.verify(rsToken({ keyId: 'key-a' }), context())).outcome).toBe('valid');
    expect((await v.verify(rsToken({ keyId: 'key-a' }), context())).outcome).toBe('valid');
    expect(jwks.requests).toHaveLength(1);
  });

  it('refetches for an unknown kid, and finds a rotated key at once', async () => {
    const v = verifier();
    await v.verify(rsToken({ keyId: 'key-a' }), context());
    const { generateKeyPairSync } = await import('node:crypto');
    const next = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = [jwkOf('key-b', next.publicKey), jwkOf('key-a')];
    const token = mintAccessToken({
      key: next.privateKey,
      algorithm: 'RS256',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'rider-42',
      keyId: 'key-b',
    });
    expect((await v.verify(token, context())).outcome).toBe('valid');
    expect(jwks.requests).toHaveLength(2);
  });

  it('says invalid for unknown kids only on a key set fetched after the token was seen, and "could not decide" once the refetches are spent', async () => {
    const v = verifier({ jwksRefetchBurst: 2 });
    await v.verify(rsToken({ keyId: 'key-a' }), context());
    for (const kid of ['x', 'y']) {
      const verdict = await v.verify(rsToken({ keyId: kid }), context());
      expect(verdict).toEqual({ outcome: 'invalid', reason: 'unknown signing key', knowledgeAt: expect.any(Date) });
    }
    await expect(v.verify(rsToken({ keyId: 'z' }), context())).rejects.toMatchObject({
      name: 'CannotDecideError',
      reason: 'unknown signing key, key set refresh rate-limited',
    });
    expect(jwks.requests).toHaveLength(3);
  });

  it('coalesces concurrent fetches into one', async () => {
    const v = verifier();
    await Promise.all(Array.from({ length: 10 }, () => v.verify(rsToken({ keyId: 'key-a' }), context())));
    expect(jwks.requests).toHaveLength(1);
  });

  it('keeps the last good key set when a refetch fails', async () => {
    const v = verifier();
    await v.verify(rsToken({ keyId: 'key-a' }), context());
    jwks.route = (_req, res) => json(res, 503, 'down');
    expect((await v.verify(rsToken({ keyId: 'key-a' }), context())).outcome).toBe('valid');
    const error = await v.verify(rsToken({ keyId: 'key-new' }), context()).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CannotDecideError);
    expect(findCause(error, AuthorizationServerError)).toMatchObject({ status: 503 });
  });

  it.each([
    ['answers 500', (_req: unknown, res: any) => json(res, 500, {})],
    ['answers HTML', (_req: unknown, res: any) => json(res, 200, '<html>')],
    [
      'answers no usable key',
      (_req: unknown, res: any) => json(res, 200, { keys: [{ kty: 'oct', k: 'abc', kid: 'k' }] }),
    ],
  ])(
    'could not decide (throws, "key set unavailable") when the JWKS endpoint %s, never invalid',
    async (_name, route) => {
      jwks.route = route;
      const error = await verifier()
        .verify(rsToken({ keyId: 'key-a' }), context())
        .catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({
        name: 'CannotDecideError',
        reason: 'key set unavailable',
        cause: expect.any(AuthorizationServerError),
      });
    },
  );

  it('is undecided by the deadline when the JWKS endpoint hangs', async () => {
    jwks.route = () => undefined; // never answers
    const decision = await decide(found(rsToken({ keyId: 'key-a' })), verifier(), {
      family: 'directive',
      budgetMs: 200,
    });
    expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierTimeoutError) });
  });

  it('refuses a token whose alg is not allowed before fetching keys', async () => {
    const token = mintAccessToken({
      key: 'a-test-secret-that-is-long-enough-for-hs256',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 's',
    });
    expect(await verifier().verify(token, context())).toEqual({ outcome: 'invalid', reason: 'algorithm not allowed' });
    expect(jwks.requests).toHaveLength(0);
  });
});
