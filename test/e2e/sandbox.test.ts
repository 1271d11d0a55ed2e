/**
 * npm start, the local account-linking sandbox: its guided run (introspection and JWT deploys, a
 * key rotation, the unlinking policy's demonstrations, bad deploys), its local endpoint's answers to
 * bad input, and a person linking an account through its login page in headless Chromium. The
 * console page: sandbox-console.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fingerprint } from '../../lib';
import { launchRequest } from '../../lib/testing';
import { startSandbox, type Sandbox } from '../../scripts/sandbox/sandbox';
import { UNLINKING_HELD_PREFIX } from '../../scripts/sandbox/gate-extras';
import { fleetTally, plural } from '../../scripts/sandbox/fleet';
import { describeIf } from '../support/describe-if';
import { ROOT } from '../support/invoke-cli';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const UNLINKING = ['INVALID_AUTHORIZATION_CREDENTIAL', 'EXPIRED_AUTHORIZATION_CREDENTIAL'];
const typeOf = (reply: any) => reply.event?.payload?.type ?? reply.payload?.type;

const SKILL_NAMES = ['ride-hailer', 'my-lights', 'jukebox'] as const;
/** A JWT, anywhere in a text. */
const JWT_PATTERN = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/** When the decision line of a request's log was written (ms since the epoch). */
function loggedAtOf(log: string[]): number {
  return Date.parse(log.map((line) => JSON.parse(line)).find((line: any) => line.outcome).timestamp);
}

/** `npm start -- --json`, run once for every suite of this file that reads it. */
let guidedRun: Promise<any> | undefined;
const runGuided = () =>
  (guidedRun ??= promisify(execFile)(TSX, ['scripts/sandbox/main.ts', '--json'], { cwd: ROOT, timeout: 90_000 }).then(
    ({ stdout }) => JSON.parse(stdout),
  ));

describe('npm start, the guided run', () => {
  let run: any;
  beforeAll(async () => {
    run = await runGuided();
  }, 100_000);
  const result = (verification: string, skill: string, title: string) => run.configurations[verification][skill][title];
  const reply = (verification: string, skill: string, title: string) => result(verification, skill, title).reply;
  const loggedAt = (entry: any) => loggedAtOf(entry.log);

  it('ends by checking its authorization server as Alexa uses it: refresh tokens issued and rotated with a grace, nothing that unlinks users, only plain HTTP (a loopback sandbox) breaking linking', () => {
    const findings: Array<{ id: string; severity: string }> = run.serverCheck.findings;
    const ok = new Set(findings.filter(({ severity }) => severity === 'ok').map(({ id }) => id));
    for (const id of [
      'refresh-token-issued',
      'refresh',
      'refresh-reuse',
      'token-lifetime',
      'token-time',
      'verifier',
      'redirect-uris',
    ]) {
      if (findings.some((finding) => finding.id === id)) expect(ok).toContain(id);
    }
    expect(ok).toContain('refresh-reuse');
    expect(findings.filter(({ severity }) => severity === 'unlinks-users')).toEqual([]);
    expect(new Set(findings.filter(({ severity }) => severity === 'breaks-linking').map(({ id }) => id))).toEqual(
      new Set(['https']),
    );
  });

  it.each(['introspection', 'jwt'])(
    'links ada, and with %s every skill answers her linked request from its domain handler',
    (verification) => {
      expect(reply(verification, 'ride-hailer', 'linked').response.outputSpeech.ssml).toContain('a car is on its way');
      expect(reply(verification, 'my-lights', 'linked').event.header.name).toBe('Response');
      expect(reply(verification, 'jukebox', 'linked').header.name).toBe('Initiate.Response');
    },
  );

  it.each([
    ['introspection', 'token expired (past its 2 s TTL)', 'token expired', 'inactive'],
    ['introspection', 'token revoked', 'token revoked at the authorization server', 'inactive'],
    ['introspection', 'forged token', 'forged token', 'inactive'],
    ['jwt', 'forged token', 'forged token', 'signature'],
    ['jwt', 'token expired (past its 1 s TTL)', 'token expired', 'expired'],
  ])(
    'with %s, holds "%s" the first time: pending, the transient reply, and when it can be confirmed',
    (verification, _name, title, reasonClass) => {
      expect(reply(verification, 'ride-hailer', title)).toBeTryLaterResponse();
      expect(reply(verification, 'my-lights', title)).toBeAlexaErrorResponse('INTERNAL_ERROR');
      expect(reply(verification, 'jukebox', title)).toBeMusicErrorResponse('INTERNAL_ERROR');
      for (const skill of SKILL_NAMES) {
        const first = result(verification, skill, title);
        expect({ skill, unlinks: first.unlinks, decision: first.decision }).toEqual({
          skill,
          unlinks: false,
          decision: expect.objectContaining({
            outcome: 'undecided',
            rejection: 'suspected',
            reasonClass,
            held: 'pending',
            confirmAt: expect.any(String),
          }),
        });
        // The decision line says when: the sandbox's delay (2 s) after the token's first rejection.
        const wait = Date.parse(first.decision.confirmAt) - loggedAt(first);
        expect({ skill, wait: wait > 1000 && wait <= 2000 }).toEqual({ skill, wait: true });
        expect(first.decisionText).toContain('held: pending');
        expect(first.why).toContain('try again later');
      }
    },
  );

  it.each([
    ['introspection', 'token expired (past its 2 s TTL)', 'token expired'],
    ['introspection', 'token revoked', 'token revoked at the authorization server'],
    ['introspection', 'forged token', 'forged token'],
    ['jwt', 'forged token', 'forged token'],
  ])(
    'with %s, confirms "%s" when the same token is rejected again after the delay: a LinkAccount card or INVALID_AUTHORIZATION_CREDENTIAL',
    (verification, _name, title) => {
      const again = `${title}, sent again`;
      expect(reply(verification, 'ride-hailer', again)).toBeLinkAccountResponse();
      expect(reply(verification, 'my-lights', again)).toBeAlexaErrorResponse('INVALID_AUTHORIZATION_CREDENTIAL');
      expect(reply(verification, 'jukebox', again)).toBeMusicErrorResponse('INVALID_AUTHORIZATION_CREDENTIAL');
      for (const skill of SKILL_NAMES) {
        const confirmed = result(verification, skill, again);
        expect(confirmed.tokenFingerprint).toBe(result(verification, skill, title).tokenFingerprint);
        expect(confirmed.decision).toEqual(expect.objectContaining({ outcome: 'invalid', rejection: 'suspected' }));
        expect(confirmed.decision.held).toBeUndefined();
        expect(loggedAt(confirmed)).toBeGreaterThanOrEqual(
          Date.parse(result(verification, skill, title).decision.confirmAt),
        );
        expect(confirmed.why).toContain('confirmed');
      }
    },
  );

  it.each(['introspection', 'jwt'])(
    'with %s, answers no token at once with a LinkAccount card or INVALID_AUTHORIZATION_CREDENTIAL (nothing to hold), and calls it not linked, not unlinking',
    (verification) => {
      const title = 'no token (not linked)';
      expect(reply(verification, 'ride-hailer', title)).toBeLinkAccountResponse();
      expect(reply(verification, 'my-lights', title)).toBeAlexaErrorResponse('INVALID_AUTHORIZATION_CREDENTIAL');
      expect(reply(verification, 'jukebox', title)).toBeMusicErrorResponse('INVALID_AUTHORIZATION_CREDENTIAL');
      expect(run.configurations[verification]['ride-hailer'][`${title}, sent again`]).toBeUndefined();
      for (const skill of SKILL_NAMES) {
        // Nobody was linked: the gate's metric counts no unlinking reply, and neither does the sandbox.
        const { claim, badge, unlinks, summary, metrics } = result(verification, skill, title);
        const [metric] = metrics.map((line: string) => JSON.parse(line));
        expect({
          skill,
          claim,
          badge,
          unlinks,
          outcome: metric.Outcome,
          unlinkingReplies: metric.UnlinkingReplies,
        }).toEqual({
          skill,
          claim: 'not-linked',
          badge: 'not linked: asks the user to link',
          unlinks: false,
          outcome: 'missing',
          unlinkingReplies: 0,
        });
        expect(summary).not.toContain('deletes the link');
      }
    },
  );

  it('with JWTs, confirms a JWT past its exp with EXPIRED_AUTHORIZATION_CREDENTIAL in every family that has it', () => {
    const again = 'token expired, sent again';
    expect(reply('jwt', 'ride-hailer', again)).toBeLinkAccountResponse();
    expect(reply('jwt', 'ride-hailer', again).response.outputSpeech.ssml).toContain('has expired');
    expect(reply('jwt', 'my-lights', again)).toBeAlexaErrorResponse('EXPIRED_AUTHORIZATION_CREDENTIAL');
    expect(reply('jwt', 'jukebox', again)).toBeMusicErrorResponse('EXPIRED_AUTHORIZATION_CREDENTIAL');
    expect(run.configurations.jwt['my-lights'][again].decision.outcome).toBe('expired');
  });

  it('keeps a revoked JWT linked (it verifies until it expires): nothing to hold or confirm', () => {
    expect(
      reply('jwt', 'ride-hailer', 'token revoked at the authorization server').response.outputSpeech.ssml,
    ).toContain('a car is on its way');
    expect(
      run.configurations.jwt['ride-hailer']['token revoked at the authorization server, sent again'],
    ).toBeUndefined();
  });

  it.each(['introspection', 'jwt'])(
    'with %s, keeps ada linked after the signing key is rotated and her token refreshed',
    (verification) => {
      expect(
        reply(verification, 'ride-hailer', 'signing key rotated, token refreshed').response.outputSpeech.ssml,
      ).toContain('a car is on its way');
      expect(reply(verification, 'my-lights', 'signing key rotated, token refreshed').event.header.name).toBe(
        'Response',
      );
      expect(reply(verification, 'jukebox', 'signing key rotated, token refreshed').header.name).toBe(
        'Initiate.Response',
      );
      expect(
        run.configurations[verification]['my-lights']['signing key rotated, token refreshed'].steps.join(' '),
      ).toMatch(/Rotated the signing key: \S+ signs from now on, \S+ is still published/);
    },
  );

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

  it("records each request's verdict with a token fingerprint, and no token in any log line", () => {
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

  it("prints no secret of the skills' configuration", () => {
    expect(run.badDeploys['introspection, wrong-secret'].environment.INTROSPECTION_CLIENT_SECRET).toBe('[redacted]');
    expect(JSON.stringify(run)).not.toContain('client-secret');
  });

  describe('without --json', () => {
    let stdout: string;
    /** The output with each wrapped line joined again to the line it continues. */
    let flat: string;
    beforeAll(async () => {
      ({ stdout } = await promisify(execFile)(TSX, ['scripts/sandbox/main.ts'], { cwd: ROOT, timeout: 90_000 }));
      flat = stdout.replace(/\n {7,}(?!\[held)/g, ' ');
    }, 100_000);

    it('prints the readable summary, and exits 0', () => {
      expect(stdout).toContain('Linking "ada" the way Alexa does:');
      expect(stdout).toContain('Deployed with TOKEN_VERIFIER=jwt');
      expect(stdout).toContain('My Lights (smart home), TurnOn: what Alexa receives');
      // (a) and (b): a dead token held, with when it can be confirmed, then confirmed; what a deployed skill waits
      expect(stdout).toMatch(
        /token revoked at the authorization server +-> apology, no card — the link is kept\n +\[held: pending, can be confirmed from \d\d:\d\d:\d\d\.\d{3} UTC\]/,
      );
      expect(stdout).toMatch(/the same token, again after the delay +-> \[UNLINKS\] LinkAccount card/);
      expect(flat).toContain('a deployed skill waits 1 h by default');
      expect(stdout).toContain('The unlinking policy, step by step');
      expect(flat).toMatch(/Held: pending — ada gets the "try again later" reply .* can be confirmed from/);
      // (c): the breaker, its ERROR line (its message: the JSON is in --json), the other class answered, the fix
      expect(flat).toMatch(/0 of 5 unlinked, 5 held: breaker/);
      expect(flat).toMatch(
        /ERROR line \(in full: --json, or the console\): account linking: unlinking held: \d+ distinct tokens first rejected for signature/,
      );
      expect(flat).toMatch(
        /hedy's token is dead for another reason \(expired\): the breaker does not hold it\..* answered with the unlinking reply/,
      );
      expect(flat).toMatch(/5 of 5 linked\. Nobody was unlinked by the fault \(0 unlinking replies\)/);
      expect(stdout).toContain('Bad deploys:');
      expect(stdout).toMatch(
        /JWKS_URI of a staging server[^]*My Lights +0 of 5 users unlinked, 5 held: unproven; ada: INTERNAL_ERROR/,
      );
      // The metric line in a few words, with what the gate counted: no unlinking reply in a bad deploy.
      expect(flat).toMatch(
        /metric: +Family=custom Outcome=undecided ReasonClass=signature Hold=unproven: Decisions=1 Undecided=1 UnlinkingReplies=0 /,
      );
    });

    it('prints no line over 120 characters, and no raw JSON', () => {
      const long = stdout.split('\n').filter((line) => line.length > 120);
      expect(long).toEqual([]);
      expect(stdout).not.toMatch(/\{"(level|_aws)"/);
    });

    it('marks a request with no token "not linked", never "UNLINKS": nobody was linked', () => {
      const rows = flat.split('\n').filter((line) => line.includes('no token (not linked)'));
      expect(rows).toHaveLength(6); // 3 skills × 2 verifications
      for (const row of rows)
        expect(row).toMatch(
          /no token \(not linked\) +-> \[NOT LINKED\] (LinkAccount card \+ speech|INVALID_AUTHORIZATION_CREDENTIAL) — no token: nobody is linked, Alexa asks the user to link$/,
        );
    });

    it('counts in the singular for one and the plural for the rest', () => {
      for (const text of [stdout, flat])
        expect(text).not.toMatch(
          /(?<![\d.])1 (?:[a-z-]+ )?(?:users|tokens|requests|replies|lines|endpoints|containers|others)\b/,
        );
      expect(stdout).not.toMatch(/(?<![\d.])(?:0|[2-9]|\d\d+) (?:user|token|request|reply|line|endpoint)\b(?!s)/);
    });
  });

  it('words counts of one in the singular (the same words in the terminal and on the console page)', () => {
    expect([
      plural(1, 'reply', 'replies'),
      plural(2, 'reply', 'replies'),
      plural(0, 'user'),
      plural(1, 'distinct token'),
    ]).toEqual(['1 reply', '2 replies', '0 users', '1 distinct token']);
    expect(fleetTally([{ unlinks: true }]).text).toBe(
      '1 of 1 user unlinked, none held (the verifier could not decide: no rejection to hold)',
    );
    expect(
      fleetTally([
        { unlinks: false, held: 'unproven' },
        { unlinks: false, held: 'unproven' },
      ]).text,
    ).toBe('0 of 2 users unlinked, 2 held: unproven');
  });
});

describe('npm start, the unlinking policy step by step', () => {
  let run: any;
  beforeAll(async () => {
    run = await runGuided();
  }, 100_000);
  const FAULTED = ['grace', 'alan', 'edsger', 'barbara', 'ada'];
  const steps = (demo: any, label: string) => demo.steps.filter((step: any) => step.label === label);

  it('says what the sandbox waits, and what a deployed skill waits', () => {
    expect(run.policy.confirmAfterSeconds).toBe(2);
    expect(run.policy.deployedConfirmAfterSeconds).toBe(3600);
    expect(run.configurations.jwt.environment.UNLINK_CONFIRM_AFTER_SECONDS).toBe('2');
  });

  it("(a) holds a dead token's first rejection: pending, the transient reply, and when it can be confirmed", () => {
    for (const skill of SKILL_NAMES) {
      const demo = run.policy.confirm[skill];
      const [genuine, first] = demo.steps;
      expect(genuine.decision.outcome).toBe('linked');
      expect({ skill, first }).toEqual({
        skill,
        first: expect.objectContaining({
          label: 'first rejection',
          user: 'ada',
          unlinks: false,
          kind: 'transient',
          decision: expect.objectContaining({
            outcome: 'undecided',
            verdict: 'invalid',
            rejection: 'suspected',
            reasonClass: 'inactive',
            held: 'pending',
            confirmAt: expect.any(String),
          }),
        }),
      });
      expect(demo.story.join('\n')).toContain(`can be confirmed from ${first.decision.confirmAt.slice(11, 23)} UTC`);
      expect(demo.story.join('\n')).toContain('"try again later"');
    }
  });

  it('(b) confirms it when the same token is rejected again after the delay: the unlinking reply', () => {
    for (const skill of SKILL_NAMES) {
      const demo = run.policy.confirm[skill];
      const [, first, again] = demo.steps;
      expect(again).toEqual(
        expect.objectContaining({
          label: 'again, after the delay',
          tokenFingerprint: first.tokenFingerprint,
          unlinks: true,
        }),
      );
      expect(again.decision).toEqual(
        expect.objectContaining({ outcome: 'invalid', rejection: 'suspected', reasonClass: 'inactive' }),
      );
      expect(demo.exchange.tokenFingerprint).toBe(first.tokenFingerprint);
      expect(loggedAtOf(demo.exchange.log)).toBeGreaterThanOrEqual(Date.parse(first.decision.confirmAt));
      expect(demo.story.join('\n')).toContain('confirmed');
    }
    expect(run.policy.confirm['ride-hailer'].exchange.reply).toBeLinkAccountResponse();
    expect(run.policy.confirm['my-lights'].exchange.reply).toBeAlexaErrorResponse('INVALID_AUTHORIZATION_CREDENTIAL');
    expect(run.policy.confirm.jukebox.exchange.reply).toBeMusicErrorResponse('INVALID_AUTHORIZATION_CREDENTIAL');
  });

  it("(c) holds the confirmations of a fault's rejections with the breaker, and unlinks none of the five users", () => {
    for (const skill of SKILL_NAMES) {
      const demo = run.policy.breaker[skill];
      const faulted = (label: string) => steps(demo, label).filter((step: any) => FAULTED.includes(step.user));
      expect(faulted('first rejection')).toHaveLength(5);
      // Pending, until the ledger has counted minTokens (5) first rejections of the class (earlier forged tokens of
      // the run count too): from then on, the breaker.
      const held: string[] = faulted('first rejection').map((step: any) => step.decision.held);
      const firstBreaker = held.indexOf('breaker');
      expect({ skill, held }).toEqual({
        skill,
        held: [...held.slice(0, firstBreaker).map(() => 'pending'), ...held.slice(firstBreaker).map(() => 'breaker')],
      });
      expect({ skill, starts: held[0], ends: held.at(-1) }).toEqual({ skill, starts: 'pending', ends: 'breaker' });
      for (const step of faulted('first rejection'))
        expect({ skill, step: step.decision }).toEqual({
          skill,
          step: expect.objectContaining({ verdict: 'invalid', reasonClass: 'signature' }),
        });
      expect(faulted('again, after the delay')).toHaveLength(5);
      for (const step of faulted('again, after the delay')) {
        expect({
          skill,
          user: step.user,
          unlinks: step.unlinks,
          held: step.decision.held,
          reasonClass: step.decision.reasonClass,
        }).toEqual({ skill, user: step.user, unlinks: false, held: 'breaker', reasonClass: 'signature' });
      }
      expect(demo.steps.filter((step: any) => FAULTED.includes(step.user) && step.unlinks)).toEqual([]);
      // the featured request: ada's confirmation, held by the breaker, counted in the metrics
      expect(demo.exchange.decision).toEqual(
        expect.objectContaining({ outcome: 'undecided', held: 'breaker', reasonClass: 'signature' }),
      );
      expect(demo.exchange.unlinks).toBe(false);
      const metric = JSON.parse(demo.exchange.metrics[0]);
      expect({
        HeldByBreaker: metric.HeldByBreaker,
        Hold: metric.Hold,
        ConfirmedRejections: metric.ConfirmedRejections,
      }).toEqual({ HeldByBreaker: 1, Hold: 'breaker', ConfirmedRejections: 0 });
      // the fix: the key published, the same tokens accepted
      expect(steps(demo, 'after the fix').map((step: any) => step.decision.outcome)).toEqual([
        'linked',
        'linked',
        'linked',
        'linked',
        'linked',
      ]);
    }
    expect(run.policy.breaker['my-lights'].exchange.reply).toBeAlexaErrorResponse('INTERNAL_ERROR');
  });

  it("(c) logs the policy's ERROR line with the counts and what to check", () => {
    for (const skill of SKILL_NAMES) {
      const errors = run.policy.breaker[skill].errors.map((line: string) => JSON.parse(line));
      const breaker = errors.find((entry: any) => entry.hold === 'breaker');
      expect(breaker).toEqual(
        expect.objectContaining({
          level: 'ERROR',
          reasonClass: 'signature',
          recentTokens: expect.any(Number),
          usualTokens: 0,
        }),
      );
      expect(breaker.recentTokens).toBeGreaterThanOrEqual(5);
      expect(breaker.message).toMatch(
        new RegExp(
          `^${UNLINKING_HELD_PREFIX} ${breaker.recentTokens} distinct tokens first rejected for signature .* Check: the signing keys`,
        ),
      );
      expect(run.policy.breaker[skill].story.join('\n')).toContain(
        `the fleet counted ${breaker.recentTokens} tokens first rejected for signature`,
      );
      expect(JSON.stringify(errors)).not.toMatch(JWT_PATTERN);
    }
  });

  it('(c) still answers a user whose token is dead for another reason (expired) while the breaker holds signature', () => {
    for (const skill of SKILL_NAMES) {
      const demo = run.policy.breaker[skill];
      const [first] = steps(demo, 'first rejection').filter((step: any) => step.user === 'hedy');
      const [again] = steps(demo, 'again, after the delay').filter((step: any) => step.user === 'hedy');
      expect({ skill, first: first.decision.held, reasonClass: first.decision.reasonClass }).toEqual({
        skill,
        first: 'pending',
        reasonClass: 'expired',
      });
      expect({ skill, again: again.unlinks, held: again.decision.held }).toEqual({
        skill,
        again: true,
        held: undefined,
      });
      expect(again.summary).toMatch(skill === 'ride-hailer' ? /LinkAccount card/ : /EXPIRED_AUTHORIZATION_CREDENTIAL/);
    }
  });
});

describe('npm start, a bad deploy under the unlinking policy', () => {
  let run: any;
  beforeAll(async () => {
    run = await runGuided();
  }, 100_000);

  it('unlinks none of the five users in any bad deploy, in any family', () => {
    for (const [name, deploy] of Object.entries<any>(run.badDeploys)) {
      for (const skill of SKILL_NAMES) {
        expect({
          deploy: name,
          skill,
          unlinked: deploy[skill].unlinked,
          unlinks: deploy[skill].requests.some((request: any) => request.unlinks),
        }).toEqual({ deploy: name, skill, unlinked: 0, unlinks: false });
      }
    }
  });

  it('holds every rejection of a deploy that never accepted a token: held: unproven', () => {
    for (const name of ['jwt, wrong-server', 'introspection, wrong-server']) {
      for (const skill of SKILL_NAMES) {
        const { requests, holds } = run.badDeploys[name][skill];
        expect({ name, skill, holds, held: requests.map((request: any) => request.held) }).toEqual({
          name,
          skill,
          holds: { unproven: 5 },
          held: Array(5).fill('unproven'),
        });
      }
    }
  });

  it("logs the policy's ERROR line where the verifier rejected everybody", () => {
    const errors = run.badDeploys['introspection, wrong-server']['my-lights'].errors.join('\n');
    expect(errors).toContain(UNLINKING_HELD_PREFIX);
    expect(errors).toContain('"hold":"unproven"');
    expect(errors).toContain('Check: INTROSPECTION_URL');
    expect(errors).not.toMatch(JWT_PATTERN);
  });
});

describe("npm start, the gate's metrics", () => {
  it('shows an EMF metric line for each decision, with no token in it', async () => {
    const run = await runGuided();
    const linked = run.configurations.jwt['my-lights'].linked;
    expect(linked.metrics.length).toBeGreaterThan(0);
    expect(JSON.parse(linked.metrics[0])._aws).toBeDefined();
    expect(run.badDeploys['jwt, wrong-server']['jukebox'].metrics.join('\n')).not.toMatch(JWT_PATTERN);
  }, 100_000);
});

describe("the sandbox's local endpoint, given bad input", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());
  const post = (pathname: string, body: string | Buffer, contentType = 'application/json', method = 'POST') =>
    fetch(`${sandbox.endpoint.url}${pathname}`, {
      method,
      headers: { 'Content-Type': contentType },
      ...(method === 'GET' ? {} : { body }),
    });

  it.each([
    ['a body that is not JSON', () => post('/skills/ride-hailer', '{not json'), 400, 'not JSON'],
    ['a request the skill refuses', () => post('/skills/ride-hailer', '{"version":"1.0"}'), 400, 'no "request" object'],
    ['the wrong method', () => post('/skills/ride-hailer', '', 'application/json', 'GET'), 405, 'POST'],
    ['an unknown path', () => post('/skills/nope', '{}'), 404, '/skills/ride-hailer'],
    [
      'a body that is not sent as JSON',
      () => post('/skills/my-lights', 'a=b', 'application/x-www-form-urlencoded'),
      415,
      'application/json',
    ],
    ['a body over the size cap', () => post('/skills/jukebox', Buffer.alloc(300 * 1024, 'x')), 413, 'over'],
    [
      'a console request in an unknown situation',
      () =>
        post(
          '/console/send',
          JSON.stringify({
            skill: 'jukebox',
            request: 'initiate',
            situation: { verification: 'jwt', token: 'stolen', server: 'up', deploy: 'correct' },
          }),
        ),
      400,
      'situation.token must be one of',
    ],
    [
      'a console request for an unknown request',
      () =>
        post(
          '/console/send',
          JSON.stringify({
            skill: 'jukebox',
            request: 'launch',
            situation: { verification: 'jwt', token: 'linked', server: 'up', deploy: 'correct' },
          }),
        ),
      400,
      '{skill, request, situation}',
    ],
    ['a console request with GET', () => post('/console/send', '', 'application/json', 'GET'), 405, 'POST'],
    [
      'a console scenario that does not exist',
      () =>
        post(
          '/console/scenario',
          JSON.stringify({
            skill: 'jukebox',
            request: 'initiate',
            scenario: 'meltdown',
            situation: { verification: 'jwt', token: 'linked', server: 'up', deploy: 'correct' },
          }),
        ),
      400,
      'scenario must be one of confirm, breaker',
    ],
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
const describeWithChromium = describeIf(
  existsSync(CHROMIUM),
  `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`,
);

describeWithChromium('a person linking an account in the sandbox, in headless Chromium', () => {
  it('links through the login and consent pages, and the custom skill then answers as linked', async () => {
    const { chromium } = await import('playwright-core');
    const sandbox = await startSandbox();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
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
      expect(reply.response.outputSpeech.ssml).toBe(
        '<speak>Welcome to Ride Hailer. Where would you like to go?</speak>',
      );
    } finally {
      await browser.close();
      await sandbox.close();
    }
  });
});
