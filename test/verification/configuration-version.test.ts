/** lib/verification/configuration-version.ts: a short, stable hash of the settings a verifier's verdicts rest on. */
import { createHash } from 'node:crypto';
import { configurationDigest, sha256Hex } from '../../lib/verification/configuration-version';

describe('sha256Hex', () => {
  it('is the SHA-256 of a string or of bytes, in hex', () => {
    const expected = createHash('sha256').update('abc').digest('hex');
    expect(sha256Hex('abc')).toBe(expected);
    expect(sha256Hex(Buffer.from('abc'))).toBe(expected);
  });
});

describe('configurationDigest', () => {
  const settings = {
    issuer: 'https://auth.example.test/',
    audiences: ['a', 'b'],
    clockToleranceSeconds: 5,
    key: { kind: 'secret', keySha256: sha256Hex('s3cret-value') },
  };

  it('is 16 hex digits, the same for the same settings', () => {
    const digest = configurationDigest(settings);
    expect(digest).toMatch(/^[0-9a-f]{16}$/);
    expect(configurationDigest(structuredClone(settings))).toBe(digest);
  });

  it('does not depend on the order of object keys, at any depth', () => {
    const reordered = {
      key: { keySha256: settings.key.keySha256, kind: 'secret' },
      clockToleranceSeconds: 5,
      audiences: ['a', 'b'],
      issuer: settings.issuer,
    };
    expect(configurationDigest(reordered)).toBe(configurationDigest(settings));
  });

  it('leaves undefined settings out, and tells null from absent', () => {
    expect(configurationDigest({ ...settings, extra: undefined })).toBe(configurationDigest(settings));
    expect(configurationDigest({ ...settings, extra: null })).not.toBe(configurationDigest(settings));
  });

  it('keeps arrays in order: the caller sorts those whose order means nothing', () => {
    expect(configurationDigest({ ...settings, audiences: ['b', 'a'] })).not.toBe(configurationDigest(settings));
  });

  it('is another digest for any other value', () => {
    const others = [
      { issuer: 'https://auth.example.test' },
      { clockToleranceSeconds: 6 },
      { clockToleranceSeconds: '5' },
      { audiences: ['a'] },
    ];
    const digests = others.map((change) => configurationDigest({ ...settings, ...change }));
    expect(new Set([configurationDigest(settings), ...digests]).size).toBe(others.length + 1);
  });

  it('holds no secret it was given a hash of, in any encoding', () => {
    const secret = 's3cret-value';
    const digest = configurationDigest(settings);
    for (const form of [
      secret,
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('hex'),
      sha256Hex(secret).slice(0, 16),
    ]) {
      expect(digest).not.toContain(form);
    }
  });
});
