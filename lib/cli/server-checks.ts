/**
 * The checks of `check-server`: the authorization server tried the way Alexa tries it (discovery,
 * HTTPS on 443 with a publicly trusted certificate, the redirect URIs, the code exchange, a
 * refresh, the old refresh token used again, the answer times) and the way the skill's verifier
 * will (the access token it got, through the verifier the environment configures).
 *
 * Secrets (the client secret, the refresh token, the grant code) are sent only over HTTPS with a
 * certificate this process trusts, or plain HTTP to a loopback address (a rehearsal); every token
 * and secret met is added to {@link Secrets}, which the report is redacted with.
 */
import { CannotDecideError, ConfigurationError } from '../errors';
import { verifierFromEnvironment, type Environment } from '../verification/environment';
import { certificateTrust, isLoopback, probe, ProbeError, type ProbeResponse } from './http-probe';
import { oauthErrorCode, printable, type Finding, type Secrets } from './findings';
import {
  ALEXA_REDIRECT_HOSTS,
  MIN_ACCESS_TOKEN_LIFETIME_SECONDS,
  TOKEN_RESPONSE_LIMIT_MS,
  TOKEN_RESPONSE_WARNING_MS,
} from './server-rules';

export interface ServerCheckConfig {
  /** OAUTH_ISSUER: discovery at `<issuer>/.well-known/oauth-authorization-server`, then `/.well-known/openid-configuration`. */
  issuer?: string;
  /** OAUTH_AUTHORIZATION_URL (else from discovery). */
  authorizationUrl?: string;
  /** OAUTH_TOKEN_URL (else from discovery). */
  tokenUrl?: string;
  /** ALEXA_CLIENT_ID / ALEXA_CLIENT_SECRET: the client Alexa is at the server. */
  clientId: string;
  clientSecret: string;
  /** ALEXA_CLIENT_AUTH_METHOD: the console's "Authentication Scheme" (HTTP Basic, or credentials in the request body). */
  clientAuthMethod: 'client_secret_basic' | 'client_secret_post';
  /** ALEXA_REDIRECT_URIS: the Alexa redirect URIs the console lists for the skill. */
  redirectUris: string[];
  /** ALEXA_SCOPES: the scopes the console asks for, space separated in the request. */
  scopes: string[];
  /** A refresh token of one real link. */
  refreshToken?: string;
  /** Or an unused authorization code of one real link, exchanged as Alexa does. */
  authorizationCode?: string;
  /** The redirect_uri the code was issued for. Default: the first of redirectUris. */
  codeRedirectUri?: string;
  /** How long after a refresh the old refresh token is used again. */
  reuseAfterMs: number;
  /** The skill's verifier configuration (TOKEN_VERIFIER, JWT_*, JWKS_URI, INTROSPECTION_*, LWA_*). */
  verifierEnvironment: Environment;
  /** How long one request may take before it counts as no answer. Default: 10 s (twice Alexa's limit, to tell slow from down). */
  requestTimeoutMs?: number;
}

interface TokenAnswer {
  status: number;
  elapsedMs: number;
  body: Record<string, unknown> | undefined;
}

type Role = 'discovery document' | 'authorization endpoint' | 'token endpoint';

export async function runServerChecks(config: ServerCheckConfig, secrets: Secrets): Promise<{ tokenUrl: string; findings: Finding[] }> {
  const findings: Finding[] = [];
  const add = (finding: Finding) => findings.push(finding);
  const timeoutMs = config.requestTimeoutMs ?? 10_000;
  secrets.add(config.clientSecret);
  secrets.add(basicCredential(config));
  secrets.add(config.refreshToken);
  secrets.add(config.authorizationCode);
  for (const name of ['JWT_SECRET', 'INTROSPECTION_CLIENT_SECRET']) secrets.add(config.verifierEnvironment[name]);

  // Discovery: not something Alexa uses (the console holds the URLs), but the skill's settings often come from it.
  let { authorizationUrl, tokenUrl } = config;
  let discoveryUrl: string | undefined;
  /** Where each URL came from, to name it in an error. */
  const names = { token: 'OAUTH_TOKEN_URL', authorization: 'OAUTH_AUTHORIZATION_URL' };
  let discoveredTokenEndpoint: string | undefined;
  if (config.issuer) {
    const found = await discover(config.issuer, timeoutMs);
    if ('metadata' in found) {
      discoveryUrl = found.url;
      const { metadata } = found;
      const issuerMatches = metadata.issuer === config.issuer;
      add({
        id: 'discovery',
        severity: issuerMatches ? 'ok' : 'warning',
        subject: found.url,
        summary: issuerMatches
          ? 'The discovery document answers and names this issuer.'
          : `The discovery document names the issuer ${typeof metadata.issuer === 'string' ? JSON.stringify(printable(metadata.issuer)) : 'nothing (no string)'}, not OAUTH_ISSUER (${config.issuer}).`,
        ...(issuerMatches ? {} : { change: 'Set OAUTH_ISSUER (and JWT_ISSUER) to the issuer the server announces, or fix the server\'s issuer.' }),
        sources: ['verifier'],
      });
      // RFC 8414: the endpoints are absolute https URLs. A relative one is reported, not guessed at.
      for (const [field, role] of [['authorization_endpoint', 'authorization'], ['token_endpoint', 'token']] as const) {
        const endpoint = metadata[field];
        if (role === 'token' ? tokenUrl !== undefined : authorizationUrl !== undefined) continue;
        if (typeof endpoint !== 'string') continue;
        if (/^https?:\/\//i.test(endpoint) && URL.canParse(endpoint)) {
          if (role === 'token') tokenUrl = endpoint;
          else authorizationUrl = endpoint;
          names[role] = `the discovery document's ${field}`;
        } else {
          if (role === 'token') discoveredTokenEndpoint = endpoint;
          add({
            id: 'discovery',
            severity: 'warning',
            subject: found.url,
            summary: `The discovery document's ${field} is not an absolute http(s) URL (${JSON.stringify(printable(endpoint))}), so it was not used.`,
            alexa: 'Alexa does not read discovery (the console holds the URIs); a client that does, such as a verifier, cannot use it.',
            change: `Give ${role === 'token' ? 'OAUTH_TOKEN_URL' : 'OAUTH_AUTHORIZATION_URL'} (the console's URI), and make the server announce an absolute URL.`,
            sources: ['verifier'],
          });
        }
      }
    } else {
      add({
        id: 'discovery',
        severity: 'warning',
        subject: config.issuer,
        summary: `No discovery document could be read: ${found.error}.`,
        alexa: 'Alexa does not read it (the console holds the authorization and token URIs), so nothing breaks for Alexa.',
        change: 'Give OAUTH_AUTHORIZATION_URL and OAUTH_TOKEN_URL (the URIs of the console), or fix OAUTH_ISSUER.',
        sources: ['verifier'],
      });
    }
  }
  if (!tokenUrl) {
    // Nothing to send token requests to. A transport fault of the issuer (plain HTTP, an untrusted
    // certificate) is still a finding; anything else is a check that could not run.
    const issuerUrl = config.issuer!;
    await checkTransport('discovery document', issuerUrl, isLoopback(issuerUrl), new Map(), add, timeoutMs);
    if (!findings.some((finding) => finding.severity === 'unlinks-users' || finding.severity === 'breaks-linking')) {
      throw new ConfigurationError(`Set OAUTH_TOKEN_URL (the console's Access Token URI): OAUTH_ISSUER's discovery document gave ${discoveredTokenEndpoint !== undefined ? 'a token_endpoint that is not an absolute http(s) URL' : 'no token_endpoint'}`);
    }
    add({ id: 'token-requests', severity: 'not-checked', subject: 'token endpoint', summary: 'No token request was sent: OAUTH_TOKEN_URL is not set, and the discovery document gave no usable token_endpoint.', sources: [] });
    return { tokenUrl: issuerUrl, findings };
  }
  for (const [name, url] of [[names.token, tokenUrl], [names.authorization, authorizationUrl]] as const) {
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
      summary: 'The server is on a loopback address: Alexa cannot reach it. This run rehearses the checks; the port and the certificate authority are reported as warnings here, and would break linking on a public server.',
      change: 'Run the check again against the deployed server before users link.',
      sources: ['requirements'],
    });
  }
  const checkedOrigins = new Map<string, boolean>();
  const usable = new Map<string, { ok: boolean; why?: string }>();
  for (const [role, url] of endpoints) {
    usable.set(url, await checkTransport(role, url, rehearsal, checkedOrigins, add, timeoutMs));
  }

  // Redirect URIs: the authorization endpoint must take each of Alexa's.
  await checkRedirectUris(config, authorizationUrl, usable, add, timeoutMs);

  // The token endpoint, as Alexa uses it.
  const token = usable.get(tokenUrl)!;
  const times: { what: string; ms: number }[] = [];
  const tokenRequest = async (what: string, form: Record<string, string>): Promise<TokenAnswer | ProbeError> => {
    const answer = await requestToken(tokenUrl!, config, form, timeoutMs);
    if (answer instanceof ProbeError) {
      times.push({ what, ms: answer.elapsedMs });
      return answer;
    }
    times.push({ what, ms: answer.elapsedMs });
    for (const key of ['access_token', 'refresh_token', 'id_token']) secrets.add(answer.body?.[key]);
    return answer;
  };

  let refreshToken = config.refreshToken;
  let accessToken: string | undefined;
  if (!token.ok) {
    add({ id: 'token-requests', severity: 'not-checked', subject: 'token endpoint', summary: `No token request was sent: ${token.why}.`, sources: [] });
  } else {
    if (config.authorizationCode) {
      const redirectUri = config.codeRedirectUri ?? config.redirectUris[0];
      if (!redirectUri) throw new ConfigurationError('Exchanging a grant code needs the redirect_uri it was issued for: set ALEXA_REDIRECT_URIS or --code-redirect-uri');
      const answer = await tokenRequest('code exchange', { grant_type: 'authorization_code', code: config.authorizationCode, redirect_uri: redirectUri });
      if (judgeTokenAnswer('code exchange', answer, add)) {
        const { body } = answer;
        judgeTokenShape('code exchange', body, add);
        accessToken = body.access_token as string;
        if (typeof body.refresh_token === 'string' && body.refresh_token !== '') {
          refreshToken ??= body.refresh_token;
          add({ id: 'refresh-token-issued', severity: 'ok', subject: 'code exchange', summary: 'The code exchange answers a refresh token.', sources: ['faq'] });
        } else {
          add({
            id: 'refresh-token-issued',
            severity: 'unlinks-users',
            subject: 'code exchange',
            summary: 'The code exchange answers no refresh_token.',
            alexa: 'Alexa links the user, and when the access token expires it has no way to a new one: the user is unlinked and asked to link again, once per access token lifetime.',
            change: 'Issue a refresh token with the authorization code grant to Alexa\'s client (e.g. allow the refresh_token grant and the offline_access scope for it, and add that scope in the console).',
            sources: ['faq', 'noRefreshToken', 'refreshFailureUnlinks'],
          });
        }
      }
    }

    if (refreshToken === undefined) {
      add({
        id: 'refresh',
        severity: 'not-checked',
        summary: config.authorizationCode ? 'No refresh token to try: the code exchange gave none.' : 'No refresh token was given, so the refresh, its reuse and the verifier were not tried.',
        ...(config.authorizationCode ? {} : { change: 'Link once (the sandbox, npm start, gives a refresh token), and pass the refresh token with --refresh-token-file <file> (or - for stdin).' }),
        sources: [],
      });
    } else {
      const first = await tokenRequest('refresh', { grant_type: 'refresh_token', refresh_token: refreshToken });
      // A refresh token given (not got from this run's code exchange) may have been spent by an earlier
      // run: rotated since, or its link revoked by the reuse test. The server's invalid_grant cannot
      // tell that from a server that refuses its own refresh tokens, so it is not a verdict.
      const given = refreshToken === config.refreshToken;
      if (given && !(first instanceof ProbeError) && first.status === 400 && first.body?.error === 'invalid_grant') {
        add({
          id: 'refresh',
          severity: 'not-checked',
          summary: `The refresh token given is refused (${describeFailure(first)}). A refresh token an earlier run of this check used (replaced by rotation, or its link revoked by the reuse test), or one whose link has ended, is refused this way too, so this says nothing about the server; the refresh, its reuse and the verifier were not tried.`,
          change: 'Link again and give the check the new refresh token; or give --code-file, so that the refresh is tried with a refresh token of this run (its refusal is then a finding).',
          sources: [],
        });
      } else if (judgeTokenAnswer('refresh', first, add)) {
        const { body } = first;
        accessToken = body.access_token as string;
        const next = typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : undefined;
        const rotated = next !== undefined && next !== refreshToken;
        add({
          id: 'refresh',
          severity: 'ok',
          summary: `The refresh token is accepted; the server ${rotated ? 'rotates refresh tokens (a new one with each refresh)' : 'keeps the same refresh token'}.`,
          sources: ['refreshPair'],
        });
        if (rotated && given) {
          add({
            id: 'refresh-token-replaced',
            severity: 'warning',
            summary: 'The server replaced the refresh token given with a new one, which this check does not keep: once the server\'s grace period for the old one ends, another run with the same token finds the refresh not-checked.',
            change: 'Link again before the next run (or give --code-file). Never give the check a refresh token Alexa holds: the check rotates it.',
            sources: [],
          });
        }
        judgeTokenShape('refresh', body, add);
        await sleep(config.reuseAfterMs);
        const reuse = await tokenRequest('old refresh token again', { grant_type: 'refresh_token', refresh_token: refreshToken });
        const seconds = `${Math.round(config.reuseAfterMs / 100) / 10} s`;
        if (reuse instanceof ProbeError) {
          add({
            id: 'refresh-reuse',
            severity: 'not-checked',
            summary: `The old refresh token was sent again ${seconds} after the refresh, but no answer came (${reuse.message}): whether the server takes a reused refresh token was not checked.`,
            change: 'Run the check again with a fresh link once the token endpoint answers.',
            sources: [],
          });
        } else if (reuse.status !== 200 || typeof reuse.body?.access_token !== 'string') {
          add({
            id: 'refresh-reuse',
            severity: 'unlinks-users',
            summary: `The old refresh token, used again ${seconds} after a refresh, is refused (${describeFailure(reuse)})${rotated ? ': the server rotates refresh tokens without a grace period' : ': the server accepts each refresh token once'}.`,
            alexa: 'When Alexa does not get the answer to a refresh (a timeout, a network fault) and sends the refresh token it holds again, the server refuses it: Alexa unlinks the user and asks them to link again. (That Alexa resends the old refresh token is not stated by Amazon: not confirmed; the refusal of a retry is what turns into an unlink.)',
            change: 'Keep a replaced refresh token usable for a grace period (a minute or more) after rotating it, answering its reuse within the period as a normal refresh; or do not rotate refresh tokens for Alexa\'s client. Do not revoke the whole grant on a reuse within the grace period.',
            sources: ['prematureInvalidation', 'refreshFailureUnlinks'],
          });
          if (rotated) {
            add({ id: 'refresh-latest', severity: 'not-checked', summary: 'The newest refresh token was not tried: the check may have spent this link (a server that revokes the grant on reuse has). Link again before the next run.', sources: [] });
          }
        } else {
          accessToken = reuse.body.access_token;
          add({ id: 'refresh-reuse', severity: 'ok', summary: `The old refresh token, used again ${seconds} after a refresh, is still accepted${rotated ? ' (rotation with a grace period)' : ''}.`, sources: ['prematureInvalidation'] });
          const newest = typeof reuse.body.refresh_token === 'string' && reuse.body.refresh_token !== '' ? reuse.body.refresh_token : next;
          if (newest !== undefined && newest !== refreshToken) {
            const latest = await tokenRequest('newest refresh token', { grant_type: 'refresh_token', refresh_token: newest });
            if (latest instanceof ProbeError) {
              add({ id: 'refresh-latest', severity: 'not-checked', summary: `The newest refresh token was sent, but no answer came (${latest.message}): whether the reuse revoked the grant was not checked.`, sources: [] });
            } else if (latest.status !== 200 || typeof latest.body?.access_token !== 'string') {
              add({
                id: 'refresh-latest',
                severity: 'unlinks-users',
                summary: `After the old refresh token was used again, the newest one is refused (${describeFailure(latest)}): the reuse revoked the grant.`,
                alexa: 'Alexa keeps the refresh token of the last answer it got; the next refresh with it fails and Alexa unlinks the user.',
                change: 'Within the grace period, answer the reuse of a replaced refresh token without revoking the grant (or the tokens issued since).',
                sources: ['prematureInvalidation', 'refreshFailureUnlinks'],
              });
            } else {
              accessToken = latest.body.access_token;
              add({ id: 'refresh-latest', severity: 'ok', summary: 'The newest refresh token still works after the old one was used again.', sources: ['prematureInvalidation'] });
            }
          }
        }
      }
    }
    judgeTimes(times, add);
  }

  await checkVerifier(config.verifierEnvironment, accessToken, add);
  return { tokenUrl, findings };
}

async function discover(issuer: string, timeoutMs: number): Promise<{ url: string; metadata: Record<string, unknown> } | { error: string }> {
  const base = issuer.replace(/\/$/, '');
  const errors: string[] = [];
  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    const url = `${base}${path}`;
    try {
      const answer = await probe(url, { timeoutMs, headers: { Accept: 'application/json' } });
      const metadata = answer.status === 200 ? parseJson(answer.body) : undefined;
      if (metadata) return { url, metadata };
      errors.push(`${path} answered ${answer.status}`);
    } catch (error) {
      errors.push(error instanceof ProbeError ? error.message : `${path} could not be read`);
    }
  }
  return { error: errors.join('; ') };
}

async function checkTransport(
  role: Role,
  url: string,
  rehearsal: boolean,
  checkedOrigins: Map<string, boolean>,
  add: (finding: Finding) => void,
  timeoutMs: number,
): Promise<{ ok: boolean; why?: string }> {
  const target = new URL(url);
  const loopback = isLoopback(url);
  if (target.protocol !== 'https:') {
    add({
      id: 'https',
      severity: 'breaks-linking',
      subject: `${role} ${url}`,
      summary: `The ${role} is plain HTTP.`,
      alexa: role === 'token endpoint'
        ? 'Alexa exchanges codes and refreshes tokens over HTTPS only: linking fails, and linked users\' tokens cannot be refreshed.'
        : 'Alexa opens the authorization URI over HTTPS only: linking fails.',
      change: `Serve the ${role} over HTTPS on port 443 with a certificate from a public certificate authority, and put the https:// URI in the console.`,
      sources: ['requirements', 'faq'],
    });
    return loopback ? { ok: true } : { ok: false, why: `the ${role} is plain HTTP on a non-loopback address: no secret is sent over it` };
  }
  const port = Number(target.port || 443);
  if (port !== 443) {
    add({
      id: 'port-443',
      severity: rehearsal || loopback ? 'warning' : 'breaks-linking',
      subject: `${role} ${url}`,
      summary: `The ${role} is on port ${port}, not 443${loopback ? ' (a loopback rehearsal)' : ''}.`,
      alexa: 'Alexa reaches the authorization server on port 443 only: linking would fail.',
      change: 'Serve the endpoint on port 443.',
      sources: role === 'token endpoint' ? ['requirements', 'tokenUriPort'] : ['requirements'],
    });
  } else {
    add({ id: 'port-443', severity: 'ok', subject: `${role} ${url}`, summary: `The ${role} is HTTPS on port 443.`, sources: ['requirements'] });
  }
  const origin = target.origin;
  if (checkedOrigins.has(origin)) {
    return checkedOrigins.get(origin) ? { ok: true } : { ok: false, why: `the certificate of ${origin} is not trusted` };
  }
  const trust = await certificateTrust(url, timeoutMs);
  checkedOrigins.set(origin, trust.byProcess);
  if (trust.publicly) {
    add({ id: 'certificate', severity: 'ok', subject: origin, summary: `The certificate chain verifies against the public certificate authorities${trust.issuer ? ` (issuer: ${trust.issuer})` : ''}.`, sources: ['requirements', 'faq'] });
    if (trust.issuer && /let'?s encrypt/i.test(trust.issuer)) {
      add({
        id: 'certificate-lets-encrypt',
        severity: 'warning',
        subject: origin,
        summary: 'The certificate is issued by Let\'s Encrypt.',
        alexa: 'Amazon\'s requirements page says a Let\'s Encrypt certificate cannot be used for account linking (whether Alexa refuses one today was not confirmed).',
        change: 'Use a certificate from another public certificate authority.',
        sources: ['requirements'],
      });
    }
  } else if (trust.byProcess) {
    add({
      id: 'certificate',
      severity: rehearsal || loopback ? 'warning' : 'breaks-linking',
      subject: origin,
      summary: `The certificate chain verifies only against a private certificate authority this process was given (NODE_EXTRA_CA_CERTS), not the public ones (${trust.publicError}).`,
      alexa: 'Alexa trusts certificates from Amazon-approved (public) certificate authorities only: linking and refreshes would fail.',
      change: 'Use a certificate from a public certificate authority on the deployed server (the private one is fine for this rehearsal).',
      sources: ['requirements', 'faq'],
    });
  } else {
    add({
      id: 'certificate',
      severity: 'breaks-linking',
      subject: origin,
      summary: `The certificate is not trusted (${trust.processError ?? trust.publicError}).`,
      alexa: 'Alexa refuses the TLS connection: linking fails, and linked users\' tokens cannot be refreshed.',
      change: 'Serve a certificate from a public certificate authority that names the host, with its full chain. (For a rehearsal against a private CA, give its certificate in NODE_EXTRA_CA_CERTS.)',
      sources: ['requirements', 'faq'],
    });
    return { ok: false, why: `the certificate of ${origin} is not trusted (${trust.processError ?? trust.publicError}): no secret is sent to it` };
  }
  return { ok: true };
}

async function checkRedirectUris(
  config: ServerCheckConfig,
  authorizationUrl: string | undefined,
  usable: Map<string, { ok: boolean; why?: string }>,
  add: (finding: Finding) => void,
  timeoutMs: number,
): Promise<void> {
  if (config.redirectUris.length === 0 || !authorizationUrl) {
    add({
      id: 'redirect-uris',
      severity: 'not-checked',
      summary: !authorizationUrl ? 'No authorization URL (OAUTH_AUTHORIZATION_URL or discovery), so the redirect URIs were not tried.' : 'ALEXA_REDIRECT_URIS is not set, so the redirect URIs were not tried.',
      change: 'Set ALEXA_REDIRECT_URIS to the Alexa Redirect URLs the console lists for the skill (comma separated).',
      sources: [],
    });
    return;
  }
  const transport = usable.get(authorizationUrl);
  if (transport && !transport.ok) {
    add({ id: 'redirect-uris', severity: 'not-checked', summary: `The redirect URIs were not tried: ${transport.why}.`, sources: [] });
    return;
  }
  const hosts = new Set(config.redirectUris.map((uri) => (URL.canParse(uri) ? new URL(uri).hostname : '')));
  const missing = ALEXA_REDIRECT_HOSTS.filter((host) => !hosts.has(host));
  if (missing.length > 0) {
    add({
      id: 'redirect-uris',
      severity: 'warning',
      subject: 'ALEXA_REDIRECT_URIS',
      summary: `ALEXA_REDIRECT_URIS has no URI on ${missing.join(', ')}, so ${missing.length > 1 ? 'those regions were' : 'that region was'} not tried.`,
      change: 'List every Alexa Redirect URL of the console in ALEXA_REDIRECT_URIS.',
      sources: ['redirectUris'],
    });
  }
  for (const redirectUri of config.redirectUris) {
    const url = new URL(authorizationUrl);
    url.searchParams.set('client_id', config.clientId);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('state', 'check-server');
    if (config.scopes.length > 0) url.searchParams.set('scope', config.scopes.join(' '));
    let answer: ProbeResponse;
    try {
      answer = await probe(url.href, { timeoutMs });
    } catch (error) {
      add({ id: 'redirect-uris', severity: 'not-checked', subject: redirectUri, summary: `The authorization endpoint did not answer: ${error instanceof ProbeError ? error.message : 'error'}.`, sources: [] });
      continue;
    }
    const location = typeof answer.headers.location === 'string' ? answer.headers.location : undefined;
    const target = location !== undefined && URL.canParse(location, url.href) ? new URL(location, url.href) : undefined;
    const backToAlexa = target !== undefined && `${target.origin}${target.pathname}` === withoutQuery(redirectUri);
    // An error page (Cognito: 302 to /error?error=redirect_mismatch) or Alexa with an error: error= in the query or the fragment.
    const errorParams = target ? [target.searchParams, new URLSearchParams(target.hash.slice(1))].find((params) => params.has('error')) : undefined;
    const error = errorParams ? oauthErrorCode(errorParams.get('error')) ?? '(not an RFC 6749 error code)' : undefined;
    const answered = `it answered ${answer.status}${target ? ` to ${printable(`${target.origin}${target.pathname}`)}` : ''}`;
    if (location !== undefined && target === undefined) {
      add({
        id: 'redirect-uris',
        severity: 'warning',
        subject: redirectUri,
        summary: `The authorization endpoint answered ${answer.status} with a Location that is not a URL: whether it takes this redirect URI was not found out.`,
        alexa: 'A browser may not follow it: linking could end there.',
        change: 'Open the authorization URL with this redirect URI in a browser, and make the server answer a valid Location.',
        sources: ['redirectUris'],
      });
    } else if (error !== undefined && !backToAlexa) {
      add({
        id: 'redirect-uris',
        severity: 'breaks-linking',
        subject: redirectUri,
        summary: `The authorization endpoint sends the user to an error page with error=${error} (${answered}) instead of the login page: it refuses this redirect URI, or the request, for client ${config.clientId}.`,
        alexa: 'Users whose Alexa account is in this region see an error page instead of the login page: they cannot link.',
        change: `Register ${redirectUri} as a redirect URI of Alexa's client (${config.clientId}) at the authorization server; if it is, check the error named (the scopes, the client's grant types).`,
        sources: ['redirectUris'],
      });
    } else if (answer.status >= 400) {
      add({
        id: 'redirect-uris',
        severity: 'breaks-linking',
        subject: redirectUri,
        summary: `The authorization endpoint refuses this redirect URI for client ${config.clientId} (it answered ${answer.status}).`,
        alexa: 'Users whose Alexa account is in this region see an error page instead of the login page: they cannot link.',
        change: `Register ${redirectUri} as a redirect URI of Alexa's client (${config.clientId}) at the authorization server.`,
        sources: ['redirectUris'],
      });
    } else if (error) {
      add({
        id: 'redirect-uris',
        severity: 'warning',
        subject: redirectUri,
        summary: `The redirect URI is accepted, but the authorization endpoint sends the user back with error=${error}.`,
        alexa: 'Linking ends with an error in the Alexa app.',
        change: 'Check the scopes (ALEXA_SCOPES, as in the console) and that Alexa\'s client may use the authorization code grant.',
        sources: ['redirectUris'],
      });
    } else if (backToAlexa) {
      add({ id: 'redirect-uris', severity: 'ok', subject: redirectUri, summary: `The authorization endpoint takes this redirect URI (it sends the user back to Alexa with ${answer.status}).`, sources: ['redirectUris'] });
    } else {
      // A login page or a redirect to one: the URI was not refused, which is not proof it is registered.
      add({
        id: 'redirect-uris',
        severity: 'ok',
        subject: redirectUri,
        summary: `The authorization endpoint does not refuse this redirect URI before login (${answered}, no error). A server that checks the redirect URI only after login is not covered by this check.`,
        sources: ['redirectUris'],
      });
    }
  }
}

/** `uri` without its query and fragment. */
function withoutQuery(uri: string): string {
  const url = new URL(uri);
  return `${url.origin}${url.pathname}`;
}

/** The HTTP Basic credential of Alexa's client, as sent (a secret: it decodes to the client secret). */
function basicCredential(config: ServerCheckConfig): string {
  return Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64');
}

async function requestToken(tokenUrl: string, config: ServerCheckConfig, form: Record<string, string>, timeoutMs: number): Promise<TokenAnswer | ProbeError> {
  const body = new URLSearchParams(form);
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
  if (config.clientAuthMethod === 'client_secret_basic') {
    headers.Authorization = `Basic ${basicCredential(config)}`;
  } else {
    body.set('client_id', config.clientId);
    body.set('client_secret', config.clientSecret);
  }
  try {
    const answer = await probe(tokenUrl, { method: 'POST', headers, body: body.toString(), timeoutMs });
    return { status: answer.status, elapsedMs: answer.elapsedMs, body: parseJson(answer.body) };
  } catch (error) {
    if (error instanceof ProbeError) return error;
    throw error;
  }
}

/** True when `answer` is a usable token answer (200, an access token); else reports why not. */
function judgeTokenAnswer(what: 'code exchange' | 'refresh', answer: TokenAnswer | ProbeError, add: (finding: Finding) => void): answer is TokenAnswer & { body: Record<string, unknown> } {
  if (answer instanceof ProbeError || answer.status !== 200 || typeof answer.body?.access_token !== 'string' || answer.body.access_token === '') {
    const clientRefused = !(answer instanceof ProbeError) && (answer.status === 401 || answer.body?.error === 'invalid_client');
    add({
      id: clientRefused ? 'client-authentication' : what === 'refresh' ? 'refresh' : 'token-exchange',
      severity: clientRefused || what === 'code exchange' ? 'breaks-linking' : 'unlinks-users',
      subject: what,
      summary: `The ${what} fails: ${describeFailure(answer)}.`,
      alexa: clientRefused
        ? 'The token endpoint refuses Alexa\'s client credentials: no user can link, and no linked user\'s token can be refreshed.'
        : what === 'refresh'
          ? 'A refresh that fails this way makes Alexa drop the link: the user is asked to link again.'
          : 'Linking ends with "We were unable to link" in the Alexa app.',
      change: clientRefused
        ? `Check ALEXA_CLIENT_ID, ALEXA_CLIENT_SECRET and ALEXA_CLIENT_AUTH_METHOD (${'the console\'s Authentication Scheme'}) against the client registered at the server.`
        : what === 'refresh'
          ? 'Check that the refresh token comes from a current link with Alexa\'s client; if it does, the server refuses refresh tokens it issued: fix that first.'
          : 'Check that the code is fresh and unused, issued to Alexa\'s client for the redirect URI given (--code-redirect-uri), then the server\'s logs.',
      sources: what === 'refresh' ? ['refreshPair', 'refreshFailureUnlinks'] : ['faq'],
    });
    return false;
  }
  return true;
}

/** Reports token_type and expires_in of a usable token answer. */
function judgeTokenShape(what: 'code exchange' | 'refresh', body: Record<string, unknown>, add: (finding: Finding) => void): void {
  const failure = what === 'refresh' ? 'unlinks-users' : 'breaks-linking';
  const tokenType = typeof body.token_type === 'string' ? body.token_type : undefined;
  if (tokenType === undefined) {
    add({
      id: 'token-response',
      severity: failure,
      subject: what,
      summary: 'The token response has an access_token but no token_type.',
      alexa: 'RFC 6749 requires token_type; how Alexa treats its absence is not confirmed: count on a failed link or refresh.',
      change: 'Answer token_type: "Bearer" with every token response.',
      sources: ['tokenResponse'],
    });
  } else if (tokenType.toLowerCase() !== 'bearer') {
    add({ id: 'token-response', severity: 'warning', subject: what, summary: `The token_type is ${tokenType}, not Bearer.`, alexa: 'Alexa sends the access token to the skill as a bearer token; whether it refuses another token_type is not confirmed.', change: 'Answer token_type: "Bearer".', sources: ['tokenResponse'] });
  } else {
    add({ id: 'token-response', severity: 'ok', subject: what, summary: 'The token response is JSON with access_token and token_type Bearer.', sources: ['faq', 'tokenResponse'] });
  }
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : typeof body.expires_in === 'string' && /^\d+$/.test(body.expires_in) ? Number(body.expires_in) : undefined;
  if (expiresIn === undefined) {
    add({
      id: 'token-lifetime',
      severity: 'warning',
      subject: what,
      summary: 'The token response has no expires_in.',
      alexa: 'Alexa cannot tell when to refresh; what lifetime it assumes is not documented (not confirmed).',
      change: `Answer expires_in, ${MIN_ACCESS_TOKEN_LIFETIME_SECONDS} seconds or more.`,
      sources: ['faq', 'tokenResponse'],
    });
  } else if (expiresIn < MIN_ACCESS_TOKEN_LIFETIME_SECONDS) {
    add({
      id: 'token-lifetime',
      severity: 'unlinks-users',
      subject: what,
      summary: `Access tokens live ${expiresIn} s; Alexa's minimum is ${MIN_ACCESS_TOKEN_LIFETIME_SECONDS} s.`,
      alexa: 'Alexa can hand the skill a token that expires before the skill verifies it; a skill that answers "expired" (EXPIRED_AUTHORIZATION_CREDENTIAL, a LinkAccount card) makes Alexa unlink the user.',
      change: `Give Alexa's client access tokens of ${MIN_ACCESS_TOKEN_LIFETIME_SECONDS} seconds or more (an hour is common).`,
      sources: ['faq', 'expiredReplyUnlinks'],
    });
  } else {
    add({ id: 'token-lifetime', severity: 'ok', subject: what, summary: `Access tokens live ${expiresIn} s (Alexa's minimum: ${MIN_ACCESS_TOKEN_LIFETIME_SECONDS} s).`, sources: ['faq'] });
  }
}

function judgeTimes(times: readonly { what: string; ms: number }[], add: (finding: Finding) => void): void {
  if (times.length === 0) return;
  const slowest = times.reduce((a, b) => (b.ms > a.ms ? b : a));
  const all = times.map(({ what, ms }) => `${what} ${ms} ms`).join(', ');
  if (slowest.ms > TOKEN_RESPONSE_LIMIT_MS) {
    add({
      id: 'token-time',
      severity: 'breaks-linking',
      summary: `The token endpoint answered in up to ${slowest.ms} ms (${all}); Alexa waits ${TOKEN_RESPONSE_LIMIT_MS} ms.`,
      alexa: 'Alexa gives up on the answer: linking ends with "We were unable to link", and refreshes fail (whether Alexa then unlinks or retries later is not documented: not confirmed).',
      change: `Make the token endpoint answer well within ${TOKEN_RESPONSE_LIMIT_MS / 1000} s, connection and TLS handshake included (cold starts, slow user stores, rate limits in front of it).`,
      sources: ['faq'],
    });
  } else if (slowest.ms > TOKEN_RESPONSE_WARNING_MS) {
    add({
      id: 'token-time',
      severity: 'warning',
      summary: `The token endpoint answered in up to ${slowest.ms} ms (${all}): close to Alexa's ${TOKEN_RESPONSE_LIMIT_MS} ms.`,
      change: 'Make the token endpoint faster: a slower moment (a cold start) would cross Alexa\'s limit.',
      sources: ['faq'],
    });
  } else {
    add({ id: 'token-time', severity: 'ok', summary: `The token endpoint answered within ${slowest.ms} ms (${all}); Alexa waits ${TOKEN_RESPONSE_LIMIT_MS} ms.`, sources: ['faq'] });
  }
}

const VERIFIER_FINDINGS: [RegExp, string][] = [
  [/issuer/, 'verifier-issuer'],
  [/audience/, 'verifier-audience'],
  [/algorithm/, 'verifier-algorithm'],
  [/key set|signing key/, 'verifier-jwks'],
  [/introspection (credentials|request)/, 'verifier-introspection-client'],
];

async function checkVerifier(environment: Environment, accessToken: string | undefined, add: (finding: Finding) => void): Promise<void> {
  if (accessToken === undefined) {
    add({ id: 'verifier', severity: 'not-checked', summary: 'No access token was had, so the skill\'s verifier was not tried.', sources: [] });
    return;
  }
  let verifier;
  try {
    verifier = verifierFromEnvironment({ ...environment, VERIFY_CACHE_TTL_SECONDS: '0' });
  } catch (error) {
    add({
      id: 'verifier-configuration',
      severity: 'breaks-linking',
      summary: `The verifier's environment is wrong: ${printable((error as Error).message, 300)}.`,
      alexa: 'The skill\'s Lambda fails at cold start: every request of every linked user fails.',
      change: 'Fix the variable named (the same variables as the skill\'s Lambda).',
      sources: ['verifier'],
    });
    return;
  }
  const claims = describeJwt(accessToken);
  const deadline = new Date(Date.now() + 10_000);
  try {
    const verdict = await verifier.verify(accessToken, { family: 'custom', signal: AbortSignal.timeout(10_000), deadline });
    if (verdict.outcome === 'valid') {
      add({ id: 'verifier', severity: 'ok', summary: `The skill's verifier (TOKEN_VERIFIER=${environment.TOKEN_VERIFIER?.trim() || 'jwt'}) accepts the access token.`, sources: ['verifier'] });
    } else {
      add({
        id: 'verifier-rejects',
        severity: 'unlinks-users',
        summary: `The skill's verifier calls a token just issued ${verdict.outcome}${verdict.outcome === 'invalid' ? ` (${printable(verdict.reason, 200)})` : ''}${claims ? `; the token says ${claims}` : ''}.`,
        alexa: 'The skill answers an unlinking reply (a LinkAccount card, INVALID/EXPIRED_AUTHORIZATION_CREDENTIAL) to genuine tokens: Alexa unlinks users once the unlinking policy confirms it.',
        change: verdict.outcome === 'expired'
          ? 'Check the clocks of the server and the Lambda, and the access token lifetime.'
          : 'Point the verifier at the server that issued the token: JWKS_URI / JWT_PUBLIC_KEY / JWT_SECRET, or INTROSPECTION_URL.',
        sources: ['verifier', 'expiredReplyUnlinks'],
      });
    }
  } catch (error) {
    const reason = error instanceof CannotDecideError ? printable(error.reason, 200) : 'error';
    const id = VERIFIER_FINDINGS.find(([pattern]) => pattern.test(reason))?.[1] ?? 'verifier-could-not-decide';
    add({
      id,
      severity: 'breaks-linking',
      summary: `The skill's verifier could not decide on a token just issued (${reason})${claims ? `; the token says ${claims}` : ''}.`,
      alexa: 'The skill answers every linked user\'s request with its transient reply ("try again later"): nobody is unlinked, and nobody is served, until the deploy is fixed. Caught here, before any user met it.',
      change: error instanceof CannotDecideError ? printable(error.check, 300) : `The verifier failed (${printable((error as Error)?.name ?? 'error', 40)}): check its settings.`,
      sources: ['verifier'],
    });
  }
}

/** `iss`, `aud`, `alg` and `kid` of a JWT access token (none is a secret), or undefined for an opaque token. */
function describeJwt(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const field = (value: unknown) => (typeof value === 'string' || Array.isArray(value) ? printable(JSON.stringify(value), 200) : 'nothing');
    return `iss ${field(payload.iss)}, aud ${field(payload.aud)}, alg ${field(header.alg)}, kid ${field(header.kid)}`;
  } catch {
    return undefined;
  }
}

function describeFailure(answer: TokenAnswer | ProbeError): string {
  if (answer instanceof ProbeError) return answer.message;
  if (answer.status === 200) return 'status 200 without an access_token';
  // The server's words, fit for a terminal; the report's redaction takes out any secret they echo.
  const error = answer.body?.error === undefined ? undefined : oauthErrorCode(answer.body.error) ?? '(an error that is not an RFC 6749 error code)';
  const description = typeof answer.body?.error_description === 'string' ? printable(answer.body.error_description, 200) : undefined;
  return `status ${answer.status}${error ? ` ${error}` : ''}${description ? `: "${description}"` : ''}`;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
