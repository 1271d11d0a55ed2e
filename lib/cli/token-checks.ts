/**
 * The token endpoint of `check-server`, used as Alexa uses it: the code exchange, a refresh, the old
 * refresh token used again (as Alexa does when it missed an answer), then the newest one, and the
 * answer times. See `docs/check-server.md`.
 */
import { ConfigurationError } from '../errors';
import type { Finding, Secrets } from './findings';
import { ProbeError } from './http-probe';
import type { ServerCheckConfig } from './server-check-config';
import {
  describeFailure,
  judgeTimes,
  judgeTokenAnswer,
  judgeTokenShape,
  requestToken,
  type TokenAnswer,
} from './token-answers';

/**
 * Sends Alexa's token requests to `tokenUrl` and reports each; every token got is added to
 * `secrets`. Returns the last access token got, for the verifier check.
 */
export async function checkTokenRequests(
  config: ServerCheckConfig,
  tokenUrl: string,
  secrets: Secrets,
  add: (finding: Finding) => void,
  requestTimeoutMs: number,
): Promise<string | undefined> {
  const times: { what: string; ms: number }[] = [];
  const tokenRequest = async (what: string, form: Record<string, string>): Promise<TokenAnswer | ProbeError> => {
    const answer = await requestToken(tokenUrl, config, form, requestTimeoutMs);
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
  if (config.authorizationCode) {
    const redirectUri = config.codeRedirectUri ?? config.redirectUris[0];
    if (!redirectUri)
      throw new ConfigurationError(
        'Exchanging a grant code needs the redirect_uri it was issued for: set ALEXA_REDIRECT_URIS or --code-redirect-uri',
      );
    const answer = await tokenRequest('code exchange', {
      grant_type: 'authorization_code',
      code: config.authorizationCode,
      redirect_uri: redirectUri,
    });
    if (judgeTokenAnswer('code exchange', answer, add)) {
      const { body } = answer;
      judgeTokenShape('code exchange', body, add);
      accessToken = body.access_token as string;
      if (typeof body.refresh_token === 'string' && body.refresh_token !== '') {
        refreshToken ??= body.refresh_token;
        add({
          id: 'refresh-token-issued',
          severity: 'ok',
          subject: 'code exchange',
          summary: 'The code exchange answers a refresh token.',
          sources: ['faq'],
        });
      } else {
        add({
          id: 'refresh-token-issued',
          severity: 'unlinks-users',
          subject: 'code exchange',
          summary: 'The code exchange answers no refresh_token.',
          alexa:
            'Alexa links the user, and when the access token expires it has no way to a new one: the user is unlinked and asked to link again, once per access token lifetime.',
          change:
            "Issue a refresh token with the authorization code grant to Alexa's client (e.g. allow the refresh_token grant and the offline_access scope for it, and add that scope in the console).",
          sources: ['faq', 'noRefreshToken', 'refreshFailureUnlinks'],
        });
      }
    }
  }

  if (refreshToken === undefined) {
    add({
      id: 'refresh',
      severity: 'not-checked',
      summary: config.authorizationCode
        ? 'No refresh token to try: the code exchange gave none.'
        : 'No refresh token was given, so the refresh, its reuse and the verifier were not tried.',
      ...(config.authorizationCode
        ? {}
        : {
            change:
              'Link once (the sandbox, npm start, gives a refresh token), and pass the refresh token with --refresh-token-file <file> (or - for stdin).',
          }),
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
        change:
          'Link again and give the check the new refresh token; or give --code-file, so that the refresh is tried with a refresh token of this run (its refusal is then a finding).',
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
          summary:
            "The server replaced the refresh token given with a new one, which this check does not keep: once the server's grace period for the old one ends, another run with the same token finds the refresh not-checked.",
          change:
            'Link again before the next run (or give --code-file). Never give the check a refresh token Alexa holds: the check rotates it.',
          sources: [],
        });
      }
      judgeTokenShape('refresh', body, add);
      await sleep(config.reuseAfterMs);
      const reuse = await tokenRequest('old refresh token again', {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      });
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
          alexa:
            'When Alexa does not get the answer to a refresh (a timeout, a network fault) and sends the refresh token it holds again, the server refuses it: Alexa unlinks the user and asks them to link again. (That Alexa resends the old refresh token is not stated by Amazon: not confirmed; the refusal of a retry is what turns into an unlink.)',
          change:
            "Keep a replaced refresh token usable for a grace period (a minute or more) after rotating it, answering its reuse within the period as a normal refresh; or do not rotate refresh tokens for Alexa's client. Do not revoke the whole grant on a reuse within the grace period.",
          sources: ['prematureInvalidation', 'refreshFailureUnlinks'],
        });
        if (rotated) {
          add({
            id: 'refresh-latest',
            severity: 'not-checked',
            summary:
              'The newest refresh token was not tried: the check may have spent this link (a server that revokes the grant on reuse has). Link again before the next run.',
            sources: [],
          });
        }
      } else {
        accessToken = reuse.body.access_token;
        add({
          id: 'refresh-reuse',
          severity: 'ok',
          summary: `The old refresh token, used again ${seconds} after a refresh, is still accepted${rotated ? ' (rotation with a grace period)' : ''}.`,
          sources: ['prematureInvalidation'],
        });
        const newest =
          typeof reuse.body.refresh_token === 'string' && reuse.body.refresh_token !== ''
            ? reuse.body.refresh_token
            : next;
        if (newest !== undefined && newest !== refreshToken) {
          const latest = await tokenRequest('newest refresh token', {
            grant_type: 'refresh_token',
            refresh_token: newest,
          });
          if (latest instanceof ProbeError) {
            add({
              id: 'refresh-latest',
              severity: 'not-checked',
              summary: `The newest refresh token was sent, but no answer came (${latest.message}): whether the reuse revoked the grant was not checked.`,
              sources: [],
            });
          } else if (latest.status !== 200 || typeof latest.body?.access_token !== 'string') {
            add({
              id: 'refresh-latest',
              severity: 'unlinks-users',
              summary: `After the old refresh token was used again, the newest one is refused (${describeFailure(latest)}): the reuse revoked the grant.`,
              alexa:
                'Alexa keeps the refresh token of the last answer it got; the next refresh with it fails and Alexa unlinks the user.',
              change:
                'Within the grace period, answer the reuse of a replaced refresh token without revoking the grant (or the tokens issued since).',
              sources: ['prematureInvalidation', 'refreshFailureUnlinks'],
            });
          } else {
            accessToken = latest.body.access_token;
            add({
              id: 'refresh-latest',
              severity: 'ok',
              summary: 'The newest refresh token still works after the old one was used again.',
              sources: ['prematureInvalidation'],
            });
          }
        }
      }
    }
  }
  judgeTimes(times, add);
  return accessToken;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
