/**
 * The sandbox's console page (npm start -- --serve, GET /console), driven in headless Chromium:
 * a person links an account, then sends each skill a request in each situation; the summary the
 * page shows is checked against the reply the endpoint really returned, every unlinking reply is
 * marked, no token is ever on the page, and nothing runs off the right edge at 1000 or 400 px.
 * It writes docs/sandbox-console.png, the README's screenshot.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { fingerprint } from '../../lib';
import { GUARD_ERROR_PREFIX, guardAvailable } from '../../scripts/sandbox/gate-extras';
import { startSandbox, type Sandbox } from '../../scripts/sandbox/sandbox';
import { SKILLS, type Situation, type SkillName } from '../../scripts/sandbox/situations';
import { explainReply } from '../../scripts/summary';
import { describeIf } from '../support/describe-if';
import { ROOT } from '../support/invoke-cli';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const describeWithChromium = describeIf(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);

const UNLINKING = ['INVALID_AUTHORIZATION_CREDENTIAL', 'EXPIRED_AUTHORIZATION_CREDENTIAL'];
/** A JWT, anywhere in a text. */
const JWT_PATTERN = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/** Whether Alexa deletes the link on this reply, read straight off the wire format (not through the sandbox's summaries). */
function unlinksOnTheWire(reply: any): boolean {
  const error = reply.event?.header?.name === 'ErrorResponse' ? reply.event.payload : reply.header?.name === 'ErrorResponse' ? reply.payload : undefined;
  if (error) return UNLINKING.includes(error.type);
  return reply.response?.card?.type === 'LinkAccount';
}

/** Every situation the console offers, one switch changed at a time from a linked user on a server that is up. */
const SITUATIONS: Situation[] = (['introspection', 'jwt'] as const).flatMap((verification) => [
  ...(['linked', 'expired', 'revoked', 'forged', 'none', 'rotated'] as const).map((token) => ({ verification, token, server: 'up' as const, deploy: 'correct' as const })),
  ...(['down', 'hang'] as const).map((server) => ({ verification, token: 'linked' as const, server, deploy: 'correct' as const })),
  ...(['wrong-audience', 'wrong-secret', 'wrong-server'] as const).map((deploy) => ({ verification, token: 'linked' as const, server: 'up' as const, deploy })),
]);

describeWithChromium('the sandbox console, in headless Chromium', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  /** The access token Alexa keeps from the browser link: never on the page. */
  let browserToken: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    sandbox = await startSandbox();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
  });

  /** Sets the switches, presses a request's button, and answers the JSON the endpoint returned. */
  async function send(skill: SkillName, request: string, situation: Situation): Promise<any> {
    for (const [name, value] of Object.entries(situation)) await page.check(`#${name}-${value}`);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/console/send'), { timeout: 20_000 }),
      page.click(`#skill-${skill} button[data-request="${request}"]`),
    ]);
    expect(response.status()).toBe(200);
    const exchange = await response.json();
    await page.waitForFunction(([s, r]) => {
      const document = (globalThis as any).document; // (this runs in the page)
      const result = document.querySelector('#result');
      return !result.hidden && result.dataset.skill === s && result.dataset.request === r && !document.querySelector('#skills button').disabled;
    }, [skill, request]);
    return exchange;
  }

  it('links an account through the login and consent pages, and the linked page leads to the console', async () => {
    await page.goto(`${sandbox.endpoint.url}/`);
    await page.click('#link-account');
    await page.fill('input[name="login"]', 'grace');
    await page.fill('input[name="password"]', 'any password');
    await page.click('button[type="submit"]');
    await page.waitForSelector('button[type="submit"]');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#linked');
    browserToken = sandbox.endpoint.linked[0].access_token;
    expect(await page.textContent('#token-fingerprint')).toBe(fingerprint(browserToken));

    await page.click('#open-console');
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('#linked-user')).toContain('Linked: grace (in the browser)');
    expect(await page.textContent('#linked-user')).toContain(fingerprint(browserToken));
  });

  it('sends the browser-linked token, and the skill answers grace as linked', async () => {
    const exchange = await send('ride-hailer', 'launch', { verification: 'introspection', token: 'linked', server: 'up', deploy: 'correct' });
    expect(exchange.tokenFingerprint).toBe(fingerprint(browserToken));
    expect(exchange.reply.response.outputSpeech.ssml).toContain('Welcome to Ride Hailer');
    expect(await page.textContent('#fingerprint')).toContain(`grace's token, SHA-256 fingerprint ${fingerprint(browserToken)}`);
    expect(await page.getAttribute('#result', 'data-unlinks')).toBe('false');
  });

  it('shows, for each skill in each situation, the summary of the reply the skill really gave, and marks every reply that unlinks', async () => {
    const seen = new Set<string>();
    const unlinking = new Set<string>();
    for (const [index, situation] of SITUATIONS.entries()) {
      for (const skill of Object.keys(SKILLS) as SkillName[]) {
        const requests = Object.keys(SKILLS[skill].requests);
        const request = requests[index % requests.length];
        const exchange = await send(skill, request, situation);
        const where = `${skill} ${request} in ${JSON.stringify(situation)}`;

        // The reply on the page is the one the endpoint returned, and the summary is read from it.
        expect({ where, reply: JSON.parse((await page.textContent('#reply-json'))!) }).toEqual({ where, reply: exchange.reply });
        const badge = (await page.textContent('#summary .badge'))!;
        const summary = (await page.textContent('#summary'))!.slice(badge.length);
        expect({ where, summary }).toEqual({ where, summary: explainReply(exchange.reply).summary });

        // The mark agrees with the wire format itself.
        const unlinks = unlinksOnTheWire(exchange.reply);
        expect({ where, badge }).toEqual({ where, badge: unlinks ? 'UNLINKS the user' : 'link kept' });
        expect({ where, unlinks: await page.getAttribute('#result', 'data-unlinks') }).toEqual({ where, unlinks: String(unlinks) });
        if (unlinks) expect(summary).toMatch(/Alexa deletes the link|LinkAccount card/);
        if (unlinks) unlinking.add(situation.token + situation.deploy);

        // Why, and the decision log beside the reply: fingerprints, never a token.
        expect((await page.textContent('#why'))!.length).toBeGreaterThan(20);
        const log = (await page.textContent('#log'))!;
        if (exchange.tokenFingerprint) {
          expect(log).toContain(exchange.tokenFingerprint);
          expect(await page.textContent('#request-json')).toContain(`[redacted sha256:${exchange.tokenFingerprint}]`);
        }
        // The ERROR lines of the request, and of the other users' before it, are shown as the operator's alarm.
        const errors = [...exchange.crowdLog, ...exchange.log].map((line: string) => JSON.parse(line)).filter((entry: any) => entry.level === 'ERROR');
        expect({ where, alarm: await page.isVisible('#alarm') }).toEqual({ where, alarm: errors.length > 0 });
        for (const error of errors) expect(await page.textContent('#alarm')).toContain(error.message);
        const text = (await page.textContent('body'))!;
        expect({ where, jwt: JWT_PATTERN.test(text) }).toEqual({ where, jwt: false });
        expect(text.includes(browserToken)).toBe(false);
        seen.add(`${skill}/${request}`);
      }
    }
    // Every request of every skill was sent at least once, and unlinking replies were among the answers.
    expect(seen.size).toBe(Object.values(SKILLS).reduce((count, skill) => count + Object.keys(skill.requests).length, 0));
    expect(unlinking.size).toBeGreaterThan(0);
  }, 240_000);

  it('never unlinks while the authorization server is down or hanging with introspection', async () => {
    for (const server of ['down', 'hang'] as const) {
      const exchange = await send('my-lights', 'turn-on', { verification: 'introspection', token: 'linked', server, deploy: 'correct' });
      expect(exchange.reply).toBeAlexaErrorResponse('INTERNAL_ERROR');
      expect(await page.textContent('#summary')).toContain('the link is kept');
    }
  }, 30_000);

  it('shows the other users of a bad deploy, each with a fingerprint and what they received', async () => {
    const exchange = await send('jukebox', 'initiate', { verification: 'introspection', token: 'linked', server: 'up', deploy: 'wrong-server' });
    expect(exchange.crowd).toHaveLength(4);
    const crowd = (await page.textContent('#crowd'))!;
    expect(crowd).toContain(`Other users of this deploy: 4 requests, ${exchange.crowd.filter((other: any) => other.unlinks).length} unlinked`);
    for (const other of exchange.crowd) expect(crowd).toContain(other.tokenFingerprint);
  });

  // Issue #13's unlink guard: this runs once the gate has it (the sandbox detects it).
  (guardAvailable ? it : it.skip)(`shows a bad deploy held by the unlink guard: the user kept linked, the guard's ERROR line as the alarm${guardAvailable ? '' : ' [SKIPPED: this build has no unlink guard yet]'}`, async () => {
    const exchange = await send('my-lights', 'turn-on', { verification: 'jwt', token: 'linked', server: 'up', deploy: 'wrong-server' });
    // (the guard holds after at most 3 distinct rejections; the user's is the fifth)
    expect(exchange.unlinks).toBe(false);
    expect(exchange.decision.held).toBe(true);
    expect(await page.getAttribute('#result', 'data-unlinks')).toBe('false');
    expect(await page.textContent('#alarm')).toContain(GUARD_ERROR_PREFIX);
  });

  it('puts the request Alexa sent one click away, its token replaced by the fingerprint', async () => {
    const exchange = await send('my-lights', 'accept-grant', { verification: 'jwt', token: 'linked', server: 'up', deploy: 'correct' });
    expect(await page.isVisible('#request-json')).toBe(false);
    await page.click('#result details summary');
    expect(await page.isVisible('#request-json')).toBe(true);
    const shown = JSON.parse((await page.textContent('#request-json'))!);
    expect(shown.directive.header.name).toBe('AcceptGrant');
    expect(shown.directive.payload.grantee.token).toBe(`[redacted sha256:${exchange.tokenFingerprint}]`);
  });

  it.each([1000, 400])('runs nothing off the right edge at %i px, and writes the screenshot', async (width) => {
    await page.setViewportSize({ width, height: 900 });
    await send('my-lights', 'turn-on', { verification: 'jwt', token: 'expired', server: 'up', deploy: 'correct' });
    expect(await page.textContent('#summary')).toContain('EXPIRED_AUTHORIZATION_CREDENTIAL');
    if (!(await page.isVisible('#request-json'))) await page.click('#result details summary');
    const overflow = await page.evaluate(() => {
      const { document, innerWidth } = globalThis as any; // (this runs in the page)
      const root = document.scrollingElement;
      const wide = ([...document.querySelectorAll('body *')] as any[])
        .filter((element) => {
          const box = element.getBoundingClientRect();
          return box.width > 0 && (box.right > innerWidth + 0.5 || box.left < -0.5);
        })
        .map((element) => `${element.tagName.toLowerCase()}#${element.id}`);
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide };
    });
    expect(overflow.wide).toEqual([]);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.clientWidth);
    await page.click('#result details summary'); // closed again: the screenshot shows the reply and the log
    if (width === 1000) {
      mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: path.join(ROOT, 'docs', 'sandbox-console.png'), fullPage: true });
    } else {
      await page.screenshot({ path: path.join(ROOT, 'test', 'e2e', `.sandbox-console-${width}.png`), fullPage: true });
    }
  }, 30_000);

  it('keeps the link and index pages within 400 px too', async () => {
    await page.setViewportSize({ width: 400, height: 900 });
    await page.goto(`${sandbox.endpoint.url}/`);
    const { scrollWidth, clientWidth } = await page.evaluate(() => {
      const root = (globalThis as any).document.scrollingElement; // (this runs in the page)
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
    });
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  });
});
