/** Keys, tokens and a recording logger shared by the tests. */
import { generateKeyPairSync, createSign, type KeyObject } from 'node:crypto';
import type { Logger } from '../../lib';
import { mintAccessToken, type MintOptions } from '../../lib/testing';

export const ISSUER = 'https://auth.ride-hailer.test/';
export const AUDIENCE = 'ride-hailer-alexa-skill';
export const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

export const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
export const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
export const ecPublicPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();

type Mint = Partial<Omit<MintOptions, 'key'>> & { key?: MintOptions['key'] };

/** An HS256 token for {@link SECRET}, valid for an hour unless told otherwise. */
export function hsToken(options: Mint = {}): string {
  return mintAccessToken({
    key: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: 'rider-42',
    claims: { name: 'Ada' },
    ...options,
  });
}

export function rsToken(options: Mint = {}): string {
  return mintAccessToken({
    key: rsa.privateKey,
    algorithm: 'RS256',
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: 'rider-42',
    ...options,
  });
}

export function esToken(options: Mint = {}): string {
  return mintAccessToken({
    key: ec.privateKey,
    algorithm: 'ES256',
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: 'rider-42',
    ...options,
  });
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A JWT with whatever header and payload, signed by `sign` over `header.payload` (or unsigned). */
export function craftToken(header: object, payload: object, sign?: (input: string) => Buffer): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${sign ? b64url(sign(input)) : ''}`;
}

export function validClaims(extra: object = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: AUDIENCE, sub: 'rider-42', iat: now, exp: now + 3600, ...extra };
}

export function rsaSign(input: string, key: KeyObject = rsa.privateKey): Buffer {
  return createSign('RSA-SHA256').update(input).sign(key);
}

/** A logger that keeps every line, as the JSON logger would write it. */
export function recordingLogger(): Logger & { lines: string[]; text(): string } {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push(JSON.stringify({ level, message, ...fields }));
  return {
    lines,
    text: () => lines.join('\n'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
