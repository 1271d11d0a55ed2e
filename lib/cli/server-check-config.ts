/** What `check-server` checks: its options and environment variables, and their defaults. */
import type { Environment } from '../verification/environment';

/** Default of {@link ServerCheckConfig.requestTimeoutMs}: 10 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** What `check-server` checks, from its options and environment variables (named on each field). */
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
  /**
   * How long one request may take before it counts as no answer (twice Alexa's limit, to tell slow from down).
   *
   * @defaultValue {@link DEFAULT_REQUEST_TIMEOUT_MS} (10 s)
   */
  requestTimeoutMs?: number;
}
