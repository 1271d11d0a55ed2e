/**
 * Configuration mistakes of the remote verifiers (introspection, Login with Amazon), made as an
 * operator would make them, on the built example Lambdas kept warm: genuine users get "could not
 * decide" (an apology without card, INTERNAL_ERROR), never an unlinking reply, and the one ERROR
 * line (the verifier's, or the unlinking policy's) names the setting to check. No token ever reaches
 * the logs. Introspection runs against the real oidc-provider; LWA against a loopback stand-in for
 * its tokeninfo endpoint. Each container keeps its unlinking ledger in memory (a fleet of one).
 */
import path from 'node:path';
import { DEFAULT_SPEECH } from '../../lib';
import { launchRequest, powerControllerDirective } from '../../lib/testing';
import {
  AUDIENCE,
  CLIENTS,
  signingKey,
  startAuthorizationServer,
  type AuthorizationServer,
} from '../../scripts/sandbox/authorization-server';
import { startWarmFunction, type WarmFunction } from '../../scripts/local-invoke/warm-function';
import { ROOT } from '../support/invoke-cli';
import { json, startLoopback, type Loopback } from '../support/loopback';

const apology = {
  outputSpeech: { type: 'SSML', ssml: `<speak>${DEFAULT_SPEECH.tryLater}</speak>` },
  shouldEndSession: true,
};
const built = new Set<string>();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A warm container of an example function, configured with `variables` on top of the template's defaults. */
async function start(
  logicalId: 'RideHailerFunction' | 'MyLightsFunction',
  variables: Record<string, string>,
): Promise<WarmFunction> {
  const fn = await startWarmFunction({
    templatePath: path.join(ROOT, 'template.yaml'),
    logicalId,
    // UNLINK_LEDGER_TABLE empty: the unlinking ledger in the container's memory (locally the template's
    // !Ref UnlinkLedgerTable is the table's logical ID, a table no AWS endpoint here has).
    envVars: {
      [logicalId]: {
        ...(logicalId === 'RideHailerFunction' ? { SKILL_ID: '' } : {}),
        UNLINK_LEDGER_TABLE: '',
        ...variables,
      },
    },
    build: !built.has(logicalId),
  });
  built.add(logicalId);
  return fn;
}

/** Both example families in one warm container each, and what they answer to one token. */
async function withBoth<T>(
  variables: Record<string, string>,
  use: (both: { rideHailer: WarmFunction; myLights: WarmFunction }) => Promise<T>,
): Promise<T> {
  const rideHailer = await start('RideHailerFunction', variables);
  const myLights = await start('MyLightsFunction', variables);
  try {
    return await use({ rideHailer, myLights });
  } finally {
    await Promise.all([rideHailer.stop(), myLights.stop()]);
  }
}

const launch = async (fn: WarmFunction, token: string) => {
  const reply = await fn.invoke(launchRequest({ accessToken: token }));
  expect(reply.ok).toBe(true);
  return (reply as { response: any }).response.response;
};
const turnOn = async (fn: WarmFunction, token: string) => {
  const reply = await fn.invoke(
    powerControllerDirective('TurnOn', { accessToken: token, endpointId: 'light-living-room' }),
  );
  expect(reply.ok).toBe(true);
  return (reply as { response: any }).response.event;
};
const errorLines = (fn: WarmFunction) =>
  fn
    .logs()
    .split('\n')
    .filter((line) => line.includes('"level":"ERROR"'));
/** The unlinking policy's ERROR lines: a rejection held for a suspected fault. */
const heldErrors = (fn: WarmFunction) =>
  errorLines(fn).filter((line) => line.includes('account linking: unlinking held:'));
/** The decision lines of rejected tokens, and whether each was answered with the unlinking reply. */
const unlinked = (fn: WarmFunction) =>
  fn
    .logs()
    .split('\n')
    .filter((line) => line.includes('"verdict":') && !line.includes('"held":'));

describe('introspection, misconfigured, on the real authorization server', () => {
  let server: AuthorizationServer;
  beforeAll(async () => {
    server = await startAuthorizationServer({ signingKeys: [signingKey('key-a')] });
  });
  afterAll(() => server.stop());

  const introspection = (extra: Record<string, string> = {}) => ({
    TOKEN_VERIFIER: 'introspection',
    INTROSPECTION_URL: server.introspectionUrl,
    INTROSPECTION_CLIENT_ID: CLIENTS.introspection.id,
    INTROSPECTION_CLIENT_SECRET: CLIENTS.introspection.secret,
    INTROSPECTION_AUDIENCE: AUDIENCE,
    INTROSPECTION_CLIENT_IDS: CLIENTS.opaque.id,
    ...extra,
  });

  it.each([
    [
      'a typo in INTROSPECTION_AUDIENCE',
      { INTROSPECTION_AUDIENCE: 'ride-hailer-alexa-skil' },
      'INTROSPECTION_AUDIENCE',
    ],
    [
      'a wrong INTROSPECTION_CLIENT_SECRET',
      { INTROSPECTION_CLIENT_SECRET: 'not-the-secret' },
      'INTROSPECTION_CLIENT_SECRET',
    ],
  ])(
    'answers genuine tokens "could not decide" with %s, and the ERROR line names the setting',
    async (_mistake, mistake, setting) => {
      const tokens = await server.link(`ada-${setting.toLowerCase()}`, 'opaque');
      await withBoth(introspection(mistake), async ({ rideHailer, myLights }) => {
        expect(await launch(rideHailer, tokens.access_token)).toEqual(apology);
        expect(await launch(rideHailer, tokens.access_token)).toEqual(apology); // and again: a warm container unlinks nobody either
        expect((await turnOn(myLights, tokens.access_token)).payload.type).toBe('INTERNAL_ERROR');
        for (const fn of [rideHailer, myLights]) {
          const errors = errorLines(fn);
          expect(errors).toHaveLength(1); // one per container and reason
          expect(errors[0]).toContain(setting);
          expect(fn.logs()).not.toContain(tokens.access_token);
          expect(fn.logs()).not.toContain(CLIENTS.introspection.secret);
        }
      });
    },
  );

  it('unlinks nobody with a typo in INTROSPECTION_CLIENT_IDS: each token is "another client\'s", held while no token was accepted, and the ERROR names INTROSPECTION_CLIENT_IDS', async () => {
    const users = await Promise.all([1, 2, 3, 4, 5].map((n) => server.link(`ada-client-ids-${n}`, 'opaque')));
    await withBoth(
      introspection({ INTROSPECTION_CLIENT_IDS: 'alexa-skill-opaq' }),
      async ({ rideHailer, myLights }) => {
        for (const { access_token: token } of users) {
          expect(await launch(rideHailer, token)).toEqual(apology);
          expect((await turnOn(myLights, token)).payload.type).toBe('INTERNAL_ERROR');
        }
        for (const fn of [rideHailer, myLights]) {
          expect(unlinked(fn)).toEqual([]);
          expect(fn.logs()).toContain('"reason":"issued to another client"');
          expect(fn.logs().match(/"held":"unproven"/g)).toHaveLength(users.length);
          expect(heldErrors(fn)).toEqual([
            expect.stringMatching(/rejected for claims: .*Check: INTROSPECTION_CLIENT_IDS/),
          ]);
          for (const { access_token: token } of users) expect(fn.logs()).not.toContain(token);
        }
      },
    );
  });

  it('neither lets in nor unlinks for an introspected refresh token, even after a genuine token: what other tokens showed is no proof about it (could not decide)', async () => {
    const genuine = await server.link('ada-refresh-1', 'opaque');
    const other = await server.link('ada-refresh-2', 'opaque');
    await withBoth(
      introspection({ UNLINK_CONFIRM_AFTER_SECONDS: '1', VERIFY_CACHE_TTL_SECONDS: '0' }),
      async ({ rideHailer, myLights }) => {
        expect((await launch(rideHailer, genuine.access_token)).outputSpeech.ssml).toContain('Welcome to Ride Hailer');
        expect((await turnOn(myLights, genuine.access_token)).header.name).toBe('Response');
        // oidc-provider introspects a refresh token without token_type and without aud: nothing about this token says "invalid"
        for (let round = 0; round < 2; round++) {
          expect(await launch(rideHailer, other.refresh_token!)).toEqual(apology);
          expect((await turnOn(myLights, other.refresh_token!)).payload.type).toBe('INTERNAL_ERROR');
          await sleep(1100);
        }
        for (const fn of [rideHailer, myLights]) {
          expect(errorLines(fn).join('\n')).toContain('INTROSPECTION_AUDIENCE');
          for (const token of [genuine.access_token, other.refresh_token!]) expect(fn.logs()).not.toContain(token);
        }
      },
    );
  });

  it('never lets a refresh token in, even in a fresh container before any genuine token (there: "could not decide")', async () => {
    const tokens = await server.link('ada-refresh-3', 'opaque');
    const rideHailer = await start('RideHailerFunction', introspection());
    try {
      expect(await launch(rideHailer, tokens.refresh_token!)).toEqual(apology);
      expect(errorLines(rideHailer).join('\n')).toContain('INTROSPECTION_AUDIENCE');
    } finally {
      await rideHailer.stop();
    }
  });
});

describe('Login with Amazon, misconfigured, against a stand-in for tokeninfo', () => {
  const CLIENT = 'amzn1.application-oa2-client.ride-hailer';
  const APP = 'amzn1.application.ride-hailer-profile';
  const TOKEN = `Atza|${'IwEBIGenuineLwaToken'.repeat(20)}`;
  let lwa: Loopback;
  let tokenInfo: { status: number; body: unknown };
  beforeAll(async () => {
    lwa = await startLoopback((_req, res) => json(res, tokenInfo.status, tokenInfo.body));
  });
  afterAll(() => lwa.close());
  beforeEach(() => {
    tokenInfo = {
      status: 200,
      body: { iss: 'https://www.amazon.com', user_id: 'amzn1.account.AE', aud: CLIENT, app_id: APP, exp: 3000, iat: 1 },
    };
  });
  const lwaEnv = (extra: Record<string, string>) => ({
    TOKEN_VERIFIER: 'lwa',
    LWA_TOKENINFO_URL: `${lwa.url}/auth/o2/tokeninfo`,
    ...extra,
  });

  it('unlinks nobody with a typo in LWA_CLIENT_ID: each token is "another client\'s", held while no token was accepted, and the ERROR names LWA_CLIENT_ID', async () => {
    await withBoth(
      lwaEnv({ LWA_CLIENT_ID: 'amzn1.application-oa2-client.ride-hailr' }),
      async ({ rideHailer, myLights }) => {
        for (const n of [1, 2, 3, 4, 5]) {
          expect(await launch(rideHailer, `${TOKEN}-${n}`)).toEqual(apology);
          expect((await turnOn(myLights, `${TOKEN}-${n}`)).payload.type).toBe('INTERNAL_ERROR');
        }
        for (const fn of [rideHailer, myLights]) {
          expect(unlinked(fn)).toEqual([]);
          expect(fn.logs()).toContain('"reason":"issued to another client"');
          expect(fn.logs().match(/"held":"unproven"/g)).toHaveLength(5);
          expect(heldErrors(fn)).toEqual([expect.stringMatching(/rejected for claims: .*Check: .*LWA_CLIENT_ID/)]);
          expect(fn.logs()).not.toContain(TOKEN);
        }
      },
    );
  });

  it('answers "could not decide" to LWA\'s invalid_request (a fault of our request), never an unlinking reply', async () => {
    tokenInfo = {
      status: 400,
      body: { error: 'invalid_request', error_description: 'The request is missing a required parameter' },
    };
    await withBoth(lwaEnv({ LWA_CLIENT_ID: CLIENT }), async ({ rideHailer, myLights }) => {
      expect(await launch(rideHailer, TOKEN)).toEqual(apology);
      expect((await turnOn(myLights, TOKEN)).payload.type).toBe('INTERNAL_ERROR');
      expect(errorLines(rideHailer)).toEqual([expect.stringContaining('LWA request refused')]);
    });
  });

  it("accepts genuine tokens when LWA_CLIENT_ID holds the security profile's app ID rather than the client ID (tokeninfo's app_id)", async () => {
    await withBoth(lwaEnv({ LWA_CLIENT_ID: APP }), async ({ rideHailer, myLights }) => {
      expect((await launch(rideHailer, TOKEN)).outputSpeech.ssml).toContain('Welcome to Ride Hailer');
      expect((await turnOn(myLights, TOKEN)).header.name).toBe('Response');
      expect(rideHailer.logs()).not.toContain(TOKEN);
    });
  });

  it("accepts the tokens of the security profile the operator names in LWA_APP_IDS, and says invalid for another client's token (unlinked when confirmed)", async () => {
    await withBoth(
      lwaEnv({
        LWA_CLIENT_ID: CLIENT,
        LWA_APP_IDS: APP,
        UNLINK_CONFIRM_AFTER_SECONDS: '1',
        VERIFY_CACHE_TTL_SECONDS: '0',
      }),
      async ({ rideHailer }) => {
        tokenInfo.body = { ...(tokenInfo.body as object), aud: 'amzn1.application-oa2-client.ride-hailer-android' };
        expect((await launch(rideHailer, TOKEN)).outputSpeech.ssml).toContain('Welcome to Ride Hailer');
        tokenInfo.body = { ...(tokenInfo.body as object), aud: CLIENT };
        expect((await launch(rideHailer, `${TOKEN}-2`)).outputSpeech.ssml).toContain('Welcome to Ride Hailer');
        tokenInfo.body = {
          ...(tokenInfo.body as object),
          aud: 'amzn1.application-oa2-client.someone-else',
          app_id: 'amzn1.application.someone-else',
        };
        expect(await launch(rideHailer, `${TOKEN}-3`)).toEqual(apology); // suspected: held until rejected again a second later
        await sleep(1100);
        expect((await launch(rideHailer, `${TOKEN}-3`)).card).toEqual({ type: 'LinkAccount' });
        expect(rideHailer.logs()).not.toContain(TOKEN);
      },
    );
  });
});
