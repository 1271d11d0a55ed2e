/**
 * npm start: the local account-linking sandbox, on one machine with nothing but Node.
 *
 *   npm start                 a guided run: link a demo account the way Alexa does, then send each
 *                             skill a linked request, an expired token, a revoked token, a forged
 *                             token, no token, and a request while the authorization server is down
 *   npm start -- --json       the same, every reply as JSON
 *   npm start -- --serve      keep it all running, and say how to link in a browser and send requests with curl
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createJsonLogger, fingerprint } from '../../lib';
import { withAccessToken, withoutAccessToken } from '../../lib/testing';
import { summarise } from '../summary';
import { startSandbox } from './sandbox';

const ROOT = path.resolve(__dirname, '../..');
const SKILLS = [
  { skill: 'ride-hailer', name: 'Ride Hailer (custom)', event: 'events/ride-hailer/order-ride.json' },
  { skill: 'my-lights', name: 'My Lights (smart home)', event: 'events/my-lights/turn-on.json' },
  { skill: 'jukebox', name: 'Jukebox (music)', event: 'events/jukebox/initiate-free-radio.json' },
];

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, serve: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false }, port: { type: 'string', default: '0' } } });
  const logger = values.verbose ? createJsonLogger({ level: 'debug', write: (line) => void process.stderr.write(line) }) : undefined;
  const sandbox = await startSandbox({ port: Number(values.port), logger });
  const say = values.json ? () => undefined : (text = '') => console.log(text);

  say('Account-linking sandbox');
  say(`  authorization server (oidc-provider, in memory): ${sandbox.authorizationServer.issuer}`);
  say(`  skills: ${SKILLS.map(({ skill }) => `${sandbox.endpoint.url}/skills/${skill}`).join(', ')}`);
  say(`  the skills verify tokens as a Lambda configured with TOKEN_VERIFIER=introspection would`);
  say();

  if (values.serve) return serve(sandbox);

  try {
    // A token that lives 2 s, linked first so that it has expired by the time it is used.
    const shortLived = await sandbox.authorizationServer.link('ada', 'shortLived');
    say('Linking "ada" the way Alexa does:');
    let step = 0;
    const linked = await sandbox.authorizationServer.link('ada', 'opaque', (text) => say(`  ${++step}. ${text}`));
    say(`  The access token's fingerprint (SHA-256): ${fingerprint(linked.access_token)}`);
    say();
    const revoked = await sandbox.authorizationServer.link('grace', 'opaque');
    await sandbox.authorizationServer.revoke(revoked.access_token);
    const forged = `forged-${randomBytes(24).toString('base64url')}`;
    await new Promise((resolve) => setTimeout(resolve, 2500)); // the short-lived token expires

    const cases: Array<{ title: string; token?: string }> = [
      { title: 'linked', token: linked.access_token },
      { title: 'token expired (past its 2 s TTL)', token: shortLived.access_token },
      { title: 'token revoked at the authorization server', token: revoked.access_token },
      { title: 'forged token', token: forged },
      { title: 'no token (not linked)' },
    ];
    const replies: Record<string, Record<string, unknown>> = {};
    let failures = 0;
    const run = async (title: string, token: string | undefined) => {
      for (const { skill, event } of SKILLS) {
        const request = JSON.parse(readFileSync(path.join(ROOT, event), 'utf8'));
        const { status, reply } = await sandbox.send(skill, token === undefined ? withoutAccessToken(request) : withAccessToken(request, token));
        if (status !== 200) failures++;
        (replies[skill] ??= {})[title] = reply;
      }
    };
    for (const { title, token } of cases) await run(title, token);
    await sandbox.authorizationServer.stop();
    await run('linked, authorization server down', linked.access_token);

    if (values.json) {
      console.log(JSON.stringify(replies, null, 2));
    } else {
      for (const { skill, name } of SKILLS) {
        say(`${name}: what Alexa receives`);
        for (const [title, reply] of Object.entries(replies[skill])) say(`  ${title.padEnd(42)} -> ${summarise(reply)}`);
        say();
      }
      say('Introspection cannot tell an expired token from a revoked one (both are "active": false): both are invalid.');
      say('With the server down the verifier cannot decide: no unlinking code, no LinkAccount card.');
      say('Keep it running and link in a browser: npm start -- --serve');
    }
    return failures === 0 ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}

async function serve(sandbox: Awaited<ReturnType<typeof startSandbox>>): Promise<number> {
  console.log(`Link an account in a browser: open ${sandbox.endpoint.url}/ and press "Link an account"`);
  console.log('(sign in as anyone on the login page, allow on the consent page); the page you land on shows the access token.');
  console.log('Then send a skill a request with it:');
  console.log(`  jq --arg t "$TOKEN" '.context.System.user.accessToken=$t' events/ride-hailer/launch-linked.json \\`);
  console.log(`    | curl -s -H 'Content-Type: application/json' --data-binary @- ${sandbox.endpoint.url}/skills/ride-hailer`);
  console.log(`  jq --arg t "$TOKEN" '.directive.endpoint.scope.token=$t' events/my-lights/turn-on.json \\`);
  console.log(`    | curl -s -H 'Content-Type: application/json' --data-binary @- ${sandbox.endpoint.url}/skills/my-lights`);
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
