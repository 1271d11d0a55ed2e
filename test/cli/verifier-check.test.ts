/** lib/cli/verifier-check.ts: the token the server just issued, through the verifier the skill's environment configures. */
import { checkVerifier } from '../../lib/cli/verifier-check';
import type { Finding } from '../../lib/cli/findings';
import { mintAccessToken } from '../../lib/testing';
import { AUDIENCE, ISSUER, SECRET } from '../support/fixtures';

const ENV = {
  TOKEN_VERIFIER: 'jwt',
  JWT_SECRET: SECRET,
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  JWT_ALGORITHMS: 'HS256',
};
const mint = (options: { issuer?: string; audience?: string; expiresInSeconds?: number } = {}) =>
  mintAccessToken({ key: SECRET, issuer: ISSUER, audience: AUDIENCE, subject: 'rider-42', ...options });

async function findingsOf(env: Record<string, string>, token: string | undefined): Promise<Finding[]> {
  const findings: Finding[] = [];
  await checkVerifier(env, token, (finding) => findings.push(finding));
  return findings;
}

describe('checkVerifier', () => {
  it('is ok when the configured verifier accepts the token, naming TOKEN_VERIFIER', async () => {
    const [finding] = await findingsOf(ENV, mint());
    expect(finding).toMatchObject({
      id: 'verifier',
      severity: 'ok',
      summary: expect.stringContaining('TOKEN_VERIFIER=jwt'),
    });
  });

  it('is not checked without an access token', async () => {
    expect(await findingsOf(ENV, undefined)).toEqual([
      expect.objectContaining({ id: 'verifier', severity: 'not-checked' }),
    ]);
  });

  it('says a wrong environment breaks linking (the Lambda fails at cold start)', async () => {
    const [finding] = await findingsOf({ ...ENV, JWT_ISSUER: '' }, mint());
    expect(finding).toMatchObject({ id: 'verifier-configuration', severity: 'breaks-linking' });
  });

  it('says a verifier that rejects a token just issued unlinks users, with what the token says', async () => {
    const [finding] = await findingsOf(ENV, mint({ expiresInSeconds: -7200 }));
    expect(finding).toMatchObject({
      id: 'verifier-rejects',
      severity: 'unlinks-users',
      change: expect.stringMatching(/clocks/),
    });
    expect(finding!.summary).toMatch(
      /calls a token just issued expired; the token says iss ".*", aud ".*", alg "HS256", kid nothing/,
    );
  });

  it.each([
    ['issuer', { issuer: 'https://another.example.test/' }, 'verifier-issuer'],
    ['audience', { audience: 'another-audience' }, 'verifier-audience'],
  ])(
    'files a "could not decide" on the %s under its own finding, saying what to check',
    async (_name, mintWith, id) => {
      const [finding] = await findingsOf(ENV, mint(mintWith));
      expect(finding).toMatchObject({
        id,
        severity: 'breaks-linking',
        change: expect.stringMatching(/JWT_(ISSUER|AUDIENCE)/),
      });
    },
  );

  it('files an algorithm not allowed under verifier-algorithm', async () => {
    const token = mintAccessToken({
      key: SECRET,
      algorithm: 'HS384',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'u',
    });
    const [finding] = await findingsOf({ ...ENV, JWT_ALGORITHMS: 'HS256' }, token);
    expect(finding).toMatchObject({
      id: 'verifier-algorithm',
      severity: 'breaks-linking',
      summary: expect.stringContaining('(algorithm not allowed); the token says'),
    });
    expect(finding!.summary).toContain('alg "HS384"');
    expect((await findingsOf({ ...ENV, JWT_ALGORITHMS: 'HS256,HS384' }, token))[0]).toMatchObject({
      id: 'verifier',
      severity: 'ok',
    });
  });
});
