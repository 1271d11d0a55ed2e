// A real OAuth 2.0 authorization server (oidc-provider, in memory) on 127.0.0.1, set up the way a
// skill's authorization server is for Alexa account linking: clients with Alexa's redirect URIs,
// the authorization code grant with refresh tokens, JWT access tokens with a JWKS (client
// alexa-skill) or opaque ones (alexa-skill-opaque, and alexa-skill-short-lived whose tokens live
// 2 s), introspection, revocation, and login and consent pages. The sandbox (npm start) and the
// tests start it as a child process (oidc-provider is ESM) and stop it; it prints one line,
// "READY <issuer>", when it listens.
//
//   node authorization-server.mjs '<json options>'
//   options: { port, accessTokenTtl, signingKeys: [jwk, ...], redirectUris: [...], withoutKid }  (the first key signs)
//   withoutKid: publish the keys without `kid` and sign access tokens without one (as some servers
//   do; oidc-provider itself always names its keys), for the key-rotation tests.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const options = JSON.parse(process.argv[2] ?? '{}');
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

const accessTokenTtl = (client) => (client?.clientId === 'alexa-skill-short-lived' ? 2 : options.accessTokenTtl ?? 3600);

const listener = http.createServer();
await new Promise((resolve) => listener.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${listener.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    alexaClient('alexa-skill', 'alexa-skill-client-secret'),
    alexaClient('alexa-skill-opaque', 'alexa-skill-opaque-client-secret'),
    alexaClient('alexa-skill-short-lived', 'alexa-skill-short-lived-client-secret'),
    // the skill's own credentials at the introspection endpoint (a resource server client)
    { client_id: 'ride-hailer-api', client_secret: 'ride-hailer-api-secret', redirect_uris: [], grant_types: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic' },
    { client_id: 'ride-hailer-api-post', client_secret: 'ride-hailer-api-post-secret', redirect_uris: [], grant_types: [], response_types: [], token_endpoint_auth_method: 'client_secret_post' },
  ],
  jwks: { keys: options.signingKeys },
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, name: id.replace(/-\d+$/, '') }) }),
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
        accessTokenFormat: client.clientId === 'alexa-skill' ? 'jwt' : 'opaque',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  ttl: { AccessToken: (_ctx, _token, client) => accessTokenTtl(client) },
  ...(options.withoutKid ? { formats: { customizers: { jwt: (_ctx, _token, jwt) => void (jwt.header = { kid: undefined }) } } } : {}),
});
provider.proxy = false;
const callback = provider.callback();
const publicJwks = () => JSON.stringify({
  keys: options.signingKeys.map(({ kid: _kid, alg, use, ...jwk }) => ({ ...createPublicKey(createPrivateKey({ key: jwk, format: 'jwk' })).export({ format: 'jwk' }), alg, use })),
});
listener.on('request', (req, res) => {
  if (options.withoutKid && req.method === 'GET' && req.url === '/jwks') {
    res.writeHead(200, { 'Content-Type': 'application/jwk-set+json' });
    return void res.end(publicJwks());
  }
  return callback(req, res);
});
process.stdout.write(`READY ${issuer}\n`);
