/**
 * `ask-sdk-account-linking check-server`, run as a developer runs it (lib/cli/main.ts through tsx,
 * in its own process), against oidc-provider on loopback over HTTPS with a loopback test
 * certificate authority (trusted through NODE_EXTRA_CA_CERTS): one good configuration, and each bad
 * one reported with the right finding and exit code.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ALEXA_REDIRECT_URIS,
  AUDIENCE,
  makeTestCertificateAuthority,
  secretOf,
  startVariantServer,
  type TestCertificateAuthority,
  type Variant,
  type VariantServer,
} from '../support/oauth-server-variants';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

jest.setTimeout(90_000);

let ca: TestCertificateAuthority;
let server: VariantServer;
/** Every secret and token the tests handed out or got: none may appear in what the command prints. */
const secrets = new Set<string>();

beforeAll(async () => {
  ca = makeTestCertificateAuthority();
  server = await startVariantServer(ca, { slowMs: 4700 });
});

afterAll(async () => {
  await server?.stop();
  ca?.remove();
});

interface Finding {
  id: string;
  severity: string;
  subject?: string;
  summary: string;
  alexa?: string;
  change?: string;
  sources: { url: string; confirmed: boolean }[];
}
interface Run {
  code: number;
  stdout: string;
  stderr: string;
  report?: { exitCode: number; findings: Finding[] } | undefined;
}

/** The environment of a skill whose verifier checks JWTs from this server, with Alexa's client `client`. */
function environment(client: Variant, overrides: Record<string, string> = {}): Record<string, string> {
  secrets.add(secretOf(client));
  return {
    OAUTH_ISSUER: server.issuer,
    ALEXA_CLIENT_ID: client,
    ALEXA_CLIENT_SECRET: secretOf(client),
    ALEXA_REDIRECT_URIS: ALEXA_REDIRECT_URIS.join(','),
    ALEXA_SCOPES: 'openid offline_access rides',
    JWKS_URI: `${server.issuer}/jwks`,
    JWT_ISSUER: server.issuer,
    JWT_AUDIENCE: AUDIENCE,
    ...overrides,
  };
}

/** A refresh token of one fresh link, in a file of its own. */
async function refreshTokenFile(client: Variant): Promise<string> {
  const tokens = await server.tokens(client);
  secrets.add(tokens.access_token);
  secrets.add(tokens.refresh_token!);
  const file = path.join(ca.dir, `${client}-${Date.now()}.refresh-token`);
  writeFileSync(file, `${tokens.refresh_token}\n`, { mode: 0o600 });
  return file;
}

function checkServer(
  env: Record<string, string>,
  args: string[],
  options: { trustTestCa?: boolean; stdin?: string } = {},
): Promise<Run> {
  const processEnv = {
    PATH: process.env.PATH ?? '',
    ...(options.trustTestCa === false ? {} : { NODE_EXTRA_CA_CERTS: ca.caFile }),
    ...env,
  };
  return new Promise((resolve) => {
    const child = execFile(
      TSX,
      ['lib/cli/main.ts', 'check-server', ...args],
      { cwd: ROOT, env: processEnv, timeout: 80_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        let report: Run['report'];
        try {
          report = args.includes('--json') ? JSON.parse(stdout) : undefined;
        } catch {
          report = undefined;
        }
        resolve({ code, stdout, stderr, report });
      },
    );
    child.stdin!.end(options.stdin ?? '');
  });
}

function expectNoSecretIn(run: Run): void {
  const printed = run.stdout + run.stderr;
  for (const secret of secrets) expect(printed).not.toContain(secret);
  expect(printed).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/); // no JWT at all
}

const findings = (run: Run, id: string) => run.report!.findings.filter((finding) => finding.id === id);
const severities = (run: Run, id: string) => findings(run, id).map((finding) => finding.severity);
const failures = (run: Run) =>
  run.report!.findings.filter(
    (finding) => finding.severity === 'unlinks-users' || finding.severity === 'breaks-linking',
  );

describe('check-server against a good configuration', () => {
  let run: Run;

  beforeAll(async () => {
    run = await checkServer(environment('alexa-good'), [
      '--json',
      '--refresh-token-file',
      await refreshTokenFile('alexa-good'),
      '--reuse-after',
      '1',
    ]);
  });

  it('finds nothing that unlinks users or breaks linking, and exits 0', () => {
    expect(run.stderr).toBe('');
    expect(failures(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.report!.exitCode).toBe(0);
  });

  it('says the refresh, the old refresh token used again, the token response, its lifetime and answer time, and the verifier are as Alexa needs them', () => {
    for (const id of [
      'discovery',
      'refresh',
      'refresh-reuse',
      'token-response',
      'token-lifetime',
      'token-time',
      'verifier',
    ])
      expect([id, severities(run, id)]).toEqual([id, ['ok']]);
  });

  it('finds every Alexa redirect URI taken by the authorization endpoint', () => {
    expect(findings(run, 'redirect-uris').map((finding) => [finding.subject, finding.severity])).toEqual(
      ALEXA_REDIRECT_URIS.map((uri) => [uri, 'ok']),
    );
  });

  it('calls the loopback server a rehearsal, and its port and private certificate authority warnings', () => {
    expect(severities(run, 'rehearsal')).toEqual(['warning']);
    expect(new Set(severities(run, 'port-443'))).toEqual(new Set(['warning']));
    const [certificate] = findings(run, 'certificate');
    expect(certificate.severity).toBe('warning');
    expect(certificate.summary).toMatch(/private certificate authority.*NODE_EXTRA_CA_CERTS/);
  });

  it('gives every finding that is not ok what Alexa would do, what to change and a source', () => {
    for (const finding of run.report!.findings.filter(
      (f) => f.severity === 'warning' || f.severity === 'unlinks-users' || f.severity === 'breaks-linking',
    )) {
      expect(finding.change).toBeTruthy();
      expect(finding.sources.length).toBeGreaterThan(0);
      for (const source of finding.sources) expect(source.url).toMatch(/^https:\/\//);
    }
  });

  it('prints no secret and no token', () => expectNoSecretIn(run));
});

describe('check-server against bad configurations', () => {
  it('reports a code exchange without a refresh token as unlinking users, exit 1', async () => {
    const { code, redirectUri } = await server.code('alexa-no-refresh');
    secrets.add(code);
    const run = await checkServer(
      environment('alexa-no-refresh'),
      ['--json', '--code-file', '-', '--code-redirect-uri', redirectUri],
      { stdin: `${code}\n` },
    );
    expect(findings(run, 'refresh-token-issued')).toEqual([
      expect.objectContaining({ severity: 'unlinks-users', subject: 'code exchange' }),
    ]);
    expect(severities(run, 'token-response')).toEqual(['ok']);
    expect(run.code).toBe(1);
    expectNoSecretIn(run);
  });

  it("reports access tokens of 60 s as unlinking users, with Alexa's minimum of 360 s, exit 1", async () => {
    const run = await checkServer(environment('alexa-short'), [
      '--json',
      '--refresh-token-file',
      await refreshTokenFile('alexa-short'),
      '--reuse-after',
      '0',
    ]);
    const lifetimes = findings(run, 'token-lifetime');
    expect(lifetimes.map((finding) => finding.severity)).toEqual(['unlinks-users']);
    expect(lifetimes[0].summary).toMatch(/60 s.*360 s/);
    expect(run.code).toBe(1);
    expectNoSecretIn(run);
  });

  it('reports refresh rotation without a grace period (the old refresh token refused when used again) as unlinking users, exit 1; a second run with the spent token is not checked', async () => {
    const file = await refreshTokenFile('alexa-rotating');
    const run = await checkServer(environment('alexa-rotating'), [
      '--json',
      '--refresh-token-file',
      file,
      '--reuse-after',
      '1',
    ]);
    expect(severities(run, 'refresh')).toEqual(['ok']);
    expect(severities(run, 'refresh-token-replaced')).toEqual(['warning']);
    const [reuse] = findings(run, 'refresh-reuse');
    expect(reuse.severity).toBe('unlinks-users');
    expect(reuse.summary).toMatch(/rotates refresh tokens without a grace period/);
    expect(reuse.sources.some((source) => !source.confirmed)).toBe(true); // Amazon does not say Alexa resends it: said so
    expect(run.code).toBe(1);
    expectNoSecretIn(run);

    // The same file again: the server refuses the spent token, which says nothing about the server.
    const again = await checkServer(environment('alexa-rotating'), [
      '--json',
      `--refresh-token-file=${file}`,
      '--reuse-after=0',
    ]);
    expect(findings(again, 'refresh')).toEqual([
      expect.objectContaining({
        severity: 'not-checked',
        summary: expect.stringMatching(/invalid_grant.*earlier run of this check/),
      }),
    ]);
    expect(severities(again, 'refresh-reuse')).toEqual([]);
    expect(again.code).toBe(0);
    expectNoSecretIn(again);
  });

  it('reports an audience that differs from JWT_AUDIENCE as a verifier finding caught before any user meets it, exit 1', async () => {
    const run = await checkServer(environment('alexa-good', { JWT_AUDIENCE: 'another-skill' }), [
      '--json',
      '--refresh-token-file',
      await refreshTokenFile('alexa-good'),
      '--reuse-after',
      '0',
    ]);
    const [audience] = findings(run, 'verifier-audience');
    expect(audience.severity).toBe('breaks-linking');
    expect(audience.change).toMatch(/JWT_AUDIENCE/);
    expect(audience.summary).toContain(`aud "${AUDIENCE}"`);
    expect(run.code).toBe(1);
    expectNoSecretIn(run);
  });

  it('reports an issuer that differs from JWT_ISSUER as a verifier finding, exit 1', async () => {
    const run = await checkServer(environment('alexa-good', { JWT_ISSUER: 'https://login.ride-hailer.test' }), [
      '--json',
      '--refresh-token-file',
      await refreshTokenFile('alexa-good'),
      '--reuse-after',
      '0',
    ]);
    expect(severities(run, 'verifier-issuer')).toEqual(['breaks-linking']);
    expect(findings(run, 'verifier-issuer')[0].change).toMatch(/JWT_ISSUER/);
    expect(run.code).toBe(1);
  });

  it('reports a JWKS that does not answer as a verifier finding, exit 1', async () => {
    const run = await checkServer(environment('alexa-good', { JWKS_URI: `${server.issuer}/jwks-silent` }), [
      '--json',
      '--refresh-token-file',
      await refreshTokenFile('alexa-good'),
      '--reuse-after',
      '0',
    ]);
    const [jwks] = findings(run, 'verifier-jwks');
    expect(jwks.severity).toBe('breaks-linking');
    expect(jwks.change).toMatch(/JWKS_URI/);
    expect(run.code).toBe(1);
  });

  it("reports a token endpoint slower than Alexa's 4.5 s as breaking linking, exit 1", async () => {
    const run = await checkServer(environment('alexa-slow'), [
      '--json',
      '--refresh-token-file',
      await refreshTokenFile('alexa-slow'),
      '--reuse-after',
      '0',
    ]);
    const [time] = findings(run, 'token-time');
    expect(time.severity).toBe('breaks-linking');
    expect(time.summary).toMatch(/Alexa waits 4500 ms/);
    expect(time.sources.map((source) => source.url)).toContain(
      'https://developer.amazon.com/en-US/docs/alexa/account-linking/faq.html',
    );
    expect(run.code).toBe(1);
  });

  it('reports plain HTTP endpoints as breaking linking, exit 1', async () => {
    const env = environment('alexa-good', {
      OAUTH_TOKEN_URL: `${server.plainOrigin}/token`,
      OAUTH_AUTHORIZATION_URL: `${server.plainOrigin}/auth`,
    });
    const run = await checkServer(env, [
      '--json',
      '--refresh-token-file',
      await refreshTokenFile('alexa-good'),
      '--reuse-after',
      '0',
    ]);
    expect(findings(run, 'https').map((finding) => [finding.subject, finding.severity])).toEqual([
      [`authorization endpoint ${server.plainOrigin}/auth`, 'breaks-linking'],
      [`token endpoint ${server.plainOrigin}/token`, 'breaks-linking'],
    ]);
    expect(run.code).toBe(1);
    expectNoSecretIn(run);
  });

  it('reports a certificate no trusted authority vouches for as breaking linking, and sends it no secret, exit 1', async () => {
    const run = await checkServer(
      environment('alexa-good'),
      ['--json', '--refresh-token-file', await refreshTokenFile('alexa-good')],
      { trustTestCa: false },
    );
    expect(new Set(severities(run, 'certificate'))).toEqual(new Set(['breaks-linking']));
    expect(findings(run, 'token-requests')).toEqual([expect.objectContaining({ severity: 'not-checked' })]);
    expect(run.code).toBe(1);
  });

  it('reports an Alexa redirect URI the server does not take as breaking linking in that region, exit 1', async () => {
    const run = await checkServer(environment('alexa-one-region'), ['--json']);
    expect(findings(run, 'redirect-uris').map((finding) => finding.severity)).toEqual([
      'ok',
      'breaks-linking',
      'breaks-linking',
    ]);
    expect(severities(run, 'refresh')).toEqual(['not-checked']);
    expect(run.code).toBe(1);
  });
});

describe('check-server as a command', () => {
  it('prints a readable report by default: each finding, what Alexa would do, what to change, and its source', async () => {
    const run = await checkServer(environment('alexa-short'), [
      '--refresh-token-file',
      await refreshTokenFile('alexa-short'),
      '--reuse-after',
      '0',
    ]);
    expect(run.stdout).toMatch(/^FAIL token-lifetime \(refresh\) \[unlinks-users\]: Access tokens live 60 s/m);
    expect(run.stdout).toMatch(/^ {5}Alexa: /m);
    expect(run.stdout).toMatch(/^ {5}Change: /m);
    expect(run.stdout).toMatch(
      /^ {5}Source: https:\/\/developer\.amazon\.com\/en-US\/docs\/alexa\/account-linking\/faq\.html$/m,
    );
    expect(run.stdout).toMatch(/Exit 1\.\n$/);
    expect(run.code).toBe(1);
    expectNoSecretIn(run);
  });

  it('exits 2 and names the variable when the configuration is incomplete', async () => {
    const run = await checkServer({ OAUTH_TOKEN_URL: `${server.issuer}/token`, ALEXA_CLIENT_ID: 'alexa-good' }, [
      '--json',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Set ALEXA_CLIENT_SECRET/);
  });

  it('refuses a token on the command line without echoing it, exit 2', async () => {
    const run = await checkServer(environment('alexa-good'), ['a-refresh-token-pasted-here']);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('a-refresh-token-pasted-here');
    expect(run.stderr).toMatch(/never on the command line/);
  });

  it("reads the Lambda's variables from a SAM env file with --env-file and --function", async () => {
    const file = path.join(ca.dir, 'env.json');
    const { ALEXA_CLIENT_SECRET, ...rest } = environment('alexa-good');
    writeFileSync(file, JSON.stringify({ RideHailerFunction: rest, Parameters: {} }));
    const run = await checkServer({ ALEXA_CLIENT_SECRET }, [
      '--json',
      '--env-file',
      file,
      '--function',
      'RideHailerFunction',
      '--refresh-token-file',
      await refreshTokenFile('alexa-good'),
      '--reuse-after',
      '0',
    ]);
    expect(failures(run)).toEqual([]);
    expect(severities(run, 'verifier')).toEqual(['ok']);
    expect(run.code).toBe(0);
  });

  it('lists its commands with --help, and exits 2 on an unknown one', async () => {
    const help = await new Promise<string>((resolve) =>
      execFile(TSX, ['lib/cli/main.ts', '--help'], { cwd: ROOT }, (_error, stdout) => resolve(stdout)),
    );
    expect(help).toMatch(/check-server/);
    const unknown = await new Promise<number>((resolve) =>
      execFile(TSX, ['lib/cli/main.ts', 'nonsense'], { cwd: ROOT }, (error) =>
        resolve(typeof error?.code === 'number' ? error.code : 0),
      ),
    );
    expect(unknown).toBe(2);
  });
});
