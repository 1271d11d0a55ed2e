/**
 * One bad deploy must not unlink the user base. The three example Lambdas, built and warm, started
 * with each JWT configuration mistake an operator makes, answer genuine tokens with "could not
 * decide" — INTERNAL_ERROR for My Lights and Jukebox, the apology without a card for Ride Hailer —
 * and log one ERROR that names the setting to fix, never the token. An EC key with no
 * JWT_ALGORITHMS just works (the default allowlist follows the key); with JWT_ALGORITHMS=RS256 the
 * container refuses to start, naming the variable.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SPEECH } from '../../lib';
import { launchRequest, mintAccessToken, withAccessToken } from '../../lib/testing';
import { startWarmFunction, type WarmFunction } from '../../scripts/local-invoke/warm-function';
import { ROOT } from '../support/invoke-cli';

const env: Record<string, Record<string, string>> = JSON.parse(
  readFileSync(path.join(ROOT, 'events/env.local.json'), 'utf8'),
);
const event = (file: string) => JSON.parse(readFileSync(path.join(ROOT, 'events', file), 'utf8'));
const built = new Set<string>();

type Family = 'RideHailerFunction' | 'MyLightsFunction' | 'JukeboxFunction';
const FAMILIES: Family[] = ['RideHailerFunction', 'MyLightsFunction', 'JukeboxFunction'];

/** A genuine token: what the authorization server of env.local.json issues for this skill. */
const genuine = (
  family: Family,
  options: { key?: Parameters<typeof mintAccessToken>[0]['key']; algorithm?: 'HS256' | 'ES256' } = {},
) =>
  mintAccessToken({
    key: options.key ?? env[family].JWT_SECRET,
    algorithm: options.algorithm ?? 'HS256',
    issuer: env[family].JWT_ISSUER,
    audience: env[family].JWT_AUDIENCE,
    subject: 'user-42',
    expiresInSeconds: 600,
  });

async function container(family: Family, overrides: Record<string, string>): Promise<WarmFunction> {
  const fn = await startWarmFunction({
    templatePath: path.join(ROOT, 'template.yaml'),
    logicalId: family,
    build: !built.has(family),
    envVars: { [family]: { ...env[family], SKILL_ID: '', VERIFY_CACHE_TTL_SECONDS: '0', ...overrides } },
  });
  built.add(family);
  return fn;
}

/** The family's reply to a gated request with this token, in a word. */
async function reply(fn: WarmFunction, family: Family, token: string): Promise<string> {
  const envelope =
    family === 'RideHailerFunction'
      ? launchRequest({ accessToken: token })
      : family === 'MyLightsFunction'
        ? withAccessToken(event('my-lights/turn-on.json'), token)
        : withAccessToken(event('jukebox/initiate-free-radio.json'), token);
  const result = await fn.invoke(envelope);
  if (!result.ok) return `failed: ${result.error.errorType}: ${result.error.errorMessage}`;
  const body = result.response as any;
  if (family === 'RideHailerFunction') {
    if (body.response.card?.type === 'LinkAccount') return 'LinkAccount card';
    if (body.response.outputSpeech.ssml === `<speak>${DEFAULT_SPEECH.tryLater}</speak>`) return 'apology without card';
    return body.response.outputSpeech.ssml.includes('Welcome to Ride Hailer')
      ? 'served'
      : body.response.outputSpeech.ssml;
  }
  const header = (body.event ?? body).header;
  if (header.name === 'ErrorResponse') return (body.event ?? body).payload.type;
  return 'served';
}

const UNDECIDED: Record<Family, string> = {
  RideHailerFunction: 'apology without card',
  MyLightsFunction: 'INTERNAL_ERROR',
  JukeboxFunction: 'INTERNAL_ERROR',
};

/** The one ERROR line the gate logs for a reason. */
const errorLines = (fn: WarmFunction, reason: string) =>
  fn
    .logs()
    .split('\n')
    .filter(
      (line) => line.startsWith('{') && line.includes('"level":"ERROR"') && line.includes(`"reason":"${reason}"`),
    );

describe.each(FAMILIES)('the example %s with a JWT configuration mistake', (family) => {
  let fn: WarmFunction | undefined;
  afterEach(async () => {
    await fn?.stop();
    fn = undefined;
  });

  it('answers "could not decide" to genuine tokens when JWT_AUDIENCE has a typo, and logs one ERROR naming JWT_AUDIENCE', async () => {
    const typo = env[family].JWT_AUDIENCE.slice(0, -1);
    fn = await container(family, { JWT_AUDIENCE: typo });
    const tokens = [genuine(family), genuine(family)];
    for (const token of tokens) expect(await reply(fn, family, token)).toBe(UNDECIDED[family]);
    const lines = errorLines(fn, 'audience mismatch');
    expect(lines).toHaveLength(1); // one per container and reason, however many users
    expect(lines[0]).toContain(
      `JWT_AUDIENCE (the audience option) is ${typo}, which none of the tokens' aud values is`,
    );
    for (const token of tokens) expect(fn.logs()).not.toContain(token);
  });

  it('answers "could not decide" to genuine tokens when JWT_ISSUER lacks its trailing slash, and the ERROR says so', async () => {
    const issuer = env[family].JWT_ISSUER;
    expect(issuer.endsWith('/')).toBe(true);
    fn = await container(family, { JWT_ISSUER: issuer.slice(0, -1) });
    const token = genuine(family);
    expect(await reply(fn, family, token)).toBe(UNDECIDED[family]);
    const lines = errorLines(fn, 'issuer mismatch');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      `JWT_ISSUER (the issuer option) is ${issuer.slice(0, -1)} but tokens say ${issuer} (trailing slash)`,
    );
    expect(fn.logs()).not.toContain(token);
  });

  it('still says invalid for a forged token under the same mistake (the signature is checked first)', async () => {
    fn = await container(family, { JWT_AUDIENCE: env[family].JWT_AUDIENCE.slice(0, -1) });
    const forged = mintAccessToken({
      key: 'an-attacker-secret-that-is-long-enough-too',
      issuer: env[family].JWT_ISSUER,
      audience: env[family].JWT_AUDIENCE,
      subject: 'user-42',
    });
    expect(await reply(fn, family, forged)).toBe(
      family === 'RideHailerFunction' ? 'LinkAccount card' : 'INVALID_AUTHORIZATION_CREDENTIAL',
    );
  });
});

describe('the example Lambdas with an EC public key', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString().replace(/\n/g, '\\n');
  let fn: WarmFunction | undefined;
  afterEach(async () => {
    await fn?.stop();
    fn = undefined;
  });

  it.each(['RideHailerFunction', 'MyLightsFunction'] as const)(
    '%s verifies ES256 tokens with no JWT_ALGORITHMS: the default allowlist follows the key',
    async (family) => {
      fn = await container(family, { JWT_SECRET: '', JWT_ALGORITHMS: '', JWT_PUBLIC_KEY: pem });
      expect(await reply(fn, family, genuine(family, { key: ec.privateKey, algorithm: 'ES256' }))).toBe('served');
    },
  );

  it('refuses to start with JWT_ALGORITHMS=RS256, with a ConfigurationError naming JWT_ALGORITHMS (no user is answered, none unlinked)', async () => {
    fn = await container('MyLightsFunction', { JWT_SECRET: '', JWT_ALGORITHMS: 'RS256', JWT_PUBLIC_KEY: pem });
    const result = await fn.invoke(
      withAccessToken(
        event('my-lights/turn-on.json'),
        genuine('MyLightsFunction', { key: ec.privateKey, algorithm: 'ES256' }),
      ),
    );
    expect(result.ok).toBe(false);
    expect(`${JSON.stringify(result)}\n${fn.logs()}`).toContain(
      'JWT_PUBLIC_KEY: The public key is an EC P-256 key, which cannot verify RS256; allow ES256 (JWT_ALGORITHMS)',
    );
  });
});
