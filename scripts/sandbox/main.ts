/**
 * npm start: the local account-linking sandbox, on one machine with nothing but Node.
 *
 *   npm start                 a guided run: link a demo account the way Alexa does, then, with the
 *                             skills deployed for introspection and then for JWTs with the JWKS,
 *                             send each skill a linked request, an expired token, a revoked token,
 *                             a forged token (each dead token twice: held, then confirmed), no
 *                             token, a token refreshed after a signing key rotation, and a request
 *                             while the authorization server is down; then the unlinking policy step
 *                             by step (a suspected rejection held, then confirmed; a fault that opens
 *                             the breaker); then bad deploys (a wrong audience, secret or server)
 *                             that five users reach
 *   npm start -- --json       the same, as JSON: each reply with its summary, verdict, log and metric lines
 *                             (the guided run prints lines of at most 120 characters: the ERROR and metric
 *                             lines summarised, the speech of each reply left to --json and the console)
 *   npm start -- --serve      keep it all running, with the console page at http://127.0.0.1:<port>/console
 *   npm start -- --verbose    the skills' log lines on stderr too
 *
 * The skills run the unlinking policy as deployed, one in-memory ledger per skill shared by all its
 * containers (as a fleet shares its table), with a confirmation delay of 2 s instead of 1 h.
 */
import { parseArgs } from 'node:util';
import { createJsonLogger, type Environment } from '../../lib';
import { run as checkServer } from '../../lib/cli/check-server';
import { ALEXA_REDIRECT_URI, AUDIENCE, CLIENTS } from './authorization-server';
import type { Exchange } from './exchange';
import { isPolicyError } from './gate-log';
import type { PolicyDemo } from './policy-demo';
import { startSandbox, type Sandbox } from './sandbox';
import {
  CONFIRM_AFTER_SECONDS,
  DEPLOYED_CONFIRM_AFTER_SECONDS,
  describeDeploy,
  type Deploy,
  type TokenSituation,
  type Verification,
} from './situation';
import { SKILLS, type SkillName } from './skills';
import { sleep } from './time';

/** One request per skill in the guided run. */
const REQUESTS: Array<{ skill: SkillName; request: string; title: string }> = [
  { skill: 'ride-hailer', request: 'order-ride', title: 'Ride Hailer (custom), OrderRideIntent' },
  { skill: 'my-lights', request: 'turn-on', title: 'My Lights (smart home), TurnOn' },
  { skill: 'jukebox', request: 'initiate', title: 'Jukebox (music), Initiate' },
];

/** The situations of the guided run, in order (the rotation refreshes the linked token: it comes after "linked"). */
const CASES: Array<{ title: string; token: TokenSituation; server?: 'down' }> = [
  { title: 'linked', token: 'linked' },
  { title: 'token expired', token: 'expired' },
  { title: 'token revoked at the authorization server', token: 'revoked' },
  { title: 'forged token', token: 'forged' },
  { title: 'no token (not linked)', token: 'none' },
  { title: 'signing key rotated, token refreshed', token: 'rotated' },
  { title: 'linked, authorization server down', token: 'linked', server: 'down' },
];

const BAD_DEPLOYS: Array<{ verification: Verification; deploy: Deploy }> = [
  { verification: 'jwt', deploy: 'wrong-audience' },
  { verification: 'jwt', deploy: 'wrong-server' },
  { verification: 'introspection', deploy: 'wrong-server' },
  { verification: 'introspection', deploy: 'wrong-secret' },
];

/** The dead tokens of the guided run: each sent a second time once its first rejection can be confirmed. */
const DEAD: ReadonlySet<TokenSituation> = new Set(['expired', 'revoked', 'forged']);
/** The title of a dead token's second request, after its own. */
const AGAIN = ', sent again';

/** What --json prints of one exchange. */
function record(exchange: Exchange) {
  const {
    summary,
    kind,
    unlinks,
    claim,
    badge,
    decision,
    decisionText,
    why,
    tokenFingerprint,
    reply,
    log,
    metrics,
    steps,
  } = exchange;
  return {
    summary,
    kind,
    unlinks,
    claim,
    badge,
    decision,
    decisionText,
    why,
    tokenFingerprint,
    reply,
    log,
    metrics,
    steps,
  };
}

/** The widest line the guided run prints. */
const WIDTH = 120;

/**
 * A line of text in lines of at most {@link WIDTH} characters, broken between words; the lines after
 * the first start at column `hang` (by default: under the text after the line's indent and any
 * `1. ` numbering). A word too long for a line (a URL) is broken after a `&`, `,` or `/`, else cut.
 */
function wrap(text: string, hang?: number): string[] {
  if (text.length <= WIDTH) return [text];
  const indent = hang ?? /^\s*(?:\d+\.\s+)?/.exec(text)![0].length;
  const pad = ' '.repeat(Math.min(indent, WIDTH / 2));
  const lines: string[] = [];
  let current = '';
  const room = () => WIDTH - (current ? current.length + 1 : lines.length ? pad.length : 0);
  const push = (word: string) => {
    current = current ? `${current} ${word}` : `${lines.length ? pad : ''}${word}`;
  };
  const words = text.trimStart().split(' ');
  const lead = text.slice(0, text.length - text.trimStart().length);
  words[0] = lead + words[0];
  for (let word of words) {
    while (word.length > room()) {
      if (current && (word.length <= WIDTH - pad.length || room() < 20)) {
        lines.push(current);
        current = '';
        continue;
      }
      const space = room();
      const cut = Math.max(...['&', ',', '/'].map((mark) => word.lastIndexOf(mark, space - 1) + 1));
      const at = cut > space / 2 ? cut : space;
      push(word.slice(0, at));
      lines.push(current);
      current = '';
      word = word.slice(at);
    }
    push(word);
  }
  if (current.trim()) lines.push(current);
  return lines;
}

/** A reply's summary as the guided run prints it: without the speech it quotes (in --json and on the console page). */
const terse = (summary: string) => summary.replace(/ \("[^]*"\)$/, '');

/** An EMF metric line in a few words: its dimensions, and its counts that are not 0 (UnlinkingReplies always). */
function metricBrief(line: string): string {
  let entry: Record<string, any>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  const definition = entry._aws?.CloudWatchMetrics?.[0];
  const names: string[] = (definition?.Metrics ?? []).map((metric: { Name: string }) => metric.Name);
  const counts = names
    .filter((name) => name === 'UnlinkingReplies' || (name !== 'VerificationLatency' && entry[name] !== 0))
    .map((name) => `${name}=${entry[name]}`);
  const dimensions = ['Family', 'Outcome', 'ReasonClass', 'Hold']
    .filter((name) => entry[name] !== undefined)
    .map((name) => `${name}=${entry[name]}`);
  return `${dimensions.join(' ')}: ${counts.join(' ')} (${definition?.Namespace ?? 'EMF'})`;
}

/** A JSON log line in a few words: its level and message. */
function logBrief(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: string; message?: string };
    return `${entry.level && entry.level !== 'ERROR' ? `${entry.level}: ` : ''}${entry.message ?? line}`;
  } catch {
    return line;
  }
}

/** The mark of a reply in the guided run, as the console's badge says it. */
const MARKS: Partial<Record<Exchange['claim'], string>> = {
  unlinks: '[UNLINKS] ',
  'not-linked': '[NOT LINKED] ',
  'devices-vanish': '[DEVICES VANISH] ',
};

/** What --json prints of one demonstration of the policy. */
function demoRecord(demo: PolicyDemo) {
  const { title, story, steps, errors, exchange } = demo;
  return { title, story, steps, errors, exchange: record(exchange) };
}

/** A guided run's lines for one reply, the answer at column 50: the summary, and the policy's hold, if it held the rejection, under it. */
function lines(situation: string, result: ReturnType<typeof record>): string[] {
  const held = result.decision?.held;
  const answer = wrap(`    ${situation.padEnd(42)} -> ${MARKS[result.claim] ?? ''}${terse(result.summary)}`, 50);
  if (!held) return answer;
  const when = result.decision?.confirmAt
    ? `, can be confirmed from ${result.decision.confirmAt.slice(11, 23)} UTC`
    : '';
  return [...answer, `${' '.repeat(50)}[held: ${held}${when}]`];
}

/** How {@link brief} counts a request that was neither unlinked, held nor accepted. */
const ROUND_WORDS: Record<Exchange['claim'], string> = {
  unlinks: 'unlinked',
  'not-linked': 'not linked',
  'devices-vanish': 'answered with an empty Discover list',
  held: 'held',
  undecided: 'could not decide',
  refused: 'refused',
  kept: 'answered',
};

/** A demonstration in one line: how each round of its requests went. */
function brief(demo: PolicyDemo): string {
  const rounds = new Map<string, PolicyDemo['steps']>();
  for (const step of demo.steps)
    if (step.label !== 'a genuine request first') rounds.set(step.label, [...(rounds.get(step.label) ?? []), step]);
  return [...rounds]
    .map(([label, steps]) => {
      const counts = new Map<string, number>();
      for (const step of steps) {
        const what = step.unlinks
          ? 'unlinked'
          : step.decision?.held
            ? `held: ${step.decision.held}`
            : step.decision?.outcome === 'linked'
              ? 'accepted'
              : ROUND_WORDS[step.claim];
        counts.set(what, (counts.get(what) ?? 0) + 1);
      }
      return `${label}: ${[...counts].map(([what, count]) => `${count} ${what}`).join(', ')}`;
    })
    .join(' · ');
}

/** The environment as --json shows it: secrets redacted. */
function shown(environment: Environment): Environment {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, /SECRET/.test(name) ? '[redacted]' : value]),
  );
}

async function main(): Promise<number> {
  // `npm start -- --json | head`: a reader that stops reading is no failure of the sandbox.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      serve: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      port: { type: 'string', default: '0' },
    },
  });
  const logger = values.verbose
    ? createJsonLogger({ level: 'debug', write: (line) => void process.stderr.write(line) })
    : undefined;
  const sandbox = await startSandbox({ port: Number(values.port), logger });
  const say = values.json ? () => undefined : (text = '', hang?: number) => console.log(wrap(text, hang).join('\n'));

  say('Account-linking sandbox');
  say(`  authorization server (oidc-provider, in memory): ${sandbox.authorizationServer.issuer}`);
  say(
    `  skills: ${Object.keys(SKILLS)
      .map((skill) => `${sandbox.endpoint.url}/skills/${skill}`)
      .join(', ')}`,
    10,
  );
  say();

  if (values.serve) return serve(sandbox);

  try {
    say('Linking "ada" the way Alexa does:');
    let step = 0;
    const tokens = await sandbox.authorizationServer.link('ada', 'opaque', (text) => say(`  ${++step}. ${text}`));
    sandbox.situations.adoptLink('ada', 'introspection', tokens, 'sandbox');
    say();

    let failures = 0;
    const configurations: Record<string, unknown> = {};
    say(
      `The unlinking policy runs as deployed, but for its delay: a rejection that a fault of ours could produce is held (the "try again later" reply) ` +
        `until the same token is rejected again ${CONFIRM_AFTER_SECONDS} s later (UNLINK_CONFIRM_AFTER_SECONDS=${CONFIRM_AFTER_SECONDS}; a deployed skill waits ${DEPLOYED_CONFIRM_AFTER_SECONDS / 3600} h by default).`,
    );
    say(
      'Each skill keeps one ledger of first rejections, shared by all its containers, as a deployed fleet shares its DynamoDB table.',
    );
    say();
    for (const verification of ['introspection', 'jwt'] as const) {
      const results: Record<string, Record<string, ReturnType<typeof record>>> = {};
      for (const { title, token, server } of CASES) {
        for (const { skill, request } of REQUESTS) {
          const exchange = await sandbox.situations.exchange(skill, request, {
            verification,
            token,
            server: server ?? 'up',
            deploy: 'correct',
          });
          if (exchange.status !== 200) failures++;
          (results[skill] ??= {})[title] = record(exchange);
        }
      }
      // Each dead token's first rejection was held (pending): the same token again, once it can be confirmed.
      const pending = CASES.filter(({ token }) => DEAD.has(token)).flatMap(({ title, token }) =>
        REQUESTS.filter(({ skill }) => results[skill][title].decision?.held === 'pending').map((target) => ({
          ...target,
          title,
          token,
        })),
      );
      const confirmAt = Math.max(
        0,
        ...pending.map(({ skill, title }) => Date.parse(results[skill][title].decision!.confirmAt!)),
      );
      await sleep(confirmAt - Date.now() + 100);
      for (const { skill, request, title, token } of pending) {
        const exchange = await sandbox.situations.exchange(skill, request, {
          verification,
          token,
          server: 'up',
          deploy: 'correct',
        });
        if (exchange.status !== 200) failures++;
        results[skill][title + AGAIN] = record(exchange);
      }
      configurations[verification] = { environment: shown(sandbox.environment), ...results };
      say(
        verification === 'jwt'
          ? "Deployed with TOKEN_VERIFIER=jwt: JWT access tokens, verified with the server's JWKS"
          : 'Deployed with TOKEN_VERIFIER=introspection: opaque access tokens, verified at the introspection endpoint',
      );
      for (const { skill, title } of REQUESTS) {
        say(`  ${title}: what Alexa receives`);
        for (const { title: situation } of CASES) {
          for (const text of lines(situation, results[skill][situation])) say(text);
          const again = results[skill][situation + AGAIN];
          if (again) for (const text of lines('  the same token, again after the delay', again)) say(text);
        }
      }
      say();
    }
    say(
      "A dead token's first rejection is held (pending): one rejection cannot tell a dead token from a fault of ours. The same token " +
        `rejected again after the delay (${CONFIRM_AFTER_SECONDS} s here, ${DEPLOYED_CONFIRM_AFTER_SECONDS / 3600} h deployed), on fresh knowledge, is confirmed: the unlinking reply.`,
    );
    say('Introspection cannot tell an expired token from a revoked one ("active": false): both are invalid.');
    say('A JWT past its exp is EXPIRED_AUTHORIZATION_CREDENTIAL; a revoked JWT still verifies until it expires.');
    say(
      `The key rotation: a new kid signs, the old one stays published (${sandbox.authorizationServer.signingKids.join(', ')}); the refreshed token verifies, ada stays linked.`,
    );
    say(
      'With the server down the introspection verifier cannot decide: no unlinking code, no LinkAccount card. The JWT verifier needs no server for keys it has.',
    );
    say();

    say('The unlinking policy, step by step');
    const policy: Record<string, unknown> = {
      confirmAfterSeconds: CONFIRM_AFTER_SECONDS,
      deployedConfirmAfterSeconds: DEPLOYED_CONFIRM_AFTER_SECONDS,
    };
    const showDemos = (demos: PolicyDemo[]) => {
      const records: Record<string, unknown> = {};
      for (const [index, demo] of demos.entries()) {
        if (demo.exchange.status !== 200) failures++;
        records[demo.skill] = demoRecord(demo);
        if (index === 0) {
          say(`  ${demo.title}`);
          demo.story.forEach((text, number) => say(`    ${number + 1}. ${text}`));
          const errorLine = demo.errors.find((entry) => entry.includes('"hold":"breaker"'));
          if (errorLine) say(`    ERROR line (in full: --json, or the console): ${logBrief(errorLine)}`, 8);
        } else {
          say(`  The same on ${SKILLS[demo.skill].name}: ${brief(demo)}`, 4);
        }
      }
      return records;
    };
    policy.confirm = showDemos(await sandbox.situations.confirmationDemo(REQUESTS, 'introspection'));
    say();
    policy.breaker = showDemos(await sandbox.situations.breakerDemo(REQUESTS));
    say();

    const badDeploys: Record<string, unknown> = {};
    say(`Bad deploys: every user's token rejected, five users each (the linked user and four others)`);
    for (const { verification, deploy } of BAD_DEPLOYS) {
      const key = `${verification}, ${deploy}`;
      const description = describeDeploy(verification, deploy);
      const skills: Record<string, unknown> = {};
      say(`  ${verification === 'jwt' ? 'JWT' : 'Introspection'} with ${description}`);
      let errorLine: string | undefined;
      let metricLine: string | undefined;
      for (const { skill, request } of REQUESTS) {
        const exchange = await sandbox.situations.exchange(skill, request, {
          verification,
          token: 'linked',
          server: 'up',
          deploy,
        });
        if (exchange.status !== 200) failures++;
        const users = [
          ...exchange.crowd,
          {
            user: exchange.user ?? sandbox.situations.login,
            tokenFingerprint: exchange.tokenFingerprint,
            summary: exchange.summary,
            unlinks: exchange.unlinks,
            claim: exchange.claim,
            badge: exchange.badge,
            ...(exchange.decision?.held ? { held: exchange.decision.held } : {}),
            decisionText: exchange.decisionText,
          },
        ];
        const logs = [...exchange.crowdLog, ...exchange.log];
        const metrics = [...exchange.crowdMetrics, ...exchange.metrics];
        const errors = logs.filter((entry) => entry.includes('"level":"ERROR"'));
        errorLine ??= errors.find(isPolicyError) ?? errors[0];
        metricLine ??= metrics[0];
        // The same count as the console's: every user the deploy reached, the other users and this one.
        const fleet = exchange.fleet!;
        skills[skill] = {
          users: fleet.users,
          unlinked: fleet.unlinked,
          held: fleet.held,
          holds: fleet.holds,
          requests: users,
          errors,
          metrics,
        };
        say(
          `    ${SKILLS[skill].name.padEnd(12)} ${fleet.text}; ${exchange.user ?? 'the user'}: ${terse(exchange.summary)}`,
          17,
        );
      }
      say(`    ERROR line: ${errorLine ? logBrief(errorLine) : '(none)'}`, 16);
      say(`    metric:     ${metricLine ? metricBrief(metricLine) : '(none)'}`, 16);
      badDeploys[key] = { description, environment: shown(sandbox.environment), ...skills };
    }
    say();

    say('The authorization server, checked the way Alexa uses it (npx ask-sdk-account-linking check-server):');
    const serverCheck = await checkAuthorizationServer(sandbox);
    for (const finding of serverCheck.findings.filter(({ severity }) => severity !== 'ok'))
      say(`  [${finding.severity}] ${finding.id}: ${finding.summary}`, 4);
    const passed = [...new Set(serverCheck.findings.filter(({ severity }) => severity === 'ok').map(({ id }) => id))];
    say(`  passed: ${passed.join(', ')}`, 4);
    say(
      '  A sandbox on loopback cannot serve HTTPS on 443 with a public certificate: a deployed server must (the "https" finding).',
      4,
    );
    say();
    say('The log and metric lines in full: npm start -- --json.');
    say("Each request in each situation, its log and metric lines, and the policy's demonstrations, in a browser:");
    say('  npm start -- --serve');

    if (values.json) {
      console.log(
        JSON.stringify(
          {
            linked: sandbox.situations.linked,
            signingKids: sandbox.authorizationServer.signingKids,
            configurations,
            policy,
            badDeploys,
            serverCheck,
          },
          null,
          2,
        ),
      );
    }
    return failures === 0 ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}

/** check-server against the embedded server, with a refresh token of a link of its own and the skills' JWT settings; its JSON report. */
async function checkAuthorizationServer(
  sandbox: Sandbox,
): Promise<{ exitCode: number; findings: Array<{ id: string; severity: string; summary: string }> }> {
  const server = sandbox.authorizationServer;
  const tokens = await server.link('check-server', 'jwt');
  let output = '';
  await checkServer(['--json', '--refresh-token-file', '-'], {
    env: {
      OAUTH_ISSUER: server.issuer,
      ALEXA_CLIENT_ID: CLIENTS.jwt.id,
      ALEXA_CLIENT_SECRET: CLIENTS.jwt.secret,
      TOKEN_VERIFIER: 'jwt',
      JWKS_URI: server.jwksUri,
      JWT_ISSUER: server.issuer,
      JWT_AUDIENCE: AUDIENCE,
      // the three the developer console lists for a skill (the sandbox's server registers them all)
      ALEXA_REDIRECT_URIS: ['pitangui.amazon.com', 'layla.amazon.com', 'alexa.amazon.co.jp']
        .map((host) => new URL(ALEXA_REDIRECT_URI).pathname.replace(/^/, `https://${host}`))
        .join(','),
    },
    readStdin: async () => tokens.refresh_token ?? '',
    stdout: (text) => void (output += text),
    stderr: () => undefined,
  });
  return JSON.parse(output);
}

async function serve(sandbox: Sandbox): Promise<number> {
  for (const text of [
    `The console: open ${sandbox.endpoint.url}/console`,
    "  each skill's requests as buttons, the situations as switches, what Alexa receives and why.",
    `Link your own account in a browser first: ${sandbox.endpoint.url}/ (sign in as anyone, allow on the consent page).`,
    'Ctrl-C stops it.',
  ])
    console.log(wrap(text).join('\n'));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`sandbox: ${(error as Error).stack}\n`);
    process.exit(2);
  },
);
