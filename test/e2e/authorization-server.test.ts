/**
 * Account linking against a real OAuth 2.0 authorization server (oidc-provider, on loopback,
 * started and stopped here): accounts are linked exactly as Alexa links them, and the built example
 * Lambdas are invoked, through `npm run invoke`, with the tokens the server issued.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_SPEECH } from '../../lib';
import {
  AUDIENCE,
  CLIENTS,
  signingKey,
  startAuthorizationServer,
  type AuthorizationServer,
} from '../../scripts/sandbox/authorization-server';
import { invokeCli } from '../support/invoke-cli';

const keyA = signingKey('key-a');
const dir = mkdtempSync(path.join(tmpdir(), 'linking-'));

/** An env-vars file for every example function, as a skill developer would configure them for this server. */
function envFile(name: string, variables: Record<string, string>): string {
  const file = path.join(dir, `${name}.json`);
  // Each `npm run invoke` is a fresh container that has accepted nothing, where the unlink guard holds
  // every rejection: these tests check single verdicts (the guard has test/e2e/unlink-guard.test.ts).
  const common = { VERIFY_CACHE_TTL_SECONDS: '0', UNLINKING: 'off', ...variables };
  writeFileSync(file, JSON.stringify({ RideHailerFunction: { SKILL_ID: '', ...common }, MyLightsFunction: common }));
  return file;
}
const jwks = (server: AuthorizationServer, extra: Record<string, string> = {}) =>
  envFile('jwks', {
    TOKEN_VERIFIER: 'jwt',
    JWKS_URI: server.jwksUri,
    JWT_ISSUER: server.issuer,
    JWT_AUDIENCE: AUDIENCE,
    JWT_CLOCK_TOLERANCE_SECONDS: '0',
    ...extra,
  });
const introspection = (server: AuthorizationServer) =>
  envFile('introspection', {
    TOKEN_VERIFIER: 'introspection',
    INTROSPECTION_URL: server.introspectionUrl,
    INTROSPECTION_CLIENT_ID: CLIENTS.introspection.id,
    INTROSPECTION_CLIENT_SECRET: CLIENTS.introspection.secret,
    INTROSPECTION_AUDIENCE: AUDIENCE,
  });

const launch = (env: string, token: string) =>
  invokeCli('RideHailerFunction', 'events/ride-hailer/launch-linked.json', '--env-vars', env, '--token', token);
const turnOn = (env: string, token: string) =>
  invokeCli('MyLightsFunction', 'events/my-lights/turn-on.json', '--env-vars', env, '--token', token);
// The server's access tokens carry no name claim: the skill greets without one.
const WELCOME = '<speak>Welcome to Ride Hailer. Where would you like to go?</speak>';

describe("the sandbox's authorization server, as a process", () => {
  it('takes its private signing keys on stdin, never on the command line other users can read', async () => {
    const server = await startAuthorizationServer({ signingKeys: [keyA], refreshTokenReuseGraceSeconds: 0 });
    try {
      const { execFileSync } = await import('node:child_process');
      const commandLines = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
      expect(commandLines).toContain('provider.mjs');
      expect(commandLines).not.toContain(String(keyA.d));
    } finally {
      await server.stop();
    }
  });

  it("revokes the grant on the reuse of a rotated refresh token past the grace (oidc-provider's default, which unlinks Alexa users)", async () => {
    const server = await startAuthorizationServer({ signingKeys: [keyA], refreshTokenReuseGraceSeconds: 0 });
    try {
      const linked = await server.link('grace-0');
      const rotated = await server.refresh(linked.refresh_token!);
      await expect(server.refresh(linked.refresh_token!)).rejects.toThrow(/invalid_grant/);
      await expect(server.refresh(rotated.refresh_token!)).rejects.toThrow(/invalid_grant/); // the whole grant is gone
    } finally {
      await server.stop();
    }
  });
});

describe('a linked account on a real authorization server', () => {
  let server: AuthorizationServer;
  beforeAll(async () => {
    server = await startAuthorizationServer({ signingKeys: [keyA] });
  });
  afterAll(() => server.stop());

  it("gives a JWT access token verified through the server's JWKS", async () => {
    const tokens = await server.link('ada-1');
    expect(tokens.access_token.split('.')).toHaveLength(3);
    const { reply, logs } = await launch(jwks(server), tokens.access_token);
    expect(reply.response.outputSpeech.ssml).toBe(WELCOME);
    expect(logs).not.toContain(tokens.access_token);
    expect((await turnOn(jwks(server), tokens.access_token)).reply.event.header.name).toBe('Response');
  });

  it('gives an opaque access token verified through the introspection endpoint (client_secret_basic)', async () => {
    const tokens = await server.link('ada-2', 'opaque');
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect((await launch(introspection(server), tokens.access_token)).reply.response.outputSpeech.ssml).toBe(WELCOME);
  });

  it('introspects with client_secret_post too', async () => {
    const tokens = await server.link('ada-3', 'opaque');
    const env = envFile('post', {
      TOKEN_VERIFIER: 'introspection',
      INTROSPECTION_URL: server.introspectionUrl,
      INTROSPECTION_AUTH_METHOD: 'client_secret_post',
      INTROSPECTION_CLIENT_ID: CLIENTS.introspectionPost.id,
      INTROSPECTION_CLIENT_SECRET: CLIENTS.introspectionPost.secret,
    });
    expect((await launch(env, tokens.access_token)).reply.response.outputSpeech.ssml).toBe(WELCOME);
  });

  it('accepts a refreshed access token', async () => {
    const linked = await server.link('ada-4');
    const refreshed = await server.refresh(linked.refresh_token!);
    expect(refreshed.access_token).not.toBe(linked.access_token);
    expect((await launch(jwks(server), refreshed.access_token)).reply.response.outputSpeech.ssml).toBe(WELCOME);
  });

  it('rotates refresh tokens as Alexa needs: a new one at every refresh, the one it replaced still good within the grace', async () => {
    const linked = await server.link('ada-6');
    const first = await server.refresh(linked.refresh_token!);
    expect(first.refresh_token).toEqual(expect.any(String));
    expect(first.refresh_token).not.toBe(linked.refresh_token);
    // Alexa lost the answer and tries again with the old refresh token: no revocation of the grant
    const retried = await server.refresh(linked.refresh_token!);
    expect((await launch(jwks(server), retried.access_token)).reply.response.outputSpeech.ssml).toBe(WELCOME);
    expect((await server.refresh(first.refresh_token!)).access_token).toEqual(expect.any(String));
  });

  it('treats a revoked token as invalid: LinkAccount card, INVALID_AUTHORIZATION_CREDENTIAL', async () => {
    const tokens = await server.link('ada-5', 'opaque');
    await server.revoke(tokens.access_token);
    const custom = await launch(introspection(server), tokens.access_token);
    expect(custom.reply.response.card).toEqual({ type: 'LinkAccount' });
    expect((await turnOn(introspection(server), tokens.access_token)).reply.event.payload.type).toBe(
      'INVALID_AUTHORIZATION_CREDENTIAL',
    );
  });

  it('refuses the skill\'s own wrong introspection secret as "could not decide", never as an unlinking reply', async () => {
    const tokens = await server.link('ada-6', 'opaque');
    const env = envFile('wrong-secret', {
      TOKEN_VERIFIER: 'introspection',
      INTROSPECTION_URL: server.introspectionUrl,
      INTROSPECTION_CLIENT_ID: CLIENTS.introspection.id,
      INTROSPECTION_CLIENT_SECRET: 'not-the-secret',
    });
    expect((await launch(env, tokens.access_token)).reply.response).toEqual({
      outputSpeech: { type: 'SSML', ssml: `<speak>${DEFAULT_SPEECH.tryLater}</speak>` },
      shouldEndSession: true,
    });
    expect((await turnOn(env, tokens.access_token)).reply.event.payload.type).toBe('INTERNAL_ERROR');
  });
});

describe('tokens past their TTL, and rotated keys', () => {
  it('treats a JWT past its TTL as expired: "link again" card, EXPIRED_AUTHORIZATION_CREDENTIAL', async () => {
    const server = await startAuthorizationServer({ signingKeys: [keyA], accessTokenTtl: 1 });
    try {
      const tokens = await server.link('ada-7');
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const custom = await launch(jwks(server), tokens.access_token);
      expect(custom.reply.response.outputSpeech.ssml).toBe(`<speak>${DEFAULT_SPEECH.relinkAccount}</speak>`);
      expect((await turnOn(jwks(server), tokens.access_token)).reply.event.payload.type).toBe(
        'EXPIRED_AUTHORIZATION_CREDENTIAL',
      );
    } finally {
      await server.stop();
    }
  });

  it('accepts tokens signed with a rotated key (a new kid), and those of the old key while it is published', async () => {
    const first = await startAuthorizationServer({ signingKeys: [keyA] });
    const port = new URL(first.issuer).port;
    const old = await first.link('ada-8');
    await first.stop();
    const rotated = await startAuthorizationServer({ port: Number(port), signingKeys: [signingKey('key-b'), keyA] });
    try {
      const fresh = await rotated.link('ada-9');
      expect(JSON.parse(Buffer.from(fresh.access_token.split('.')[0], 'base64url').toString()).kid).toBe('key-b');
      expect((await launch(jwks(rotated), fresh.access_token)).reply.response.outputSpeech.ssml).toContain(
        'Welcome to Ride Hailer',
      );
      expect((await launch(jwks(rotated), old.access_token)).reply.response.outputSpeech.ssml).toContain(
        'Welcome to Ride Hailer',
      );
    } finally {
      await rotated.stop();
    }
  });
});

describe('when the authorization server is down or hangs', () => {
  const apology = {
    outputSpeech: { type: 'SSML', ssml: `<speak>${DEFAULT_SPEECH.tryLater}</speak>` },
    shouldEndSession: true,
  };

  it('could not decide when it is stopped: a custom apology without card, INTERNAL_ERROR for smart home', async () => {
    const server = await startAuthorizationServer({ signingKeys: [keyA] });
    const jwt = await server.link('ada-10');
    const opaque = await server.link('ada-11', 'opaque');
    const jwksEnv = jwks(server);
    const introspectionEnv = introspection(server);
    await server.stop();
    expect((await launch(jwksEnv, jwt.access_token)).reply.response).toEqual(apology);
    expect((await launch(introspectionEnv, opaque.access_token)).reply.response).toEqual(apology);
    expect((await turnOn(jwksEnv, jwt.access_token)).reply.event.payload.type).toBe('INTERNAL_ERROR');
    expect((await turnOn(introspectionEnv, opaque.access_token)).reply.event.payload.type).toBe('INTERNAL_ERROR');
  });

  it('answers within the deadline when it hangs', async () => {
    const sockets: Socket[] = [];
    const hanging: Server = createServer((socket) => void sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
    try {
      const server = await startAuthorizationServer({ signingKeys: [keyA] });
      const tokens = await server.link('ada-12');
      await server.stop();
      const env = envFile('hanging', {
        TOKEN_VERIFIER: 'jwt',
        JWKS_URI: `${url}/jwks`,
        JWT_ISSUER: server.issuer,
        JWT_AUDIENCE: AUDIENCE,
        VERIFICATION_TIMEOUT_MS: '500',
      });
      const custom = await launch(env, tokens.access_token);
      expect(custom.code).toBe(0);
      expect(custom.reply.response).toEqual(apology);
      expect(custom.logs).toContain('"errorName":"VerifierTimeoutError"');
      expect((await turnOn(env, tokens.access_token)).reply.event.payload.type).toBe('INTERNAL_ERROR');
    } finally {
      sockets.forEach((socket) => socket.destroy());
      hanging.close();
    }
  });
});
