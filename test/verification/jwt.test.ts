import { createHmac } from 'node:crypto';
import { ConfigurationError, JwtVerifier } from '../../lib';
import {
  AUDIENCE, craftToken, ecPublicPem, esToken, hsToken, ISSUER, rsa, rsaPublicPem, rsaSign, rsToken, SECRET, validClaims,
} from '../support/fixtures';

const context = { family: 'custom' as const, signal: new AbortController().signal, deadline: new Date(Date.now() + 3000) };

describe('JwtVerifier with a shared secret (HS256)', () => {
  const verifier = new JwtVerifier({ secret: SECRET, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });

  it('says valid for a token of the right issuer and audience, with the subject as linked user', async () => {
    const verdict = await verifier.verify(hsToken(), context);
    expect(verdict).toMatchObject({ outcome: 'valid', principal: { subject: 'rider-42', claims: { name: 'Ada' } } });
    expect(verdict.outcome === 'valid' && verdict.expiresAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('says expired for a token past its exp', async () => {
    expect(await verifier.verify(hsToken({ expiresInSeconds: -60 }), context)).toEqual({ outcome: 'expired' });
  });

  it('forgives a few seconds of clock skew on exp', async () => {
    expect((await verifier.verify(hsToken({ expiresInSeconds: -2 }), context)).outcome).toBe('valid');
  });

  it.each([
    ['not yet valid (nbf in the future)', () => hsToken({ notBeforeSeconds: 600 }), 'not yet valid'],
    ['for another audience', () => hsToken({ audience: 'someone-else' }), 'wrong audience'],
    ['from another issuer', () => hsToken({ issuer: 'https://evil.test/' }), 'wrong issuer'],
    ['signed with another secret', () => hsToken({ key: 'another-secret-that-is-long-enough-for-hs256' }), 'bad signature'],
    ['with a tampered payload', () => tamper(hsToken()), 'bad signature'],
    ['unsigned (alg: none)', () => craftToken({ alg: 'none', typ: 'JWT' }, validClaims()), 'unsigned token'],
    ['garbage', () => 'this is not a jwt', 'malformed'],
    ['the empty string', () => '', 'malformed'],
    ['without a subject', () => craftToken({ alg: 'HS256' }, validClaims({ sub: undefined }), hmac), 'no linked user in claims'],
    ['longer than the cap', () => 'a'.repeat(9000), 'token too long'],
  ])('says invalid for a token %s', async (_name, token, reason) => {
    expect(await verifier.verify(token(), context)).toEqual({ outcome: 'invalid', reason });
  });

  it('says invalid, not valid, for an RS256 token when only HS256 is allowed', async () => {
    expect(await verifier.verify(rsToken(), context)).toMatchObject({ outcome: 'invalid' });
  });
});

describe('JwtVerifier with a PEM public key (RS256, ES256)', () => {
  const verifier = new JwtVerifier({ publicKey: rsaPublicPem, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });

  it('says valid for an RS256 token signed by the matching private key', async () => {
    expect(await verifier.verify(rsToken(), context)).toMatchObject({ outcome: 'valid', principal: { subject: 'rider-42' } });
  });

  it('says valid for an ES256 token when the key is an EC key', async () => {
    const es = new JwtVerifier({ publicKey: ecPublicPem, algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE });
    expect(await es.verify(esToken(), context)).toMatchObject({ outcome: 'valid' });
  });

  it('says invalid for HS256 signed with the RS256 public key as the secret (key confusion)', async () => {
    const forged = craftToken({ alg: 'HS256', typ: 'JWT' }, validClaims(), (input) => createHmac('sha256', rsaPublicPem).update(input).digest());
    expect(await verifier.verify(forged, context)).toMatchObject({ outcome: 'invalid' });
  });

  it('says invalid for alg: none', async () => {
    expect(await verifier.verify(craftToken({ alg: 'none' }, validClaims()), context)).toMatchObject({ outcome: 'invalid' });
  });

  it('says invalid for an RS256 token signed by another key', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = craftToken({ alg: 'RS256' }, validClaims(), (input) => rsaSign(input, other.privateKey));
    expect(await verifier.verify(forged, context)).toEqual({ outcome: 'invalid', reason: 'bad signature' });
  });

  it('says expired for an expired RS256 token', async () => {
    expect(await verifier.verify(rsToken({ expiresInSeconds: -3600 }), context)).toEqual({ outcome: 'expired' });
  });

  it('maps claims to the linked user with toLinkedUser', async () => {
    const custom = new JwtVerifier({
      publicKey: rsa.publicKey, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE,
      toLinkedUser: (claims) => ({ riderId: claims.sub }),
    });
    expect(await custom.verify(rsToken(), context)).toMatchObject({ outcome: 'valid', principal: { riderId: 'rider-42' } });
  });
});

describe('JwtVerifier configuration', () => {
  const base = { issuer: ISSUER, audience: AUDIENCE };

  it.each([
    ['no issuer', () => new JwtVerifier({ ...base, issuer: '', secret: SECRET, algorithms: ['HS256'] }), /issuer/],
    ['no audience', () => new JwtVerifier({ ...base, audience: [] as unknown as [string], secret: SECRET, algorithms: ['HS256'] }), /audience/],
    ['an empty algorithm allowlist', () => new JwtVerifier({ ...base, secret: SECRET, algorithms: [] as unknown as ['HS256'] }), /algorithm/],
    ['a short secret', () => new JwtVerifier({ ...base, secret: 'short', algorithms: ['HS256'] }), /at least 32 bytes/],
    ['a secret with RS256', () => new JwtVerifier({ ...base, secret: SECRET, algorithms: ['RS256'] as unknown as ['HS256'] }), /HS256/],
    ['a public key with HS256', () => new JwtVerifier({ ...base, publicKey: rsaPublicPem, algorithms: ['HS256'] as unknown as ['RS256'] }), /RS\*/],
    ['both a secret and a key', () => new JwtVerifier({ ...base, secret: SECRET, publicKey: rsaPublicPem, algorithms: ['HS256'] } as never), /exactly one/],
    ['a public key that is not PEM', () => new JwtVerifier({ ...base, publicKey: 'not a key', algorithms: ['RS256'] }), /not a PEM/],
  ])('refuses %s with a ConfigurationError', (_name, create, message) => {
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
  });
});

function hmac(input: string): Buffer {
  return createHmac('sha256', SECRET).update(input).digest();
}

function tamper(token: string): string {
  const [header, , signature] = token.split('.');
  const payload = Buffer.from(JSON.stringify({ ...validClaims(), sub: 'someone-else' })).toString('base64url');
  return `${header}.${payload}.${signature}`;
}
