/**
 * A verifier for opaque access tokens, by OAuth 2.0 token introspection (RFC 7662).
 *
 * - The skill authenticates to the introspection endpoint as a client (`client_secret_basic`, the
 *   default, or `client_secret_post`).
 * - `active: false` is invalid (expired when an `exp` in the past says so); `active: true` is the
 *   linked user, from `sub` (or `username`), after the optional audience and client checks.
 * - A 401 or 403 (the skill's own credentials are wrong), a 5xx, a timeout, a malformed body: could
 *   not decide. A misconfigured client secret must never unlink every user.
 */
import { AuthorizationServerError, ConfigurationError } from '../errors';
import { isObject } from '../json';
import { fetchJson } from './http';
import type { TokenVerdict, TokenVerifier, VerificationContext } from './verifier';

export interface IntrospectionVerifierOptions<P> {
  /** The introspection endpoint (`introspection_endpoint` of the server's discovery document). */
  url: string;
  /** The skill's client credentials at the introspection endpoint. */
  clientId: string;
  clientSecret: string;
  /** How the skill authenticates. Default: `client_secret_basic`. */
  clientAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** If set, the token's `aud` must name one of these. */
  audience?: string | string[];
  /** If set, the token must have been issued to one of these clients (`client_id`): Alexa's client. */
  clientIds?: string[];
  /** The linked user, from the introspection response. Default: `{ subject: sub ?? username, claims }`. */
  toLinkedUser?: (response: IntrospectionResponse) => P | undefined;
}

export interface IntrospectionResponse {
  active: boolean;
  sub?: string;
  username?: string;
  client_id?: string;
  aud?: string | string[];
  exp?: number;
  scope?: string;
  [claim: string]: unknown;
}

export interface IntrospectedUser {
  subject: string;
  claims: IntrospectionResponse;
}

export class IntrospectionVerifier<P = IntrospectedUser> implements TokenVerifier<P> {
  readonly #options: IntrospectionVerifierOptions<P>;
  readonly #audience?: string[];

  constructor(options: IntrospectionVerifierOptions<P>) {
    if (!URL.canParse(options.url)) throw new ConfigurationError('IntrospectionVerifier url is not a URL');
    if (!options.clientId) throw new ConfigurationError('IntrospectionVerifier needs a clientId');
    if (!options.clientSecret) throw new ConfigurationError('IntrospectionVerifier needs a clientSecret');
    this.#options = options;
    this.#audience = options.audience === undefined ? undefined : [options.audience].flat();
  }

  async verify(accessToken: string, context?: VerificationContext): Promise<TokenVerdict<P>> {
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
    if (status === 401 || status === 403) {
      throw new AuthorizationServerError(`The introspection endpoint refused the skill's client credentials (${status})`, { status });
    }
    if (status !== 200) throw new AuthorizationServerError(`The introspection endpoint answered ${status}`, { status });
    if (!isObject(body) || typeof body.active !== 'boolean') throw new AuthorizationServerError('The introspection endpoint answered no introspection response', { status });
    const response = body as IntrospectionResponse;

    const expired = typeof response.exp === 'number' && response.exp * 1000 <= Date.now();
    if (!response.active) return expired ? { outcome: 'expired' } : { outcome: 'invalid', reason: 'inactive' };
    if (expired) return { outcome: 'expired' };
    if (this.#audience && ![response.aud].flat().some((aud) => typeof aud === 'string' && this.#audience!.includes(aud))) {
      return { outcome: 'invalid', reason: 'wrong audience' };
    }
    if (this.#options.clientIds && !this.#options.clientIds.includes(response.client_id as string)) {
      return { outcome: 'invalid', reason: 'issued to another client' };
    }
    const linkedUser = this.#options.toLinkedUser ? this.#options.toLinkedUser(response) : (defaultLinkedUser(response) as P | undefined);
    if (linkedUser === undefined || linkedUser === null) return { outcome: 'invalid', reason: 'no linked user in response' };
    return { outcome: 'valid', principal: linkedUser, ...(typeof response.exp === 'number' ? { expiresAt: new Date(response.exp * 1000) } : {}) };
  }
}

function defaultLinkedUser(response: IntrospectionResponse): IntrospectedUser | undefined {
  const subject = typeof response.sub === 'string' && response.sub ? response.sub : typeof response.username === 'string' && response.username ? response.username : undefined;
  return subject === undefined ? undefined : { subject, claims: response };
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
