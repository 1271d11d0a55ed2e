/**
 * npm start: the Ride Hailer example skill answering its events, built and run as Lambda runs it,
 * with freshly minted access tokens: linked, expired, and not linked at all.
 * (The full local sandbox, with an authorization server, is its own piece of work.)
 *
 *   npm start                 a readable summary
 *   npm start -- --json       every reply as JSON
 *   npm start -- --verbose    the function's own log lines too
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { withAccessToken, withoutAccessToken } from '../lib/testing';
import { mintForFunction } from './invoke';
import { buildFunction, loadFunction, runBuiltFunction, runtimeName, type EnvVarsFile, type InvokeResult } from './local-invoke';

const ROOT = path.resolve(__dirname, '..');
const FUNCTION = 'RideHailerFunction';

const CASES: Array<{ event: string; token: 'linked' | 'expired' | 'none'; title: string }> = [
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
];

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } } });
  const envVars = JSON.parse(readFileSync(path.join(ROOT, 'events/env.local.json'), 'utf8')) as EnvVarsFile;
  const fn = loadFunction(path.join(ROOT, 'template.yaml'), FUNCTION, envVars);
  const artifactDir = await buildFunction(fn, path.join(ROOT, '.aws-sam', 'build'));
  const onLog = values.verbose ? (chunk: string) => void process.stderr.write(chunk) : () => undefined;

  console.log(`Ride Hailer (${FUNCTION}), built to ${path.relative(ROOT, artifactDir)}, run as Lambda runs it:\n`);
  let failures = 0;
  const replies: Record<string, unknown> = {};
  for (const { event, token, title } of CASES) {
    let request = JSON.parse(readFileSync(path.join(ROOT, 'events', `${event}.json`), 'utf8'));
    if (token !== 'none') request = withAccessToken(request, mintForFunction(fn.environment, 'rider-42', 'Ada', token === 'expired' ? -600 : 3600));
    else request = withoutAccessToken(request);
    const result = await runBuiltFunction(fn, artifactDir, request, { onLog });
    if (!result.ok) failures++;
    replies[title] = result.ok ? result.response : result.error;
    if (!values.json) console.log(`  ${title}\n    -> ${summarise(result)}\n`);
  }
  if (values.json) console.log(JSON.stringify(replies, null, 2));
  console.log(`${CASES.length - failures} of ${CASES.length} requests answered (runtime: ${runtimeName()}).`);
  console.log('Try one yourself: npm run invoke -- RideHailerFunction -e events/order-ride.json --env-vars events/env.local.json --mint-token');
  return failures === 0 ? 0 : 1;
}

function summarise(result: InvokeResult): string {
  if (!result.ok) return `function error ${result.error.errorType}: ${result.error.errorMessage}`;
  const response = (result.response as { response?: Record<string, any> }).response ?? {};
  const parts: string[] = [];
  if (response.outputSpeech?.ssml) parts.push(`says "${String(response.outputSpeech.ssml).replace(/<\/?speak>/g, '')}"`);
  if (response.card) parts.push(`${response.card.type} card`);
  if (response.canFulfillIntent) parts.push(`canFulfill ${response.canFulfillIntent.canFulfill}`);
  if (response.shouldEndSession === true) parts.push('ends the session');
  return parts.length > 0 ? parts.join(', ') : 'an empty response (nothing said, nothing shown)';
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`start: ${(error as Error).stack}\n`);
    process.exit(2);
  },
);
