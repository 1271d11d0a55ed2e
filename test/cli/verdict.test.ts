/**
 * `ask-sdk-account-linking verdict` says what a skill configured by the environment would answer
 * to a token — verdict, reason, each family's reply — and never prints the token.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { judge, verdictCommand, type VerdictIo } from '../../lib/cli/verdict';
import { runCommand } from '../../lib/cli/commands';
import { mintAccessToken } from '../../lib/testing';

const ROOT = path.resolve(__dirname, '../..');
const LOCAL = JSON.parse(readFileSync(path.join(ROOT, 'events/env.local.json'), 'utf8')).RideHailerFunction as Record<
  string,
  string
>;
const ENV = {
  TOKEN_VERIFIER: 'jwt',
  JWT_SECRET: LOCAL.JWT_SECRET,
  JWT_ISSUER: LOCAL.JWT_ISSUER,
  JWT_AUDIENCE: LOCAL.JWT_AUDIENCE,
  JWT_ALGORITHMS: 'HS256',
};
const mint = (options: { key?: string; issuer?: string; expiresInSeconds?: number } = {}) =>
  mintAccessToken({
    key: options.key ?? ENV.JWT_SECRET,
    issuer: options.issuer ?? ENV.JWT_ISSUER,
    audience: ENV.JWT_AUDIENCE,
    subject: 'rider-42',
    expiresInSeconds: options.expiresInSeconds ?? 600,
  });

/** Runs the command on `argv` with the token on standard input; answers its exit code and output. */
async function run(
  argv: string[],
  input: { stdin?: string; files?: Record<string, string>; env?: Record<string, string> } = {},
) {
  let stdout = '';
  let stderr = '';
  const io: VerdictIo = {
    argv,
    env: input.env ?? ENV,
    readStdin: async () => input.stdin ?? '',
    readFile: async (file) => {
      if (input.files?.[file] === undefined) throw new Error(`no file ${file}`);
      return input.files[file];
    },
    write: (text) => void (stdout += text),
    writeError: (text) => void (stderr += text),
  };
  const code = await verdictCommand(io);
  return { code, stdout, stderr };
}

describe('ask-sdk-account-linking verdict', () => {
  it('says valid, names the linked user, says every family runs its handlers, and exits 0', async () => {
    const token = mint();
    const { code, stdout } = await run([], { stdin: `${token}\n` });
    expect(code).toBe(0);
    expect(stdout).toMatch(/verdict: valid/);
    expect(stdout).toMatch(/linked user: rider-42/);
    expect(stdout.match(/your handlers run/g)).toHaveLength(3);
    expect(stdout).not.toContain(token);
  });

  it('says a token a day past its exp is expired and self-evident: the "link again" card and EXPIRED_AUTHORIZATION_CREDENTIAL, INTERNAL_ERROR until the configuration is proven', async () => {
    const token = mint({ expiresInSeconds: -86_400 });
    const { code, stdout } = await run(['--json'], { stdin: token });
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ outcome: 'expired', rejection: 'self-evident' });
    expect(report.replies.custom).toMatch(/^a LinkAccount card and the speech "Your account link has expired/);
    expect(report.replies.directive).toBe('ErrorResponse EXPIRED_AUTHORIZATION_CREDENTIAL');
    expect(report.replies.music).toBe('ErrorResponse EXPIRED_AUTHORIZATION_CREDENTIAL');
    expect(report.untilConfirmed).toMatchObject({
      custom: expect.stringMatching(/^no card/),
      directive: 'ErrorResponse INTERNAL_ERROR',
      music: 'ErrorResponse INTERNAL_ERROR',
    });
    expect(stdout).not.toContain(token);
  });

  it('says a token signed with another key is invalid and suspected: unlinking replies once confirmed, the transient ones until then', async () => {
    const token = mint({ key: 'a-secret-of-another-environment-0123456789' });
    const { code, stdout } = await run(['--token-file', 'token.txt'], { files: { 'token.txt': token } });
    expect(code).toBe(1);
    expect(stdout).toMatch(/verdict: invalid \(bad signature\), suspected/);
    expect(stdout).toMatch(/smart home, video, meetings: +ErrorResponse INVALID_AUTHORIZATION_CREDENTIAL/);
    expect(stdout).toMatch(/until then .*\n.*no card/);
    expect(stdout).not.toContain(token);
  });

  it('says could not decide, with what to change, for a genuine token of another issuer, and exits 3', async () => {
    const token = mint({ issuer: 'https://staging.auth.example.test/' });
    const { code, stdout } = await run(['--json'], { stdin: token });
    expect(code).toBe(3);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      outcome: 'could not decide',
      reason: 'issuer mismatch',
      check: expect.stringContaining('JWT_ISSUER'),
    });
    expect(report.replies).toEqual({
      custom: expect.stringMatching(/^no card/),
      directive: 'ErrorResponse INTERNAL_ERROR',
      music: 'ErrorResponse INTERNAL_ERROR',
    });
  });

  it("takes the variables of one function from a SAM env-vars file, over the process's own", async () => {
    const token = mint();
    const files = {
      'env.json': JSON.stringify({
        Parameters: {},
        RideHailerFunction: ENV,
        OtherFunction: { JWT_ISSUER: 'https://other.example/' },
      }),
      t: token,
    };
    expect(
      (
        await run(['--env-file', 'env.json', '--function', 'RideHailerFunction', '--token-file', 't'], {
          files,
          env: {},
        })
      ).code,
    ).toBe(0);
    const unnamed = await run(['--env-file', 'env.json', '--token-file', 't'], { files, env: {} });
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toMatch(/--function \(RideHailerFunction, OtherFunction\)/);
  });

  it.each([
    ['no token', [], {}, /No access token/],
    ['an unknown option', ['--tokne', 'x'], {}, /Unknown option --tokne/],
    ['two tokens', ['--token', 'a', '--token-file', 'b'], {}, /Give the token once/],
  ])('refuses %s with a usage error (exit 2)', async (_name, argv, input, message) => {
    const { code, stderr } = await run(argv, input);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('says which variable is wrong when the verifier cannot be built, without the token', async () => {
    const token = mint();
    const { code, stderr } = await run(['--token', token], { env: { TOKEN_VERIFIER: 'jwt', JWT_SECRET: 'short' } });
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot be built/);
    expect(stderr).not.toContain(token);
  });

  it("runs as the package command's verdict subcommand", async () => {
    let stdout = '';
    const token = mint();
    const code = await runCommand(['verdict', '--json'], {
      env: ENV,
      readStdin: async () => token,
      stdout: (text) => void (stdout += text),
      stderr: () => {},
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ outcome: 'valid', subject: 'rider-42' });
  });

  it("never prints the token, even when a custom verifier's reason quotes it", async () => {
    const token = 'opaque-token-0123456789abcdefghijklmnopqrstuv';
    const report = await judge(token, {
      verify: async (accessToken) => ({ outcome: 'invalid', reason: `unknown token ${accessToken}` }),
    });
    expect(JSON.stringify(report)).not.toContain(token);
    expect(report.reason).toMatch(/^unknown token \[redacted\]/);
  });
});
