/**
 * The unlinking policy on the built example Lambdas, warm containers sharing one ledger on dynalite: a suspected rejection unlinks
 * only when confirmed UNLINK_CONFIRM_AFTER_SECONDS later, in any container; a fault (wrong, missing or rotated key, buggy verifier) unlinks nobody.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SPEECH, verifierFromEnvironment } from '../../lib';
import { getPlayableContentRequest, launchRequest, mintAccessToken, powerControllerDirective } from '../../lib/testing';
import { startResourceServer, type ResourceServer } from '../../scripts/resource-server';
import { startWarmFunction, type WarmFunction } from '../../scripts/local-invoke/warm-function';
import {
  AUDIENCE,
  CLIENTS,
  restartWithSigningKeys,
  signingKey,
  startAuthorizationServer,
  type AuthorizationServer,
} from '../../scripts/sandbox/authorization-server';
import { ROOT } from '../support/invoke-cli';
import { startLedgerServer, templateWithLedgerAccess, waitForProof, type LedgerServer } from '../support/unlink-ledger';

const LOCAL = JSON.parse(readFileSync(path.join(ROOT, 'events/env.local.json'), 'utf8')) as Record<
  string,
  Record<string, string>
>;
const WRONG_SECRET = 'a-wrong-secret-from-another-environment-0123456789';
/** The issuer's second signing secret, which the functions are not given (a partial fault). */
const SECOND_SECRET = 'the-issuers-second-signing-secret-nobody-told-us-about';
const CONFIRM_AFTER_SECONDS = 2;
/** Real time to wait for a confirmation to be allowed: UNLINK_CONFIRM_AFTER_SECONDS, and some. */
const PAST_CONFIRM_AFTER_MS = CONFIRM_AFTER_SECONDS * 1000 + 500;
const USERS = 30;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Kind = 'unlinking' | 'transient' | 'served';

interface Family {
  name: 'custom' | 'directive' | 'music';
  logicalId: 'RideHailerFunction' | 'MyLightsFunction' | 'JukeboxFunction';
  fixtureId: string;
  request(accessToken: string): unknown;
  kind(reply: any): Kind;
}

const credentialCodes = ['INVALID_AUTHORIZATION_CREDENTIAL', 'EXPIRED_AUTHORIZATION_CREDENTIAL'];
const errorKind = (type: string | undefined): Kind =>
  credentialCodes.includes(type ?? '') ? 'unlinking' : type === 'INTERNAL_ERROR' ? 'transient' : 'served';
const APOLOGY = `<speak>${DEFAULT_SPEECH.tryLater}</speak>`;

const CUSTOM: Family = {
  name: 'custom',
  logicalId: 'RideHailerFunction',
  fixtureId: 'AlwaysInvalidCustomFunction',
  request: (accessToken) => launchRequest({ accessToken }),
  kind: (reply) => {
    if (reply.response.card?.type === 'LinkAccount') return 'unlinking';
    if (/Welcome to Ride Hailer/.test(reply.response.outputSpeech?.ssml)) return 'served';
    if (reply.response.outputSpeech?.ssml === APOLOGY && reply.response.card === undefined) return 'transient';
    throw new Error(`an unexpected reply: ${JSON.stringify(reply)}`);
  },
};
const DIRECTIVE: Family = {
  name: 'directive',
  logicalId: 'MyLightsFunction',
  fixtureId: 'AlwaysInvalidDirectiveFunction',
  request: (accessToken) => powerControllerDirective('TurnOn', { accessToken, endpointId: 'light-kitchen' }),
  kind: (reply) => (reply.event.header.name === 'ErrorResponse' ? errorKind(reply.event.payload.type) : 'served'),
};
const MUSIC: Family = {
  name: 'music',
  logicalId: 'JukeboxFunction',
  fixtureId: 'AlwaysInvalidMusicFunction',
  request: (accessToken) => getPlayableContentRequest([{ type: 'MEDIA_TYPE', value: 'STATION' }], { accessToken }),
  kind: (reply) => (reply.header.name === 'ErrorResponse' ? errorKind(reply.payload.type) : 'served'),
};
const FAMILIES = [CUSTOM, DIRECTIVE, MUSIC];

let ledger: LedgerServer;
let resourceServer: ResourceServer;
let exampleTemplate: string;
let fixtureTemplate: string;
const started: WarmFunction[] = [];
/** Each function's first container, which builds it: later ones wait for it and run its build. */
const builds = new Map<string, Promise<unknown>>();

beforeAll(async () => {
  ledger = await startLedgerServer();
  resourceServer = await startResourceServer(verifierFromEnvironment(LOCAL.JukeboxFunction));
  exampleTemplate = templateWithLedgerAccess(path.join(ROOT, 'template.yaml'), 'template');
  fixtureTemplate = templateWithLedgerAccess(
    path.join(ROOT, 'test/fixtures/unlinking/template.yaml'),
    'always-invalid',
  );
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((fn) => fn.stop()));
});
afterAll(async () => {
  await ledger?.close();
  await resourceServer?.close();
});

/** A fresh container (a new warm function) of `logicalId`, with `env` over the template's defaults; built once per function. */
async function container(
  logicalId: string,
  env: Record<string, string>,
  templatePath = exampleTemplate,
): Promise<WarmFunction> {
  const key = `${templatePath}#${logicalId}`;
  const building = builds.get(key);
  if (building) await building.catch(() => undefined);
  const starting = startWarmFunction({ templatePath, logicalId, envVars: { [logicalId]: env }, build: !building });
  if (!building) builds.set(key, starting);
  const fn = await starting;
  started.push(fn);
  return fn;
}

/**
 * The example function's environment: events/env.local.json's, without `UNLINKING=off` (the policy
 * on, as deployed), with the ledger `table` on dynalite and a short confirmation delay.
 */
function exampleEnv(family: Family, table: string, overrides: Record<string, string> = {}): Record<string, string> {
  const { UNLINKING: _off, ...local } = LOCAL[family.logicalId];
  return {
    ...local,
    SKILL_ID: '',
    ...(family.name === 'music' ? { SUBSCRIPTION_URL: resourceServer.url } : {}),
    ...ledger.env(table),
    UNLINK_CONFIRM_AFTER_SECONDS: String(CONFIRM_AFTER_SECONDS),
    ...overrides,
  };
}

/** A token of env.local.json's issuer for this family's skill: genuine, unless signed with another `key`. */
const mint = (family: Family, subject: string, key = LOCAL[family.logicalId].JWT_SECRET, expiresInSeconds = 600) =>
  mintAccessToken({
    key,
    algorithm: 'HS256',
    issuer: LOCAL[family.logicalId].JWT_ISSUER,
    audience: LOCAL[family.logicalId].JWT_AUDIENCE,
    subject,
    expiresInSeconds,
  });

/** The kind of reply the function gave each token, one invocation after the other, as a Lambda container serves them. */
async function replies(fn: WarmFunction, family: Family, tokens: string[]): Promise<Kind[]> {
  const kinds: Kind[] = [];
  for (const token of tokens) {
    const result = await fn.invoke(family.request(token));
    if (!result.ok) throw new Error(`the function failed: ${JSON.stringify(result.error)}`);
    kinds.push(family.kind(result.response));
  }
  return kinds;
}
const reply = async (fn: WarmFunction, family: Family, token: string) => (await replies(fn, family, [token]))[0];

/**
 * `scenario` for each family at once, each in containers of its own (the families' functions are
 * separate fleets); a failure names its family.
 */
async function eachFamily(families: Family[], scenario: (family: Family) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(families.map((family) => scenario(family)));
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      const error = result.reason as Error;
      error.message = `[${families[i].logicalId}] ${error.message}`;
      throw error;
    }
  });
}
const FAMILY_NAMES = (families: Family[]) => families.map((family) => family.logicalId).join(', ');

const lines = (fn: WarmFunction) =>
  fn
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
/** The gate's decision lines of rejected tokens: what the policy made of each. */
const rejections = (fn: WarmFunction) =>
  lines(fn).filter((l) => l.message === 'account linking: gate decision' && l.verdict !== undefined);
const policyErrors = (fn: WarmFunction) =>
  lines(fn).filter((l) => l.level === 'ERROR' && l.message.startsWith('account linking: unlinking held:'));
const emf = (fn: WarmFunction) => lines(fn).filter((l) => l._aws?.CloudWatchMetrics);
const unlinkingReplies = (fns: WarmFunction[]) => fns.flatMap(emf).reduce((sum, m) => sum + m.UnlinkingReplies, 0);

function expectNoTokenLogged(fns: WarmFunction[], tokens: string[]): void {
  for (const fn of fns) {
    const logs = fn.logs();
    for (const token of tokens) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(token.split('.')[2] ?? token); // nor a JWT's signature on its own
    }
  }
}

describe('two containers of one function sharing the ledger', () => {
  it(
    `confirm a suspected rejection first seen in one container in the other once ${CONFIRM_AFTER_SECONDS} s have passed, not before (${FAMILY_NAMES(FAMILIES)})`,
    () =>
      eachFamily(FAMILIES, async (family) => {
        const table = await ledger.createTable();
        const [first, second] = await Promise.all([
          container(family.logicalId, exampleEnv(family, table)),
          container(family.logicalId, exampleEnv(family, table)),
        ]);
        const genuine = mint(family, 'user-1');
        const suspect = mint(family, 'user-2', WRONG_SECRET); // bad signature: suspected (a fault of ours could produce it)

        expect(await reply(first, family, genuine)).toBe('served');
        await waitForProof(ledger, table); // the configuration is proven fleet-wide
        const asked = Date.now();
        expect(await reply(first, family, suspect)).toBe('transient'); // its first rejection anywhere
        const answered = Date.now();
        expect(await reply(second, family, suspect)).toBe('transient'); // rejected again, too soon
        await sleep(PAST_CONFIRM_AFTER_MS);
        expect(await reply(second, family, suspect)).toBe('unlinking'); // confirmed, in the container that did not see it first
        expect(await reply(second, family, genuine)).toBe('served');
        // self-evident (our key signed it, and it ended two hours ago): answered at its first rejection, the configuration being proven
        const longExpired = mint(family, 'user-3', undefined, -7200);
        expect(await reply(second, family, longExpired)).toBe('unlinking');

        const [held] = rejections(first);
        expect(held).toMatchObject({
          outcome: 'undecided',
          verdict: 'invalid',
          reason: 'bad signature',
          rejection: 'suspected',
          reasonClass: 'signature',
          held: 'pending',
        });
        // confirmAt: the first rejection + UNLINK_CONFIRM_AFTER_SECONDS
        expect(Date.parse(held.confirmAt)).toBeGreaterThanOrEqual(asked + CONFIRM_AFTER_SECONDS * 1000 - 1); // (ISO: whole ms)
        expect(Date.parse(held.confirmAt)).toBeLessThanOrEqual(answered + CONFIRM_AFTER_SECONDS * 1000);
        const [tooSoon, confirmed, selfEvident] = rejections(second);
        expect(tooSoon).toMatchObject({ outcome: 'undecided', held: 'pending', confirmAt: held.confirmAt }); // the fleet's first rejection, not this container's
        expect(confirmed).toMatchObject({
          outcome: 'invalid',
          verdict: 'invalid',
          rejection: 'suspected',
          reasonClass: 'signature',
        });
        expect(confirmed).not.toHaveProperty('held');
        expect(selfEvident).toMatchObject({
          outcome: 'expired',
          verdict: 'expired',
          rejection: 'self-evident',
          reasonClass: 'expired',
        });
        expect(selfEvident).not.toHaveProperty('held');
        expect(emf(second).filter((m) => m.ConfirmedRejections === 1)).toHaveLength(1);
        expect(unlinkingReplies([first, second])).toBe(2);
        expect([...policyErrors(first), ...policyErrors(second)]).toEqual([]); // dead tokens are no fault: no ERROR
        expectNoTokenLogged([first, second], [genuine, suspect, longExpired]);
      }),
    30_000,
  );
});

/**
 * One bad deploy: its genuine users each ask twice, over the confirmation delay, each time in a
 * fresh container (serving them one after the other).
 */
async function aBadDeploy(start: () => Promise<WarmFunction>, family: Family, tokens: string[]) {
  const first = await start();
  const before = await replies(first, family, tokens);
  await sleep(PAST_CONFIRM_AFTER_MS);
  const second = await start();
  const after = await replies(second, family, tokens);
  return { containers: [first, second], kinds: [...before, ...after] };
}

describe(`a bad deploy unlinks none of ${USERS} genuine users, each asking twice, ${CONFIRM_AFTER_SECONDS} s apart, in fresh containers sharing the ledger`, () => {
  const users = (family: Family) => Array.from({ length: USERS }, (_, i) => mint(family, `user-${i}`));

  it(
    `with a wrong JWT_SECRET: every rejection held "unproven", one ERROR per container naming JWT_SECRET (${FAMILY_NAMES(FAMILIES)})`,
    () =>
      eachFamily(FAMILIES, async (family) => {
        const table = await ledger.createTable();
        const tokens = users(family);
        const { containers, kinds } = await aBadDeploy(
          () => container(family.logicalId, exampleEnv(family, table, { JWT_SECRET: WRONG_SECRET })),
          family,
          tokens,
        );

        expect(kinds).toEqual(Array(2 * USERS).fill('transient'));
        expect(unlinkingReplies(containers)).toBe(0);
        for (const fn of containers) {
          expect(rejections(fn)).toHaveLength(USERS);
          expect(rejections(fn).map((l) => `${l.outcome} ${l.reasonClass} ${l.held}`)).toEqual(
            Array(USERS).fill('undecided signature unproven'),
          );
          const errors = policyErrors(fn);
          expect(errors).toHaveLength(1); // one per container and reason, whatever the number of users
          expect(errors[0]).toMatchObject({ hold: 'unproven', reasonClass: 'signature', family: family.name });
          expect(errors[0].message).toMatch(
            /has accepted no token anywhere in the fleet yet, and tokens are rejected for signature: .* Check: .*JWT_SECRET/,
          );
          expect(emf(fn).every((m) => m.HeldUnproven === 1 && m.UnlinkingReplies === 0)).toBe(true);
        }
        expectNoTokenLogged(containers, tokens);
      }),
    60_000,
  );

  it(
    `behind a custom verifier that says "invalid" for everybody: every rejection held "unproven" (${FAMILY_NAMES(FAMILIES)})`,
    () =>
      eachFamily(FAMILIES, async (family) => {
        const table = await ledger.createTable();
        const tokens = users(family);
        const env = { ...ledger.env(table), UNLINK_CONFIRM_AFTER_SECONDS: String(CONFIRM_AFTER_SECONDS) };
        const { containers, kinds } = await aBadDeploy(
          () => container(family.fixtureId, env, fixtureTemplate),
          family,
          tokens,
        );

        expect(kinds).toEqual(Array(2 * USERS).fill('transient'));
        expect(unlinkingReplies(containers)).toBe(0);
        for (const fn of containers) {
          expect(rejections(fn)).toHaveLength(USERS);
          expect(rejections(fn).map((l) => `${l.outcome} ${l.reasonClass} ${l.held}`)).toEqual(
            Array(USERS).fill('undecided other unproven'),
          );
          expect(policyErrors(fn)).toEqual([
            expect.objectContaining({ hold: 'unproven', message: expect.stringContaining('or a custom verifier') }),
          ]);
          expect(emf(fn)[0]._aws.CloudWatchMetrics[0].Namespace).toBe('AccountLinkingTest');
        }
        expectNoTokenLogged(containers, tokens);
      }),
    60_000,
  );
});

describe("a partial fault: the issuer signs some users' tokens with a key the function does not have", () => {
  it(
    `opens the breaker once 5 or more users are rejected, and unlinks none of them after the confirmation delay (${FAMILY_NAMES([CUSTOM, DIRECTIVE])})`,
    () =>
      eachFamily([CUSTOM, DIRECTIVE], async (family) => {
        const table = await ledger.createTable();
        const aUsers = Array.from({ length: 7 }, (_, i) => mint(family, `a-user-${i}`));
        const bUsers = Array.from({ length: 6 }, (_, i) => mint(family, `b-user-${i}`, SECOND_SECRET));
        const interleaved = bUsers.flatMap((token, i) => [token, aUsers[i + 1]]);

        const first = await container(family.logicalId, exampleEnv(family, table));
        expect(await reply(first, family, aUsers[0])).toBe('served');
        await waitForProof(ledger, table);
        expect(await replies(first, family, interleaved)).toEqual(bUsers.flatMap(() => ['transient', 'served']));
        // each B-user's first rejection: pending, until this container has itself counted 5 (minTokens): then the breaker
        expect(rejections(first).map((l) => l.held)).toEqual(bUsers.map((_, i) => (i < 4 ? 'pending' : 'breaker')));

        await sleep(PAST_CONFIRM_AFTER_MS);
        const second = await container(family.logicalId, exampleEnv(family, table)); // a fresh container reads the fleet's counts
        expect(await replies(second, family, interleaved)).toEqual(bUsers.flatMap(() => ['transient', 'served']));
        expect(rejections(second).map((l) => l.held)).toEqual(bUsers.map(() => 'breaker'));

        expect(unlinkingReplies([first, second])).toBe(0);
        const errors = policyErrors(second);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({
          hold: 'breaker',
          reasonClass: 'signature',
          recentTokens: bUsers.length,
          usualTokens: 0,
        });
        expect(errors[0].message).toMatch(
          /^account linking: unlinking held: 6 distinct tokens first rejected for signature across the fleet in the last 30 min, against a usual 0: .*JWT_SECRET/,
        );
        expect(emf(second).filter((m) => m.HeldByBreaker === 1)).toHaveLength(bUsers.length);
        expectNoTokenLogged([first, second], [...aUsers, ...bUsers]);
      }),
    30_000,
  );
});

/** The PEM of a private JWK's public key, as an operator pastes it into JWT_PUBLIC_KEY. */
const publicPem = (jwk: JsonWebKey) =>
  createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();

describe('oidc-provider rotates its signing key under a static JWT_PUBLIC_KEY', () => {
  let server: AuthorizationServer;
  afterAll(() => server?.stop());

  it(`unlinks none of the users whose new tokens fail the signature check (${FAMILY_NAMES([CUSTOM, DIRECTIVE])})`, async () => {
    const oldKey = signingKey('key-a');
    server = await startAuthorizationServer({ signingKeys: [oldKey] });
    const env = (table: string) => ({
      ...ledger.env(table),
      SKILL_ID: '',
      TOKEN_VERIFIER: 'jwt',
      JWT_PUBLIC_KEY: publicPem(oldKey),
      JWT_ISSUER: server.issuer,
      JWT_AUDIENCE: AUDIENCE,
      UNLINK_CONFIRM_AFTER_SECONDS: String(CONFIRM_AFTER_SECONDS),
    });
    const families = [CUSTOM, DIRECTIVE];
    const tables = await Promise.all(families.map(() => ledger.createTable()));
    const firsts = await Promise.all(families.map((family, i) => container(family.logicalId, env(tables[i]))));
    const before = (await server.link('ada-0')).access_token;
    await eachFamily(families, async (family) => {
      const i = families.indexOf(family);
      expect(await reply(firsts[i], family, before)).toBe('served');
      await waitForProof(ledger, tables[i]);
    });

    // As key-rotation.test.ts rotates: the server restarts on its port with a new signing key, the old one still published.
    server = await restartWithSigningKeys(server, { signingKeys: [signingKey('key-b'), oldKey] });
    const after: string[] = [];
    for (const n of [1, 2, 3, 4, 5, 6]) after.push((await server.link(`ada-${n}`)).access_token);

    await eachFamily(families, async (family) => {
      const i = families.indexOf(family);
      const first = firsts[i];
      expect(await replies(first, family, after)).toEqual(after.map(() => 'transient'));
      expect(await reply(first, family, before)).toBe('served'); // the old key's tokens live on
      await sleep(PAST_CONFIRM_AFTER_MS);
      const second = await container(family.logicalId, env(tables[i]));
      expect(await replies(second, family, after)).toEqual(after.map(() => 'transient'));

      expect(rejections(first).map((l) => l.held)).toEqual(after.map((_, i) => (i < 4 ? 'pending' : 'breaker')));
      expect(rejections(second).map((l) => l.held)).toEqual(after.map(() => 'breaker'));
      expect([...rejections(first), ...rejections(second)].every((l) => l.reason === 'bad signature')).toBe(true);
      expect(unlinkingReplies([first, second])).toBe(0);
      expect(policyErrors(second)).toEqual([
        expect.objectContaining({
          hold: 'breaker',
          reasonClass: 'signature',
          message: expect.stringContaining('JWT_PUBLIC_KEY'),
        }),
      ]);
      expectNoTokenLogged([first, second], [before, ...after]);
    });
  }, 60_000);
});

describe('a token revoked at oidc-provider, on introspection', () => {
  let server: AuthorizationServer;
  beforeAll(async () => {
    server = await startAuthorizationServer({ signingKeys: [signingKey('key-a')] });
  });
  afterAll(() => server?.stop());

  it(
    `is answered "could not decide" at first, and with the unlinking reply ${CONFIRM_AFTER_SECONDS} s later (${FAMILY_NAMES([CUSTOM, DIRECTIVE])})`,
    () =>
      eachFamily([CUSTOM, DIRECTIVE], async (family) => {
        const table = await ledger.createTable();
        const fn = await container(family.logicalId, {
          ...ledger.env(table),
          SKILL_ID: '',
          TOKEN_VERIFIER: 'introspection',
          INTROSPECTION_URL: server.introspectionUrl,
          INTROSPECTION_CLIENT_ID: CLIENTS.introspection.id,
          INTROSPECTION_CLIENT_SECRET: CLIENTS.introspection.secret,
          INTROSPECTION_AUDIENCE: AUDIENCE,
          INTROSPECTION_CLIENT_IDS: CLIENTS.opaque.id,
          // no verdict cache: every request asks the server (a cached "valid" would outlive the revocation by up to 5 min)
          VERIFY_CACHE_TTL_SECONDS: '0',
          UNLINK_CONFIRM_AFTER_SECONDS: String(CONFIRM_AFTER_SECONDS),
        });
        const { access_token: token } = await server.link(`ada-revoked-${family.name}`, 'opaque');
        expect(await reply(fn, family, token)).toBe('served');
        await server.revoke(token);
        expect(await reply(fn, family, token)).toBe('transient');
        await sleep(PAST_CONFIRM_AFTER_MS);
        expect(await reply(fn, family, token)).toBe('unlinking');

        const [pending, confirmed] = rejections(fn);
        expect(pending).toMatchObject({
          outcome: 'undecided',
          verdict: 'invalid',
          reason: 'inactive',
          rejection: 'suspected',
          reasonClass: 'inactive',
          held: 'pending',
        });
        expect(confirmed).toMatchObject({ outcome: 'invalid', reason: 'inactive', rejection: 'suspected' });
        expect(confirmed).not.toHaveProperty('held');
        expect(policyErrors(fn)).toEqual([]);
        expectNoTokenLogged([fn], [token]);
      }),
    30_000,
  );
});
