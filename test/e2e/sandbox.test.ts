/**
 * npm start, the local account-linking sandbox: its guided run, its local endpoint's answers to
 * bad input, and a person linking an account through its login page in headless Chromium.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchRequest } from '../../lib/testing';
import { startSandbox, type Sandbox } from '../../scripts/sandbox/sandbox';
import { describeIf } from '../support/describe-if';
import { ROOT } from '../support/invoke-cli';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const UNLINKING = ['INVALID_AUTHORIZATION_CREDENTIAL', 'EXPIRED_AUTHORIZATION_CREDENTIAL'];
const typeOf = (reply: any) => reply.event?.payload?.type ?? reply.payload?.type;

describe('npm start, the guided run', () => {
  let replies: any;
  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(TSX, ['scripts/sandbox/main.ts', '--json'], { cwd: ROOT, timeout: 60_000 });
    replies = JSON.parse(stdout);
  });

  it('links ada, and every skill answers her linked request from its domain handler', () => {
    expect(replies['ride-hailer'].linked.response.outputSpeech.ssml).toContain('a car is on its way');
    expect(replies['my-lights'].linked.event.header.name).toBe('Response');
    expect(replies.jukebox.linked.header.name).toBe('Initiate.Response');
  });

  it.each(['token expired (past its 2 s TTL)', 'token revoked at the authorization server', 'forged token', 'no token (not linked)'])(
    'answers "%s" with a LinkAccount card or INVALID_AUTHORIZATION_CREDENTIAL',
    (title) => {
      expect(replies['ride-hailer'][title]).toBeLinkAccountResponse();
      expect(replies['my-lights'][title]).toBeAlexaErrorResponse('INVALID_AUTHORIZATION_CREDENTIAL');
      expect(replies.jukebox[title]).toBeMusicErrorResponse('INVALID_AUTHORIZATION_CREDENTIAL');
    },
  );

  it('never unlinks while the authorization server is down', () => {
    const down = 'linked, authorization server down';
    expect(replies['ride-hailer'][down]).toBeTryLaterResponse();
    expect(UNLINKING).not.toContain(typeOf(replies['my-lights'][down]));
    expect(typeOf(replies['my-lights'][down])).toBe('INTERNAL_ERROR');
    expect(typeOf(replies.jukebox[down])).toBe('INTERNAL_ERROR');
  });

  it('prints the readable summary without --json, and exits 0', async () => {
    const { stdout } = await promisify(execFile)(TSX, ['scripts/sandbox/main.ts'], { cwd: ROOT, timeout: 60_000 });
    expect(stdout).toContain('Linking "ada" the way Alexa does:');
    expect(stdout).toContain('My Lights (smart home): what Alexa receives');
  });
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
      const token = (await page.textContent('#access-token'))!.trim();
      expect(sandbox.endpoint.linked.map((t) => t.access_token)).toContain(token);

      const { reply } = await sandbox.send('ride-hailer', launchRequest({ accessToken: token }));
      expect(reply.response.outputSpeech.ssml).toBe('<speak>Welcome to Ride Hailer. Where would you like to go?</speak>');
    } finally {
      await browser.close();
      await sandbox.close();
    }
  });
});
