/**
 * `check-server` in process, against small scripted servers on loopback (plain HTTP: a rehearsal),
 * for what oidc-provider does not do: answers that echo secrets or hold control characters, error
 * pages, bad Location headers, relative discovery endpoints, a connection dropped mid-check. And the
 * command's own messages: no value given on the command line, or read from a file, is echoed back.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { run as checkServer } from '../../lib/cli/check-server';
import type { CommandIo } from '../../lib/cli/commands';
import { renderText, reportOf, Secrets, type Finding } from '../../lib/cli/findings';
import { runServerChecks, type ServerCheckConfig } from '../../lib/cli/server-checks';
import { run as verdict } from '../../lib/cli/verdict';

const CLIENT_ID = 'alexa-client';
const CLIENT_SECRET = 'client-secret-0123456789abcdef';
const BASIC = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
const REFRESH_TOKEN = 'rt_given_0123456789abcdefghijklmnop';
const ALEXA = 'https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA';

type Handler = (req: http.IncomingMessage & { form: URLSearchParams }, res: http.ServerResponse) => void;

/** A server on 127.0.0.1 answering with `handler` (the request's form parsed); `origin` is its URL. */
async function scripted(handler: Handler): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => handler(Object.assign(req, { form: new URLSearchParams(body) }), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const json = (res: http.ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
const tokens = (refreshToken: string) => ({
  access_token: `at-${refreshToken}-${Date.now()}`,
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: refreshToken,
});

/** A configuration for the server at `origin`; an override of undefined takes the setting out. */
function configOf(
  origin: string,
  overrides: { [K in keyof ServerCheckConfig]?: ServerCheckConfig[K] | undefined } = {},
): ServerCheckConfig {
  const config = {
    tokenUrl: `${origin}/token`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientAuthMethod: 'client_secret_basic',
    redirectUris: [],
    scopes: [],
    refreshToken: REFRESH_TOKEN,
    reuseAfterMs: 0,
    verifierEnvironment: {},
    requestTimeoutMs: 3000,
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(config).filter(([, value]) => value !== undefined),
  ) as unknown as ServerCheckConfig;
}

/** The checks, and the report as printed. */
async function check(config: ServerCheckConfig): Promise<{ findings: Finding[]; text: string }> {
  const secrets = new Secrets();
  const { tokenUrl, findings } = await runServerChecks(config, secrets);
  return { findings, text: renderText(reportOf(tokenUrl, findings), secrets) };
}
const ofId = (findings: Finding[], id: string) => findings.filter((finding) => finding.id === id);

/** An io for the command: no stdin, what it prints collected. */
function commandIo(env: Record<string, string> = {}): CommandIo & { out: () => string } {
  let out = '';
  return {
    env,
    readStdin: async () => '',
    stdout: (text) => void (out += text),
    stderr: (text) => void (out += text),
    out: () => out,
  };
}

describe('check-server never echoes a value it was given', () => {
  it('names an unknown --option=value by its name only', async () => {
    const io = commandIo();
    expect(await checkServer([`--refresh-token=${REFRESH_TOKEN}`], io)).toBe(2);
    expect(io.out()).toMatch(/Unknown option --refresh-token\b/);
    expect(io.out()).not.toContain(REFRESH_TOKEN);
  });

  it('does not repeat an "option" that is not an option name (a token starting with -)', async () => {
    const io = commandIo();
    expect(await checkServer([`-${REFRESH_TOKEN}`], io)).toBe(2);
    expect(io.out()).toMatch(/Unknown option \(not repeated/);
    expect(io.out()).not.toContain(REFRESH_TOKEN);
  });

  it('says a token given where the file name goes could not be read, with the error code and the option only', async () => {
    for (const args of [
      ['--refresh-token-file', REFRESH_TOKEN],
      ['--code-file', REFRESH_TOKEN],
      ['--env-file', REFRESH_TOKEN],
    ]) {
      const io = commandIo({ OAUTH_TOKEN_URL: 'https://auth.example.com/token' });
      expect(await checkServer(args, io)).toBe(2);
      expect(io.out()).toContain(`given to ${args[0]}`);
      expect(io.out()).toContain('(ENOENT)');
      expect(io.out()).not.toContain(REFRESH_TOKEN);
    }
    const io = commandIo({
      OAUTH_TOKEN_URL: 'https://auth.example.com/token',
      OAUTH_REFRESH_TOKEN_FILE: REFRESH_TOKEN,
    });
    expect(await checkServer([], io)).toBe(2);
    expect(io.out()).toMatch(/the file given to OAUTH_REFRESH_TOKEN_FILE \(ENOENT\)/);
    expect(io.out()).not.toContain(REFRESH_TOKEN);
  });

  it('verdict: says --token-file could not be read, with the error code only, never the token given in its place', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyaWRlci00MiJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
    const io = commandIo();
    expect(await verdict(['--token-file', token], io)).toBe(2);
    expect(io.out()).toMatch(/Could not read the file given to --token-file \(ENOENT\)/);
    expect(io.out()).not.toContain(token.slice(0, 12));
    const unknown = commandIo();
    expect(await verdict([`--${token}`], unknown)).toBe(2);
    expect(unknown.out()).not.toContain(token.slice(0, 12));
  });
});

describe('check-server options', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'check-server-options-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes every option that has a value as --option=value too, and refuses a value on a flag', async () => {
    const server = await scripted((req, res) => json(res, 200, tokens(req.form.get('refresh_token')!)));
    try {
      const file = path.join(dir, 'refresh-token');
      writeFileSync(file, `${REFRESH_TOKEN}\n`);
      const env = {
        OAUTH_TOKEN_URL: `${server.origin}/token`,
        ALEXA_CLIENT_ID: CLIENT_ID,
        ALEXA_CLIENT_SECRET: CLIENT_SECRET,
      };
      const io = commandIo(env);
      await checkServer(['--json', `--refresh-token-file=${file}`, '--reuse-after=0'], io);
      const report = JSON.parse(io.out());
      expect(
        report.findings
          .filter((finding: Finding) => finding.id === 'refresh')
          .map((finding: Finding) => finding.severity),
      ).toEqual(['ok']);
      expect(io.out()).not.toContain(REFRESH_TOKEN);
      const flag = commandIo(env);
      expect(await checkServer(['--json=yes'], flag)).toBe(2);
      expect(flag.out()).toMatch(/--json takes no value/);
    } finally {
      await server.close();
    }
  });
});

describe('check-server against scripted servers', () => {
  it('reports a given refresh token refused with invalid_grant as not checked (perhaps spent by an earlier run), not as unlinking users', async () => {
    const server = await scripted((_req, res) =>
      json(res, 400, { error: 'invalid_grant', error_description: 'grant request is invalid' }),
    );
    try {
      const { findings, text } = await check(configOf(server.origin));
      const [refresh] = ofId(findings, 'refresh');
      expect(refresh.severity).toBe('not-checked');
      expect(refresh.summary).toMatch(/earlier run of this check/);
      expect(text).toContain('invalid_grant: "grant request is invalid"');
      expect(findings.some((finding) => finding.severity === 'unlinks-users')).toBe(false);
    } finally {
      await server.close();
    }
  });

  it("still reports a refresh token of this run's code exchange refused as unlinking users", async () => {
    const server = await scripted((req, res) =>
      req.form.get('grant_type') === 'authorization_code'
        ? json(res, 200, tokens('rt-from-the-code-0123456789'))
        : json(res, 400, { error: 'invalid_grant' }),
    );
    try {
      const { findings } = await check(
        configOf(server.origin, {
          refreshToken: undefined,
          authorizationCode: 'code-0123456789abcdef',
          redirectUris: [ALEXA],
        }),
      );
      expect(ofId(findings, 'refresh').map((finding) => finding.severity)).toEqual(['unlinks-users']);
    } finally {
      await server.close();
    }
  });

  it('warns that a refresh token given was replaced when the server rotates it', async () => {
    let count = 0;
    const server = await scripted((_req, res) => json(res, 200, tokens(`rt-rotated-${++count}-0123456789`)));
    try {
      const { findings } = await check(configOf(server.origin));
      expect(ofId(findings, 'refresh').map((finding) => finding.severity)).toEqual(['ok']);
      const [replaced] = ofId(findings, 'refresh-token-replaced');
      expect(replaced.severity).toBe('warning');
      expect(replaced.change).toMatch(/Link again/);
    } finally {
      await server.close();
    }
  });

  it('reports a network error on the reuse of the old refresh token as not checked, not as a rotation verdict', async () => {
    let count = 0;
    const server = await scripted((_req, res) =>
      ++count === 1 ? json(res, 200, tokens(REFRESH_TOKEN)) : res.socket!.destroy(),
    );
    try {
      const { findings } = await check(configOf(server.origin));
      const [reuse] = ofId(findings, 'refresh-reuse');
      expect(reuse.severity).toBe('not-checked');
      expect(reuse.summary).toMatch(/no answer came \(.*ECONNRESET\)/);
      expect(reuse.summary).not.toMatch(/accepts each refresh token once/);
    } finally {
      await server.close();
    }
  });

  it("prints the token endpoint's error and error_description without control characters, and without the secrets they echo", async () => {
    const server = await scripted((req, res) =>
      json(res, 400, {
        error: '\u001b[2Kinvalid_request',
        error_description: `bad \u001b[31mtoken ${req.form.get('refresh_token')} from ${req.headers.authorization}\r\nok`,
      }),
    );
    try {
      const { text } = await check(configOf(server.origin));
      expect(text).toContain(
        '(an error that is not an RFC 6749 error code): "bad  [31mtoken [redacted] from Basic [redacted]  ok"',
      );
      for (const secret of [REFRESH_TOKEN, CLIENT_SECRET, BASIC]) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    } finally {
      await server.close();
    }
  });

  it('prints the issuer a discovery document names without control characters', async () => {
    const server = await scripted((req, res) =>
      req.url === '/.well-known/oauth-authorization-server'
        ? json(res, 200, {
            issuer: 'https://evil.example\u001b]8;;\u0007\r\n',
            token_endpoint: 'http://127.0.0.1:1/token',
          })
        : json(res, 404, {}),
    );
    try {
      const { findings, text } = await check(
        configOf(server.origin, { tokenUrl: undefined, issuer: server.origin, refreshToken: undefined }),
      );
      expect(ofId(findings, 'discovery')[0].summary).toContain('names the issuer "https://evil.example ]8;;   "');
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    } finally {
      await server.close();
    }
  });

  it("reports a relative authorization_endpoint from discovery as discovery's, instead of blaming OAUTH_AUTHORIZATION_URL", async () => {
    let origin = '';
    const server = await scripted((req, res) =>
      req.url === '/.well-known/oauth-authorization-server'
        ? json(res, 200, { issuer: origin, authorization_endpoint: '/authorize', token_endpoint: `${origin}/token` })
        : json(res, 200, tokens(REFRESH_TOKEN)),
    );
    origin = server.origin;
    try {
      const { findings } = await check(
        configOf(origin, { tokenUrl: undefined, issuer: origin, redirectUris: [ALEXA] }),
      );
      expect(ofId(findings, 'discovery').map((finding) => [finding.severity, finding.summary])).toEqual([
        ['ok', expect.any(String)],
        ['warning', expect.stringMatching(/authorization_endpoint is not an absolute http\(s\) URL \("\/authorize"\)/)],
      ]);
      expect(ofId(findings, 'redirect-uris').map((finding) => finding.severity)).toEqual(['not-checked']);
      expect(ofId(findings, 'refresh').map((finding) => finding.severity)).toEqual(['ok']);
    } finally {
      await server.close();
    }
  });

  it("names discovery's token_endpoint, not OAUTH_TOKEN_URL, when that is relative", async () => {
    const server = await scripted((_req, res) => json(res, 200, { issuer: 'x', token_endpoint: '/token' }));
    try {
      const { findings } = await check(configOf(server.origin, { tokenUrl: undefined, issuer: server.origin }));
      expect(ofId(findings, 'discovery')[1].summary).toMatch(
        /token_endpoint is not an absolute http\(s\) URL \("\/token"\), so it was not used/,
      );
      expect(ofId(findings, 'token-requests').map((finding) => finding.summary)).toEqual([
        expect.stringMatching(/no usable token_endpoint/),
      ]);
    } finally {
      await server.close();
    }
  });

  describe('the redirect URIs', () => {
    const redirectFindings = async (answer: (res: http.ServerResponse) => void) => {
      const server = await scripted((req, res) =>
        req.url!.startsWith('/authorize') ? answer(res) : json(res, 200, tokens(REFRESH_TOKEN)),
      );
      try {
        const { findings } = await check(
          configOf(server.origin, { authorizationUrl: `${server.origin}/authorize`, redirectUris: [ALEXA] }),
        );
        // (not the warning that the other two regions' URIs are not listed)
        return findings.filter((finding) => finding.id !== 'redirect-uris' || finding.subject === ALEXA);
      } finally {
        await server.close();
      }
    };

    it("calls a redirect to an error page with error= (Cognito's redirect_mismatch) a refusal that breaks linking", async () => {
      const [finding] = ofId(
        await redirectFindings((res) =>
          res.writeHead(302, { Location: '/error?error=redirect_mismatch&client_id=alexa-client' }).end(),
        ),
        'redirect-uris',
      );
      expect(finding.severity).toBe('breaks-linking');
      expect(finding.summary).toMatch(
        /error page with error=redirect_mismatch \(it answered 302 to http:\/\/127\.0\.0\.1:\d+\/error\)/,
      );
    });

    it('reads error= in the fragment too', async () => {
      const [finding] = ofId(
        await redirectFindings((res) =>
          res.writeHead(302, { Location: 'https://login.example.com/oops#error=invalid_request' }).end(),
        ),
        'redirect-uris',
      );
      expect(finding.severity).toBe('breaks-linking');
    });

    it('calls a redirect back to Alexa with error= a warning (the URI is taken; something else is wrong)', async () => {
      const [finding] = ofId(
        await redirectFindings((res) =>
          res.writeHead(302, { Location: `${ALEXA}?error=invalid_scope&state=check-server` }).end(),
        ),
        'redirect-uris',
      );
      expect(finding.severity).toBe('warning');
      expect(finding.summary).toMatch(/error=invalid_scope/);
    });

    it('says a login page was "not refused before login", not that the URI is registered', async () => {
      const [finding] = ofId(
        await redirectFindings((res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<form>login</form>')),
        'redirect-uris',
      );
      expect(finding.severity).toBe('ok');
      expect(finding.summary).toMatch(/does not refuse this redirect URI before login \(it answered 200, no error\)/);
    });

    it('does not end the run on a Location that is not a URL', async () => {
      const findings = await redirectFindings((res) => res.writeHead(302, { Location: 'http://[not-a-host' }).end());
      expect(ofId(findings, 'redirect-uris').map((finding) => finding.severity)).toEqual(['warning']);
      expect(ofId(findings, 'refresh').map((finding) => finding.severity)).toEqual(['ok']);
    });
  });
});
