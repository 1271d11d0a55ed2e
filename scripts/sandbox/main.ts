/**
 * npm start: the local account-linking sandbox, on one machine with nothing but Node.
 *
 *   npm start                 a guided run: link a demo account the way Alexa does, then, with the
 *                             skills deployed for introspection and then for JWTs with the JWKS,
 *                             send each skill a linked request, an expired token, a revoked token,
 *                             a forged token, no token, a token refreshed after a signing key
 *                             rotation, and a request while the authorization server is down; then
 *                             bad deploys (a wrong audience, secret or server) that five users reach
 *   npm start -- --json       the same, as JSON: each reply with its summary, verdict, log and metric lines
 *   npm start -- --serve      keep it all running, with the console page at http://127.0.0.1:<port>/console
 *   npm start -- --verbose    the skills' log lines on stderr too
 */
import { parseArgs } from 'node:util';
import { createJsonLogger, type Environment } from '../../lib';
import { guardAvailable, metricsAvailable } from './gate-extras';
import { startSandbox, type Sandbox } from './sandbox';
import { describeDeploy, isGuardError, SKILLS, type Deploy, type Exchange, type SkillName, type TokenSituation, type Verification } from './situations';

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

/** What --json prints of one exchange. */
function record(exchange: Exchange) {
  const { summary, kind, unlinks, decision, why, tokenFingerprint, reply, log, metrics, steps } = exchange;
  return { summary, kind, unlinks, decision, why, tokenFingerprint, reply, log, metrics, steps };
}

/** The environment as --json shows it: secrets redacted. */
function shown(environment: Environment): Environment {
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, /SECRET/.test(name) ? '[redacted]' : value]));
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, serve: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false }, port: { type: 'string', default: '0' } } });
  const logger = values.verbose ? createJsonLogger({ level: 'debug', write: (line) => void process.stderr.write(line) }) : undefined;
  const sandbox = await startSandbox({ port: Number(values.port), logger });
  const say = values.json ? () => undefined : (text = '') => console.log(text);

  say('Account-linking sandbox');
  say(`  authorization server (oidc-provider, in memory): ${sandbox.authorizationServer.issuer}`);
  say(`  skills: ${Object.keys(SKILLS).map((skill) => `${sandbox.endpoint.url}/skills/${skill}`).join(', ')}`);
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
    for (const verification of ['introspection', 'jwt'] as const) {
      const results: Record<string, Record<string, ReturnType<typeof record>>> = {};
      for (const { title, token, server } of CASES) {
        for (const { skill, request } of REQUESTS) {
          const exchange = await sandbox.situations.exchange(skill, request, { verification, token, server: server ?? 'up', deploy: 'correct' });
          if (exchange.status !== 200) failures++;
          (results[skill] ??= {})[title] = record(exchange);
        }
      }
      configurations[verification] = { environment: shown(sandbox.environment), ...results };
      say(verification === 'jwt' ? 'Deployed with TOKEN_VERIFIER=jwt: JWT access tokens, verified with the server\'s JWKS' : 'Deployed with TOKEN_VERIFIER=introspection: opaque access tokens, verified at the introspection endpoint');
      for (const { skill, title } of REQUESTS) {
        say(`  ${title}: what Alexa receives`);
        for (const [situation, result] of Object.entries(results[skill])) say(`    ${situation.padEnd(42)} -> ${result.unlinks ? '[UNLINKS] ' : ''}${result.summary}`);
      }
      say();
    }
    say('Introspection cannot tell an expired token from a revoked one ("active": false): both are invalid.');
    say('A JWT past its exp is EXPIRED_AUTHORIZATION_CREDENTIAL; a revoked JWT still verifies until it expires.');
    say(`The key rotation: a new kid signs, the old one stays published (${sandbox.authorizationServer.signingKids.join(', ')}); the refreshed token verifies, ada stays linked.`);
    say('With the server down the introspection verifier cannot decide: no unlinking code, no LinkAccount card. The JWT verifier needs no server for keys it has.');
    say();

    const badDeploys: Record<string, unknown> = {};
    say(`Bad deploys: every user's token rejected, five users each${guardAvailable ? '' : ' (this build has no unlink guard: see #13)'}`);
    for (const { verification, deploy } of BAD_DEPLOYS) {
      const key = `${verification}, ${deploy}`;
      const description = describeDeploy(verification, deploy);
      const skills: Record<string, unknown> = {};
      say(`  ${verification === 'jwt' ? 'JWT' : 'Introspection'} with ${description}`);
      let errorLine: string | undefined;
      let metricLine: string | undefined;
      for (const { skill, request } of REQUESTS) {
        const exchange = await sandbox.situations.exchange(skill, request, { verification, token: 'linked', server: 'up', deploy });
        if (exchange.status !== 200) failures++;
        const users = [...exchange.crowd, { user: exchange.user ?? 'ada', tokenFingerprint: exchange.tokenFingerprint, summary: exchange.summary, unlinks: exchange.unlinks, held: exchange.decision?.held ?? false }];
        const logs = [...exchange.crowdLog, ...exchange.log];
        const metrics = [...exchange.crowdMetrics, ...exchange.metrics];
        const errors = logs.filter((line) => line.includes('"level":"ERROR"'));
        errorLine ??= errors.find(isGuardError) ?? errors[0];
        metricLine ??= metrics[0];
        const unlinked = users.filter((user) => user.unlinks).length;
        const held = users.filter((user) => user.held).length;
        skills[skill] = { users: users.length, unlinked, held, requests: users, errors, metrics };
        say(`    ${SKILLS[skill].name.padEnd(12)} ${unlinked} of ${users.length} users unlinked, ${held} held by the unlink guard; ada: ${exchange.summary}`);
      }
      say(`    ERROR line: ${errorLine ?? '(none)'}`.trimEnd());
      say(`    metric:     ${metricLine ?? (metricsAvailable ? '(none)' : '(this build\'s gate emits no metrics yet)')}`.trimEnd());
      badDeploys[key] = { description, environment: shown(sandbox.environment), ...skills };
    }
    say();
    say('See each request in each situation, its log line and metric, in a browser: npm start -- --serve');

    if (values.json) {
      console.log(JSON.stringify({ linked: sandbox.situations.linked, signingKids: sandbox.authorizationServer.signingKids, guardAvailable, metricsAvailable, configurations, badDeploys }, null, 2));
    }
    return failures === 0 ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}

async function serve(sandbox: Sandbox): Promise<number> {
  console.log(`The console: open ${sandbox.endpoint.url}/console`);
  console.log('  each skill\'s requests as buttons, the situations as switches, what Alexa receives and why.');
  console.log(`Link your own account in a browser first: ${sandbox.endpoint.url}/ (sign in as anyone, allow on the consent page).`);
  console.log('Ctrl-C stops it.');
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
