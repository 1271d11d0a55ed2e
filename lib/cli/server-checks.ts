/**
 * The checks of `check-server`: the authorization server tried the way Alexa tries it (discovery,
 * transport, redirect URIs, the code exchange, a refresh and its reuse, the answer times) and the
 * way the skill's verifier will. Secrets are sent only over HTTPS with a certificate this process
 * trusts, or plain HTTP to a loopback address (a rehearsal); every token and secret met is added to
 * {@link Secrets}, which the report is redacted with. See `docs/check-server.md`.
 */
import { ConfigurationError } from '../errors';
import { checkDiscovery, checkTransport, type Role } from './discovery-checks';
import type { Finding, Secrets } from './findings';
import { isLoopback } from './http-probe';
import { checkRedirectUris } from './redirect-checks';
import { DEFAULT_REQUEST_TIMEOUT_MS, type ServerCheckConfig } from './server-check-config';
import { basicCredential } from './token-answers';
import { checkTokenRequests } from './token-checks';
import { checkVerifier } from './verifier-check';

export type { ServerCheckConfig } from './server-check-config';

/** Runs every check against the authorization server of `config`, in Alexa's order; the findings, and the token URL they are about. */
export async function runServerChecks(
  config: ServerCheckConfig,
  secrets: Secrets,
): Promise<{ tokenUrl: string; findings: Finding[] }> {
  const findings: Finding[] = [];
  const add = (finding: Finding) => findings.push(finding);
  const requestTimeoutMs = config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  secrets.add(config.clientSecret);
  secrets.add(basicCredential(config));
  secrets.add(config.refreshToken);
  secrets.add(config.authorizationCode);
  for (const name of ['JWT_SECRET', 'INTROSPECTION_CLIENT_SECRET']) secrets.add(config.verifierEnvironment[name]);

  // Discovery: not something Alexa uses (the console holds the URLs), but the skill's settings often come from it.
  const { authorizationUrl, tokenUrl, discoveryUrl, names, discoveredTokenEndpoint } = await checkDiscovery(
    config,
    add,
    requestTimeoutMs,
  );
  if (!tokenUrl) {
    // Nothing to send token requests to. A transport fault of the issuer (plain HTTP, an untrusted
    // certificate) is still a finding; anything else is a check that could not run.
    const issuerUrl = config.issuer!;
    await checkTransport('discovery document', issuerUrl, isLoopback(issuerUrl), new Map(), add, requestTimeoutMs);
    if (!findings.some((finding) => finding.severity === 'unlinks-users' || finding.severity === 'breaks-linking')) {
      throw new ConfigurationError(
        `Set OAUTH_TOKEN_URL (the console's Access Token URI): OAUTH_ISSUER's discovery document gave ${discoveredTokenEndpoint !== undefined ? 'a token_endpoint that is not an absolute http(s) URL' : 'no token_endpoint'}`,
      );
    }
    add({
      id: 'token-requests',
      severity: 'not-checked',
      subject: 'token endpoint',
      summary:
        'No token request was sent: OAUTH_TOKEN_URL is not set, and the discovery document gave no usable token_endpoint.',
      sources: [],
    });
    return { tokenUrl: issuerUrl, findings };
  }
  for (const [name, url] of [
    [names.token, tokenUrl],
    [names.authorization, authorizationUrl],
  ] as const) {
    if (url !== undefined && !/^https?:\/\//i.test(url)) throw new ConfigurationError(`${name} is not an http(s) URL`);
  }

  // Transport: HTTPS, port 443, a certificate Alexa trusts.
  const endpoints: [Role, string][] = [];
  if (discoveryUrl) endpoints.push(['discovery document', discoveryUrl]);
  if (authorizationUrl) endpoints.push(['authorization endpoint', authorizationUrl]);
  endpoints.push(['token endpoint', tokenUrl]);
  const rehearsal = endpoints.some(([, url]) => isLoopback(url));
  if (rehearsal) {
    add({
      id: 'rehearsal',
      severity: 'warning',
      summary:
        'The server is on a loopback address: Alexa cannot reach it. This run rehearses the checks; the port and the certificate authority are reported as warnings here, and would break linking on a public server.',
      change: 'Run the check again against the deployed server before users link.',
      sources: ['requirements'],
    });
  }
  const checkedOrigins = new Map<string, boolean>();
  const usable = new Map<string, { ok: boolean; why?: string }>();
  for (const [role, url] of endpoints) {
    usable.set(url, await checkTransport(role, url, rehearsal, checkedOrigins, add, requestTimeoutMs));
  }

  // Redirect URIs: the authorization endpoint must take each of Alexa's.
  await checkRedirectUris(config, authorizationUrl, usable, add, requestTimeoutMs);

  // The token endpoint, as Alexa uses it.
  const token = usable.get(tokenUrl)!;
  let accessToken: string | undefined;
  if (!token.ok) {
    add({
      id: 'token-requests',
      severity: 'not-checked',
      subject: 'token endpoint',
      summary: `No token request was sent: ${token.why}.`,
      sources: [],
    });
  } else {
    accessToken = await checkTokenRequests(config, tokenUrl, secrets, add, requestTimeoutMs);
  }

  await checkVerifier(config.verifierEnvironment, accessToken, add);
  return { tokenUrl, findings };
}
