/**
 * `startWarmFunction`: one built Lambda "container" that serves invocation after invocation, as
 * Lambda keeps a warm container, through the same runtime `npm run invoke` uses. The suites that
 * need state to live between invocations (key sets, the verdict cache, the unlink guard) run on it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SPEECH } from '../../lib';
import { launchRequest, mintAccessToken } from '../../lib/testing';
import { joinOptionValues } from '../../scripts/invoke';
import { describeRuntimeChoice } from '../../scripts/local-invoke/runtime';
import { startWarmFunction, type WarmFunction } from '../../scripts/local-invoke/warm-function';
import { invokeCli, ROOT } from '../support/invoke-cli';

const env = JSON.parse(readFileSync(path.join(ROOT, 'events/env.local.json'), 'utf8'));
const mint = (subject: string, expiresInSeconds = 600) =>
  mintAccessToken({
    key: env.RideHailerFunction.JWT_SECRET,
    algorithm: 'HS256',
    issuer: env.RideHailerFunction.JWT_ISSUER,
    audience: env.RideHailerFunction.JWT_AUDIENCE,
    subject,
    expiresInSeconds,
    claims: { name: 'Ada' },
  });
const launch = (accessToken?: string) => launchRequest({ accessToken });

// Both runners where this machine has aws-lambda-ric; the plain runner alone where it has not.
const runners = [...new Set([describeRuntimeChoice('auto').runtime, 'node'])].map(
  (runtime) => (runtime === 'node' ? 'node' : 'ric') as 'node' | 'ric',
);

describe.each(runners)('a warm built function (runtime %s)', (runtime) => {
  let fn: WarmFunction;
  beforeAll(async () => {
    fn = await startWarmFunction({
      templatePath: path.join(ROOT, 'template.yaml'),
      logicalId: 'RideHailerFunction',
      runtime,
      envVars: { RideHailerFunction: { ...env.RideHailerFunction, SKILL_ID: '' } },
    });
  });
  afterAll(() => fn.stop());

  it('serves many invocations from one process', async () => {
    expect(fn.runtime).toBe(runtime === 'ric' ? 'aws-lambda-ric' : 'node');
    const replies = [];
    for (const subject of ['rider-1', 'rider-2', 'rider-3']) replies.push(await fn.invoke(launch(mint(subject))));
    for (const reply of replies)
      expect(reply).toMatchObject({
        ok: true,
        response: { response: { outputSpeech: { ssml: expect.stringContaining('Welcome to Ride Hailer') } } },
      });
    // one cold start: the function logged its decisions into one output, three of them
    expect(fn.logs().match(/"outcome":"linked"/g)).toHaveLength(3);
  });

  it('answers an unlinked user with the LinkAccount card between linked ones', async () => {
    const reply = await fn.invoke(launch());
    expect(reply).toMatchObject({
      ok: true,
      response: {
        response: {
          card: { type: 'LinkAccount' },
          outputSpeech: { ssml: `<speak>${DEFAULT_SPEECH.linkAccount}</speak>` },
        },
      },
    });
  });
});

describe('npm run invoke', () => {
  it('takes option values that start with "-", as opaque tokens may', () => {
    expect(joinOptionValues(['RideHailerFunction', '-e', 'e.json', '--token', '-abc', '--expires-in', '-600'])).toEqual(
      ['RideHailerFunction', '-e', 'e.json', '--token=-abc', '--expires-in=-600'],
    );
  });

  it('invokes with a token that starts with "-" (answered as the invalid token it is) and says which runner it used', async () => {
    const { code, reply, logs } = await invokeCli(
      'RideHailerFunction',
      'events/ride-hailer/launch-linked.json',
      '--env-vars',
      'events/env.local.json',
      '--token',
      '-not-a-jwt',
    );
    expect(code).toBe(0);
    expect(reply.response.card).toEqual({ type: 'LinkAccount' });
    expect(logs).toContain(`invoke: running RideHailerFunction with ${describeRuntimeChoice('auto').why}`);
    expect(logs).not.toContain('-not-a-jwt');
  });
});
