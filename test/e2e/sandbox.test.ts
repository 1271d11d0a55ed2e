/**
 * npm start, the local account-linking sandbox: its guided run (introspection and JWT deploys, a
 * key rotation, bad deploys), its local endpoint's answers to bad input, and a person linking an
 * account through its login page in headless Chromium. The console page: sandbox-console.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fingerprint } from '../../lib';
import { launchRequest } from '../../lib/testing';
import { startSandbox, type Sandbox } from '../../scripts/sandbox/sandbox';
import { GUARD_ERROR_PREFIX, guardAvailable, metricsAvailable } from '../../scripts/sandbox/gate-extras';
import { describeIf } from '../support/describe-if';
import { ROOT } from '../support/invoke-cli';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const UNLINKING = ['INVALID_AUTHORIZATION_CREDENTIAL', 'EXPIRED_AUTHORIZATION_CREDENTIAL'];
const typeOf = (reply: any) => reply.event?.payload?.type ?? reply.payload?.type;

const SKILL_NAMES = ['ride-hailer', 'my-lights', 'jukebox'] as const;
/** A JWT, anywhere in a text. */
const JWT_PATTERN = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/** `npm start -- --json`, run once for every suite of this file that reads it. */
let guidedRun: Promise<any> | undefined;
const runGuided = () =>
  (guidedRun ??= promisify(execFile)(TSX, ['scripts/sandbox/main.ts', '--json'], { cwd: ROOT, timeout: 90_000 }).then(({ stdout }) => JSON.parse(stdout)));

describe('npm start, the guided run', () => {
  let run: any;
  beforeAll(async () => {
    run = await runGuided();
  }, 100_000);
  const reply = (verification: string, skill: string, title: string) => run.configurations[verification][skill][title].reply;

  it.each(['introspection', 'jwt'])('links ada, and with %s every skill answers her linked request from its domain handler', (verification) => {
    expect(reply(verification, 'ride-hailer', 'linked').response.outputSpeech.ssml).toContain('a car is on its way');
    expect(reply(verification, 'my-lights', 'linked').event.header.name).toBe('Response');
    expect(reply(verification, 'jukebox', 'linked').header.name).toBe('Initiate.Response');
  });

  it.each([
    ['introspection', 'token expired (past its 2 s TTL)', 'token expired'],
    ['introspection', 'token revoked', 'token revoked at the authorization server'],
    ['introspection', 'forged token', 'forged token'],
    ['introspection', 'no token', 'no token (not linked)'],
    ['jwt', 'forged token', 'forged token'],
    ['jwt', 'no token', 'no token (not linked)'],
  ])('with %s, answers "%s" with a LinkAccount card or INVALID_AUTHORIZATION_CREDENTIAL', (verification, _name, title) => {
    expect(reply(verification, 'ride-hailer', title)).toBeLinkAccountResponse();
    expect(reply(verification, 'my-lights', title)).toBeAlexaErrorResponse('INVALID_AUTHORIZATION_CREDENTIAL');
    expect(reply(verification, 'jukebox', title)).toBeMusicErrorResponse('INVALID_AUTHORIZATION_CREDENTIAL');
  });

  it('with JWTs, answers a JWT past its exp with EXPIRED_AUTHORIZATION_CREDENTIAL in every family that has it', () => {
    expect(reply('jwt', 'ride-hailer', 'token expired')).toBeLinkAccountResponse();
    expect(reply('jwt', 'ride-hailer', 'token expired').response.outputSpeech.ssml).toContain('has expired');
    expect(reply('jwt', 'my-lights', 'token expired')).toBeAlexaErrorResponse('EXPIRED_AUTHORIZATION_CREDENTIAL');
    expect(reply('jwt', 'jukebox', 'token expired')).toBeMusicErrorResponse('EXPIRED_AUTHORIZATION_CREDENTIAL');
    expect(run.configurations.jwt['my-lights']['token expired'].decision.outcome).toBe('expired');
  });

  it.each(['introspection', 'jwt'])('with %s, keeps ada linked after the signing key is rotated and her token refreshed', (verification) => {
    expect(reply(verification, 'ride-hailer', 'signing key rotated, token refreshed').response.outputSpeech.ssml).toContain('a car is on its way');
    expect(reply(verification, 'my-lights', 'signing key rotated, token refreshed').event.header.name).toBe('Response');
    expect(reply(verification, 'jukebox', 'signing key rotated, token refreshed').header.name).toBe('Initiate.Response');
    expect(run.configurations[verification]['my-lights']['signing key rotated, token refreshed'].steps.join(' ')).toMatch(/Rotated the signing key: \S+ signs from now on, \S+ is still published/);
  });

  it('publishes the new keys and the first one after the rotations', () => {
    expect(run.signingKids.length).toBeGreaterThan(1);
    expect(new Set(run.signingKids).size).toBe(run.signingKids.length);
    expect(run.signingKids.at(-1)).toBe('sandbox-key-1');
  });

  it('never unlinks while the authorization server is down, with introspection', () => {
    const down = 'linked, authorization server down';
    expect(reply('introspection', 'ride-hailer', down)).toBeTryLaterResponse();
    expect(UNLINKING).not.toContain(typeOf(reply('introspection', 'my-lights', down)));
    expect(typeOf(reply('introspection', 'my-lights', down))).toBe('INTERNAL_ERROR');
    expect(typeOf(reply('introspection', 'jukebox', down))).toBe('INTERNAL_ERROR');
  });

  it('records each request\'s verdict with a token fingerprint, and no token in any log line', () => {
    for (const verification of ['introspection', 'jwt']) {
      for (const skill of SKILL_NAMES) {
        for (const [title, result] of Object.entries<any>(run.configurations[verification][skill])) {
          if (title.startsWith('no token')) {
            expect(result.tokenFingerprint).toBeNull();
          } else {
            expect(result.tokenFingerprint).toMatch(/^[\w-]{8,}$/);
            expect(result.log.join('\n')).toContain(result.tokenFingerprint);
          }
          expect(result.log.join('\n')).not.toMatch(JWT_PATTERN);
        }
      }
    }
  });

  it('sends every bad deploy five distinct users per skill, and a wrong introspection secret unlinks none of them', () => {
    for (const deploy of Object.values<any>(run.badDeploys)) {
      for (const skill of SKILL_NAMES) {
        expect(deploy[skill].users).toBe(5);
        expect(new Set(deploy[skill].requests.map((request: any) => request.tokenFingerprint)).size).toBe(5);
      }
    }
    for (const skill of SKILL_NAMES) expect(run.badDeploys['introspection, wrong-secret'][skill].unlinked).toBe(0);
  });

  it('prints no secret of the skills\' configuration', () => {
    expect(run.badDeploys['introspection, wrong-secret'].environment.INTROSPECTION_CLIENT_SECRET).toBe('[redacted]');
    expect(JSON.stringify(run)).not.toContain('client-secret');
  });

  it('prints the readable summary without --json, and exits 0', async () => {
    const { stdout } = await promisify(execFile)(TSX, ['scripts/sandbox/main.ts'], { cwd: ROOT, timeout: 90_000 });
    expect(stdout).toContain('Linking "ada" the way Alexa does:');
    expect(stdout).toContain('Deployed with TOKEN_VERIFIER=jwt');
    expect(stdout).toContain('My Lights (smart home), TurnOn: what Alexa receives');
    expect(stdout).toContain('Bad deploys:');
  }, 100_000);
});

// Issue #13's unlink guard and metrics: these run once the gate has them (the sandbox detects them).
describeIf(guardAvailable, 'the gate of this build has no unlink guard yet (lib/errors.ts exports no UnlinkGuardHoldError)')('npm start, a bad deploy behind the unlink guard', () => {
  let run: any;
  beforeAll(async () => {
    run = await runGuided();
  }, 100_000);

  // Issue #13: the guard holds after at most 3 distinct rejections with no acceptance (its goal: from the first).
  it('unlinks at most 3 of the five users in any bad deploy, in any family, and never the fifth', () => {
    for (const [name, deploy] of Object.entries<any>(run.badDeploys)) {
      for (const skill of SKILL_NAMES) {
        const { requests, unlinked } = deploy[skill];
        expect({ deploy: name, skill, atMostThree: unlinked <= 3, fifthUnlinked: requests[4].unlinks }).toEqual({ deploy: name, skill, atMostThree: true, fifthUnlinked: false });
      }
    }
  });

  it('logs the guard\'s ERROR line where the verifier rejected everybody', () => {
    const errors = run.badDeploys['introspection, wrong-server']['my-lights'].errors.join('\n');
    expect(errors).toContain(GUARD_ERROR_PREFIX);
    expect(errors).not.toMatch(JWT_PATTERN);
  });
});

describeIf(metricsAvailable, 'the gate of this build emits no metrics yet (no lib/metrics.ts)')('npm start, the gate\'s metrics', () => {
  it('shows an EMF metric line for each decision, with no token in it', async () => {
    const run = await runGuided();
    const linked = run.configurations.jwt['my-lights'].linked;
    expect(linked.metrics.length).toBeGreaterThan(0);
    expect(JSON.parse(linked.metrics[0])._aws).toBeDefined();
    expect(run.badDeploys['jwt, wrong-server']['jukebox'].metrics.join('\n')).not.toMatch(JWT_PATTERN);
  }, 100_000);
});

describe('the sandbox\'s local endpoint, given bad input', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());
  const post = (pathname: string, body: string | Buffer, contentType = 'application/json', method = 'POST') =>
    fetch(`${sandbox.endpoint.url}${pathname}`, { method, headers: { 'Content-Type': contentType }, body: method === 'GET' ? undefined : body });

  it.each([
    ['a body that is not JSON', () => post('/skills/ride-hailer', '{not json'), 400, 'not JSON'],
    ['a request the skill refuses', () => post('/skills/ride-hailer', '{"version":"1.0"}'), 400, 'no "request" object'],
    ['the wrong method', () => post('/skills/ride-hailer', '', 'application/json', 'GET'), 405, 'POST'],
    ['an unknown path', () => post('/skills/nope', '{}'), 404, '/skills/ride-hailer'],
    ['a body that is not sent as JSON', () => post('/skills/my-lights', 'a=b', 'application/x-www-form-urlencoded'), 415, 'application/json'],
    ['a body over the size cap', () => post('/skills/jukebox', Buffer.alloc(300 * 1024, 'x')), 413, 'over'],
    ['a console request in an unknown situation', () => post('/console/send', JSON.stringify({ skill: 'jukebox', request: 'initiate', situation: { verification: 'jwt', token: 'stolen', server: 'up', deploy: 'correct' } })), 400, 'situation.token must be one of'],
    ['a console request for an unknown request', () => post('/console/send', JSON.stringify({ skill: 'jukebox', request: 'launch', situation: { verification: 'jwt', token: 'linked', server: 'up', deploy: 'correct' } })), 400, '{skill, request, situation}'],
    ['a console request with GET', () => post('/console/send', '', 'application/json', 'GET'), 405, 'POST'],
  ])('answers %s with a clear HTTP error, and keeps serving', async (_name, send, status, message) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toContain(message);
    const { status: after, reply } = await sandbox.send('ride-hailer', launchRequest());
    expect(after).toBe(200);
    expect(reply).toBeLinkAccountResponse();
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const describeWithChromium = describeIf(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);

describeWithChromium('a person linking an account in the sandbox, in headless Chromium', () => {
  it('links through the login and consent pages, and the custom skill then answers as linked', async () => {
    const { chromium } = await import('playwright-core');
    const sandbox = await startSandbox();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${sandbox.endpoint.url}/`);
      await page.click('#link-account');
      await page.waitForSelector('input[name="login"]'); // the authorization server's login page
      await page.fill('input[name="login"]', 'grace');
      await page.fill('input[name="password"]', 'any password');
      await page.click('button[type="submit"]');
      await page.waitForSelector('button[type="submit"]'); // the consent page
      await page.click('button[type="submit"]');
      await page.waitForSelector('#linked');
      await page.screenshot({ path: path.join(ROOT, 'test', 'e2e', '.sandbox-linked.png') });
      const shown = (await page.textContent('#token-fingerprint'))!.trim();
      const [linked] = sandbox.endpoint.linked;
      expect(shown).toBe(fingerprint(linked.access_token));
      expect(await page.content()).not.toContain(linked.access_token);

      const { reply } = await sandbox.send('ride-hailer', launchRequest({ accessToken: linked.access_token }));
      expect(reply.response.outputSpeech.ssml).toBe('<speak>Welcome to Ride Hailer. Where would you like to go?</speak>');
    } finally {
      await browser.close();
      await sandbox.close();
    }
  });
});
