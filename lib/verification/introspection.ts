/**
 * A verifier for opaque access tokens, by OAuth 2.0 token introspection (RFC 7662).
 *
 * The skill authenticates to the introspection endpoint as a client (`client_secret_basic`, the
 * default, or `client_secret_post`). The verdicts follow the toolkit's rule, unlink only on proof
 * (the table says what each rejection is, and of which kind; the lists below say more):
 *
 * | the server says of the token | verdict | kind |
 * |---|---|---|
 * | `active: false`, and an `exp` past by `selfEvidentExpirySeconds` (default 3600) or more | expired | self-evident (a) |
 * | `active: false`, and an `exp` past beyond the clock tolerance, by less than that | expired | suspected (b) |
 * | `active: false` (no `exp`, or one not past beyond the tolerance) | invalid (`inactive`) | suspected (c) |
 * | affirmed, with a `token_type` of another kind (a refresh token, an ID token) | invalid (`not an access token`) | suspected (d) |
 * | affirmed, issued to a client not among `clientIds` | invalid (`issued to another client`) | suspected (e) |
 *
 * The kind is what the unlinking policy reads ({@link RejectionEvidence}): *self-evident* only
 * where no configuration, key or clock fault of ours can produce the verdict, *suspected* (held
 * until the token is rejected again, on fresh knowledge) wherever one can:
 *
 * - (a) the server knew this token (it gave its `exp`) and says it ended an hour ago: a wrong server does not know the
 *   token, and no clock is an hour off (see `selfEvidentExpirySeconds`);
 * - (b) a server's or a Lambda's clock some minutes off produces it for a token Alexa has just refreshed;
 * - (c) a wrong or staging `INTROSPECTION_URL` answers `active: false` for every genuine token;
 * - (d) the kind is the server's word read by our lists: a server that names its access tokens oddly does so for all;
 * - (e) a wrong `INTROSPECTION_CLIENT_IDS` produces it for every genuine token.
 *
 * In more detail:
 *
 * - **Invalid / expired** only on what the server says of this token: `active: false` (expired
 *   when its `exp` is past by more than the clock tolerance), or an affirmed token that is not an
 *   access token for this skill: a `token_type` that names another kind of token (a refresh token,
 *   an ID token), or a `client_id` not among `clientIds`. Only an answer about this token is proof
 *   about it: what other tokens' answers showed (a `token_type`, an `aud`) never is.
 * - **Could not decide** ({@link CannotDecideError}, or {@link AuthorizationServerError}) for
 *   everything about us or about the request: our credentials refused (401/403, `invalid_client`),
 *   a request-level error (400), 429, 5xx, timeouts, a malformed body; an `aud` not as configured
 *   (the token is the server's, the setting is ours: a typo in `INTROSPECTION_AUDIENCE` must never
 *   unlink every user); an affirmed token without `sub`/`username`; an affirmed token whose `exp` is past by our
 *   clock beyond the tolerance (the server's clock and ours disagree); an unknown `token_type`; a
 *   token longer than `maxTokenLength`.
 */
import { AuthorizationServerError, CannotDecideError, ConfigurationError } from '../errors';
import { isObject } from '../json';
import { fetchJson } from './http';
import { configurationDigest, DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS } from './jwt';
import type { RejectionEvidence, TokenVerdict, TokenVerifier, VerificationContext } from './verifier';

/**
 * Default clock tolerance of {@link IntrospectionVerifier}, in seconds: 30. The server, not our
 * clock, says whether a token is active; the tolerance only decides when our clock may call an
 * `exp` past (`active: false` + `exp` past: expired rather than invalid; `active: true` + `exp`
 * past: the clocks disagree, could not decide). Generous, because being wrong costs a false unlink.
 */
export const DEFAULT_INTROSPECTION_CLOCK_TOLERANCE_SECONDS = 30;

/** Default longest token {@link IntrospectionVerifier} sends to the server: 8192 characters (a policy limit; longer is "could not decide"). */
export const DEFAULT_INTROSPECTION_MAX_TOKEN_LENGTH = 8192;

/**
 * `token_type` values (compared without regard to case) that name an access token: RFC 6749's
 * `Bearer` (what RFC 7662 §2.2 asks for, and oidc-provider, Keycloak and others send), and RFC
 * 8693's `access_token` identifiers some servers send instead.
 */
export const ACCESS_TOKEN_TYPES: readonly string[] = ['bearer', 'access_token', 'urn:ietf:params:oauth:token-type:access_token'];

/**
 * `token_type` values (compared without regard to case) that name a token that is not an access
 * token: an affirmed token of one of these types is invalid for the skill (never let in).
 */
export const NON_ACCESS_TOKEN_TYPES: readonly string[] = [
  'refresh_token',
  'urn:ietf:params:oauth:token-type:refresh_token',
  'id_token',
  'urn:ietf:params:oauth:token-type:id_token',
  'authorization_code',
  'code',
];

/**
 * How {@link IntrospectionVerifier} reaches the introspection endpoint and what it accepts. From
 * the environment, {@link verifierFromEnvironment} reads them from the `INTROSPECTION_*` variables.
 */
export interface IntrospectionVerifierOptions<P> {
  /** The introspection endpoint (`introspection_endpoint` of the server's discovery document). */
  url: string;
  /** The skill's client ID at the introspection endpoint (a resource server's client, not Alexa's). Required. */
  clientId: string;
  /** The secret of `clientId`. Required. Never logged; a refusal of it is "could not decide", never an unlink. */
  clientSecret: string;
  /** How the skill authenticates. Default: `client_secret_basic`. */
  clientAuthMethod?: 'client_secret_basic' | 'client_secret_post' | undefined;
  /**
   * If set, the token's `aud` must name one of these. A mismatch is "could not decide" (the setting
   * may be ours to fix), whatever other tokens showed.
   */
  audience?: string | string[] | undefined;
  /**
   * If set, the token must have been issued to one of these clients (`client_id`): Alexa's client
   * at the authorization server. Another client's token is invalid: it is not an access token for
   * this skill. (A typo here makes every token "another client's": the gate's unlink guard holds
   * such a run of rejections as "could not decide".) Default: any client.
   */
  clientIds?: string[] | undefined;
  /**
   * Skew accepted between the server's clock and ours on `exp`, in seconds.
   * Default: {@link DEFAULT_INTROSPECTION_CLOCK_TOLERANCE_SECONDS} (30).
   */
  clockToleranceSeconds?: number | undefined;
  /**
   * How long past the `exp` the server returned, in seconds, a token it calls inactive is
   * *self-evidently* expired (`selfEvident: true`, see {@link RejectionEvidence}): a verdict no
   * fault of ours can produce, which the unlinking policy answers at once. Between `exp` plus the
   * clock tolerance and `exp` plus this, the token is expired but only *suspected*. Must be more
   * than `clockToleranceSeconds` ({@link ConfigurationError} if not).
   *
   * Why an hour is proof: the server knew this token (it returned the token's own `exp`) and says
   * it ended an hour ago. A wrong server (staging, another tenant) does not know the token, and
   * answers a bare `active: false` (suspected); an hour is far beyond any clock skew; and a fault
   * that made *every* token look so is caught by the policy's proof rule (a configuration that has
   * never accepted a token holds even self-evident rejections).
   *
   * @default 3600
   */
  selfEvidentExpirySeconds?: number | undefined;
  /**
   * More `token_type` values that name an access token at this server, besides
   * {@link ACCESS_TOKEN_TYPES}. A type in neither list nor {@link NON_ACCESS_TOKEN_TYPES} is
   * "could not decide". Default: none.
   */
  accessTokenTypes?: string[] | undefined;
  /** Longest token sent to the server; longer is "could not decide". Default: {@link DEFAULT_INTROSPECTION_MAX_TOKEN_LENGTH} (8192). */
  maxTokenLength?: number | undefined;
  /** The linked user, from the introspection response. Default: `{ subject: sub ?? username, claims }`. */
  toLinkedUser?: ((response: IntrospectionResponse) => P | undefined) | undefined;
}

/**
 * An introspection endpoint's answer (RFC 7662 §2.2), as {@link IntrospectionVerifier} reads it
 * and hands it to `toLinkedUser`. Only `active` is required; servers add fields of their own.
 */
export interface IntrospectionResponse {
  /** Whether the server holds the token valid now. `false` is the server's proof the token is no good: invalid, or expired if `exp` is past. */
  active: boolean;
  /** The user the token was issued for: the linked user's `subject` by default. */
  sub?: string;
  /** A human-readable name of the user; the `subject` when there is no `sub`. */
  username?: string;
  /** The client the token was issued to (Alexa's client at the server); checked against `clientIds` if set. */
  client_id?: string;
  /** Who the token is meant for; checked against `audience` if set. */
  aud?: string | string[];
  /** When the token expires, in seconds since the epoch; tells `expired` from `invalid` on `active: false`. */
  exp?: number;
  /** The token's scopes, space-separated. Not checked: check it in your handlers if scopes matter. */
  scope?: string;
  /** The kind of token (`Bearer`, `refresh_token`, ...): only access tokens are accepted (see {@link ACCESS_TOKEN_TYPES}). */
  token_type?: string;
  /** Any other field the server sends. */
  [claim: string]: unknown;
}

/** The linked user {@link IntrospectionVerifier} hands to the domain handlers by default. */
export interface IntrospectedUser {
  /** The user's ID at the service: `sub` of the response, or `username` where there is no `sub`. */
  subject: string;
  /** The whole introspection response, for scopes and the server's own fields. */
  claims: IntrospectionResponse;
}

const CREDENTIALS_CHECK = 'INTROSPECTION_CLIENT_ID, INTROSPECTION_CLIENT_SECRET and INTROSPECTION_AUTH_METHOD (the skill\'s own client at the introspection endpoint)';

/**
 * Verifies opaque access tokens by asking the authorization server (RFC 7662 token introspection),
 * with the verdicts the module documentation gives: invalid or expired only on what the server
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
    if (!Number.isFinite(tolerance) || tolerance < 0) throw new ConfigurationError('IntrospectionVerifier clockToleranceSeconds must be a number of seconds, 0 or more');
    const selfEvident = options.selfEvidentExpirySeconds ?? DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS;
    if (!(Number.isFinite(selfEvident) && selfEvident > tolerance)) {
      throw new ConfigurationError(
        `IntrospectionVerifier selfEvidentExpirySeconds must be a number of seconds more than clockToleranceSeconds (${tolerance})`,
      );
    }
    const maxTokenLength = options.maxTokenLength ?? DEFAULT_INTROSPECTION_MAX_TOKEN_LENGTH;
    if (!Number.isInteger(maxTokenLength) || maxTokenLength < 1) throw new ConfigurationError('IntrospectionVerifier maxTokenLength must be a positive whole number');
    this.#options = options;
    this.#audience = options.audience === undefined ? undefined : [options.audience].flat();
    this.#toleranceMs = tolerance * 1000;
    this.#selfEvidentMs = selfEvident * 1000;
    this.#maxTokenLength = maxTokenLength;
    this.#accessTokenTypes = new Set([...ACCESS_TOKEN_TYPES, ...(options.accessTokenTypes ?? [])].map((type) => type.toLowerCase()));
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
      throw new CannotDecideError('token too long', `a token longer than the maxTokenLength of the IntrospectionVerifier (${this.#maxTokenLength}) was not sent to the server; raise maxTokenLength if the server issues such tokens`);
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
    if (tokenType !== undefined && NON_ACCESS_TOKEN_TYPES.includes(tokenType)) return { outcome: 'invalid', reason: 'not an access token' };
    if (tokenType !== undefined && !this.#accessTokenTypes.has(tokenType)) {
      throw new CannotDecideError('unknown token type', 'the introspection endpoint answers a token_type this verifier does not know; if it names the server\'s access tokens, add it to the accessTokenTypes option of the IntrospectionVerifier');
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
      throw new CannotDecideError('introspection audience mismatch', 'INTROSPECTION_AUDIENCE (audience): the introspection endpoint affirmed a token whose aud is not the configured audience; set the aud the server gives the skill\'s access tokens (if it does, the token was not one of them, a refresh token say: it was refused, and nobody was unlinked)');
    }
    if (pastExp) {
      throw new CannotDecideError('introspection clock disagreement', 'the introspection endpoint calls a token active whose exp is past by the Lambda\'s clock beyond the clock tolerance: check the authorization server\'s clock (and INTROSPECTION_CLOCK_TOLERANCE_SECONDS)');
    }
    const linkedUser = this.#options.toLinkedUser ? this.#options.toLinkedUser(response) : (defaultLinkedUser(response) as P | undefined);
    if (linkedUser === undefined || linkedUser === null) {
      throw new CannotDecideError('introspection response without subject', 'the introspection endpoint affirmed a token (active: true) without naming its user (sub or username): configure the authorization server to include sub in introspection responses, or map the user with toLinkedUser');
    }

    return { outcome: 'valid', principal: linkedUser, ...(exp !== undefined && exp <= 8.64e15 ? { expiresAt: new Date(exp) } : {}) };
  }

  async #introspect(accessToken: string, context?: VerificationContext): Promise<IntrospectionResponse> {
    const { url, clientId, clientSecret, clientAuthMethod = 'client_secret_basic' } = this.#options;
    const form = new URLSearchParams({ token: accessToken, token_type_hint: 'access_token' });
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
    if (clientAuthMethod === 'client_secret_post') {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      // RFC 6749 §2.3.1: the credentials are form-urlencoded before they are Base64-encoded.
      headers.Authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
    }
    const { status, body } = await fetchJson('The introspection endpoint', url, { method: 'POST', headers, body: form }, context);
    const error = isObject(body) && typeof body.error === 'string' ? body.error : undefined;
    if (status === 401 || status === 403 || (status === 400 && error === 'invalid_client')) {
      const cause = new AuthorizationServerError(`The introspection endpoint refused the skill's client credentials (${status})`, { status });
      throw new CannotDecideError('introspection credentials refused', CREDENTIALS_CHECK, { cause });
    }
    if (status === 400) {
      const cause = new AuthorizationServerError(`The introspection endpoint refused the request (400${error && /^[a-z_]{1,64}$/.test(error) ? ` ${error}` : ''})`, { status });
      throw new CannotDecideError('introspection request refused', `the introspection endpoint refused the verifier's request (400): check INTROSPECTION_URL and INTROSPECTION_AUTH_METHOD`, { cause });
    }
    if (status !== 200) throw new AuthorizationServerError(`The introspection endpoint answered ${status}`, { status });
    if (!isObject(body) || typeof body.active !== 'boolean') throw new AuthorizationServerError('The introspection endpoint answered no introspection response', { status });
    return body as IntrospectionResponse;
  }
}

function defaultLinkedUser(response: IntrospectionResponse): IntrospectedUser | undefined {
  const subject = typeof response.sub === 'string' && response.sub ? response.sub : typeof response.username === 'string' && response.username ? response.username : undefined;
  return subject === undefined ? undefined : { subject, claims: response };
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
