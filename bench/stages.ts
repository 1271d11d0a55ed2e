/**
 * npx tsx bench/stages.ts — what one warm gated invocation spends its time on, stage by stage
 * (a profiling aid, not part of `npm run bench`).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { SkillBuilders } from 'ask-sdk-core';
import { CachingVerifier, createJsonLogger, JwtVerifier, withAccountLinking, fingerprint } from '../lib';
import { launchRequest, mintAccessToken } from '../lib/testing';
import { measure, us } from './harness';

const ISSUER = 'https://auth.bench.test/';
const AUDIENCE = 'bench-skill';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const token = mintAccessToken({ key: rsa.privateKey, algorithm: 'RS256', issuer: ISSUER, audience: AUDIENCE, subject: 'u', keyId: 'k1' });
const verifier = new JwtVerifier({ publicKey: rsa.publicKey, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });

async function main() {
  const o = { iterations: 20000, rounds: 5 };
  const rows: Array<[string, number]> = [];
  const m = async (name: string, op: () => unknown, opts = o) => rows.push([name, (await measure(name, op, opts)).medianUs]);
  await m('new AbortController()', () => new AbortController());
  await m('setTimeout+clearTimeout', () => clearTimeout(setTimeout(() => undefined, 3000)));
  await m('fingerprint (sha256 hex)', () => fingerprint(token));
  await m('sha256 base64url', () => createHash('sha256').update(token).digest('base64url'));
  await m('new Date().toISOString()', () => new Date().toISOString());
  const sink = createJsonLogger({ level: 'info', write: () => undefined });
  await m('json logger info line', () => sink.info('account linking: gate decision', { family: 'custom', requestType: 'LaunchRequest', tokenPath: 'context.System.user.accessToken', tokenFingerprint: 'abcdefabcdef', outcome: 'linked', latencyMs: 0 }));
  const envelope = launchRequest({ accessToken: token });
  const skill = (v?: any, logger = createJsonLogger({ level: 'silent' })) => {
    const b = SkillBuilders.custom();
    if (v) withAccountLinking(b, { verifier: v, logger });
    const s = b.addRequestHandlers({ canHandle: () => true, handle: (i) => i.responseBuilder.speak('hi').getResponse() }).create();
    return () => s.invoke(envelope);
  };
  const few = { iterations: 3000, rounds: 5 };
  await m('jwt verify (JwtVerifier)', () => verifier.verify(token), few);
  await m('bare skill.invoke', skill(), few);
  const stub = { verify: async () => ({ outcome: 'valid' as const, principal: { subject: 'u', claims: {} } }) };
  await m('gate, stub verifier, silent', skill(stub), few);
  await m('gate, stub verifier, info to sink', skill(stub, sink), few);
  await m('gate, cached, silent', skill(new CachingVerifier(verifier)), few);
  await m('gate, uncached RS256, silent', skill(verifier), few);
  await m('gate, uncached RS256, info to sink', skill(verifier, sink), few);
  for (const [name, value] of rows) console.log(name.padEnd(40), us(value));
}
void main();
