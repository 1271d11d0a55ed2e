/**
 * `ask-sdk-account-linking check-server`: tries the authorization server the way Alexa will and the
 * way the skill's verifier will, and says for each finding what Alexa would do and what to change.
 * Exit 0: nothing unlinks users or breaks linking; 1: something does; 2: the check could not run
 * (usage, configuration). See docs/check-server.md.
 *
 * Secrets come from the environment (ALEXA_CLIENT_SECRET) and from files or stdin (the refresh
 * token, the grant code), never from the command line, and never appear in what it prints.
 */
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors';
import type { Environment } from '../verification/environment';
import type { CommandIo } from './command-io';
import { printable, reportOf, renderJson, renderText, Secrets } from './findings';
import { runServerChecks, type ServerCheckConfig } from './server-checks';
import { environmentOf, parseArguments, UsageError, type Options } from './check-server-options';

export const USAGE = `Usage: ask-sdk-account-linking check-server [options]

Tries the authorization server the way Alexa will (HTTPS on 443, a publicly trusted certificate,
the redirect URIs, the token endpoint's answers and answer time, a refresh, the old refresh token
used again) and the way the skill's verifier will (the access token through the verifier the
environment configures). Exit 0: no finding unlinks users or breaks linking; 1: one does; 2: the
check could not run.

Options:
  --json                      the report as JSON (for CI)
  --env-file <file.json>      variables from a JSON file: {"NAME": "value"}, or the SAM format
                              ({"Function": {...}, "Parameters": {...}}) with --function <name>;
                              the file wins over the environment
  --function <name>           which function of a SAM env file
  --refresh-token-file <file> a refresh token of a link made for this check, not one Alexa holds: the
                              check rotates it, and on a server without a reuse grace the reuse test
                              revokes that link (- for stdin); also OAUTH_REFRESH_TOKEN_FILE
  --code-file <file>          or an unused grant code of such a link, exchanged as Alexa does (- for stdin);
                              also OAUTH_AUTHORIZATION_CODE_FILE
  --code-redirect-uri <uri>   the redirect_uri the code was issued for (default: the first of ALEXA_REDIRECT_URIS)
  --reuse-after <seconds>     how long after a refresh the old refresh token is used again (default 2)
  -h, --help                  this text

Each option that takes a value also takes it as --option=value.

Environment: OAUTH_ISSUER, OAUTH_AUTHORIZATION_URL, OAUTH_TOKEN_URL, ALEXA_CLIENT_ID,
ALEXA_CLIENT_SECRET, ALEXA_CLIENT_AUTH_METHOD (client_secret_basic | client_secret_post),
ALEXA_REDIRECT_URIS, ALEXA_SCOPES, and the skill's verifier variables (TOKEN_VERIFIER, JWT_*,
JWKS_URI, INTROSPECTION_*, LWA_*). NODE_EXTRA_CA_CERTS trusts a private CA (a rehearsal).
`;

export async function run(args: readonly string[], io: CommandIo): Promise<number> {
  let options: Options;
  let config: ServerCheckConfig;
  const secrets = new Secrets();
  try {
    options = parseArguments(args);
    if (options.help) {
      io.stdout(USAGE);
      return 0;
    }
    const env = environmentOf(options, io.env);
    config = await configFrom(env, options, io, secrets);
  } catch (error) {
    io.stderr(
      `check-server: ${secrets.redact((error as Error).message)}\n\n${error instanceof UsageError ? USAGE : 'See --help and docs/check-server.md.\n'}`,
    );
    return 2;
  }
  try {
    const { tokenUrl, findings } = await runServerChecks(config, secrets);
    const report = reportOf(tokenUrl, findings);
    io.stdout(options.json ? renderJson(report, secrets) : renderText(report, secrets));
    return report.exitCode;
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    io.stderr(`check-server: ${secrets.redact(error.message)}\n`);
    return 2;
  }
}

async function configFrom(
  env: Environment,
  options: Options,
  io: CommandIo,
  secrets: Secrets,
): Promise<ServerCheckConfig> {
  const value = (name: string) => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const required = (name: string, what: string) => {
    const found = value(name);
    if (found === undefined) throw new ConfigurationError(`Set ${name}: ${what}`);
    return found;
  };
  const list = (name: string, separator: RegExp) =>
    (value(name) ?? '')
      .split(separator)
      .map((item) => item.trim())
      .filter(Boolean);

  const issuer = value('OAUTH_ISSUER');
  const tokenUrl = value('OAUTH_TOKEN_URL');
  const authorizationUrl = value('OAUTH_AUTHORIZATION_URL');
  if (issuer === undefined && tokenUrl === undefined) {
    throw new ConfigurationError(
      "Set OAUTH_TOKEN_URL (the console's Access Token URI) and OAUTH_AUTHORIZATION_URL, or OAUTH_ISSUER for discovery",
    );
  }
  for (const name of ['OAUTH_ISSUER', 'OAUTH_TOKEN_URL', 'OAUTH_AUTHORIZATION_URL']) {
    const url = value(name);
    if (url !== undefined && !URL.canParse(url)) throw new ConfigurationError(`${name} is not a URL`);
  }
  const clientAuthMethod = value('ALEXA_CLIENT_AUTH_METHOD') ?? 'client_secret_basic';
  if (clientAuthMethod !== 'client_secret_basic' && clientAuthMethod !== 'client_secret_post') {
    throw new ConfigurationError(
      "ALEXA_CLIENT_AUTH_METHOD must be client_secret_basic (the console's HTTP Basic) or client_secret_post (credentials in the request body)",
    );
  }
  const redirectUris = list('ALEXA_REDIRECT_URIS', /,/);
  for (const uri of redirectUris)
    if (!URL.canParse(uri)) throw new ConfigurationError('ALEXA_REDIRECT_URIS holds something that is not a URL');

  secrets.add(value('ALEXA_CLIENT_SECRET'));
  const refreshTokenFile = options.refreshTokenFile ?? value('OAUTH_REFRESH_TOKEN_FILE');
  const codeFile = options.codeFile ?? value('OAUTH_AUTHORIZATION_CODE_FILE');
  if (refreshTokenFile === '-' && codeFile === '-')
    throw new UsageError('Only one of the refresh token and the grant code can come from stdin');
  const refreshToken =
    refreshTokenFile === undefined
      ? undefined
      : await readSecret(
          refreshTokenFile,
          'refresh token',
          options.refreshTokenFile !== undefined ? '--refresh-token-file' : 'OAUTH_REFRESH_TOKEN_FILE',
          io,
          secrets,
        );
  const authorizationCode =
    codeFile === undefined
      ? undefined
      : await readSecret(
          codeFile,
          'grant code',
          options.codeFile !== undefined ? '--code-file' : 'OAUTH_AUTHORIZATION_CODE_FILE',
          io,
          secrets,
        );

  return {
    ...(issuer !== undefined ? { issuer } : {}),
    ...(authorizationUrl !== undefined ? { authorizationUrl } : {}),
    ...(tokenUrl !== undefined ? { tokenUrl } : {}),
    clientId: required(
      'ALEXA_CLIENT_ID',
      "the client ID Alexa uses at the authorization server (the console's Your Client ID)",
    ),
    clientSecret: required(
      'ALEXA_CLIENT_SECRET',
      "the client secret Alexa uses at the authorization server (the console's Your Secret)",
    ),
    clientAuthMethod,
    redirectUris,
    scopes: list('ALEXA_SCOPES', /[,\s]+/),
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(authorizationCode !== undefined ? { authorizationCode } : {}),
    ...(options.codeRedirectUri !== undefined ? { codeRedirectUri: options.codeRedirectUri } : {}),
    reuseAfterMs: options.reuseAfterSeconds * 1000,
    verifierEnvironment: env,
  };
}

/**
 * The secret in `file` (- for stdin). Errors name the option (`given`), never the file name: a token
 * given where the file name goes would be printed.
 */
async function readSecret(file: string, what: string, given: string, io: CommandIo, secrets: Secrets): Promise<string> {
  const source = file === '-' ? 'stdin' : `the file given to ${given}`;
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `Could not read ${source} (${printable((error as NodeJS.ErrnoException).code ?? 'error', 20)}): it should hold the ${what} (a token given in place of a file name is not used)`,
    );
  }
  const secret = text.trim();
  secrets.add(secret);
  if (secret === '' || /\s/.test(secret))
    throw new ConfigurationError(
      `${source === 'stdin' ? 'Stdin' : `The file given to ${given}`} must hold the ${what} alone, on one line`,
    );
  return secret;
}
