/**
 * Starts and stops the embedded OAuth 2.0 authorization server of the sandbox and the tests
 * (oidc-provider, in a child process on 127.0.0.1: see provider.mjs), and links accounts on it
 * exactly as Alexa does: the authorization code grant with an Alexa redirect URI, the user logging
 * in and consenting, then the code exchanged at the token endpoint with client_secret_basic.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import path from 'node:path';

export const ALEXA_REDIRECT_URI = 'https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA';
export const AUDIENCE = 'ride-hailer-alexa-skill';
export const CLIENTS = {
  jwt: { id: 'alexa-skill', secret: 'alexa-skill-client-secret' },
  opaque: { id: 'alexa-skill-opaque', secret: 'alexa-skill-opaque-client-secret' },
  /** Opaque access tokens that live 2 s. */
  shortLived: { id: 'alexa-skill-short-lived', secret: 'alexa-skill-short-lived-client-secret' },
  /** JWT access tokens that live 1 s. */
  shortLivedJwt: { id: 'alexa-skill-short-lived-jwt', secret: 'alexa-skill-short-lived-jwt-client-secret' },
  /** The skill's own credentials at the introspection endpoint. */
  introspection: { id: 'ride-hailer-api', secret: 'ride-hailer-api-secret' },
  introspectionPost: { id: 'ride-hailer-api-post', secret: 'ride-hailer-api-post-secret' },
};

export function signingKey(kid: string): JsonWebKey {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

export interface Tokens {
  access_token: string;
  refresh_token?: string | undefined;
  expires_in: number;
}

export interface AuthorizationServer {
  issuer: string;
  jwksUri: string;
  tokenUrl: string;
  introspectionUrl: string;
  revocationUrl: string;
  /** Links an account as Alexa does, and returns the tokens Alexa would keep; `onStep` hears each step. */
  link(login: string, client?: keyof typeof CLIENTS, onStep?: (step: string) => void): Promise<Tokens>;
  /** The URL Alexa opens in the user's browser to link an account. */
  authorizationUrl(client: keyof typeof CLIENTS, redirectUri: string, state: string): string;
  /** Exchanges an authorization code as Alexa does. */
  exchange(code: string, redirectUri: string, client?: keyof typeof CLIENTS): Promise<Tokens>;
  refresh(refreshToken: string, client?: keyof typeof CLIENTS): Promise<Tokens>;
  /** Revokes an access token, or (with `refresh_token`) a refresh token and with it the grant. */
  revoke(token: string, client?: keyof typeof CLIENTS, hint?: 'access_token' | 'refresh_token'): Promise<void>;
  /**
   * Rotates the signing key while running: a new key (a new `kid`) signs from now on, the previous
   * ones stay published at the JWKS URL (the tokens they signed live on). Sessions, grants, opaque
   * access tokens and refresh tokens survive it. With `publish: false` the new key is not published
   * (a rotation done wrong: tokens it signs fail every verifier) until {@link publishSigningKeys}.
   * Sandbox only.
   */
  rotateSigningKey(options?: { publish?: boolean }): Promise<void>;
  /** Publishes every key the server signs with (ends a `rotateSigningKey({ publish: false })` fault). Sandbox only. */
  publishSigningKeys(): Promise<void>;
  /** The server's `kid`s, the signing one first (all published but {@link unpublishedKids}). */
  readonly signingKids: readonly string[];
  /** The `kid`s the server signs with but does not publish at its JWKS URL (a fault). */
  readonly unpublishedKids: readonly string[];
  /** Makes the server answer (`up`), refuse connections (`down`) or accept requests and never answer them (`hang`). Sandbox only. */
  setAvailability(availability: Availability): Promise<void>;
  readonly availability: Availability;
  stop(): Promise<void>;
}

export type Availability = 'up' | 'down' | 'hang';

export interface AuthorizationServerOptions {
  port?: number;
  accessTokenTtl?: number;
  /** Signing keys (private JWKs); the first signs. */
  signingKeys: JsonWebKey[];
  /** Redirect URIs allowed besides Alexa's, e.g. the sandbox's own callback. */
  redirectUris?: string[];
  /** Publish the keys without `kid` and sign access tokens without one (some servers do). Default: false. */
  withoutKid?: boolean;
  /**
   * Refresh tokens rotate at every refresh; the one just replaced still works for this many
   * seconds (Alexa may retry a refresh whose answer it lost). Default: 120.
   */
  refreshTokenReuseGraceSeconds?: number;
}

/**
 * The server stopped and started again on the same port (so the same issuer and JWKS URL) with
 * other signing keys: a key rotation as a warm Lambda sees it. Grants kept in memory are lost;
 * link again for new tokens (JWT access tokens issued before are still verified offline).
 */
export async function restartWithSigningKeys(
  server: AuthorizationServer,
  options: Omit<AuthorizationServerOptions, 'port'>,
): Promise<AuthorizationServer> {
  await server.stop();
  return startAuthorizationServer({ ...options, port: Number(new URL(server.issuer).port) });
}

export async function startAuthorizationServer(options: AuthorizationServerOptions): Promise<AuthorizationServer> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'provider.mjs')], {
    // the options (private signing keys among them) go on stdin, not the command line `ps` shows;
    // the IPC channel carries the sandbox-only commands of provider.mjs (rotate, down, hang, up)
    stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
  });
  child.stdin!.end(JSON.stringify(options));
  const issuer = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the authorization server did not start: ${output}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`the authorization server exited (${code}): ${output}`)));
  });

  const basic = (client: keyof typeof CLIENTS) =>
    `Basic ${Buffer.from(`${CLIENTS[client].id}:${CLIENTS[client].secret}`).toString('base64')}`;
  const tokenRequest = async (form: Record<string, string>, client: keyof typeof CLIENTS): Promise<Tokens> => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(client) },
      body: new URLSearchParams(form),
    });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`token endpoint: ${response.status} ${JSON.stringify(body)}`);
    return body as Tokens;
  };

  let commands = 0;
  const command = (name: string, args: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++commands;
      if (child.exitCode !== null || !child.connected)
        return reject(new Error(`the authorization server is not running ("${name}")`));
      const onMessage = (message: { id: number; ok: boolean; error?: string }) => {
        if (message.id !== id) return;
        child.off('message', onMessage);
        if (message.ok) resolve(message as unknown as Record<string, unknown>);
        else reject(new Error(`the authorization server refused "${name}": ${message.error}`));
      };
      child.on('message', onMessage);
      child.send({ id, command: name, ...args });
    });
  let kids: string[] = options.signingKeys.map((key) => String((key as { kid?: string }).kid));
  let unpublished: string[] = [];
  let availability: Availability = 'up';

  const server: AuthorizationServer = {
    issuer,
    get signingKids() {
      return kids;
    },
    get unpublishedKids() {
      return unpublished;
    },
    get availability() {
      return availability;
    },
    async rotateSigningKey({ publish = true } = {}) {
      const next = `sandbox-key-${Date.now().toString(36)}-${commands + 1}`;
      const answer = await command('rotate', { key: signingKey(next), publish });
      kids = answer.kids as string[];
      unpublished = answer.unpublished as string[];
    },
    async publishSigningKeys() {
      const answer = await command('publish');
      kids = answer.kids as string[];
      unpublished = answer.unpublished as string[];
    },
    async setAvailability(wanted) {
      if (wanted === availability) return;
      if (wanted !== 'up' && availability !== 'up') await command('up');
      await command(wanted);
      availability = wanted;
    },
    jwksUri: `${issuer}/jwks`,
    tokenUrl: `${issuer}/token`,
    introspectionUrl: `${issuer}/token/introspection`,
    revocationUrl: `${issuer}/token/revocation`,

    authorizationUrl(client, redirectUri, state) {
      const query = new URLSearchParams({
        client_id: CLIENTS[client].id,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: 'openid offline_access rides',
        state,
        prompt: 'consent',
      });
      return `${issuer}/auth?${query}`;
    },

    exchange: (code, redirectUri, client = 'jwt') =>
      tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, client),

    async link(login, client = 'jwt', onStep = () => undefined) {
      const browser = new Browser(issuer);
      const state = 'state-from-alexa';
      onStep(
        `Alexa opens the authorization page: GET /auth?client_id=${CLIENTS[client].id}&response_type=code&redirect_uri=${ALEXA_REDIRECT_URI}&state=${state}`,
      );
      let location = await browser.get(server.authorizationUrl(client, ALEXA_REDIRECT_URI, state));
      await browser.page(location, 'name="login"'); // the login page
      onStep(`The login page: ${login} signs in`);
      location = await browser.post(location, { prompt: 'login', login, password: 'any password' });
      location = await browser.get(location);
      await browser.page(location, 'name="prompt"'); // the consent page
      onStep(`The consent page: ${login} allows the skill`);
      location = await browser.post(location, { prompt: 'consent' });
      location = await browser.get(location);
      const redirect = new URL(location);
      if (
        `${redirect.origin}${redirect.pathname}` !== ALEXA_REDIRECT_URI ||
        redirect.searchParams.get('state') !== state
      ) {
        throw new Error(`the authorization server did not send the user back to Alexa: ${location}`);
      }
      onStep(`Back to Alexa with a code: ${ALEXA_REDIRECT_URI}?code=…&state=${state}`);
      const tokens = await server.exchange(redirect.searchParams.get('code')!, ALEXA_REDIRECT_URI, client);
      onStep(
        `Alexa exchanges the code at POST /token (client_secret_basic): an access token${tokens.refresh_token ? ' and a refresh token' : ''}, ${tokens.expires_in} s`,
      );
      return tokens;
    },

    refresh: (refreshToken, client = 'jwt') =>
      tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, client),

    async revoke(token, client = 'opaque', hint = 'access_token') {
      const response = await fetch(`${issuer}/token/revocation`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(client) },
        body: new URLSearchParams({ token, token_type_hint: hint }),
      });
      if (response.status !== 200) throw new Error(`revocation endpoint: ${response.status}`);
    },

    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  return server;
}

/** Just enough of a browser for the login and consent pages: cookies and manual redirects. */
class Browser {
  readonly #cookies = new Map<string, string>();

  constructor(private readonly origin: string) {}

  get(location: string): Promise<string> {
    return this.#request(location, { method: 'GET' });
  }

  /** Loads a page that must show `mark`. */
  async page(location: string, mark: string): Promise<void> {
    const response = await fetch(new URL(location, this.origin), { headers: { cookie: this.#cookieHeader() } });
    const html = await response.text();
    if (response.status !== 200 || !html.includes(mark))
      throw new Error(`${location} is not the expected page (${response.status})`);
  }

  #cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  post(location: string, form: Record<string, string>): Promise<string> {
    return this.#request(location, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
  }

  async #request(location: string, init: RequestInit): Promise<string> {
    const response = await fetch(new URL(location, this.origin), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as object), cookie: this.#cookieHeader() },
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(';');
      const at = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    await response.arrayBuffer();
    const next = response.headers.get('location');
    if (response.status !== 303 && response.status !== 302)
      throw new Error(`expected a redirect from ${location}, got ${response.status}`);
    return new URL(next!, this.origin).href;
  }
}
