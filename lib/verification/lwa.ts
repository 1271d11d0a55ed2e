/**
 * A verifier for Login with Amazon access tokens (opaque `Atza|...`), by LWA's tokeninfo endpoint.
 *
 * - The token travels in the `x-amz-access-token` header, never in a URL (URLs end up in logs).
 * - `aud` must equal the skill's LWA client ID: a token issued to another client is invalid (the
 *   confused-deputy attack: any app a user logged into could otherwise replay its token here).
 * - With `fetchProfile`, the user's profile (name, email) is fetched too, and is part of the linked user.
 * - `invalid_token` is invalid (expired when LWA says so); anything else that is not an answer is
 *   "could not decide".
 */
import { AuthorizationServerError, ConfigurationError } from '../errors';
import { isObject } from '../json';
import { fetchJson } from './http';
import type { TokenVerdict, TokenVerifier, VerificationContext } from './verifier';

export const LWA_TOKENINFO_URL = 'https://api.amazon.com/auth/o2/tokeninfo';
export const LWA_PROFILE_URL = 'https://api.amazon.com/user/profile';

export interface LoginWithAmazonVerifierOptions {
  /** The LWA client ID the tokens must have been issued to (`amzn1.application-oa2-client...`). */
  clientId: string;
  /** Also fetch the user's profile. Default: false. */
  fetchProfile?: boolean;
  /** Default: {@link LWA_TOKENINFO_URL}. */
  tokenInfoUrl?: string;
  /** Default: {@link LWA_PROFILE_URL}. */
  profileUrl?: string;
}

export interface AmazonLinkedUser {
  /** LWA's `user_id`: `amzn1.account...`. */
  subject: string;
  /** tokeninfo's answer, and the profile's fields when fetched. */
  claims: Record<string, unknown>;
}

export class LoginWithAmazonVerifier implements TokenVerifier<AmazonLinkedUser> {
  readonly #options: Required<LoginWithAmazonVerifierOptions>;

  constructor(options: LoginWithAmazonVerifierOptions) {
    if (!options.clientId) throw new ConfigurationError('LoginWithAmazonVerifier needs the LWA clientId');
    const resolved = { fetchProfile: false, tokenInfoUrl: LWA_TOKENINFO_URL, profileUrl: LWA_PROFILE_URL, ...options };
    for (const key of ['tokenInfoUrl', 'profileUrl'] as const) {
      if (!URL.canParse(resolved[key])) throw new ConfigurationError(`LoginWithAmazonVerifier ${key} is not a URL`);
    }
    this.#options = resolved;
  }

  async verify(accessToken: string, context?: VerificationContext): Promise<TokenVerdict<AmazonLinkedUser>> {
    const info = await fetchJson('LWA tokeninfo', this.#options.tokenInfoUrl, { headers: { 'x-amz-access-token': accessToken, Accept: 'application/json' } }, context);
    if (info.status === 400 || info.status === 401) {
      const error = isObject(info.body) ? info.body : {};
      if (error.error !== 'invalid_token' && error.error !== 'invalid_request') {
        throw new AuthorizationServerError(`LWA tokeninfo answered ${info.status} without invalid_token`, { status: info.status });
      }
      return /expired/i.test(String(error.error_description ?? '')) ? { outcome: 'expired' } : { outcome: 'invalid', reason: 'rejected by LWA' };
    }
    if (info.status !== 200 || !isObject(info.body)) throw new AuthorizationServerError(`LWA tokeninfo answered ${info.status}`, { status: info.status });
    const tokenInfo = info.body;
    if (tokenInfo.aud !== this.#options.clientId) return { outcome: 'invalid', reason: 'issued to another client' };
    if (typeof tokenInfo.user_id !== 'string' || tokenInfo.user_id === '') return { outcome: 'invalid', reason: 'no user in tokeninfo' };
    // tokeninfo's exp is the number of seconds the token has left
    const expiresAt = typeof tokenInfo.exp === 'number' ? new Date(Date.now() + tokenInfo.exp * 1000) : undefined;
    if (expiresAt && tokenInfo.exp <= 0) return { outcome: 'expired' };

    let profile: Record<string, unknown> = {};
    if (this.#options.fetchProfile) {
      const answer = await fetchJson('LWA profile', this.#options.profileUrl, { headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' } }, context);
      if (answer.status !== 200 || !isObject(answer.body)) throw new AuthorizationServerError(`LWA profile answered ${answer.status}`, { status: answer.status });
      profile = answer.body;
    }
    return { outcome: 'valid', principal: { subject: tokenInfo.user_id, claims: { ...tokenInfo, ...profile } }, ...(expiresAt ? { expiresAt } : {}) };
  }
}
