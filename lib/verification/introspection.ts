/**
 * A verifier for opaque access tokens, by OAuth 2.0 token introspection (RFC 7662), that unlinks only
 * on proof: invalid or expired only on what the server says of this token, "could not decide" for
 * everything about us. What each verdict rests on, and of which kind it is (self-evident or
 * suspected), is the table in `docs/verifiers.md` ("What a verdict rests on").
 */
import { AuthorizationServerError, CannotDecideError, ConfigurationError } from '../errors';
import { isObject } from '../json';
import { fetchJson } from './http';
import { configurationDigest } from './configuration-version';
import {
  ACCESS_TOKEN_TYPES,
  DEFAULT_INTROSPECTION_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_INTROSPECTION_MAX_TOKEN_LENGTH,
  NON_ACCESS_TOKEN_TYPES,
  type IntrospectedUser,
  type IntrospectionResponse,
  type IntrospectionVerifierOptions,
} from './introspection-options';
import { DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS } from './jwt-options';
import type { TokenVerdict, TokenVerifier, VerificationContext } from './verifier';

const CREDENTIALS_CHECK =
  "INTROSPECTION_CLIENT_ID, INTROSPECTION_CLIENT_SECRET and INTROSPECTION_AUTH_METHOD (the skill's own client at the introspection endpoint)";

/**
 * Verifies opaque access tokens by asking the authorization server (RFC 7662 token introspection),
 * with the verdicts `docs/verifiers.md` gives: invalid or expired only on what the server
 * says of this token, "could not decide" for everything about us. One request per verification:
 * wrap it in a {@link CachingVerifier} (as {@link verifierFromEnvironment} does) to spare the server.
 *
 * Throws {@link ConfigurationError} from the constructor on a `url` that is not a URL, a missing
 * `clientId` or `clientSecret`, an empty `clientIds`, or a tolerance or `maxTokenLength` out of range.
 *
 * @example
 * ```ts
 * const verifier = new IntrospectionVerifier({
 *   url: 'https://auth.example.com/token/introspection',
 *   clientId: process.env.INTROSPECTION_CLIENT_ID!,
 *   clientSecret: process.env.INTROSPECTION_CLIENT_SECRET!,
 *   clientIds: ['alexa-skill'],
 * });
 * ```
 */
export class IntrospectionVerifier<P = IntrospectedUser> implements TokenVerifier<P> {
  readonly #options: IntrospectionVerifierOptions<P>;
  readonly #audience: string[] | undefined;
  readonly #toleranceMs: number;
  readonly #selfEvidentMs: number;
  readonly #maxTokenLength: number;
  /**
   * A short hash (16 hex digits of a SHA-256) of the settings the verdicts rest on, for the
   * unlinking policy: the URL, the client ID, the auth method, `clientIds`, `audience`, the clock
   * tolerance and `selfEvidentExpirySeconds`. The same settings give the same version in every
   * container; any change of one gives another. The client secret is left out: a wrong one makes
   * the endpoint refuse us (401, "could not decide"), never a verdict, and a hash of it, logged,
   * would let a reader test guesses at it offline.
   */
  readonly configurationVersion: string;
  readonly #accessTokenTypes: Set<string>;

  constructor(options: IntrospectionVerifierOptions<P>) {
    if (!URL.canParse(options.url)) throw new ConfigurationError('IntrospectionVerifier url is not a URL');
    if (!options.clientId) throw new ConfigurationError('IntrospectionVerifier needs a clientId');
    if (!options.clientSecret) throw new ConfigurationError('IntrospectionVerifier needs a clientSecret');
    if (options.clientIds !== undefined && (!Array.isArray(options.clientIds) || options.clientIds.length === 0)) {
      throw new ConfigurationError('IntrospectionVerifier clientIds must be a non-empty list (or not set)');
    }
    const tolerance = options.clockToleranceSeconds ?? DEFAULT_INTROSPECTION_CLOCK_TOLERANCE_SECONDS;
    if (!Number.isFinite(tolerance) || tolerance < 0)
      throw new ConfigurationError(
        'IntrospectionVerifier clockToleranceSeconds must be a number of seconds, 0 or more',
      );
    const selfEvident = options.selfEvidentExpirySeconds ?? DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS;
    if (!(Number.isFinite(selfEvident) && selfEvident > tolerance)) {
      throw new ConfigurationError(
        `IntrospectionVerifier selfEvidentExpirySeconds must be a number of seconds more than clockToleranceSeconds (${tolerance})`,
      );
    }
    const maxTokenLength = options.maxTokenLength ?? DEFAULT_INTROSPECTION_MAX_TOKEN_LENGTH;
    if (!Number.isInteger(maxTokenLength) || maxTokenLength < 1)
      throw new ConfigurationError('IntrospectionVerifier maxTokenLength must be a positive whole number');
    this.#options = options;
    this.#audience = options.audience === undefined ? undefined : [options.audience].flat();
    this.#toleranceMs = tolerance * 1000;
    this.#selfEvidentMs = selfEvident * 1000;
    this.#maxTokenLength = maxTokenLength;
    this.#accessTokenTypes = new Set(
      [...ACCESS_TOKEN_TYPES, ...(options.accessTokenTypes ?? [])].map((type) => type.toLowerCase()),
    );
    this.configurationVersion = configurationDigest({
      verifier: 'introspection',
      url: options.url,
      clientId: options.clientId,
      clientAuthMethod: options.clientAuthMethod ?? 'client_secret_basic',
      clientIds: options.clientIds ? [...options.clientIds].sort() : undefined,
      audience: this.#audience ? [...this.#audience].sort() : undefined,
      clockToleranceSeconds: tolerance,
      selfEvidentExpirySeconds: selfEvident,
    });
  }

  async verify(accessToken: string, context?: VerificationContext): Promise<TokenVerdict<P>> {
    if (accessToken.length > this.#maxTokenLength) {
      throw new CannotDecideError(
        'token too long',
        `a token longer than the maxTokenLength of the IntrospectionVerifier (${this.#maxTokenLength}) was not sent to the server; raise maxTokenLength if the server issues such tokens`,
      );
    }
    const response = await this.#introspect(accessToken, context);
    const now = Date.now();
    const exp = typeof response.exp === 'number' && Number.isFinite(response.exp) ? response.exp * 1000 : undefined;
    const pastExp = exp !== undefined && exp + this.#toleranceMs < now;

    if (!response.active) {
      if (!pastExp) return { outcome: 'invalid', reason: 'inactive' }; // (c): suspected
      // (a), (b): self-evident only when the exp the server gave for this very token is an hour past.
      return exp + this.#selfEvidentMs <= now ? { outcome: 'expired', selfEvident: true } : { outcome: 'expired' };
    }

    // The server affirmed the token. What it says of its kind and its client is proof about this
    // token; what it leaves out, or what differs from our settings, is not (only an answer about
    // this token is proof about it, never what other tokens' answers showed).
    const tokenType = typeof response.token_type === 'string' ? response.token_type.toLowerCase() : undefined;
    if (tokenType !== undefined && NON_ACCESS_TOKEN_TYPES.includes(tokenType))
      return { outcome: 'invalid', reason: 'not an access token' };
    if (tokenType !== undefined && !this.#accessTokenTypes.has(tokenType)) {
      throw new CannotDecideError(
        'unknown token type',
        "the introspection endpoint answers a token_type this verifier does not know; if it names the server's access tokens, add it to the accessTokenTypes option of the IntrospectionVerifier",
      );
    }

    // Another client's token is not an access token for this skill: proof about the token, as a
    // refresh token is. (A typo in clientIds makes every token "another client's": the gate's unlink
    // guard holds such a run of rejections as "could not decide" until a token is accepted.)
    const clientIds = this.#options.clientIds;
    if (clientIds && !(typeof response.client_id === 'string' && clientIds.includes(response.client_id))) {
      return { outcome: 'invalid', reason: 'issued to another client' };
    }
    const audience = this.#audience;
    if (audience && ![response.aud].flat().some((aud) => typeof aud === 'string' && audience.includes(aud))) {
      // What the server said of another token is no proof about this one: an audience that differs
      // (by a trailing slash, say) may be ours to fix, whatever genuine tokens showed before.
      throw new CannotDecideError(
        'introspection audience mismatch',
        "INTROSPECTION_AUDIENCE (audience): the introspection endpoint affirmed a token whose aud is not the configured audience; set the aud the server gives the skill's access tokens (if it does, the token was not one of them, a refresh token say: it was refused, and nobody was unlinked)",
      );
    }
    if (pastExp) {
      throw new CannotDecideError(
        'introspection clock disagreement',
        "the introspection endpoint calls a token active whose exp is past by the Lambda's clock beyond the clock tolerance: check the authorization server's clock (and INTROSPECTION_CLOCK_TOLERANCE_SECONDS)",
      );
    }
    const linkedUser = this.#options.toLinkedUser
      ? this.#options.toLinkedUser(response)
      : (defaultLinkedUser(response) as P | undefined);
    if (linkedUser === undefined || linkedUser === null) {
      throw new CannotDecideError(
        'introspection response without subject',
        'the introspection endpoint affirmed a token (active: true) without naming its user (sub or username): configure the authorization server to include sub in introspection responses, or map the user with toLinkedUser',
      );
    }

    return {
      outcome: 'valid',
      principal: linkedUser,
      ...(exp !== undefined && exp <= 8.64e15 ? { expiresAt: new Date(exp) } : {}),
    };
  }

  async #introspect(accessToken: string, context?: VerificationContext): Promise<IntrospectionResponse> {
    const { url, clientId, clientSecret, clientAuthMethod = 'client_secret_basic' } = this.#options;
    const form = new URLSearchParams({ token: accessToken, token_type_hint: 'access_token' });
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if (clientAuthMethod === 'client_secret_post') {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      // RFC 6749 §2.3.1: the credentials are form-urlencoded before they are Base64-encoded.
      headers.Authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
    }
    const { status, body } = await fetchJson(
      'The introspection endpoint',
      url,
      { method: 'POST', headers, body: form },
      context,
    );
    const error = isObject(body) && typeof body.error === 'string' ? body.error : undefined;
    if (status === 401 || status === 403 || (status === 400 && error === 'invalid_client')) {
      const cause = new AuthorizationServerError(
        `The introspection endpoint refused the skill's client credentials (${status})`,
        { status },
      );
      throw new CannotDecideError('introspection credentials refused', CREDENTIALS_CHECK, { cause });
    }
    if (status === 400) {
      const cause = new AuthorizationServerError(
        `The introspection endpoint refused the request (400${error && /^[a-z_]{1,64}$/.test(error) ? ` ${error}` : ''})`,
        { status },
      );
      throw new CannotDecideError(
        'introspection request refused',
        `the introspection endpoint refused the verifier's request (400): check INTROSPECTION_URL and INTROSPECTION_AUTH_METHOD`,
        { cause },
      );
    }
    if (status !== 200) throw new AuthorizationServerError(`The introspection endpoint answered ${status}`, { status });
    if (!isObject(body) || typeof body.active !== 'boolean')
      throw new AuthorizationServerError('The introspection endpoint answered no introspection response', { status });
    return body as IntrospectionResponse;
  }
}

function defaultLinkedUser(response: IntrospectionResponse): IntrospectedUser | undefined {
  const subject =
    typeof response.sub === 'string' && response.sub
      ? response.sub
      : typeof response.username === 'string' && response.username
        ? response.username
        : undefined;
  return subject === undefined ? undefined : { subject, claims: response };
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
