/**
 * The options of {@link IntrospectionVerifier}, their defaults, the `token_type` values it knows,
 * and the introspection response it reads. See `docs/verifiers.md`.
 */
import type { ConfigurationError } from '../errors';
import type { DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS } from './jwt-options';
import type { RejectionEvidence } from './verifier';

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
export const ACCESS_TOKEN_TYPES: readonly string[] = [
  'bearer',
  'access_token',
  'urn:ietf:params:oauth:token-type:access_token',
];

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
  /**
   * How the skill authenticates.
   *
   * @defaultValue `client_secret_basic`
   */
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
   * such a run of rejections as "could not decide".)
   *
   * @defaultValue any client
   */
  clientIds?: string[] | undefined;
  /**
   * Skew accepted between the server's clock and ours on `exp`, in seconds.
   *
   * @defaultValue {@link DEFAULT_INTROSPECTION_CLOCK_TOLERANCE_SECONDS} (30)
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
   * @defaultValue {@link DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS} (3600)
   */
  selfEvidentExpirySeconds?: number | undefined;
  /**
   * More `token_type` values that name an access token at this server, besides
   * {@link ACCESS_TOKEN_TYPES}. A type in neither list nor {@link NON_ACCESS_TOKEN_TYPES} is
   * "could not decide".
   *
   * @defaultValue none
   */
  accessTokenTypes?: string[] | undefined;
  /**
   * Longest token sent to the server; longer is "could not decide".
   *
   * @defaultValue {@link DEFAULT_INTROSPECTION_MAX_TOKEN_LENGTH} (8192)
   */
  maxTokenLength?: number | undefined;
  /**
   * The linked user, from the introspection response.
   *
   * @defaultValue `{ subject: sub ?? username, claims }`
   */
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
