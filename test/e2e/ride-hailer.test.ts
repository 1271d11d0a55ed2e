/**
 * The built Lambda, run through `npm run invoke` (the CLI of scripts/invoke.ts) with each file
 * in events/, answers as the README's reply table says; through the real aws-lambda-ric where it is
 * installed, and through the plain runner too.
 */
import { mintAccessToken } from '../../lib/testing';
import { invokeCli, localEnvironment, ricInstalled, ROOT } from '../support/invoke-cli';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ENV = localEnvironment('RideHailerFunction');
const invoke = (event: string, ...args: string[]) =>
  invokeCli('RideHailerFunction', `events/ride-hailer/${event}.json`, ...args);

const linkedToken = mintAccessToken({
  key: ENV.JWT_SECRET,
  issuer: ENV.JWT_ISSUER,
  audience: ENV.JWT_AUDIENCE,
  subject: 'rider-7',
  claims: { name: 'Grace' },
});
const linked = ['--env-vars', 'events/env.local.json', '--token', linkedToken];
const unlinked = ['--env-vars', 'events/env.local.json'];
const LINK_ACCOUNT_CARD = { type: 'LinkAccount' };
const DOMAIN_RAN = '"message":"ride hailer: event"';

describe('npm run invoke RideHailerFunction, linked', () => {
  it(`runs through ${ricInstalled ? 'the real aws-lambda-ric' : 'the plain runner (aws-lambda-ric is not installed)'}`, async () => {
    const { logs } = await invoke('launch-linked', ...linked);
    if (ricInstalled) expect(logs).toContain("Executing 'index.handler'");
    else expect(logs).not.toContain("Executing 'index.handler'");
  });

  it.each([
    [
      'launch-linked',
      (r: any) =>
        expect(r.response.outputSpeech.ssml).toBe(
          '<speak>Welcome to Ride Hailer, Grace. Where would you like to go?</speak>',
        ),
    ],
    [
      'order-ride',
      (r: any) => expect(r.response.outputSpeech.ssml).toContain('a car is on its way to take you to the airport'),
    ],
    ['can-fulfill-order-ride', (r: any) => expect(r.response).toEqual({ canFulfillIntent: { canFulfill: 'YES' } })],
    ['help', (r: any) => expect(r.response.outputSpeech.ssml).toContain('You can say')],
  ])('answers %s from the domain handler', async (event, check) => {
    const { code, reply, logs } = await invoke(event, ...linked);
    expect(code).toBe(0);
    check(reply);
    expect(reply.response.card).not.toEqual(LINK_ACCOUNT_CARD);
    expect(logs + JSON.stringify(reply)).not.toContain(linkedToken);
  });

  it.each(['session-ended', 'audio-player-playback-started', 'skill-account-linked'])(
    'answers %s with an empty response from the domain handler',
    async (event) => {
      const { code, reply, logs } = await invoke(event, ...linked);
      expect(code).toBe(0);
      expect(reply.response).toEqual({});
      expect(logs).toContain(DOMAIN_RAN);
    },
  );

  it("mints a token for the function's own secret with --mint-token", async () => {
    const { reply } = await invoke('launch-linked', ...unlinked, '--mint-token');
    expect(reply.response.outputSpeech.ssml).toBe(
      '<speak>Welcome to Ride Hailer, Ada. Where would you like to go?</speak>',
    );
  });

  it('runs through the plain runner with --runtime node', async () => {
    const { code, reply, logs } = await invoke('order-ride', ...linked, '--runtime', 'node');
    expect(code).toBe(0);
    expect(reply.response.outputSpeech.ssml).toContain('a car is on its way');
    expect(logs).not.toContain("Executing 'index.handler'");
  });
});

describe('npm run invoke RideHailerFunction, not linked', () => {
  it.each(['launch-unlinked', 'launch-linked', 'order-ride'])(
    'answers %s with speech and a LinkAccount card',
    async (event) => {
      const { code, reply } = await invoke(event, ...unlinked);
      expect(code).toBe(0);
      expect(reply.response.card).toEqual(LINK_ACCOUNT_CARD);
      expect(reply.response.shouldEndSession).toBe(true);
    },
  );

  it('answers can-fulfill-order-ride with canFulfill NO', async () => {
    expect((await invoke('can-fulfill-order-ride', ...unlinked)).reply.response).toEqual({
      canFulfillIntent: { canFulfill: 'NO' },
    });
  });

  it('still answers help, a public intent', async () => {
    expect((await invoke('help', ...unlinked)).reply.response.outputSpeech.ssml).toContain('You can say');
  });

  it.each(['audio-player-playback-started', 'skill-account-linked'])(
    'answers %s with an empty response, and no domain handler runs',
    async (event) => {
      const { reply, logs } = await invoke(event, ...unlinked);
      expect(reply.response).toEqual({});
      expect(logs).not.toContain(DOMAIN_RAN);
    },
  );

  it('answers an expired token on launch with a LinkAccount card that asks to link again', async () => {
    const { reply } = await invoke('launch-linked', ...unlinked, '--mint-token', '--expires-in=-600');
    expect(reply.response.card).toEqual(LINK_ACCOUNT_CARD);
    expect(reply.response.outputSpeech.ssml).toContain('expired');
  });

  it('never gates session-ended', async () => {
    const { reply, logs } = await invoke('session-ended', ...unlinked);
    expect(reply.response).toEqual({});
    expect(logs).toContain(DOMAIN_RAN);
  });
});

describe('npm run invoke, when things are wrong', () => {
  it('fails the cold start, exit code 1, naming the missing variable', async () => {
    const { code, reply } = await invoke('launch-linked');
    expect(code).toBe(1);
    expect(reply).toMatchObject({
      errorType: 'ConfigurationError',
      errorMessage: expect.stringContaining('JWT_SECRET'),
    });
  });

  it('exits 2 with the usage for a function the template does not hold', async () => {
    const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
    const error: any = await promisify(execFile)(
      tsx,
      ['scripts/invoke.ts', 'NoSuchFunction', '-e', 'events/ride-hailer/help.json'],
      { cwd: ROOT },
    ).catch((e) => e);
    expect(error.code).toBe(2);
    expect(error.stderr).toContain(
      'has no resource NoSuchFunction; its functions: RideHailerFunction, MyLightsFunction',
    );
  });
});
