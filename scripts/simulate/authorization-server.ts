/** The virtual authorization server: its signing keys, the access tokens it issues (minted lazily), its clock, and its JWKS URL. */
import {
  createHmac,
  createPrivateKey,
  createSecretKey,
  generateKeyPairSync,
  sign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

export const ISSUER = 'https://auth.simulated.example/';
export const AUDIENCE = 'simulated-smart-home-skill';
export const JWKS_URI = 'https://auth.simulated.example/.well-known/jwks.json';
/** An access token's life by default, as the token response's `expires_in` tells Alexa. */
export const TOKEN_LIFE_MS = 3_600_000;
/**
 * The simulated server's public keys are ECDSA P-256 (ES256): a signature costs a few tens of
 * microseconds, where an RSA 2048 one costs ~0.4 ms, and every request of the million profile needs
 * a new token. The verifier's code path is the same for both (a public key or a JWKS); only the
 * simulation's speed depends on the choice, never a verdict.
 */

/** A key the server signs with (and what a skill would be configured with to verify it). */
export interface SigningKey {
  /** A name for the reports: `secret-a`, `es-a`, ... */
  name: string;
  alg: 'HS256' | 'ES256';
  /** The `kid` put in the header (ES256 keys only). */
  kid?: string;
  /** The key that signs. */
  signer: KeyObject;
  /** HS256: the shared secret, as the skill is configured with it. */
  secret?: string;
  /** ES256: the public key in PEM, as `JWT_PUBLIC_KEY` would hold it. */
  publicPem?: string;
  /** ES256: the public key as a JWK, as the JWKS publishes it. */
  jwk?: JsonWebKey;
}

function secretKey(name: string, secret: string): SigningKey {
  return { name, alg: 'HS256', signer: createSecretKey(Buffer.from(secret)), secret };
}

function ecKey(name: string, kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    name,
    alg: 'ES256',
    kid,
    signer: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' },
  };
}

/** Every key a scenario may use, made once per process (key generation is the slow part). */
export interface Keyring {
  secretA: SigningKey;
  /** A wholly wrong secret: what a bad deploy puts in `JWT_SECRET`. */
  secretWrong: SigningKey;
  keyA: SigningKey;
  keyB: SigningKey;
  /** A public key of nobody's: what a bad deploy puts in `JWT_PUBLIC_KEY`. */
  keyWrong: SigningKey;
}

let keyring: Keyring | undefined;
export function keys(): Keyring {
  return (keyring ??= {
    secretA: secretKey('secret-a', 'simulated-secret-a-that-is-long-enough-for-hs256'),
    secretWrong: secretKey('secret-wrong', 'simulated-secret-WRONG-that-is-long-enough-for-hs256'),
    keyA: ecKey('es-a', 'key-a'),
    keyB: ecKey('es-b', 'key-b'),
    keyWrong: ecKey('es-wrong', 'key-wrong'),
  });
}

/** One access token as issued: minted into a JWT only when a request first carries it. */
export interface IssuedToken {
  /** When it was issued, by the true clock (ms). */
  issuedAt: number;
  /** When Alexa believes it expires (issuedAt + expires_in), by the true clock: Alexa refreshes 60 s before. */
  alexaExpiresAt: number;
  /** The `exp` claim, in seconds since the epoch (the issuer's clock may differ from the true one). */
  exp: number;
  iat: number;
  key: SigningKey;
  subject: string;
  serial: number;
  jwt?: string;
}

/** The authorization server of the simulation: what it signs with now, its clock, and what its JWKS URL answers. */
export class AuthorizationServer {
  /** The key each user's next token is signed with (by user index). */
  signingKeyFor: (user: number) => SigningKey;
  /** How far the issuer's clock is from the true one, in ms (negative: behind). */
  issuerClockOffsetMs = 0;
  /** The keys the JWKS publishes now. */
  published: SigningKey[] = [];
  /** Until this time (true clock), the JWKS URL answers `staleCopy` instead of `published`. */
  staleUntil = -Infinity;
  staleCopy: SigningKey[] = [];
  /** Tokens issued, and JWTs actually minted (signed). */
  issued = 0;
  minted = 0;
  jwksFetches = 0;

  constructor(
    initialKey: SigningKey,
    /** An access token's life (its `expires_in`), ms. */
    readonly tokenLifeMs: number = TOKEN_LIFE_MS,
  ) {
    this.signingKeyFor = () => initialKey;
  }

  /** A new access token for `user` at `now` (true clock). */
  issue(user: number, now: number): IssuedToken {
    const iat = Math.floor((now + this.issuerClockOffsetMs) / 1000);
    this.issued++;
    return {
      issuedAt: now,
      alexaExpiresAt: now + this.tokenLifeMs,
      iat,
      exp: iat + this.tokenLifeMs / 1000,
      key: this.signingKeyFor(user),
      subject: `user-${user}`,
      serial: this.issued,
    };
  }

  /** The token as a compact JWS (signed on first use). */
  jwtOf(token: IssuedToken): string {
    if (token.jwt !== undefined) return token.jwt;
    const { key } = token;
    const header = { alg: key.alg, typ: 'JWT', ...(key.kid ? { kid: key.kid } : {}) };
    const payload = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: token.subject,
      iat: token.iat,
      exp: token.exp,
      jti: `t${token.serial}`,
    };
    const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
    const signature =
      key.alg === 'HS256'
        ? createHmac('sha256', key.signer).update(input).digest()
        : sign('sha256', Buffer.from(input), { key: key.signer, dsaEncoding: 'ieee-p1363' });
    this.minted++;
    return (token.jwt = `${input}.${signature.toString('base64url')}`);
  }

  /** What the JWKS URL answers at `now`. */
  jwksAt(now: number): { keys: JsonWebKey[] } {
    const keys = now < this.staleUntil ? this.staleCopy : this.published;
    return { keys: keys.map((key) => key.jwk!) };
  }

  /**
   * Stubs the global `fetch` for {@link JWKS_URI} only (answered from this server at the clock's
   * time); every other URL goes to the real fetch. Returns the function that restores it.
   */
  installFetch(now: () => number): () => void {
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url !== JWKS_URI) return realFetch(input, init);
      this.jwksFetches++;
      return new Response(JSON.stringify(this.jwksAt(now())), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch;
    return () => {
      globalThis.fetch = realFetch;
    };
  }
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}
