// An OAuth 2.0 authorization server (oidc-provider, in memory) on 127.0.0.1 for the tests of
// `check-server`, with one Alexa client per configuration, good and bad, so that one process
// serves them all:
//
//   alexa-good         refresh tokens, no rotation, access tokens of an hour (JWT, RS256, aud ride-hailer-alexa-skill)
//   alexa-no-refresh   no refresh token with the code exchange
//   alexa-short        access tokens of 60 s
//   alexa-rotating     refresh tokens rotated on each refresh, without a grace period (a reuse revokes the grant)
//   alexa-slow         the token endpoint answers after `slowMs`
//   alexa-one-region   only the North American redirect URI registered
//   skill-api          the skill's own client at the introspection endpoint
//
// It listens twice: HTTPS (the certificate of `certFile`/`keyFile`; the issuer) and plain HTTP
// (the same server, for the "plain HTTP" test). GET /jwks-silent accepts and never answers.
// Start it with NODE_EXTRA_CA_CERTS naming the test CA: its own `link` (over an IPC channel) is a
// browser on the HTTPS listener. Prints "READY <https origin> <http origin>" when it listens.
//
//   node oauth-variants-provider.mjs '{"certFile": ..., "keyFile": ..., "signingKey": {jwk}, "slowMs": 4700}'
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import Provider from 'oidc-provider';

const options = JSON.parse(process.argv[2]);
const ALEXA_REDIRECT_URIS = [
  'https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA',
  'https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA',
  'https://alexa.amazon.co.jp/api/skill/link/M2AAAAAAAAAAAA',
];
const VARIANTS = ['alexa-good', 'alexa-no-refresh', 'alexa-short', 'alexa-rotating', 'alexa-slow', 'alexa-one-region'];
const secretOf = (clientId) => `${clientId}-secret-${'x'.repeat(8)}`;
const accessTokenTtl = (client) => (client?.clientId === 'alexa-short' ? 60 : 3600);

const secure = https.createServer({ cert: readFileSync(options.certFile), key: readFileSync(options.keyFile) });
const plain = http.createServer();
await new Promise((resolve) => secure.listen(0, '127.0.0.1', resolve));
await new Promise((resolve) => plain.listen(0, '127.0.0.1', resolve));
const issuer = `https://127.0.0.1:${secure.address().port}`;
const plainOrigin = `http://127.0.0.1:${plain.address().port}`;

const provider = new Provider(issuer, {
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  clients: [
    ...VARIANTS.map((clientId) => ({
      client_id: clientId,
      client_secret: secretOf(clientId),
      redirect_uris: clientId === 'alexa-one-region' ? ALEXA_REDIRECT_URIS.slice(0, 1) : ALEXA_REDIRECT_URIS,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    {
      client_id: 'skill-api',
      client_secret: secretOf('skill-api'),
      redirect_uris: [],
      grant_types: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [options.signingKey] },
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
  pkce: { required: () => false },
  scopes: ['openid', 'offline_access', 'rides'],
  features: {
    devInteractions: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'https://api.ride-hailer.test/',
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, _resource, client) => ({
        scope: 'rides',
        audience: 'ride-hailer-alexa-skill',
        accessTokenTTL: accessTokenTtl(client),
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  issueRefreshToken: async (_ctx, client, code) =>
    client.clientId !== 'alexa-no-refresh' &&
    client.grantTypeAllowed('refresh_token') &&
    code.scopes.has('offline_access'),
  rotateRefreshToken: (ctx) => ctx.oidc.client?.clientId === 'alexa-rotating',
  ttl: { AccessToken: (_ctx, _token, client) => accessTokenTtl(client) },
});
provider.proxy = false;

const silent = new Set();
const callback = provider.callback();
const handle = (req, res) => {
  if (req.url === '/jwks-silent') return void silent.add(res);
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  const clientId = basic ? Buffer.from(basic[1], 'base64').toString().split(':')[0] : undefined;
  if (req.method === 'POST' && req.url === '/token' && clientId === 'alexa-slow')
    return void setTimeout(() => callback(req, res), options.slowMs ?? 4700);
  callback(req, res);
};
secure.on('request', handle);
plain.on('request', handle);

// Just enough of a browser for the login and consent pages: cookies and manual redirects.
class Browser {
  cookies = new Map();
  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  async request(location, init = {}) {
    const response = await fetch(new URL(location, issuer), {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, cookie: this.header() },
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const text = await response.text();
    return {
      status: response.status,
      location: response.headers.get('location') ? new URL(response.headers.get('location'), issuer).href : undefined,
      text,
    };
  }
  async redirect(location, init) {
    const answer = await this.request(location, init);
    if (answer.status !== 302 && answer.status !== 303)
      throw new Error(`expected a redirect from ${location}, got ${answer.status}`);
    return answer.location;
  }
  post(location, form) {
    return this.redirect(location, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
  }
}

/** Links an account as Alexa does up to the grant code: the authorization page, login, consent, the redirect to Alexa. */
async function code({ client, redirectUri = ALEXA_REDIRECT_URIS[0], login = 'rider-1' }) {
  const browser = new Browser();
  const query = new URLSearchParams({
    client_id: client,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid offline_access rides',
    state: 'state-from-alexa',
    prompt: 'consent',
  });
  let location = await browser.redirect(`${issuer}/auth?${query}`);
  location = await browser.post(location, { prompt: 'login', login, password: 'any password' });
  location = await browser.redirect(location);
  location = await browser.post(location, { prompt: 'consent' });
  location = await browser.redirect(location);
  const back = new URL(location);
  if (`${back.origin}${back.pathname}` !== redirectUri)
    throw new Error(`the server did not send the user back to Alexa: ${back.origin}${back.pathname}`);
  return { code: back.searchParams.get('code'), redirectUri };
}

const commands = {
  code,
  /** A whole link: the code exchanged at the token endpoint as Alexa does; the token response. */
  async tokens({ client, login }) {
    const { code: grant, redirectUri } = await code({ client, login });
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${client}:${secretOf(client)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: grant, redirect_uri: redirectUri }),
    });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`token endpoint: ${response.status} ${body.error}`);
    return { tokens: body };
  },
};
process.on('message', async ({ id, command, ...args }) => {
  try {
    process.send({ id, ok: true, ...(await commands[command](args)) });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.message ?? error) });
  }
});
process.on('disconnect', () => {
  for (const res of silent) res.destroy();
  process.exit(0);
});
process.stdout.write(`READY ${issuer} ${plainOrigin}\n`);
