// A real OAuth 2.0 authorization server (oidc-provider, in memory) on 127.0.0.1, set up the way a
// skill's authorization server is for Alexa account linking: clients with Alexa's redirect URIs,
// the authorization code grant with refresh tokens, JWT access tokens with a JWKS (client
// alexa-skill) or opaque ones (alexa-skill-opaque, and alexa-skill-short-lived whose tokens live
// 2 s), introspection, revocation, and login and consent pages. The sandbox (npm start) and the
// tests start it as a child process (oidc-provider is ESM) and stop it; it prints one line,
// "READY <issuer>", when it listens.
//
//   node provider.mjs < options.json
//   options: { port, accessTokenTtl, signingKeys: [jwk, ...], redirectUris: [...], withoutKid, refreshTokenReuseGraceSeconds }
//   (the first key signs). Read from stdin, never the command line: the signing keys are private,
//   and a command line is visible to every user of the machine (`ps`).
//
// Refresh tokens as Alexa needs them: issued with every code (offline_access), rotated at every
// refresh, and the one just replaced still honoured for refreshTokenReuseGraceSeconds (default
// 120 s): Alexa may retry a refresh whose answer it lost, and a server that treats that reuse as
// theft (oidc-provider's default revokes the whole grant) unlinks the user.
//   withoutKid: publish the keys without `kid` and sign access tokens without one (as some servers
//   do; oidc-provider itself always names its keys), for the key-rotation tests.
//
// Started with an IPC channel (authorization-server.ts does), it obeys a few sandbox-only commands
// (see `commands` below): rotate the signing key (published, or not: a fault), publish the keys it
// signs with, go down, hang, come back up. Nothing of this is reachable over HTTP.
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

const options = JSON.parse(await readStdin());
async function readStdin() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.trim() === '' ? '{}' : text;
}
const port = options.port ?? 0;

export const ALEXA_REDIRECT_URIS = [
  'https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA',
  'https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA',
  'https://alexa.amazon.co.jp/api/skill/link/M2AAAAAAAAAAAA',
];

const alexaClient = (client_id, client_secret) => ({
  client_id,
  client_secret,
  redirect_uris: [...ALEXA_REDIRECT_URIS, ...(options.redirectUris ?? [])],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const SHORT_LIVED = { 'alexa-skill-short-lived': 2, 'alexa-skill-short-lived-jwt': 1 };
const accessTokenTtl = (client) => SHORT_LIVED[client?.clientId] ?? options.accessTokenTtl ?? 3600;
const JWT_CLIENTS = new Set(['alexa-skill', 'alexa-skill-short-lived-jwt']);

const listener = http.createServer();
await new Promise((resolve) => listener.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${listener.address().port}`;

// One cookie key and one in-memory store for every Provider instance of this process, so that
// login sessions, grants and tokens survive a key rotation (which builds a new instance, below).
// (oidc-provider's default in-memory adapter would give each instance a store of its own.)
const cookieKeys = [randomBytes(32).toString('base64url')];
const REUSE_GRACE_SECONDS = options.refreshTokenReuseGraceSeconds ?? 120;
const memory = createMemoryAdapter();
// A refresh token consumed (rotated) less than REUSE_GRACE_SECONDS ago is found as not yet consumed,
// so its reuse gets fresh tokens instead of the grant's revocation.
const adapter = (model) => {
  const inner = memory(model);
  if (model !== 'RefreshToken') return inner;
  return Object.assign(Object.create(Object.getPrototypeOf(inner)), inner, {
    async find(id) {
      const payload = await inner.find(id);
      if (!payload?.consumed || Date.now() / 1000 - payload.consumed >= REUSE_GRACE_SECONDS) return payload;
      const { consumed: _withinGrace, ...rest } = payload;
      return rest;
    },
  });
};

const configuration = (signingKeys) => ({
  adapter,
  cookies: { keys: cookieKeys },
  clients: [
    alexaClient('alexa-skill', 'alexa-skill-client-secret'),
    alexaClient('alexa-skill-opaque', 'alexa-skill-opaque-client-secret'),
    alexaClient('alexa-skill-short-lived', 'alexa-skill-short-lived-client-secret'),
    // JWT access tokens that live 1 s: a JWT past its exp, for the sandbox's "expired" situation
    alexaClient('alexa-skill-short-lived-jwt', 'alexa-skill-short-lived-jwt-client-secret'),
    // the skill's own credentials at the introspection endpoint (a resource server client)
    {
      client_id: 'ride-hailer-api',
      client_secret: 'ride-hailer-api-secret',
      redirect_uris: [],
      grant_types: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'ride-hailer-api-post',
      client_secret: 'ride-hailer-api-post-secret',
      redirect_uris: [],
      grant_types: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: { keys: signingKeys },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, name: id.replace(/-\d+$/, '') }),
  }),
  pkce: { required: () => false },
  scopes: ['openid', 'offline_access', 'rides'],
  features: {
    devInteractions: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Alexa sends no resource indicator: every access token is for the skill's API.
      defaultResource: () => 'https://api.ride-hailer.test/',
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, _resource, client) => ({
        scope: 'rides',
        audience: 'ride-hailer-alexa-skill',
        accessTokenTTL: accessTokenTtl(client),
        accessTokenFormat: JWT_CLIENTS.has(client.clientId) ? 'jwt' : 'opaque',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  issueRefreshToken: async (_ctx, client, code) =>
    client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  rotateRefreshToken: true,
  ttl: { AccessToken: (_ctx, _token, client) => accessTokenTtl(client) },
  ...(options.withoutKid
    ? { formats: { customizers: { jwt: (_ctx, _token, jwt) => void (jwt.header = { kid: undefined }) } } }
    : {}),
});

let signingKeys = options.signingKeys;
let provider = new Provider(issuer, configuration(signingKeys));
provider.proxy = false;

/** 'up' serves; 'hang' accepts requests and never answers them; 'down' refuses connections. */
let mode = 'up';
const hanging = new Set();
/** The kids of keys the server signs with but does not publish (a fault: `rotate` with `publish: false`, until `publish`). */
const unpublished = new Set();
// The JWKS as served when oidc-provider's own would not do: without the unpublished keys, and
// (withoutKid) with no `kid`, as such a server publishes it.
const publicJwks = () =>
  JSON.stringify({
    keys: signingKeys
      .filter(({ kid }) => !unpublished.has(kid))
      .map(({ kid, alg, use, ...jwk }) => ({
        ...createPublicKey(createPrivateKey({ key: jwk, format: 'jwk' })).export({ format: 'jwk' }),
        ...(options.withoutKid ? {} : { kid }),
        alg,
        use,
      })),
  });
// oidc-provider's login and consent pages import a web font from fonts.googleapis.com: the sandbox
// stays on loopback, so HTML answers go out without that import (the pages fall back to sans-serif).
const WEB_FONT_IMPORT = /@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);?/g;
function withoutWebFonts(res) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    if (
      (typeof chunk === 'string' || Buffer.isBuffer(chunk)) &&
      String(res.getHeader('content-type') ?? '').startsWith('text/html')
    ) {
      chunk = chunk.toString().replace(WEB_FONT_IMPORT, '');
      if (res.hasHeader('content-length')) res.setHeader('content-length', Buffer.byteLength(chunk));
    }
    return end(chunk, ...rest);
  };
}
listener.on('request', (req, res) => {
  if (mode === 'hang') return void hanging.add(res);
  withoutWebFonts(res);
  if ((options.withoutKid || unpublished.size > 0) && req.method === 'GET' && req.url === '/jwks') {
    res.writeHead(200, { 'Content-Type': 'application/jwk-set+json' });
    return void res.end(publicJwks());
  }
  provider.callback()(req, res);
});

// Sandbox-only commands over the IPC channel (absent when started without one).
const commands = {
  // oidc-provider reads its keys once, when an instance is built, and has no API to change them.
  // A rotation builds a new instance with the new key first (it signs from now on) and the old
  // ones after it (all still published at /jwks: tokens they signed live on), and serves it on the same listener. Both instances
  // share `adapter`: sessions, grants, opaque access tokens and refresh tokens issued before the
  // rotation stay good.
  // With `publish: false` the new key signs but is left out of /jwks (a rotation done wrong: the
  // sandbox's breaker demonstration), until `publish`.
  async rotate({ key, publish = true }) {
    signingKeys = [key, ...signingKeys];
    if (!publish) unpublished.add(key.kid);
    provider = new Provider(issuer, configuration(signingKeys));
    provider.proxy = false;
    return { kids: signingKeys.map((k) => k.kid), unpublished: [...unpublished] };
  },
  async publish() {
    unpublished.clear();
    return { kids: signingKeys.map((k) => k.kid), unpublished: [] };
  },
  async hang() {
    mode = 'hang';
    return {};
  },
  async down() {
    if (mode === 'down') return {};
    mode = 'down';
    releaseHanging();
    await new Promise((resolve) => {
      listener.close(() => resolve());
      listener.closeAllConnections();
    });
    return {};
  },
  async up() {
    releaseHanging();
    if (mode === 'down')
      await new Promise((resolve) => listener.listen(Number(new URL(issuer).port), '127.0.0.1', resolve));
    mode = 'up';
    return {};
  },
};
function releaseHanging() {
  for (const res of hanging) res.destroy();
  hanging.clear();
}
process.on('message', async ({ id, command, ...args }) => {
  try {
    process.send({ id, ok: true, ...(await commands[command](args)) });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.message ?? error) });
  }
});

// The parent went away: so does the server.
process.on('disconnect', () => process.exit(0));
process.stdout.write(`READY ${issuer}\n`);
