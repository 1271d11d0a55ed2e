/**
 * The unlink guard through the built Lambdas, for each family: a bad deploy — a wrong JWT_SECRET, an
 * INTROSPECTION_URL that answers `active: false` for everything, a custom verifier that says
 * "invalid" for everybody — unlinks none of 30 distinct genuine users in a fresh container (a new
 * warm function), logs ONE ERROR and counts the held replies in EMF metrics, with no token in the
 * logs. With the right configuration, the guard releases after an acceptance, and forged and
 * expired tokens interleaved with genuine ones are rejected as before.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { verifierFromEnvironment } from '../../lib';
import { getPlayableContentRequest, launchRequest, mintAccessToken, powerControllerDirective } from '../../lib/testing';
import { startResourceServer, type ResourceServer } from '../../scripts/resource-server';
import { startWarmFunction, type WarmFunction, type WarmFunctionOptions } from '../../scripts/local-invoke';
import { ROOT } from '../support/invoke-cli';
import { startLoopback, type Loopback } from '../support/loopback';

const TEMPLATE = path.join(ROOT, 'template.yaml');
const FIXTURE_TEMPLATE = path.join(ROOT, 'test/fixtures/unlink-guard/template.yaml');
const LOCAL = JSON.parse(readFileSync(path.join(ROOT, 'events/env.local.json'), 'utf8')) as Record<string, Record<string, string>>;
const WRONG_SECRET = 'a-wrong-secret-from-another-environment-0123456789';
const USERS = 30;

type Kind = 'unlinking' | 'transient' | 'served';

interface Family {
  name: 'custom' | 'directive' | 'music';
  logicalId: string;
  fixtureId: string;
  request(accessToken: string): unknown;
  kind(reply: any): Kind;
}

const credentialCodes = ['INVALID_AUTHORIZATION_CREDENTIAL', 'EXPIRED_AUTHORIZATION_CREDENTIAL'];
const errorKind = (type: string | undefined): Kind => (credentialCodes.includes(type ?? '') ? 'unlinking' : type === 'INTERNAL_ERROR' ? 'transient' : 'served');

const families: Family[] = [
  {
    name: 'custom', logicalId: 'RideHailerFunction', fixtureId: 'AlwaysInvalidCustomFunction',
    request: (accessToken) => launchRequest({ accessToken }),
    kind: (reply) => (reply.response.card?.type === 'LinkAccount' ? 'unlinking' : /Welcome to Ride Hailer/.test(reply.response.outputSpeech?.ssml) ? 'served' : 'transient'),
  },
  {
    name: 'directive', logicalId: 'MyLightsFunction', fixtureId: 'AlwaysInvalidDirectiveFunction',
    request: (accessToken) => powerControllerDirective('TurnOn', { accessToken, endpointId: 'light-kitchen' }),
    kind: (reply) => (reply.event.header.name === 'ErrorResponse' ? errorKind(reply.event.payload.type) : 'served'),
  },
  {
    name: 'music', logicalId: 'JukeboxFunction', fixtureId: 'AlwaysInvalidMusicFunction',
    request: (accessToken) => getPlayableContentRequest([{ type: 'MEDIA_TYPE', value: 'STATION' }], { accessToken }),
    kind: (reply) => (reply.header.name === 'ErrorResponse' ? errorKind(reply.payload.type) : 'served'),
  },
];

/** The env of the example function from events/env.local.json, with the guard on (its default). */
function exampleEnv(logicalId: string, overrides: Record<string, string> = {}): Record<string, string> {
  const { UNLINK_GUARD_THRESHOLD: _off, ...env } = LOCAL[logicalId];
  return { ...env, SKILL_ID: '', ...overrides };
}

const mint = (logicalId: string, subject: string, options: { key?: string; expiresInSeconds?: number } = {}) =>
  mintAccessToken({
    key: options.key ?? LOCAL[logicalId].JWT_SECRET, algorithm: 'HS256', issuer: LOCAL[logicalId].JWT_ISSUER,
    audience: LOCAL[logicalId].JWT_AUDIENCE, subject, expiresInSeconds: options.expiresInSeconds ?? 600,
  });

const started: WarmFunction[] = [];
const built = new Set<string>();
/** A fresh container: a new warm function (built once per function and template). */
async function freshContainer(options: Pick<WarmFunctionOptions, 'logicalId' | 'envVars' | 'templatePath'>): Promise<WarmFunction> {
  const key = `${options.templatePath}#${options.logicalId}`;
  const fn = await startWarmFunction({ ...options, build: !built.has(key) });
  built.add(key);
  started.push(fn);
  return fn;
}

async function replies(fn: WarmFunction, family: Family, tokens: string[]): Promise<Kind[]> {
  const kinds: Kind[] = [];
  for (const token of tokens) {
    const result = await fn.invoke(family.request(token));
    if (!result.ok) throw new Error(`the function failed: ${JSON.stringify(result.error)}`);
    kinds.push(family.kind(result.response));
  }
  return kinds;
}

const lines = (fn: WarmFunction) => fn.logs().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const guardErrors = (fn: WarmFunction) => lines(fn).filter((l) => l.level === 'ERROR' && l.message.startsWith('account linking: unlink guard:'));
const emf = (fn: WarmFunction) => lines(fn).filter((l) => l._aws?.CloudWatchMetrics);

/** What every bad deploy must show: nobody unlinked, one ERROR, the held replies counted, no token logged. */
function expectABadDeployHeld(fn: WarmFunction, family: Family, kinds: Kind[], tokens: string[]): void {
  expect(kinds.filter((k) => k === 'unlinking')).toHaveLength(0);
  expect(kinds.every((k) => k === 'transient')).toBe(true);
  const errors = guardErrors(fn);
  expect(errors).toHaveLength(1);
  expect(errors[0].message).toMatch(/^account linking: unlink guard: 1 distinct tokens rejected for .+ and none accepted since this container started .*: configuration suspected, unlinking replies held/);
  const metrics = emf(fn);
  expect(metrics).toHaveLength(tokens.length);
  expect(metrics.every((m) => m.Family === family.name && m.Outcome === 'undecided' && m.ReasonClass === 'guard' && m.HeldByGuard === 1 && m.UnlinkingReplies === 0)).toBe(true);
  const logs = fn.logs();
  for (const token of tokens) expect(logs).not.toContain(token);
}

let introspection: Loopback;
let resourceServer: ResourceServer;
beforeAll(async () => {
  // A staging server: it knows none of production's tokens, so it answers active:false for every one.
  introspection = await startLoopback((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ active: false }));
  });
  resourceServer = await startResourceServer(verifierFromEnvironment(LOCAL.JukeboxFunction));
});
afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
  await introspection.close();
  await resourceServer.close();
});

describe.each(families)('the unlink guard of the built $name Lambda', (family) => {
  it(`unlinks none of ${USERS} genuine users in a fresh container with a wrong JWT_SECRET`, async () => {
    const fn = await freshContainer({ templatePath: TEMPLATE, logicalId: family.logicalId, envVars: { [family.logicalId]: exampleEnv(family.logicalId, { JWT_SECRET: WRONG_SECRET }) } });
    const tokens = Array.from({ length: USERS }, (_, i) => mint(family.logicalId, `user-${i}`));
    const kinds = await replies(fn, family, tokens);
    expectABadDeployHeld(fn, family, kinds, tokens);
    expect(guardErrors(fn)[0]).toMatchObject({ message: expect.stringContaining('rejected for bad signature and'), reasons: { 'bad signature': 1 } });
  });

  it(`unlinks none of ${USERS} genuine users in a fresh container whose INTROSPECTION_URL answers active:false for everything`, async () => {
    const env = {
      SKILL_ID: '', SUBSCRIPTION_URL: resourceServer.url, TOKEN_VERIFIER: 'introspection', INTROSPECTION_URL: `${introspection.url}/introspect`,
      INTROSPECTION_CLIENT_ID: 'skill', INTROSPECTION_CLIENT_SECRET: 'skill-secret',
    };
    const fn = await freshContainer({ templatePath: TEMPLATE, logicalId: family.logicalId, envVars: { [family.logicalId]: env } });
    const tokens = Array.from({ length: USERS }, (_, i) => `opaque-genuine-token-of-user-${i}-${family.name}`);
    const kinds = await replies(fn, family, tokens);
    expectABadDeployHeld(fn, family, kinds, tokens);
    expect(guardErrors(fn)[0]).toMatchObject({ message: expect.stringContaining('rejected for inactive and'), reasons: { inactive: 1 } });
  });

  it(`unlinks none of ${USERS} genuine users in a fresh container behind a custom verifier that says "invalid" for everybody`, async () => {
    const fn = await freshContainer({ templatePath: FIXTURE_TEMPLATE, logicalId: family.fixtureId, envVars: {} });
    const tokens = Array.from({ length: USERS }, (_, i) => mint(family.logicalId, `user-${i}`));
    const kinds = await replies(fn, family, tokens);
    expectABadDeployHeld(fn, family, kinds, tokens);
    expect(emf(fn)[0]._aws.CloudWatchMetrics[0].Namespace).toBe('AccountLinkingTest');
  });

  it('releases after an acceptance, then rejects forged and expired tokens interleaved with genuine ones as before', async () => {
    const env = exampleEnv(family.logicalId, family.name === 'music' ? { SUBSCRIPTION_URL: resourceServer.url } : {});
    const fn = await freshContainer({ templatePath: TEMPLATE, logicalId: family.logicalId, envVars: { [family.logicalId]: env } });
    const forged = (n: number) => mint(family.logicalId, `forger-${n}`, { key: WRONG_SECRET });
    const expired = (n: number) => mint(family.logicalId, `expired-${n}`, { expiresInSeconds: -600 });
    const genuine = (n: number) => mint(family.logicalId, `user-${n}`);

    // a fresh container's first token is a forged one: held, as a precaution (nothing accepted yet)
    expect(await replies(fn, family, [forged(0)])).toEqual(['transient']);
    expect(await replies(fn, family, [genuine(1)])).toEqual(['served']);
    expect(fn.logs()).toContain('account linking: unlink guard: released: a token was accepted');

    const interleaved = [forged(1), genuine(2), expired(1), genuine(3), forged(2), genuine(4), expired(2), genuine(5), forged(0)];
    expect(await replies(fn, family, interleaved)).toEqual(['unlinking', 'served', 'unlinking', 'served', 'unlinking', 'served', 'unlinking', 'served', 'unlinking']);
    expect(guardErrors(fn)).toHaveLength(1); // the fresh container's one held verdict, before the interleaving
    const counted = emf(fn).map((m) => `${m.Outcome}${m.HeldByGuard ? ' held' : ''}`);
    expect(counted).toEqual(['undecided held', 'linked', 'invalid', 'linked', 'expired', 'linked', 'invalid', 'linked', 'expired', 'linked', 'invalid']);
  });
});
