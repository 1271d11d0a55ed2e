/**
 * The redirect URIs of `check-server`: the authorization endpoint must take each of Alexa's, for
 * Alexa's client, before login. See `docs/check-server.md`.
 */
import { oauthErrorCode, printable, type Finding } from './findings';
import { probe, ProbeError, type ProbeResponse } from './http-probe';
import type { ServerCheckConfig } from './server-check-config';
import { ALEXA_REDIRECT_HOSTS } from './server-rules';

/** Asks the authorization endpoint for each of `config.redirectUris` (when its transport allows), and reports its answer. */
export async function checkRedirectUris(
  config: ServerCheckConfig,
  authorizationUrl: string | undefined,
  usable: Map<string, { ok: boolean; why?: string }>,
  add: (finding: Finding) => void,
  requestTimeoutMs: number,
): Promise<void> {
  if (config.redirectUris.length === 0 || !authorizationUrl) {
    add({
      id: 'redirect-uris',
      severity: 'not-checked',
      summary: !authorizationUrl
        ? 'No authorization URL (OAUTH_AUTHORIZATION_URL or discovery), so the redirect URIs were not tried.'
        : 'ALEXA_REDIRECT_URIS is not set, so the redirect URIs were not tried.',
      change: 'Set ALEXA_REDIRECT_URIS to the Alexa Redirect URLs the console lists for the skill (comma separated).',
      sources: [],
    });
    return;
  }
  const transport = usable.get(authorizationUrl);
  if (transport && !transport.ok) {
    add({
      id: 'redirect-uris',
      severity: 'not-checked',
      summary: `The redirect URIs were not tried: ${transport.why}.`,
      sources: [],
    });
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
      answer = await probe(url.href, { requestTimeoutMs });
    } catch (error) {
      add({
        id: 'redirect-uris',
        severity: 'not-checked',
        subject: redirectUri,
        summary: `The authorization endpoint did not answer: ${error instanceof ProbeError ? error.message : 'error'}.`,
        sources: [],
      });
      continue;
    }
    const location = typeof answer.headers.location === 'string' ? answer.headers.location : undefined;
    const target = location !== undefined && URL.canParse(location, url.href) ? new URL(location, url.href) : undefined;
    const backToAlexa = target !== undefined && `${target.origin}${target.pathname}` === withoutQuery(redirectUri);
    // An error page (Cognito: 302 to /error?error=redirect_mismatch) or Alexa with an error: error= in the query or the fragment.
    const errorParams = target
      ? [target.searchParams, new URLSearchParams(target.hash.slice(1))].find((params) => params.has('error'))
      : undefined;
    const error = errorParams
      ? (oauthErrorCode(errorParams.get('error')) ?? '(not an RFC 6749 error code)')
      : undefined;
    const answered = `it answered ${answer.status}${target ? ` to ${printable(`${target.origin}${target.pathname}`)}` : ''}`;
    if (location !== undefined && target === undefined) {
      add({
        id: 'redirect-uris',
        severity: 'warning',
        subject: redirectUri,
        summary: `The authorization endpoint answered ${answer.status} with a Location that is not a URL: whether it takes this redirect URI was not found out.`,
        alexa: 'A browser may not follow it: linking could end there.',
        change:
          'Open the authorization URL with this redirect URI in a browser, and make the server answer a valid Location.',
        sources: ['redirectUris'],
      });
    } else if (error !== undefined && !backToAlexa) {
      add({
        id: 'redirect-uris',
        severity: 'breaks-linking',
        subject: redirectUri,
        summary: `The authorization endpoint sends the user to an error page with error=${error} (${answered}) instead of the login page: it refuses this redirect URI, or the request, for client ${config.clientId}.`,
        alexa:
          'Users whose Alexa account is in this region see an error page instead of the login page: they cannot link.',
        change: `Register ${redirectUri} as a redirect URI of Alexa's client (${config.clientId}) at the authorization server; if it is, check the error named (the scopes, the client's grant types).`,
        sources: ['redirectUris'],
      });
    } else if (answer.status >= 400) {
      add({
        id: 'redirect-uris',
        severity: 'breaks-linking',
        subject: redirectUri,
        summary: `The authorization endpoint refuses this redirect URI for client ${config.clientId} (it answered ${answer.status}).`,
        alexa:
          'Users whose Alexa account is in this region see an error page instead of the login page: they cannot link.',
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
        change:
          "Check the scopes (ALEXA_SCOPES, as in the console) and that Alexa's client may use the authorization code grant.",
        sources: ['redirectUris'],
      });
    } else if (backToAlexa) {
      add({
        id: 'redirect-uris',
        severity: 'ok',
        subject: redirectUri,
        summary: `The authorization endpoint takes this redirect URI (it sends the user back to Alexa with ${answer.status}).`,
        sources: ['redirectUris'],
      });
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
