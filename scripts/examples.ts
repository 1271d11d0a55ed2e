/**
 * npm start: the example skills (Ride Hailer, custom; My Lights, smart home; Jukebox, music) answering their events,
 * built and run as Lambda runs them, with freshly minted access tokens: linked, expired, and not
 * linked at all.
 * (The full local sandbox, with an authorization server, is its own piece of work.)
 *
 *   npm start                 a readable summary
 *   npm start -- --json       every reply as JSON
 *   npm start -- --verbose    the function's own log lines too
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifierFromEnvironment } from '../lib';
import { withAccessToken, withoutAccessToken } from '../lib/testing';
import { mintForFunction } from './invoke';
import { startResourceServer } from './resource-server';
import { buildFunction } from './local-invoke/build';
import { runBuiltFunction } from './local-invoke/invoke-function';
import { runtimeName } from './local-invoke/runtime';
import { loadFunction, type EnvVarsFile } from './local-invoke/template';
import { summarise } from './summary';

const ROOT = path.resolve(__dirname, '..');

interface Case {
  event: string;
  token: 'linked' | 'expired' | 'none';
  title: string;
  subject?: string;
}

const SKILLS: Array<{ logicalId: string; name: string; events: string; cases: Case[] }> = [
  {
    logicalId: 'RideHailerFunction',
    name: 'Ride Hailer, a custom skill',
    events: 'events/ride-hailer',
    cases: [
      { event: 'launch-linked', token: 'linked', title: 'Launch, linked' },
      { event: 'order-ride', token: 'linked', title: '"order a ride to the airport", linked' },
      { event: 'order-ride', token: 'expired', title: '"order a ride to the airport", token expired' },
      { event: 'launch-unlinked', token: 'none', title: 'Launch, not linked' },
      { event: 'help', token: 'none', title: 'Help (a public intent), not linked' },
      { event: 'can-fulfill-order-ride', token: 'linked', title: 'CanFulfillIntentRequest, linked' },
      { event: 'can-fulfill-order-ride', token: 'none', title: 'CanFulfillIntentRequest, not linked' },
      { event: 'audio-player-playback-started', token: 'none', title: 'AudioPlayer event, not linked' },
      { event: 'skill-account-linked', token: 'linked', title: 'SkillAccountLinked event' },
      { event: 'session-ended', token: 'none', title: 'SessionEndedRequest' },
    ],
  },
  {
    logicalId: 'MyLightsFunction',
    name: 'My Lights, a smart home skill',
    events: 'events/my-lights',
    cases: [
      { event: 'discover', token: 'linked', title: 'Discover, linked' },
      { event: 'turn-on', token: 'linked', title: '"turn on the living room light", linked' },
      {
        event: 'report-state',
        token: 'linked',
        title: 'ReportState, linked (each run is a fresh container: the state starts OFF)',
      },
      { event: 'turn-on', token: 'expired', title: '"turn on the living room light", token expired' },
      { event: 'turn-on', token: 'none', title: '"turn on the living room light", not linked' },
      { event: 'discover', token: 'none', title: 'Discover, not linked' },
      { event: 'accept-grant', token: 'linked', title: 'AcceptGrant, linked' },
      { event: 'video-search-and-play', token: 'linked', title: 'a video directive My Lights does not handle' },
    ],
  },
  {
    logicalId: 'JukeboxFunction',
    name: 'Jukebox, a music skill (asking the demo resource server for the subscription)',
    events: 'events/jukebox',
    cases: [
      {
        event: 'get-playable-content-deep-cuts',
        token: 'linked',
        subject: 'listener-7',
        title: 'search "Deep Cuts", free subscription',
      },
      {
        event: 'get-playable-content-deep-cuts',
        token: 'linked',
        subject: 'premium-listener-9',
        title: 'search "Deep Cuts", premium subscription',
      },
      {
        event: 'initiate-deep-cuts',
        token: 'linked',
        subject: 'listener-7',
        title: 'play "Deep Cuts", free subscription',
      },
      {
        event: 'initiate-free-radio',
        token: 'linked',
        subject: 'listener-7',
        title: 'play Free Radio, free subscription',
      },
      { event: 'get-next-item', token: 'linked', subject: 'listener-7', title: 'next track of Free Radio' },
      { event: 'initiate-free-radio', token: 'expired', title: 'play Free Radio, token expired' },
      { event: 'initiate-free-radio', token: 'none', title: 'play Free Radio, not linked' },
    ],
  },
];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { json: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } },
  });
  const envVars = JSON.parse(readFileSync(path.join(ROOT, 'events/env.local.json'), 'utf8')) as EnvVarsFile;
  // Jukebox asks a resource server for the linked user's subscription: the demo one, on loopback.
  const resourceServer = await startResourceServer(verifierFromEnvironment(envVars.JukeboxFunction));
  envVars.JukeboxFunction = { ...envVars.JukeboxFunction, SUBSCRIPTION_URL: resourceServer.url };
  try {
    return await runAll(values, envVars);
  } finally {
    await resourceServer.close();
  }
}

async function runAll(values: { json?: boolean; verbose?: boolean }, envVars: EnvVarsFile): Promise<number> {
  const onLog = values.verbose ? (chunk: string) => void process.stderr.write(chunk) : () => undefined;
  let failures = 0;
  let count = 0;
  const replies: Record<string, Record<string, unknown>> = {};
  for (const skill of SKILLS) {
    const fn = loadFunction(path.join(ROOT, 'template.yaml'), skill.logicalId, envVars);
    const artifactDir = await buildFunction(fn, path.join(ROOT, '.aws-sam', 'build'));
    if (!values.json)
      console.log(
        `${skill.name} (${skill.logicalId}), built to ${path.relative(ROOT, artifactDir)}, run as Lambda runs it:\n`,
      );
    replies[skill.logicalId] = {};
    for (const { event, token, title, subject = 'rider-42' } of skill.cases) {
      const file = JSON.parse(readFileSync(path.join(ROOT, skill.events, `${event}.json`), 'utf8'));
      const request =
        token === 'none'
          ? withoutAccessToken(file)
          : withAccessToken(file, mintForFunction(fn.environment, subject, 'Ada', token === 'expired' ? -600 : 3600));
      const result = await runBuiltFunction(fn, artifactDir, request, { onLog });
      count++;
      if (!result.ok) failures++;
      replies[skill.logicalId][title] = result.ok ? result.response : result.error;
      if (!values.json)
        console.log(
          `  ${title}\n    -> ${result.ok ? summarise(result.response) : `function error ${result.error.errorType}: ${result.error.errorMessage}`}\n`,
        );
    }
  }
  if (values.json) console.log(JSON.stringify(replies, null, 2));
  else {
    console.log(`${count - failures} of ${count} requests answered (runtime: ${runtimeName()}).`);
    console.log(
      'Try one yourself: npm run invoke -- MyLightsFunction -e events/my-lights/turn-on.json --env-vars events/env.local.json --mint-token',
    );
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`start: ${(error as Error).stack}\n`);
    process.exit(2);
  },
);
