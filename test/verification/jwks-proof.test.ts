/** lib/verification/jwks-proof.ts: when a failed check against a key set is proof about a token, and keys we do not accept with. */
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { candidateKeys, provesAbout, signedByUntrustedKey, untrustedKeyError } from '../../lib/verification/jwks-proof';
import type { JwksKey, KeySet, LeftOutKey } from '../../lib/verification/jwks-options';

const published = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function token(privateKey: KeyObject, claims: object = { sub: 's' }, kid?: string): string {
  const input = `${part({ alg: 'RS256', ...(kid ? { kid } : {}) })}.${part(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}
function set(
  keys: JwksKey[],
  leftOut: LeftOutKey[] = [],
  times: Partial<Pick<KeySet, 'fetchedAt' | 'contentAt'>> = {},
): KeySet {
  const fetchedAt = times.fetchedAt ?? 1_000_000;
  return { keys, leftOut, fetchedAt, contentAt: times.contentAt ?? fetchedAt, expiresAt: fetchedAt + 300_000 };
}

describe('candidateKeys', () => {
  const keys: JwksKey[] = [
    { kid: 'a', key: published.publicKey },
    { kid: 'b', alg: 'PS256', key: other.publicKey },
    { kid: 'c', key: p256.publicKey },
    { key: other.publicKey },
  ];

  it('with a kid, tries only the keys of that kid that fit the alg', () => {
    expect(candidateKeys(keys, 'RS256', 'a')).toEqual([keys[0]]);
    expect(candidateKeys(keys, 'RS256', 'c')).toEqual([]); // an EC key
    expect(candidateKeys(keys, 'RS256', 'b')).toEqual([]); // it names another alg
  });

  it('without a kid, tries every key that fits the alg', () => {
    expect(candidateKeys(keys, 'RS256', undefined)).toEqual([keys[0], keys[3]]);
    expect(candidateKeys(keys, 'ES256', undefined)).toEqual([keys[2]]);
  });
});

describe('provesAbout', () => {
  const seenAt = 1_000_000;
  const issuedAt = (seconds: number) => token(published.privateKey, { sub: 's', iat: seconds });

  it('is false for a key set fetched before the token was seen', () => {
    expect(provesAbout(set([], [], { fetchedAt: seenAt - 1 }), seenAt, issuedAt(900), 5)).toBe(false);
  });

  it("is true for the origin's own answer fetched after the token was seen", () => {
    expect(provesAbout(set([], [], { fetchedAt: seenAt }), seenAt, issuedAt(seenAt / 1000), 5)).toBe(true);
  });

  it("for a cache's copy, is true only when its content is newer than the token's iat beyond the tolerance", () => {
    const copy = set([], [], { fetchedAt: seenAt + 1000, contentAt: 990_000 }); // content known current at 990 s
    expect(provesAbout(copy, seenAt, issuedAt(980), 5)).toBe(true); // 980 + 5 + 1 <= 990
    expect(provesAbout(copy, seenAt, issuedAt(984), 5)).toBe(true); // 990 s exactly
    expect(provesAbout(copy, seenAt, issuedAt(985), 5)).toBe(false); // may be signed by a key the copy lacks
    expect(provesAbout(copy, seenAt, issuedAt(980), 10)).toBe(false); // a wider tolerance
  });

  it('judges a token without a readable iat on the fetch alone, even against an old copy', () => {
    const copy = set([], [], { fetchedAt: seenAt + 1000, contentAt: 0 });
    expect(provesAbout(copy, seenAt, token(published.privateKey, { sub: 's' }), 5)).toBe(true);
    expect(provesAbout(copy, seenAt, token(published.privateKey, { sub: 's', iat: '999' }), 5)).toBe(true);
    expect(provesAbout(copy, seenAt, 'not-a-token', 5)).toBe(true);
  });
});

describe('signedByUntrustedKey', () => {
  it('names why a key left out of the set that verifies the token was left out', () => {
    expect(
      signedByUntrustedKey(
        set([], [{ kid: 'w', why: 'weak', key: weak.publicKey }]),
        token(weak.privateKey, {}, 'w'),
        'RS256',
        'w',
      ),
    ).toBe('weak');
    expect(
      signedByUntrustedKey(
        set([], [{ why: 'another use', key: other.publicKey }]),
        token(other.privateKey),
        'RS256',
        undefined,
      ),
    ).toBe('another use');
  });

  it('is undefined when the left-out key does not verify the token, has another kid, or names another alg', () => {
    const signed = token(other.privateKey, {}, 'x');
    expect(
      signedByUntrustedKey(set([], [{ kid: 'x', why: 'weak', key: weak.publicKey }]), signed, 'RS256', 'x'),
    ).toBeUndefined();
    expect(
      signedByUntrustedKey(set([], [{ kid: 'y', why: 'another use', key: other.publicKey }]), signed, 'RS256', 'x'),
    ).toBeUndefined();
    expect(
      signedByUntrustedKey(
        set([], [{ kid: 'x', alg: 'PS256', why: 'another use', key: other.publicKey }]),
        signed,
        'RS256',
        'x',
      ),
    ).toBeUndefined();
  });

  it("names a left-out key Node cannot read under the token's kid (we cannot tell), but not without a kid", () => {
    const unreadable: LeftOutKey = { kid: 'x', why: 'unusable' };
    expect(signedByUntrustedKey(set([], [unreadable]), token(other.privateKey, {}, 'x'), 'RS256', 'x')).toBe(
      'unusable',
    );
    expect(
      signedByUntrustedKey(set([], [{ why: 'unusable' }]), token(other.privateKey), 'RS256', undefined),
    ).toBeUndefined();
  });

  it('says "kid not published" for a token naming a kid the set lacks, verified by a published key without kid', () => {
    const keys = [{ key: other.publicKey }];
    expect(signedByUntrustedKey(set(keys), token(other.privateKey, {}, 'unpublished'), 'RS256', 'unpublished')).toBe(
      'kid not published',
    );
    expect(
      signedByUntrustedKey(set(keys), token(published.privateKey, {}, 'unpublished'), 'RS256', 'unpublished'),
    ).toBeUndefined(); // not its signature
    expect(
      signedByUntrustedKey(
        set([{ kid: 'unpublished', key: published.publicKey }, ...keys]),
        token(other.privateKey, {}, 'unpublished'),
        'RS256',
        'unpublished',
      ),
    ).toBeUndefined(); // the kid is published
  });
});

describe('untrustedKeyError', () => {
  it.each([
    ['weak', 'weak signing key', /RSA key under 2048 bits/],
    ['unusable', 'unusable signing key', /publish the public key alone, with key_ops \["verify"\] or none/],
    ['another use', 'key published for another use', /publish the signing key with use sig/],
    ['kid not published', 'kid not published', /publish the kid with the key/],
  ] as const)('says what to fix at the server for a %s key, naming the JWKS_URI', (why, reason, check) => {
    const error = untrustedKeyError(why, 'https://auth.example.test/jwks');
    expect(error).toMatchObject({ name: 'CannotDecideError', reason });
    expect(error.check).toMatch(check);
    expect(error.check).toContain('JWKS_URI (https://auth.example.test/jwks)');
  });
});
