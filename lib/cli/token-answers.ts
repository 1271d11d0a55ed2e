/**
 * The token requests of `check-server`, sent as Alexa sends them, and how their answers are judged
 * (success, token_type, expires_in, answer times). See `docs/check-server.md`.
 */
import { oauthErrorCode, printable, type Finding } from './findings';
import { parseJson, probe, ProbeError } from './http-probe';
import type { ServerCheckConfig } from './server-check-config';
import { MIN_ACCESS_TOKEN_LIFETIME_SECONDS, TOKEN_RESPONSE_LIMIT_MS, TOKEN_RESPONSE_WARNING_MS } from './server-rules';

/** A token endpoint's answer: its status, how long it took, and its JSON body. */
export interface TokenAnswer {
  status: number;
  elapsedMs: number;
  body: Record<string, unknown> | undefined;
}

/** The HTTP Basic credential of Alexa's client, as sent (a secret: it decodes to the client secret). */
export function basicCredential(config: ServerCheckConfig): string {
  return Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64');
}

/** One token request to `tokenUrl`, with Alexa's client credentials as the console sends them. */
export async function requestToken(
  tokenUrl: string,
  config: ServerCheckConfig,
  form: Record<string, string>,
  requestTimeoutMs: number,
): Promise<TokenAnswer | ProbeError> {
  const body = new URLSearchParams(form);
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  if (config.clientAuthMethod === 'client_secret_basic') {
    headers.Authorization = `Basic ${basicCredential(config)}`;
  } else {
    body.set('client_id', config.clientId);
    body.set('client_secret', config.clientSecret);
  }
  try {
    const answer = await probe(tokenUrl, { method: 'POST', headers, body: body.toString(), requestTimeoutMs });
    return { status: answer.status, elapsedMs: answer.elapsedMs, body: parseJson(answer.body) };
  } catch (error) {
    if (error instanceof ProbeError) return error;
    throw error;
  }
}

/** True when `answer` is a usable token answer (200, an access token); else reports why not. */
export function judgeTokenAnswer(
  what: 'code exchange' | 'refresh',
  answer: TokenAnswer | ProbeError,
  add: (finding: Finding) => void,
): answer is TokenAnswer & { body: Record<string, unknown> } {
  if (
    answer instanceof ProbeError ||
    answer.status !== 200 ||
    typeof answer.body?.access_token !== 'string' ||
    answer.body.access_token === ''
  ) {
    const clientRefused =
      !(answer instanceof ProbeError) && (answer.status === 401 || answer.body?.error === 'invalid_client');
    add({
      id: clientRefused ? 'client-authentication' : what === 'refresh' ? 'refresh' : 'token-exchange',
      severity: clientRefused || what === 'code exchange' ? 'breaks-linking' : 'unlinks-users',
      subject: what,
      summary: `The ${what} fails: ${describeFailure(answer)}.`,
      alexa: clientRefused
        ? "The token endpoint refuses Alexa's client credentials: no user can link, and no linked user's token can be refreshed."
        : what === 'refresh'
          ? 'A refresh that fails this way makes Alexa drop the link: the user is asked to link again.'
          : 'Linking ends with "We were unable to link" in the Alexa app.',
      change: clientRefused
        ? `Check ALEXA_CLIENT_ID, ALEXA_CLIENT_SECRET and ALEXA_CLIENT_AUTH_METHOD (${"the console's Authentication Scheme"}) against the client registered at the server.`
        : what === 'refresh'
          ? "Check that the refresh token comes from a current link with Alexa's client; if it does, the server refuses refresh tokens it issued: fix that first."
          : "Check that the code is fresh and unused, issued to Alexa's client for the redirect URI given (--code-redirect-uri), then the server's logs.",
      sources: what === 'refresh' ? ['refreshPair', 'refreshFailureUnlinks'] : ['faq'],
    });
    return false;
  }
  return true;
}

/** Reports token_type and expires_in of a usable token answer. */
export function judgeTokenShape(
  what: 'code exchange' | 'refresh',
  body: Record<string, unknown>,
  add: (finding: Finding) => void,
): void {
  const failure = what === 'refresh' ? 'unlinks-users' : 'breaks-linking';
  const tokenType = typeof body.token_type === 'string' ? body.token_type : undefined;
  if (tokenType === undefined) {
    add({
      id: 'token-response',
      severity: failure,
      subject: what,
      summary: 'The token response has an access_token but no token_type.',
      alexa:
        'RFC 6749 requires token_type; how Alexa treats its absence is not confirmed: count on a failed link or refresh.',
      change: 'Answer token_type: "Bearer" with every token response.',
      sources: ['tokenResponse'],
    });
  } else if (tokenType.toLowerCase() !== 'bearer') {
    add({
      id: 'token-response',
      severity: 'warning',
      subject: what,
      summary: `The token_type is ${tokenType}, not Bearer.`,
      alexa:
        'Alexa sends the access token to the skill as a bearer token; whether it refuses another token_type is not confirmed.',
      change: 'Answer token_type: "Bearer".',
      sources: ['tokenResponse'],
    });
  } else {
    add({
      id: 'token-response',
      severity: 'ok',
      subject: what,
      summary: 'The token response is JSON with access_token and token_type Bearer.',
      sources: ['faq', 'tokenResponse'],
    });
  }
  const expiresIn =
    typeof body.expires_in === 'number'
      ? body.expires_in
      : typeof body.expires_in === 'string' && /^\d+$/.test(body.expires_in)
        ? Number(body.expires_in)
        : undefined;
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
      alexa:
        'Alexa can hand the skill a token that expires before the skill verifies it; a skill that answers "expired" (EXPIRED_AUTHORIZATION_CREDENTIAL, a LinkAccount card) makes Alexa unlink the user.',
      change: `Give Alexa's client access tokens of ${MIN_ACCESS_TOKEN_LIFETIME_SECONDS} seconds or more (an hour is common).`,
      sources: ['faq', 'expiredReplyUnlinks'],
    });
  } else {
    add({
      id: 'token-lifetime',
      severity: 'ok',
      subject: what,
      summary: `Access tokens live ${expiresIn} s (Alexa's minimum: ${MIN_ACCESS_TOKEN_LIFETIME_SECONDS} s).`,
      sources: ['faq'],
    });
  }
}

/** Reports the slowest answer of the token endpoint against Alexa's limit. */
export function judgeTimes(times: readonly { what: string; ms: number }[], add: (finding: Finding) => void): void {
  if (times.length === 0) return;
  const slowest = times.reduce((a, b) => (b.ms > a.ms ? b : a));
  const all = times.map(({ what, ms }) => `${what} ${ms} ms`).join(', ');
  if (slowest.ms > TOKEN_RESPONSE_LIMIT_MS) {
    add({
      id: 'token-time',
      severity: 'breaks-linking',
      summary: `The token endpoint answered in up to ${slowest.ms} ms (${all}); Alexa waits ${TOKEN_RESPONSE_LIMIT_MS} ms.`,
      alexa:
        'Alexa gives up on the answer: linking ends with "We were unable to link", and refreshes fail (whether Alexa then unlinks or retries later is not documented: not confirmed).',
      change: `Make the token endpoint answer well within ${TOKEN_RESPONSE_LIMIT_MS / 1000} s, connection and TLS handshake included (cold starts, slow user stores, rate limits in front of it).`,
      sources: ['faq'],
    });
  } else if (slowest.ms > TOKEN_RESPONSE_WARNING_MS) {
    add({
      id: 'token-time',
      severity: 'warning',
      summary: `The token endpoint answered in up to ${slowest.ms} ms (${all}): close to Alexa's ${TOKEN_RESPONSE_LIMIT_MS} ms.`,
      change: "Make the token endpoint faster: a slower moment (a cold start) would cross Alexa's limit.",
      sources: ['faq'],
    });
  } else {
    add({
      id: 'token-time',
      severity: 'ok',
      summary: `The token endpoint answered within ${slowest.ms} ms (${all}); Alexa waits ${TOKEN_RESPONSE_LIMIT_MS} ms.`,
      sources: ['faq'],
    });
  }
}

/** Why a token request failed, in the server's words (fit for a terminal). */
export function describeFailure(answer: TokenAnswer | ProbeError): string {
  if (answer instanceof ProbeError) return answer.message;
  if (answer.status === 200) return 'status 200 without an access_token';
  // The server's words, fit for a terminal; the report's redaction takes out any secret they echo.
  const error =
    answer.body?.error === undefined
      ? undefined
      : (oauthErrorCode(answer.body.error) ?? '(an error that is not an RFC 6749 error code)');
  const description =
    typeof answer.body?.error_description === 'string' ? printable(answer.body.error_description, 200) : undefined;
  return `status ${answer.status}${error ? ` ${error}` : ''}${description ? `: "${description}"` : ''}`;
}
