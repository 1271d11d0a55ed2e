/**
 * Key rotation end to end: oidc-provider rotates its signing keys (restarted on the same port with
 * another key list, as a server publishes a new JWKS) while a warm built Ride Hailer Lambda keeps
 * serving, and every genuine user stays linked. A key withdrawn from the JWKS stops being trusted
 * once the key set the container holds is older than JWKS_MAX_AGE_SECONDS: a suspected rejection,
 * answered with the unlinking reply when the token is rejected again, on a key set fetched since,
 * UNLINK_CONFIRM_AFTER_SECONDS (here 1) later.
 *
 * The verdict cache is off (VERIFY_CACHE_TTL_SECONDS=0) so that every invocation asks the verifier.
 * Each container keeps its unlinking ledger in memory (UNLINK_LEDGER_TABLE empty: a fleet of one).
 */
import path from 'node:path';
import { DEFAULT_SPEECH } from '../../lib';
import { launchRequest } from '../../lib/testing';
import { startWarmFunction, type WarmFunction } from '../../scripts/local-invoke/warm-function';
import {
  AUDIENCE,
  restartWithSigningKeys,
  signingKey,
  startAuthorizationServer,
  type AuthorizationServer,
  type AuthorizationServerOptions,
} from '../../scripts/sandbox/authorization-server';
import { ROOT } from '../support/invoke-cli';

// The server's access tokens carry no name claim: the skill greets without one.
const WELCOME = '<speak>Welcome to Ride Hailer. Where would you like to go?</speak>';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());

let built = false;
/** A fresh warm container of the built Ride Hailer function, verifying through the server's JWKS. */
async function container(server: AuthorizationServer, extra: Record<string, string> = {}): Promise<WarmFunction> {
  const fn = await startWarmFunction({
    templatePath: path.join(ROOT, 'template.yaml'),
    logicalId: 'RideHailerFunction',
    build: !built,
    envVars: {
      RideHailerFunction: {
        SKILL_ID: '',
        TOKEN_VERIFIER: 'jwt',
        JWKS_URI: server.jwksUri,
        JWT_ISSUER: server.issuer,
        JWT_AUDIENCE: AUDIENCE,
        VERIFY_CACHE_TTL_SECONDS: '0',
        UNLINK_LEDGER_TABLE: '',
        UNLINK_CONFIRM_AFTER_SECONDS: '1',
        ...extra,
      },
    },
  });
  built = true;
  return fn;
}

/** What Ride Hailer answered a LaunchRequest with this token: the welcome, the LinkAccount card, or the apology. */
async function launch(fn: WarmFunction, accessToken: string): Promise<string> {
  const result = await fn.invoke(launchRequest({ accessToken }));
  if (!result.ok) throw new Error(`the function failed: ${JSON.stringify(result)}`);
  const response = (result as { response: any }).response.response;
  if (response.card?.type === 'LinkAccount') return 'LinkAccount card';
  if (response.outputSpeech.ssml === `<speak>${DEFAULT_SPEECH.tryLater}</speak>`) return 'apology without card';
  return response.outputSpeech.ssml === WELCOME ? 'welcome' : response.outputSpeech.ssml;
}

describe('a warm Lambda while the authorization server rotates its signing keys', () => {
  let server: AuthorizationServer;
  let fn: WarmFunction | undefined;
  const start = async (options: AuthorizationServerOptions) => (server = await startAuthorizationServer(options));
  const rotate = async (options: Omit<AuthorizationServerOptions, 'port'>) =>
    (server = await restartWithSigningKeys(server, options));
  afterEach(async () => {
    await fn?.stop();
    fn = undefined;
    await server?.stop();
  });

  it('keeps users linked when the server starts signing with a new kid', async () => {
    const keyA = signingKey('key-a');
    await start({ signingKeys: [keyA] });
    fn = await container(server);
    const before = (await server.link('ada-1')).access_token;
    expect(await launch(fn, before)).toBe('welcome');

    await rotate({ signingKeys: [signingKey('key-b'), keyA] });
    const after = (await server.link('ada-2')).access_token;
    expect(headerOf(after).kid).toBe('key-b');
    expect(await launch(fn, after)).toBe('welcome');
    expect(await launch(fn, before)).toBe('welcome');
    expect(fn.logs()).not.toContain(after);
  });

  it("keeps users linked when the key is replaced under the same kid, and refuses the old key's tokens on the fresh key set", async () => {
    await start({ signingKeys: [signingKey('key-a')] });
    fn = await container(server);
    const before = (await server.link('ada-3')).access_token;
    expect(await launch(fn, before)).toBe('welcome');

    await rotate({ signingKeys: [signingKey('key-a')] });
    const after = (await server.link('ada-4')).access_token;
    expect(headerOf(after).kid).toBe(headerOf(before).kid);
    expect(await launch(fn, after)).toBe('welcome');
    // the key that signed it is no longer published: rejected on a key set fetched after the token was seen,
    // suspected (a JWKS_URI of another server would do the same), so held until rejected again a second later
    expect(await launch(fn, before)).toBe('apology without card');
    await sleep(1100);
    expect(await launch(fn, before)).toBe('LinkAccount card');
  });

  it('keeps users linked when the server publishes its keys without kid, through a rotation', async () => {
    const keyC = signingKey('key-c');
    await start({ signingKeys: [keyC], withoutKid: true });
    fn = await container(server);
    const before = (await server.link('ada-5')).access_token;
    expect(headerOf(before)).not.toHaveProperty('kid');
    expect(await launch(fn, before)).toBe('welcome');

    await rotate({ signingKeys: [signingKey('key-d'), keyC], withoutKid: true });
    const after = (await server.link('ada-6')).access_token;
    expect(headerOf(after)).not.toHaveProperty('kid');
    expect(await launch(fn, after)).toBe('welcome');
    expect(await launch(fn, before)).toBe('welcome'); // two keys without kid: each that fits is tried
  });

  it('stops trusting a key withdrawn from the JWKS once the key set is older than JWKS_MAX_AGE_SECONDS', async () => {
    await start({ signingKeys: [signingKey('key-a'), signingKey('key-b')] });
    fn = await container(server, { JWKS_MAX_AGE_SECONDS: '2' });
    const signedByA = (await server.link('ada-7')).access_token;
    expect(headerOf(signedByA).kid).toBe('key-a');
    expect(await launch(fn, signedByA)).toBe('welcome');

    await rotate({ signingKeys: [signingKey('key-b')] });
    await sleep(2200);
    expect(await launch(fn, signedByA)).toBe('apology without card'); // suspected: held until confirmed
    await sleep(1100);
    expect(await launch(fn, signedByA)).toBe('LinkAccount card');
    expect(fn.logs()).toMatch(
      /"outcome":"invalid".*"reason":"unknown signing key"|"reason":"unknown signing key".*"outcome":"invalid"/,
    );
    expect(await launch(fn, (await server.link('ada-8')).access_token)).toBe('welcome');
  });
});
