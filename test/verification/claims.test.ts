/** lib/verification/claims.ts: the claims of a verified token, and what to check when iss or aud differ from the settings. */
import { CannotDecideError } from '../../lib';
import { checkClaims, defaultLinkedUser, type ClaimRules } from '../../lib/verification/claims';
import type { JwtClaims } from '../../lib/verification/jwt-options';

const ISSUER = 'https://auth.example.test/';
const AUDIENCE = 'ride-hailer-alexa-skill';
const rules: ClaimRules<unknown> = {
  algorithms: ['RS256'],
  issuers: [ISSUER],
  audiences: [AUDIENCE],
  clockToleranceSeconds: 5,
  selfEvidentExpirySeconds: 3600,
  toLinkedUser: defaultLinkedUser,
};
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}): JwtClaims =>
  ({ iss: ISSUER, aud: AUDIENCE, sub: 'rider-42', exp: now() + 600, ...extra }) as JwtClaims;

/** The CannotDecideError checkClaims throws. */
function refusal(given: JwtClaims, alg = 'RS256', with_: Partial<ClaimRules<unknown>> = {}): CannotDecideError {
  try {
    checkClaims(given, alg, { ...rules, ...with_ });
  } catch (error) {
    expect(error).toBeInstanceOf(CannotDecideError);
    return error as CannotDecideError;
  }
  throw new Error('checkClaims did not throw');
}

describe('checkClaims', () => {
  it('says valid, with the linked user and an expiresAt from exp', () => {
    const given = claims();
    expect(checkClaims(given, 'RS256', rules)).toEqual({
      outcome: 'valid',
      principal: { subject: 'rider-42', claims: given },
      expiresAt: new Date(given.exp! * 1000),
    });
  });

  it('takes any of several audiences in aud', () => {
    expect(checkClaims(claims({ aud: ['another-api', AUDIENCE] }), 'RS256', rules).outcome).toBe('valid');
  });

  it('says valid without expiresAt for an exp beyond the Date range', () => {
    expect(checkClaims(claims({ exp: 1e300 }), 'RS256', rules)).not.toHaveProperty('expiresAt');
  });

  it('says expired past the tolerance, self-evidently only selfEvidentExpirySeconds past exp', () => {
    expect(checkClaims(claims({ exp: now() - 60 }), 'RS256', rules)).toEqual({ outcome: 'expired' });
    expect(checkClaims(claims({ exp: now() - 3600 }), 'RS256', rules)).toEqual({
      outcome: 'expired',
      selfEvident: true,
    });
    expect(checkClaims(claims({ exp: now() - 2 }), 'RS256', rules).outcome).toBe('valid'); // within the 5 s tolerance
  });

  it.each(['exp', 'nbf', 'iat'] as const)('could not decide on a %s that is not a number', (name) => {
    expect(refusal(claims({ [name]: '1700000000' } as never)).reason).toBe('unreadable claims');
  });

  it('could not decide on an alg not allowed, naming the setting and the alg', () => {
    const error = refusal(claims(), 'ES256');
    expect([error.reason, error.check]).toEqual([
      'algorithm not allowed',
      expect.stringMatching(/JWT_ALGORITHMS .* is RS256, .* signs its tokens with ES256/),
    ]);
  });

  it('could not decide on nbf or iat ahead of the clock beyond the tolerance', () => {
    expect(refusal(claims({ nbf: now() + 60 })).reason).toBe('token not yet valid');
    expect(refusal(claims({ iat: now() + 60 })).reason).toBe('token issued in the future');
    expect(checkClaims(claims({ nbf: now() + 3, iat: now() + 3 }), 'RS256', rules).outcome).toBe('valid');
  });

  it('could not decide when no user comes of the claims', () => {
    expect(refusal(claims({ sub: undefined })).reason).toBe('no user in token');
    expect(refusal(claims({ sub: '' })).reason).toBe('no user in token');
  });
});

describe('checkClaims: what to check when iss differs', () => {
  it.each([
    [
      'a trailing slash the setting lacks',
      { issuers: ['https://auth.example.test'] },
      ISSUER,
      /but tokens say https:\/\/auth\.example\.test\/ \(trailing slash\)/,
    ],
    [
      'no trailing slash where the setting has one',
      {},
      'https://auth.example.test',
      /but tokens say https:\/\/auth\.example\.test \(without the trailing slash\)/,
    ],
    ['letter case only', {}, 'https://AUTH.example.test/', /differs from it in letter case only/],
    [
      'white space around the setting',
      { issuers: [` ${ISSUER}`] },
      'https://elsewhere.test/',
      /with white space around it/,
    ],
    ['another issuer', {}, 'https://elsewhere.test/', /the tokens' iss is another: set it to/],
  ])('names %s', (_name, with_, iss, message) => {
    const error = refusal(claims({ iss }), 'RS256', with_);
    expect(error.reason).toBe('issuer mismatch');
    expect(error.check).toMatch(message);
    expect(error.check).toMatch(/^JWT_ISSUER \(the issuer option\) is /);
  });

  it('says the tokens carry no iss', () => {
    expect(refusal(claims({ iss: undefined })).check).toMatch(/the tokens carry no iss claim/);
  });

  it('never quotes an iss that is not a near miss of the setting', () => {
    expect(refusal(claims({ iss: 'https://attacker.test/secret-path' })).check).not.toContain('attacker');
  });
});

describe('checkClaims: what to check when aud differs', () => {
  it('says the tokens carry no aud', () => {
    const error = refusal(claims({ aud: undefined }));
    expect([error.reason, error.check]).toEqual([
      'audience mismatch',
      expect.stringMatching(
        /^JWT_AUDIENCE \(the audience option\) is ride-hailer-alexa-skill, but the tokens carry no aud claim/,
      ),
    ]);
  });

  it.each([
    ['letter case', 'Ride-Hailer-Alexa-Skill'],
    ['a trailing slash', `${AUDIENCE}/`],
  ])('names a near miss by %s', (_name, aud) => {
    expect(refusal(claims({ aud: [aud] })).check).toMatch(/differs from it only in letter case or a trailing slash/);
  });

  it('says none of the aud values is the setting, without quoting them', () => {
    const error = refusal(claims({ aud: ['another-api', 'a-third'] }));
    expect(error.check).toMatch(/which none of the tokens' aud values is/);
    expect(error.check).not.toContain('another-api');
  });
});

describe('defaultLinkedUser', () => {
  it('is the sub with the claims, and none without a non-empty sub', () => {
    expect(defaultLinkedUser({ sub: 'u' } as JwtClaims)).toEqual({ subject: 'u', claims: { sub: 'u' } });
    expect(defaultLinkedUser({} as JwtClaims)).toBeUndefined();
    expect(defaultLinkedUser({ sub: 42 } as unknown as JwtClaims)).toBeUndefined();
  });
});
