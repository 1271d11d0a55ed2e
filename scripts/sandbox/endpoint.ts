/**
 * The sandbox's local HTTP endpoint: one path per skill (Alexa request JSON in, reply JSON out),
 * and the pages a person links an account with in a browser.
 *
 *   GET  /                       how to link, with a link to the authorization server's login page
 *   GET  /link/callback          the redirect URI: exchanges the code as Alexa would, links to the console
 *   POST /skills/<skill>         an Alexa request to a skill; its reply
 *   GET  /console                the console page: each skill's requests in each situation
 *   GET  /console/state          the linked user (token fingerprints) and the current deployment, as JSON
 *   POST /console/send           {skill, request, situation}: one exchange (see exchange.ts), as JSON
 *   POST /console/scenario       {skill, request, scenario, situation}: one of the unlinking policy's
 *                                demonstrations (confirm, breaker) on that skill, as JSON
 *
 * Bad input gets a clear HTTP error and the server keeps serving: 404 unknown path, 405 wrong
 * method, 415 not JSON, 400 malformed JSON or a request the skill refuses, 413 a body over the cap.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fingerprint, MalformedRequestError } from '../../lib';
import {
  CONFIRM_AFTER_SECONDS,
  DEPLOYED_CONFIRM_AFTER_SECONDS,
  DEPLOYS,
  POLICY_SCENARIOS,
  SERVER_SITUATIONS,
  TOKEN_SITUATIONS,
  VERIFICATIONS,
  type PolicyScenario,
  type Situation,
} from './situation';
import type { Situations } from './situations';
import { SKILLS, type SkillHandler } from './skills';

export interface EndpointOptions {
  skills: Record<string, SkillHandler>;
  /** Requests with a larger body are refused with 413. Default: 256 KiB (Alexa's own limit is smaller). */
  maxBodyBytes?: number;
  /** The authorization URL a person opens to link an account, for `redirectUri` and a fresh state. */
  authorizationUrl(redirectUri: string, state: string): string;
  /** Exchanges a code for tokens, as Alexa does. */
  exchange(
    code: string,
    redirectUri: string,
  ): Promise<{ access_token: string; refresh_token?: string | undefined; expires_in: number }>;
  /** The console page and the situations it drives; without it, no /console paths. */
  console?: { page(): string; situations: Situations };
}

export interface Endpoint {
  url: string;
  /** The redirect URI of the browser link flow. */
  callbackUrl: string;
  /** The tokens of accounts linked in a browser, newest last. */
  linked: Array<{ access_token: string; refresh_token?: string | undefined }>;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Starts the server; `configure` gets its URL before the skills are set (the authorization server needs the callback URL). */
export async function startEndpoint(
  port = 0,
): Promise<{ url: string; callbackUrl: string; serve(options: EndpointOptions): Endpoint; close(): Promise<void> }> {
  let options: EndpointOptions | undefined;
  const linked: Endpoint['linked'] = [];
  const states = new Set<string>();
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof HttpError ? error.message : 'the sandbox failed to handle the request';
      if (!res.headersSent)
        res.writeHead(status, {
          'Content-Type': 'application/json',
          ...(error instanceof HttpError ? error.headers : {}),
        });
      res.end(JSON.stringify({ error: message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const callbackUrl = `${url}/link/callback`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!options) throw new HttpError(503, 'the sandbox is starting');
    const { pathname, searchParams } = new URL(req.url ?? '/', url);
    if (pathname === '/') {
      if (req.method !== 'GET') throw new HttpError(405, 'use GET', { Allow: 'GET' });
      const state = Math.random().toString(36).slice(2);
      states.add(state);
      return html(
        res,
        200,
        indexPage(
          options.authorizationUrl(callbackUrl, state),
          Object.keys(options.skills),
          url,
          options.console !== undefined,
        ),
      );
    }
    if (pathname === '/link/callback') {
      if (req.method !== 'GET') throw new HttpError(405, 'use GET', { Allow: 'GET' });
      const code = searchParams.get('code');
      const state = searchParams.get('state') ?? '';
      if (!code || !states.delete(state))
        throw new HttpError(400, 'no authorization code, or a state this sandbox did not send');
      const tokens = await options.exchange(code, callbackUrl);
      linked.push(tokens);
      return html(res, 200, linkedPage(tokens, options.console ? `${url}/console` : undefined));
    }
    if (options.console && (pathname === '/console' || pathname.startsWith('/console/')))
      return handleConsole(req, res, pathname, options.console);
    const skill = /^\/skills\/([a-z-]+)$/.exec(pathname)?.[1];
    if (!skill || !(skill in options.skills))
      throw new HttpError(
        404,
        `no such path; the skills are ${Object.keys(options.skills)
          .map((s) => `/skills/${s}`)
          .join(', ')}`,
      );
    if (req.method !== 'POST') throw new HttpError(405, 'send Alexa requests with POST', { Allow: 'POST' });
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      throw new HttpError(415, 'send the Alexa request as Content-Type: application/json');
    const body = await readBody(req, options.maxBodyBytes ?? 256 * 1024);
    let event: unknown;
    try {
      event = JSON.parse(body);
    } catch {
      throw new HttpError(400, 'the body is not JSON');
    }
    let reply: unknown;
    try {
      reply = await options.skills[skill](event);
    } catch (error) {
      if (error instanceof MalformedRequestError) throw new HttpError(400, error.message);
      throw error;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(reply, null, 2));
  }

  async function handleConsole(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    console: NonNullable<EndpointOptions['console']>,
  ): Promise<void> {
    const { situations } = console;
    if (pathname === '/console') {
      if (req.method !== 'GET') throw new HttpError(405, 'use GET', { Allow: 'GET' });
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return void res.end(console.page());
    }
    if (pathname === '/console/state') {
      if (req.method !== 'GET') throw new HttpError(405, 'use GET', { Allow: 'GET' });
      return json(res, 200, {
        linked: situations.linked,
        situation: situations.situation,
        skills: SKILLS,
        situations: {
          verification: VERIFICATIONS,
          token: TOKEN_SITUATIONS,
          server: SERVER_SITUATIONS,
          deploy: DEPLOYS,
        },
        scenarios: POLICY_SCENARIOS,
        policy: {
          confirmAfterSeconds: CONFIRM_AFTER_SECONDS,
          deployedConfirmAfterSeconds: DEPLOYED_CONFIRM_AFTER_SECONDS,
        },
      });
    }
    if (pathname === '/console/send' || pathname === '/console/scenario') {
      if (req.method !== 'POST') throw new HttpError(405, 'use POST', { Allow: 'POST' });
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
        throw new HttpError(415, 'send the body as Content-Type: application/json');
      let body: { skill?: unknown; request?: unknown; scenario?: unknown; situation?: Partial<Situation> };
      try {
        body = JSON.parse(await readBody(req, 16 * 1024));
      } catch (error) {
        if (error instanceof HttpError) throw error;
        throw new HttpError(400, 'the body is not JSON');
      }
      const situation = checkSituation(body?.situation);
      const skill = String(body?.skill) as keyof typeof SKILLS;
      const fields =
        pathname === '/console/send' ? '{skill, request, situation}' : '{skill, request, scenario, situation}';
      if (!(skill in SKILLS) || typeof body.request !== 'string' || !(body.request in SKILLS[skill].requests)) {
        throw new HttpError(400, `send ${fields} with a skill and a request of /console/state`);
      }
      if (pathname === '/console/send')
        return json(res, 200, await situations.exchange(skill, body.request, situation));
      const scenario = body.scenario;
      if (typeof scenario !== 'string' || scenario === 'single' || !(scenario in POLICY_SCENARIOS)) {
        throw new HttpError(
          400,
          `scenario must be one of ${Object.keys(POLICY_SCENARIOS)
            .filter((name) => name !== 'single')
            .join(', ')}`,
        );
      }
      return json(
        res,
        200,
        await situations.demo(scenario as PolicyScenario, { skill, request: body.request }, situation.verification),
      );
    }
    throw new HttpError(
      404,
      'no such path; the console is GET /console, GET /console/state, POST /console/send, POST /console/scenario',
    );
  }

  return {
    url,
    callbackUrl,
    serve(configured) {
      options = configured;
      return { url, callbackUrl, linked, close: () => close(server) };
    },
    close: () => close(server),
  };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new HttpError(413, `the body is over ${maxBytes} bytes`, { Connection: 'close' }));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A situation with every field one of its known values; a 400 otherwise. */
function checkSituation(raw: Partial<Situation> | undefined): Situation {
  const pick = <K extends string>(value: unknown, known: Record<K, string>, name: string): K => {
    if (typeof value === 'string' && value in known) return value as K;
    throw new HttpError(400, `situation.${name} must be one of ${Object.keys(known).join(', ')}`);
  };
  return {
    verification: pick(raw?.verification, VERIFICATIONS, 'verification'),
    token: pick(raw?.token, TOKEN_SITUATIONS, 'token'),
    server: pick(raw?.server, SERVER_SITUATIONS, 'server'),
    deploy: pick(raw?.deploy, DEPLOYS, 'deploy'),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Account-linking sandbox</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:4px}pre{padding:.8rem;white-space:pre-wrap;overflow-wrap:anywhere}code{overflow-wrap:anywhere}a.button{display:inline-block;background:#1a73e8;color:#fff;padding:.6rem 1rem;border-radius:6px;text-decoration:none}</style>
</head><body>${body}</body></html>`);
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function indexPage(authorizationUrl: string, skills: string[], url: string, withConsole: boolean): string {
  return `<h1>Account-linking sandbox</h1>
<p>Link an account the way Alexa does: the button opens the authorization server's login page
(sign in as anyone, e.g. <code>ada</code>), then its consent page; the sandbox then exchanges the code
for tokens, as Alexa would.</p>
<p><a class="button" id="link-account" href="${escape(authorizationUrl)}">Link an account</a></p>
${withConsole ? `<p>Or <a id="console-link" href="/console">open the console</a> now: it links a demo user, <code>ada</code>, without a browser.</p>` : ''}
<p>The skills answer Alexa requests at ${skills.map((s) => `<code>POST ${escape(url)}/skills/${escape(s)}</code>`).join(', ')}.</p>`;
}

function linkedPage(tokens: { access_token: string; expires_in: number }, consoleUrl: string | undefined): string {
  return `<h1 id="linked">Account linked</h1>
<p>Alexa now keeps an access token (it lives ${tokens.expires_in} s) and puts it in every request to the skills.
Its SHA-256 fingerprint: <code id="token-fingerprint">${escape(fingerprint(tokens.access_token))}</code> (the sandbox shows
fingerprints, never tokens).</p>
${
  consoleUrl
    ? `<p><a class="button" id="open-console" href="${escape(consoleUrl)}">Open the console</a></p>
<p>The console sends each skill the requests Alexa would send, with this token or in another situation, and shows what Alexa receives.</p>`
    : ''
}`;
}
