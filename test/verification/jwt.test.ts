import { createHmac, createSecretKey, createSign } from 'node:crypto';
import { generateKeyPairSync } from 'node:crypto';
import { CannotDecideError, ConfigurationError, JwtVerifier, jwtVerifierFromEnvironment } from '../../lib';
import { mintAccessToken } from '../../lib/testing';
import {
  AUDIENCE,
  craftToken,
  ecPublicPem,
  esToken,
  hsToken,
  ISSUER,
  rsa,
  rsaPublicPem,
  rsaSign,
  rsToken,
  SECRET,
  validClaims,
} from '../support/fixtures';

const context = {
  family: 'custom' as const,
  signal: new AbortController().signal,
  deadline: new Date(Date.now() + 3000),
};

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
    [
      'signed with another secret',
      () => hsToken({ key: 'another-secret-that-is-long-enough-for-hs256' }),
      'bad signature',
    ],
    ['with a tampered payload', () => tamper(hsToken()), 'bad signature'],
    ['unsigned (alg: none)', () => craftToken({ alg: 'none', typ: 'JWT' }, validClaims()), 'unsigned token'],
    ['garbage', () => 'this is not a jwt', 'malformed'],
    ['the empty string', () => '', 'malformed'],
  ])('says invalid for a token %s', async (_name, token, reason) => {
    expect(await verifier.verify(token(), context)).toEqual({ outcome: 'invalid', reason });
  });

  // Signed by the key we trust, so the token is the server's: what does not fit is our setting, the
  // server's clock or our policy, and a user must not be unlinked for it.
  it.each([
    [
      'for another audience',
      () => hsToken({ audience: 'someone-else' }),
      'audience mismatch',
      /JWT_AUDIENCE \(the audience option\) is ride-hailer-alexa-skill, which none/,
    ],
    [
      'without an audience',
      () => craftToken({ alg: 'HS256' }, validClaims({ aud: undefined }), hmac),
      'audience mismatch',
      /carry no aud claim/,
    ],
    [
      'whose audience differs only in letter case',
      () => hsToken({ audience: AUDIENCE.toUpperCase() }),
      'audience mismatch',
      /only in letter case/,
    ],
    [
      'from another issuer',
      () => hsToken({ issuer: 'https://evil.test/' }),
      'issuer mismatch',
      /JWT_ISSUER \(the issuer option\) is https:\/\/auth.ride-hailer.test\/, but the tokens' iss is another/,
    ],
    [
      'without an issuer',
      () => craftToken({ alg: 'HS256' }, validClaims({ iss: undefined }), hmac),
      'issuer mismatch',
      /carry no iss claim/,
    ],
    [
      'not yet valid (nbf 10 minutes ahead)',
      () => hsToken({ notBeforeSeconds: 600 }),
      'token not yet valid',
      /JWT_CLOCK_TOLERANCE_SECONDS \(5 s\)/,
    ],
    [
      'without a subject',
      () => craftToken({ alg: 'HS256' }, validClaims({ sub: undefined }), hmac),
      'no user in token',
      /sub claim/,
    ],
    ['longer than maxTokenLength', () => 'a'.repeat(9000), 'token too long', /maxTokenLength \(8192 characters\)/],
    [
      'with exp as a string',
      () => craftToken({ alg: 'HS256' }, validClaims({ exp: 'tomorrow' }), hmac),
      'unreadable claims',
      /exp is not a number/,
    ],
    [
      'whose payload is an array',
      () => craftToken({ alg: 'HS256' }, [1, 2], hmac),
      'unreadable claims',
      /not a JSON object/,
    ],
    [
      'signed with HS384 when only HS256 is allowed',
      () => hsToken({ algorithm: 'HS384' }),
      'algorithm not allowed',
      /JWT_ALGORITHMS .* is HS256, but .* signs its tokens with HS384/,
    ],
  ])(
    'could not decide (CannotDecideError) for a token %s, naming what to check',
    async (_name, token, reason, check) => {
      const error = await verifier.verify(token(), context).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(CannotDecideError);
      expect(error).toMatchObject({ reason, check: expect.stringMatching(check) });
    },
  );

  it('checks the audience before the expiry: an expired token for another audience is not "expired"', async () => {
    await expect(
      verifier.verify(hsToken({ audience: 'someone-else', expiresInSeconds: -3600 }), context),
    ).rejects.toMatchObject({ reason: 'audience mismatch' });
  });

  it('checks the signature before anything else: a forged token for another audience is invalid', async () => {
    expect(
      await verifier.verify(
        hsToken({ audience: 'someone-else', key: 'another-secret-that-is-long-enough-for-hs256' }),
        context,
      ),
    ).toEqual({ outcome: 'invalid', reason: 'bad signature' });
  });

  it('says expired, not "not yet valid", for a token whose exp is past even if its nbf is ahead', async () => {
    expect(
      await verifier.verify(
        craftToken(
          { alg: 'HS256' },
          validClaims({ exp: Math.floor(Date.now() / 1000) - 60, nbf: Math.floor(Date.now() / 1000) + 600 }),
          hmac,
        ),
        context,
      ),
    ).toEqual({ outcome: 'expired' });
  });

  it("forgives a few seconds of clock skew on nbf (the issuer's clock a little ahead)", async () => {
    expect((await verifier.verify(hsToken({ notBeforeSeconds: 3 }), context)).outcome).toBe('valid');
  });

  it('reads the clock in whole seconds, as jose does: an nbf a fraction of a second beyond the tolerance could not decide, never valid', async () => {
    const second = Math.floor(Date.now() / 1000);
    const clock = jest.spyOn(Date, 'now').mockReturnValue(second * 1000 + 700);
    try {
      const token = craftToken({ alg: 'HS256' }, validClaims({ nbf: second + 5.5 }), hmac); // jose: 5.5 > 0 + 5, not yet valid
      await expect(verifier.verify(token, context)).rejects.toMatchObject({ reason: 'token not yet valid' });
      expect(
        (await verifier.verify(craftToken({ alg: 'HS256' }, validClaims({ nbf: second + 5 }), hmac), context)).outcome,
      ).toBe('valid');
    } finally {
      clock.mockRestore();
    }
  });

  it("forgives an iat a few seconds ahead of our clock, and could not decide beyond the tolerance (the issuer's clock, not the token)", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(
      (await verifier.verify(craftToken({ alg: 'HS256' }, validClaims({ iat: now + 3 }), hmac), context)).outcome,
    ).toBe('valid');
    const error = await verifier
      .verify(craftToken({ alg: 'HS256' }, validClaims({ iat: now + 120 }), hmac), context)
      .catch((e) => e);
    expect(error).toBeInstanceOf(CannotDecideError);
    expect([error.reason, error.check]).toEqual([
      'token issued in the future',
      expect.stringContaining('JWT_CLOCK_TOLERANCE_SECONDS'),
    ]);
  });

  it.each([
    ['beyond the Date range', 1e13],
    ['that overflows to Infinity', '1e400'],
  ])(
    'says valid, with no expiresAt, for a token whose exp is %s (decided, never "could not decide" forever)',
    async (_name, exp) => {
      const input = `${Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url')}.${Buffer.from(JSON.stringify(validClaims({ exp: 0 })).replace('"exp":0', `"exp":${exp}`)).toString('base64url')}`;
      const token = `${input}.${hmac(input).toString('base64url')}`;
      const verdict = await verifier.verify(token, context);
      expect(verdict).toMatchObject({ outcome: 'valid', principal: { subject: 'rider-42' } });
      expect(verdict).not.toHaveProperty('expiresAt');
    },
  );

  it("names a trailing slash when the issuer differs from the tokens' only by it, in both directions, without quoting anything else of the token", async () => {
    const withoutSlash = new JwtVerifier({
      secret: SECRET,
      algorithms: ['HS256'],
      issuer: 'https://auth.ride-hailer.test',
      audience: AUDIENCE,
    });
    await expect(withoutSlash.verify(hsToken(), context)).rejects.toMatchObject({
      reason: 'issuer mismatch',
      check:
        'JWT_ISSUER (the issuer option) is https://auth.ride-hailer.test but tokens say https://auth.ride-hailer.test/ (trailing slash)',
    });
    const withSlash = new JwtVerifier({
      secret: SECRET,
      algorithms: ['HS256'],
      issuer: 'https://auth.ride-hailer.test//',
      audience: AUDIENCE,
    });
    await expect(withSlash.verify(hsToken(), context)).rejects.toMatchObject({
      check: expect.stringContaining('without the trailing slash'),
    });
  });

  it('never puts the token in what it says to check', async () => {
    const token = hsToken({ audience: 'someone-else' });
    const error = await verifier.verify(token, context).catch((thrown: CannotDecideError) => thrown);
    expect(`${(error as CannotDecideError).message} ${(error as CannotDecideError).check}`).not.toContain(
      token.split('.')[1],
    );
    expect((error as CannotDecideError).check).not.toContain('someone-else');
  });

  it('says invalid, not valid, for an RS256 token when only HS256 is allowed', async () => {
    expect(await verifier.verify(rsToken(), context)).toMatchObject({ outcome: 'invalid' });
  });
});

describe('JwtVerifier with a PEM public key (RS256, ES256)', () => {
  const verifier = new JwtVerifier({
    publicKey: rsaPublicPem,
    algorithms: ['RS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
  });

  it('says valid for an RS256 token signed by the matching private key', async () => {
    expect(await verifier.verify(rsToken(), context)).toMatchObject({
      outcome: 'valid',
      principal: { subject: 'rider-42' },
    });
  });

  it('says valid for an ES256 token when the key is an EC key', async () => {
    const es = new JwtVerifier({ publicKey: ecPublicPem, algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE });
    expect(await es.verify(esToken(), context)).toMatchObject({ outcome: 'valid' });
  });

  it('says invalid for HS256 signed with the RS256 public key as the secret (key confusion)', async () => {
    const forged = craftToken({ alg: 'HS256', typ: 'JWT' }, validClaims(), (input) =>
      createHmac('sha256', rsaPublicPem).update(input).digest(),
    );
    expect(await verifier.verify(forged, context)).toMatchObject({ outcome: 'invalid' });
  });

  it('says invalid for alg: none', async () => {
    expect(await verifier.verify(craftToken({ alg: 'none' }, validClaims()), context)).toMatchObject({
      outcome: 'invalid',
    });
  });

  it('says invalid for an RS256 token signed by another key', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = craftToken({ alg: 'RS256' }, validClaims(), (input) => rsaSign(input, other.privateKey));
    expect(await verifier.verify(forged, context)).toEqual({ outcome: 'invalid', reason: 'bad signature' });
  });

  it('says invalid for a token whose alg the key cannot verify (ES256 against an RSA key), without trying it', async () => {
    expect(await verifier.verify(esToken(), context)).toEqual({ outcome: 'invalid', reason: 'algorithm not allowed' });
  });

  it('could not decide, naming JWT_ALGORITHMS, for a PS256 token the RSA key verifies when only RS256 is allowed', async () => {
    const token = mintAccessToken({
      key: rsa.privateKey,
      algorithm: 'PS256',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'rider-42',
    });
    await expect(verifier.verify(token, context)).rejects.toMatchObject({
      reason: 'algorithm not allowed',
      check: expect.stringContaining('JWT_ALGORITHMS'),
    });
  });

  it('says expired for an expired RS256 token, self-evidently an hour past its exp', async () => {
    expect(await verifier.verify(rsToken({ expiresInSeconds: -3600 }), context)).toEqual({
      outcome: 'expired',
      selfEvident: true,
    });
  });

  it('maps claims to the linked user with toLinkedUser', async () => {
    const custom = new JwtVerifier({
      publicKey: rsa.publicKey,
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      toLinkedUser: (claims) => ({ riderId: claims.sub }),
    });
    expect(await custom.verify(rsToken(), context)).toMatchObject({
      outcome: 'valid',
      principal: { riderId: 'rider-42' },
    });
  });
});

describe('JwtVerifier configuration', () => {
  const base = { issuer: ISSUER, audience: AUDIENCE };
  const weakRsaPem = (bits: number) =>
    generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it.each([
    ['no issuer', () => new JwtVerifier({ ...base, issuer: '', secret: SECRET, algorithms: ['HS256'] }), /issuer/],
    [
      'no audience',
      () => new JwtVerifier({ ...base, audience: [] as unknown as [string], secret: SECRET, algorithms: ['HS256'] }),
      /audience/,
    ],
    [
      'an empty algorithm allowlist',
      () => new JwtVerifier({ ...base, secret: SECRET, algorithms: [] as unknown as ['HS256'] }),
      /algorithm/,
    ],
    ['a short secret', () => new JwtVerifier({ ...base, secret: 'short', algorithms: ['HS256'] }), /at least 32 bytes/],
    [
      'a secret with RS256',
      () => new JwtVerifier({ ...base, secret: SECRET, algorithms: ['RS256'] as unknown as ['HS256'] }),
      /HS256/,
    ],
    [
      'a public key with HS256',
      () => new JwtVerifier({ ...base, publicKey: rsaPublicPem, algorithms: ['HS256'] as unknown as ['RS256'] }),
      /RS\*/,
    ],
    [
      'both a secret and a key',
      () => new JwtVerifier({ ...base, secret: SECRET, publicKey: rsaPublicPem, algorithms: ['HS256'] } as never),
      /exactly one/,
    ],
    [
      'a public key that is not PEM',
      () => new JwtVerifier({ ...base, publicKey: 'not a key', algorithms: ['RS256'] }),
      /not a PEM/,
    ],
    [
      'an EC P-256 key with only RS256 allowed',
      () => new JwtVerifier({ ...base, publicKey: ecPublicPem, algorithms: ['RS256'] }),
      'The public key is an EC P-256 key, which cannot verify RS256; allow ES256 (JWT_ALGORITHMS)',
    ],
    [
      'an EC P-256 key with only ES384 allowed (another curve)',
      () => new JwtVerifier({ ...base, publicKey: ecPublicPem, algorithms: ['ES384'] }),
      /EC P-256 key, which cannot verify ES384/,
    ],
    [
      'an RSA key with only ES256 allowed',
      () => new JwtVerifier({ ...base, publicKey: rsaPublicPem, algorithms: ['ES256'] }),
      /an RSA key, which cannot verify ES256; allow RS256 or RS384/,
    ],
    [
      'an Ed25519 key',
      () => new JwtVerifier({ ...base, publicKey: generateKeyPairSync('ed25519').publicKey, algorithms: ['RS256'] }),
      /use an RSA or EC/,
    ],
    [
      'a 1024-bit RSA key (it can be factored)',
      () => new JwtVerifier({ ...base, publicKey: weakRsaPem(1024), algorithms: ['RS256'] }),
      /RSA key of 1024 bits: RSA keys under 2048 bits can be factored/,
    ],
    [
      'a 512-bit RSA key',
      () => new JwtVerifier({ ...base, publicKey: weakRsaPem(512), algorithms: ['RS256'] }),
      /RSA key of 512 bits/,
    ],
    [
      'a JWKS refetch burst of 0',
      () =>
        new JwtVerifier({ ...base, jwksUri: 'http://127.0.0.1:1/jwks', algorithms: ['RS256'], jwksRefetchBurst: 0 }),
      /refetchBurst/,
    ],
    [
      'a JWKS maximum age of 0',
      () => new JwtVerifier({ ...base, jwksUri: 'http://127.0.0.1:1/jwks', algorithms: ['RS256'], jwksMaxAgeMs: 0 }),
      /maxAgeMs/,
    ],
  ])('refuses %s with a ConfigurationError', (_name, create, message) => {
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
  });
});

describe('JwtVerifier: which rejections are self-evident', () => {
  const verifier = new JwtVerifier({ secret: SECRET, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
  const OTHER_SECRET = 'another-secret-that-is-long-enough-for-hs256';

  it('says expired, only suspected, for a token just past its exp (beyond the clock tolerance, within the hour)', async () => {
    for (const seconds of [-60, -1800, -3590]) {
      const verdict = await verifier.verify(hsToken({ expiresInSeconds: seconds }), context);
      expect(verdict).toEqual({ outcome: 'expired' });
      expect(verdict).not.toHaveProperty('selfEvident');
    }
  });

  it('says expired, self-evidently, for a token our own key signed an hour or more past its exp', async () => {
    for (const seconds of [-3600, -86_400, -365 * 86_400]) {
      expect(await verifier.verify(hsToken({ expiresInSeconds: seconds }), context)).toEqual({
        outcome: 'expired',
        selfEvident: true,
      });
    }
  });

  it('never says self-evident for a bad signature, however long ago the forged token expired', async () => {
    const forged = hsToken({ key: OTHER_SECRET, expiresInSeconds: -86_400 });
    expect(await verifier.verify(forged, context)).toEqual({ outcome: 'invalid', reason: 'bad signature' });
    const pem = new JwtVerifier({ publicKey: rsaPublicPem, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forgedRs = rsToken({ key: other.privateKey, expiresInSeconds: -86_400 });
    expect(await pem.verify(forgedRs, context)).toEqual({ outcome: 'invalid', reason: 'bad signature' });
  });

  it.each([
    ['malformed', () => 'this is not a jwt'],
    [
      'unsigned (alg: none), a day past its exp',
      () => craftToken({ alg: 'none' }, validClaims({ exp: Date.now() / 1000 - 86_400 })),
    ],
    ['of an algorithm no key of ours verifies (RS256 against a secret)', () => rsToken({ expiresInSeconds: -86_400 })],
  ])(
    'never says self-evident, nor when its knowledge was had (the check just ran), for a token %s',
    async (_name, token) => {
      const verdict = await verifier.verify(token(), context);
      expect(verdict.outcome).toBe('invalid');
      expect(verdict).not.toHaveProperty('selfEvident');
      expect(verdict).not.toHaveProperty('knowledgeAt');
    },
  );

  it('takes the hour from selfEvidentExpirySeconds: two hours past is suspected with three, self-evident with one', async () => {
    const token = hsToken({ expiresInSeconds: -7200 });
    const base = { secret: SECRET, algorithms: ['HS256'] as ['HS256'], issuer: ISSUER, audience: AUDIENCE };
    const patient = new JwtVerifier({ ...base, selfEvidentExpirySeconds: 10_800 });
    expect(await patient.verify(token, context)).toEqual({ outcome: 'expired' });
    const hasty = new JwtVerifier({ ...base, selfEvidentExpirySeconds: 600 });
    expect(await hasty.verify(token, context)).toEqual({ outcome: 'expired', selfEvident: true });
  });

  it('still could not decide, never expired, for an hour-old token of another audience (our setting, not the token)', async () => {
    const token = hsToken({ audience: 'someone-else', expiresInSeconds: -86_400 });
    await expect(verifier.verify(token, context)).rejects.toMatchObject({ reason: 'audience mismatch' });
  });

  it.each([
    ['equal to the clock tolerance', { clockToleranceSeconds: 60, selfEvidentExpirySeconds: 60 }],
    ['below the clock tolerance', { clockToleranceSeconds: 600, selfEvidentExpirySeconds: 300 }],
    ['below the default clock tolerance', { selfEvidentExpirySeconds: 5 }],
    ['not a number', { selfEvidentExpirySeconds: Number.NaN }],
    ['infinite', { selfEvidentExpirySeconds: Number.POSITIVE_INFINITY }],
  ])('refuses a selfEvidentExpirySeconds %s with a ConfigurationError', (_name, options) => {
    const create = () =>
      new JwtVerifier({ secret: SECRET, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, ...options });
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(/selfEvidentExpirySeconds must be a number of seconds more than clockToleranceSeconds/);
  });
});

describe('JwtVerifier: configurationVersion', () => {
  const secretOptions = { secret: SECRET, algorithms: ['HS256'] as ['HS256'], issuer: ISSUER, audience: AUDIENCE };
  const pemOptions = {
    publicKey: rsaPublicPem,
    algorithms: ['RS256'] as ['RS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
  };
  const jwksUri = 'https://auth.ride-hailer.test/jwks';
  const jwksOptions = { jwksUri, algorithms: ['RS256'] as ['RS256'], issuer: ISSUER, audience: AUDIENCE };

  it('is a short hash, the same for the same settings in another instance (another container)', () => {
    for (const options of [secretOptions, pemOptions, jwksOptions] as const) {
      const version = new JwtVerifier(options as never).configurationVersion;
      expect(version).toMatch(/^[0-9a-f]{16}$/);
      expect(new JwtVerifier({ ...options } as never).configurationVersion).toBe(version);
    }
  });

  it('is the same whether a setting is given or left at its default, whatever the order of lists or the form of a key', () => {
    const version = new JwtVerifier(secretOptions).configurationVersion;
    const defaults = { clockToleranceSeconds: 5, selfEvidentExpirySeconds: 3600 };
    expect(new JwtVerifier({ ...secretOptions, ...defaults }).configurationVersion).toBe(version);
    expect(new JwtVerifier({ ...secretOptions, secret: Buffer.from(SECRET) }).configurationVersion).toBe(version);
    expect(
      new JwtVerifier({ ...secretOptions, secret: createSecretKey(Buffer.from(SECRET)) }).configurationVersion,
    ).toBe(version);
    const both = new JwtVerifier({ ...secretOptions, algorithms: ['HS256', 'HS512'], audience: [AUDIENCE, 'other'] });
    const reordered = new JwtVerifier({
      ...secretOptions,
      algorithms: ['HS512', 'HS256'],
      audience: ['other', AUDIENCE],
    });
    expect(both.configurationVersion).toBe(reordered.configurationVersion);
    const fromKeyObject = new JwtVerifier({ ...pemOptions, publicKey: rsa.publicKey });
    expect(fromKeyObject.configurationVersion).toBe(new JwtVerifier(pemOptions).configurationVersion);
  });

  it('changes when any setting changes', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const variants: Array<[string, object]> = [
      ['the secret', { ...secretOptions }],
      ['another secret', { ...secretOptions, secret: `${SECRET}!` }],
      ['the public key', { ...pemOptions }],
      ['another public key', { ...pemOptions, publicKey: other }],
      ['the JWKS URL', { ...jwksOptions }],
      ['another JWKS URL', { ...jwksOptions, jwksUri: 'https://staging.ride-hailer.test/jwks' }],
      ['another issuer', { ...secretOptions, issuer: 'https://staging.ride-hailer.test/' }],
      ['a second issuer', { ...secretOptions, issuer: [ISSUER, 'https://staging.ride-hailer.test/'] }],
      ['another audience', { ...secretOptions, audience: 'another-skill' }],
      ['another algorithm allowlist', { ...secretOptions, algorithms: ['HS256', 'HS384'] }],
      ['another clock tolerance', { ...secretOptions, clockToleranceSeconds: 30 }],
      ['another selfEvidentExpirySeconds', { ...secretOptions, selfEvidentExpirySeconds: 7200 }],
    ];
    const versions = variants.map(([, options]) => new JwtVerifier(options as never).configurationVersion);
    expect(new Set(versions).size).toBe(variants.length);
  });

  it('does not contain the secret, in clear, in base64 or in hex', () => {
    const version = new JwtVerifier(secretOptions).configurationVersion;
    const bytes = Buffer.from(SECRET);
    for (const form of [SECRET, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')]) {
      expect(version).not.toContain(form);
    }
  });

  it('tells apart two secrets that differ only in their last byte', () => {
    const a = new JwtVerifier({ ...secretOptions, secret: `${SECRET.slice(0, -1)}a` }).configurationVersion;
    const b = new JwtVerifier({ ...secretOptions, secret: `${SECRET.slice(0, -1)}b` }).configurationVersion;
    expect(a).not.toBe(b);
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

describe('jwtVerifierFromEnvironment: the default allowlist follows the key', () => {
  const base = { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };

  it('verifies ES256 tokens with an EC P-256 key and no JWT_ALGORITHMS (the default follows the key type)', async () => {
    const verifier = jwtVerifierFromEnvironment({ ...base, JWT_PUBLIC_KEY: ecPublicPem.replace(/\n/g, '\\n') });
    expect(await verifier.verify(esToken(), context)).toMatchObject({
      outcome: 'valid',
      principal: { subject: 'rider-42' },
    });
    expect(await verifier.verify(rsToken(), context)).toEqual({ outcome: 'invalid', reason: 'algorithm not allowed' });
  });

  it('keeps RS256 alone as the default for an RSA key', async () => {
    const verifier = jwtVerifierFromEnvironment({ ...base, JWT_PUBLIC_KEY: rsaPublicPem });
    expect((await verifier.verify(rsToken(), context)).outcome).toBe('valid');
    const ps256 = mintAccessToken({
      key: rsa.privateKey,
      algorithm: 'PS256',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'rider-42',
    });
    await expect(verifier.verify(ps256, context)).rejects.toMatchObject({ reason: 'algorithm not allowed' });
  });

  it('refuses an EC key with JWT_ALGORITHMS=RS256 at cold start, naming the variable', () => {
    const create = () => jwtVerifierFromEnvironment({ ...base, JWT_PUBLIC_KEY: ecPublicPem, JWT_ALGORITHMS: 'RS256' });
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(
      'JWT_PUBLIC_KEY: The public key is an EC P-256 key, which cannot verify RS256; allow ES256 (JWT_ALGORITHMS)',
    );
  });

  it('reads JWKS_MAX_AGE_SECONDS, and refuses it without JWKS_URI or when it is not a positive number', () => {
    expect(
      jwtVerifierFromEnvironment({ ...base, JWKS_URI: 'http://127.0.0.1:1/jwks', JWKS_MAX_AGE_SECONDS: '60' }),
    ).toBeInstanceOf(JwtVerifier);
    expect(() =>
      jwtVerifierFromEnvironment({ ...base, JWKS_URI: 'http://127.0.0.1:1/jwks', JWKS_MAX_AGE_SECONDS: '0' }),
    ).toThrow(/JWKS_MAX_AGE_SECONDS/);
    expect(() => jwtVerifierFromEnvironment({ ...base, JWT_SECRET: SECRET, JWKS_MAX_AGE_SECONDS: '60' })).toThrow(
      'JWKS_MAX_AGE_SECONDS is set, but JWKS_URI is not',
    );
  });
});

/**
 * The signature check is our own (node:crypto), and so is the minting of the test kit: each is
 * checked here against an independent implementation (jsonwebtoken), on every algorithm, so that a
 * mistake shared by both (a PSS salt length, the ECDSA signature form) cannot hide.
 */
describe('JwtVerifier and mintAccessToken agree with another JWT implementation on every algorithm', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const jsonwebtoken = require('jsonwebtoken') as typeof import('jsonwebtoken');
  const curves = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const;
  const keys = {
    ...Object.fromEntries(
      (['HS256', 'HS384', 'HS512'] as const).map((alg) => [
        alg,
        { sign: SECRET + SECRET, verify: { secret: SECRET + SECRET } },
      ]),
    ),
    ...Object.fromEntries(
      (['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const).map((alg) => [
        alg,
        { sign: rsa.privateKey, verify: { publicKey: rsa.publicKey } },
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(curves).map(([alg, namedCurve]) => {
        const pair = generateKeyPairSync('ec', { namedCurve });
        return [alg, { sign: pair.privateKey, verify: { publicKey: pair.publicKey } }];
      }),
    ),
  } as Record<string, { sign: any; verify: any }>;
  const algorithms = Object.keys(keys);

  it.each(algorithms)(
    'accepts a %s token jsonwebtoken signed, and refuses it with one bit of its signature flipped',
    async (alg) => {
      const verifier = new JwtVerifier({ ...keys[alg].verify, algorithms: [alg], issuer: ISSUER, audience: AUDIENCE });
      const token = jsonwebtoken.sign({ sub: 'rider-42' }, keys[alg].sign, {
        algorithm: alg as any,
        issuer: ISSUER,
        audience: AUDIENCE,
        expiresIn: 60,
      });
      expect(await verifier.verify(token, context)).toMatchObject({
        outcome: 'valid',
        principal: { subject: 'rider-42' },
      });
      const [header, payload, signature] = token.split('.');
      const flipped = Buffer.from(signature, 'base64url');
      flipped[flipped.length >> 1] ^= 1;
      expect(await verifier.verify(`${header}.${payload}.${flipped.toString('base64url')}`, context)).toEqual({
        outcome: 'invalid',
        reason: 'bad signature',
      });
    },
  );

  it.each(algorithms)('mints %s tokens that jsonwebtoken verifies', (alg) => {
    const token = mintAccessToken({
      key: keys[alg].sign,
      algorithm: alg as any,
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'rider-42',
      keyId: 'k1',
    });
    const verifyWith = keys[alg].verify.secret ?? keys[alg].verify.publicKey;
    expect(
      jsonwebtoken.verify(token, verifyWith, { algorithms: [alg as any], issuer: ISSUER, audience: AUDIENCE }),
    ).toMatchObject({ sub: 'rider-42' });
    expect(jsonwebtoken.decode(token, { complete: true })?.header).toEqual({ alg, typ: 'JWT', kid: 'k1' });
  });

  it("says invalid for an ES256 signature in DER form (JWS takes r and s side by side), and for one of another curve's length", async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const verifier = new JwtVerifier({
      publicKey: pair.publicKey,
      algorithms: ['ES256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const der = craftToken({ alg: 'ES256' }, validClaims(), (input) =>
      createSign('SHA256').update(input).sign(pair.privateKey),
    );
    expect(await verifier.verify(der, context)).toEqual({ outcome: 'invalid', reason: 'bad signature' });
    const [header, payload, signature] = mintAccessToken({
      key: pair.privateKey,
      algorithm: 'ES256',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'u',
    }).split('.');
    const longer = Buffer.concat([Buffer.alloc(32), Buffer.from(signature, 'base64url')]).toString('base64url');
    expect(await verifier.verify(`${header}.${payload}.${longer}`, context)).toEqual({
      outcome: 'invalid',
      reason: 'bad signature',
    });
  });
});
