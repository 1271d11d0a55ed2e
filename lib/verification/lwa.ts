/**
 * A verifier for Login with Amazon access tokens (opaque `Atza|...`), by LWA's tokeninfo endpoint
 * ({@link LoginWithAmazonVerifier}). See `docs/verifiers.md`.
 */
import { AuthorizationServerError, CannotDecideError, ConfigurationError } from '../errors';
import { isObject } from '../json';
import { fetchJson } from './http';
import { configurationDigest } from './configuration-version';
import type { RejectionEvidence, TokenVerdict, TokenVerifier, VerificationContext } from './verifier';

/** Login with Amazon's tokeninfo endpoint: says whose token it is and which client it was issued to. */
export const LWA_TOKENINFO_URL = 'https://api.amazon.com/auth/o2/tokeninfo';
/** Login with Amazon's profile endpoint: the user's name and email, with `fetchProfile` (needs the `profile` scope). */
export const LWA_PROFILE_URL = 'https://api.amazon.com/user/profile';

/**
 * Default longest token {@link LoginWithAmazonVerifier} sends to LWA: 4096 characters, twice the
 * 2048 bytes LWA documents for its access tokens (a policy limit; longer is "could not decide").
 */
export const DEFAULT_LWA_MAX_TOKEN_LENGTH = 4096;

/**
 * What {@link LoginWithAmazonVerifier} accepts. From the environment, {@link verifierFromEnvironment}
 * reads them from the `LWA_*` variables.
 */
export interface LoginWithAmazonVerifierOptions {
  /**
   * The LWA client ID the tokens must have been issued to (`amzn1.application-oa2-client...`,
   * tokeninfo's `aud`), or the security profile's app ID (`amzn1.application...`, tokeninfo's `app_id`).
   */
  clientId: string;
  /**
   * Security profile IDs (`amzn1.application...`, tokeninfo's `app_id`) whose tokens are the
   * skill's too, whichever of the profile's clients they were issued to.
   *
   * @defaultValue none (only `clientId`)
   */
  appIds?: string[] | undefined;
  /**
   * Also fetch the user's profile.
   *
   * @defaultValue `false`
   */
  fetchProfile?: boolean | undefined;
  /**
   * The tokeninfo endpoint; change it only to test against a stand-in.
   *
   * @defaultValue {@link LWA_TOKENINFO_URL}
   */
  tokenInfoUrl?: string | undefined;
  /**
   * The profile endpoint; change it only to test against a stand-in.
   *
   * @defaultValue {@link LWA_PROFILE_URL}
   */
  profileUrl?: string | undefined;
  /**
   * Longest token sent to LWA; longer is "could not decide".
   *
   * @defaultValue {@link DEFAULT_LWA_MAX_TOKEN_LENGTH} (4096)
   */
  maxTokenLength?: number | undefined;
}

/** The options with every default filled in. */
type ResolvedLwaOptions = {
  [K in keyof LoginWithAmazonVerifierOptions]-?: Exclude<LoginWithAmazonVerifierOptions[K], undefined>;
};

/** The linked user {@link LoginWithAmazonVerifier} hands to the domain handlers: an Amazon customer. */
export interface AmazonLinkedUser {
  /** LWA's `user_id`: `amzn1.account...`. */
  subject: string;
  /** tokeninfo's answer, and the profile's fields when fetched. */
  claims: Record<string, unknown>;
}

/**
 * Verifies Login with Amazon access tokens by LWA's tokeninfo endpoint (and, with `fetchProfile`,
 * its profile endpoint): a token of another client is invalid, only LWA's `invalid_token` is
 * otherwise a verdict, and everything else is "could not decide". One request (two with the
 * profile) per verification: wrap it in a {@link CachingVerifier}, as {@link verifierFromEnvironment} does.
 *
 * - The token travels in the `x-amz-access-token` header, never in a URL (URLs end up in logs).
 * - tokeninfo's `aud` is the client ID the token was issued to (`amzn1.application-oa2-client.…`);
 *   its `app_id` is the security profile's ID (`amzn1.application.…`). A token is the skill's when
 *   its `aud` or its `app_id` is the configured `clientId` (operators set either: the console shows
 *   both), or its `app_id` is one of the configured `appIds`.
 * - A token of another client is invalid (the confused deputy: any app a user logged into could
 *   otherwise replay its token here). A typo in `LWA_CLIENT_ID` makes every token "another
 *   client's": the gate's unlink guard holds such a run of rejections as "could not decide".
 * - Only `invalid_token` is a token verdict (expired when LWA says so); `invalid_request`, any
 *   other error, tokeninfo without `user_id`, a token past `maxTokenLength`: "could not decide".
 * - With `fetchProfile`, the user's profile (name, email) is fetched too, and is part of the linked user.
 * - Every rejection is *suspected* for the unlinking policy (never `selfEvident`, see
 *   {@link RejectionEvidence}), held until the token is rejected again on fresh knowledge:
 *   "issued to another client" is what a wrong `LWA_CLIENT_ID` or `LWA_APP_IDS` makes of every
 *   genuine token; `invalid_token` (expired or not) could be a region or endpoint fault (a token
 *   asked of an LWA endpoint that does not hold it, a `LWA_TOKENINFO_URL` pointing elsewhere) we
 *   cannot rule out from here; and LWA's "expired" comes with no `exp` that would let us judge
 *   how long ago.
 *
 * Throws {@link ConfigurationError} from the constructor on a missing `clientId`, an endpoint that
 * is not a URL, malformed `appIds` or `maxTokenLength`.
 *
 * @example
 * ```ts
 * const verifier = new CachingVerifier(new LoginWithAmazonVerifier({ clientId: 'amzn1.application-oa2-client.0123' }));
 * ```
 */
export class LoginWithAmazonVerifier implements TokenVerifier<AmazonLinkedUser> {
  readonly #options: ResolvedLwaOptions;
  /**
   * A short hash (16 hex digits of a SHA-256) of the settings the verdicts rest on, for the
   * unlinking policy: `clientId`, `appIds` and the tokeninfo and profile URLs. The same settings
   * give the same version in every container; any change of one gives another.
   */
  readonly configurationVersion: string;

  constructor(options: LoginWithAmazonVerifierOptions) {
    if (!options.clientId) throw new ConfigurationError('LoginWithAmazonVerifier needs the LWA clientId');
    const resolved: ResolvedLwaOptions = {
      clientId: options.clientId,
      appIds: options.appIds ?? [],
      fetchProfile: options.fetchProfile ?? false,
      tokenInfoUrl: options.tokenInfoUrl ?? LWA_TOKENINFO_URL,
      profileUrl: options.profileUrl ?? LWA_PROFILE_URL,
      maxTokenLength: options.maxTokenLength ?? DEFAULT_LWA_MAX_TOKEN_LENGTH,
    };
    for (const key of ['tokenInfoUrl', 'profileUrl'] as const) {
      if (!URL.canParse(resolved[key])) throw new ConfigurationError(`LoginWithAmazonVerifier ${key} is not a URL`);
    }
    if (!Array.isArray(resolved.appIds) || resolved.appIds.some((appId) => typeof appId !== 'string' || appId === '')) {
      throw new ConfigurationError('LoginWithAmazonVerifier appIds must be a list of security profile IDs');
    }
    if (!Number.isInteger(resolved.maxTokenLength) || resolved.maxTokenLength < 1)
      throw new ConfigurationError('LoginWithAmazonVerifier maxTokenLength must be a positive whole number');
    this.#options = resolved;
    this.configurationVersion = configurationDigest({
      verifier: 'lwa',
      clientId: resolved.clientId,
      appIds: [...resolved.appIds].sort(),
      tokenInfoUrl: resolved.tokenInfoUrl,
      profileUrl: resolved.profileUrl,
    });
  }

  async verify(accessToken: string, context?: VerificationContext): Promise<TokenVerdict<AmazonLinkedUser>> {
    if (accessToken.length > this.#options.maxTokenLength) {
      throw new CannotDecideError(
        'token too long',
        `a token longer than the maxTokenLength of the LoginWithAmazonVerifier (${this.#options.maxTokenLength}) was not sent to LWA; raise maxTokenLength if LWA issues such tokens`,
      );
    }
    const info = await fetchJson(
      'LWA tokeninfo',
      this.#options.tokenInfoUrl,
      { headers: { 'x-amz-access-token': accessToken, Accept: 'application/json' } },
      context,
    );
    if (info.status === 400 || info.status === 401) {
      const error = isObject(info.body) ? info.body : {};
      if (error.error === 'invalid_token') {
        return /expired/i.test(String(error.error_description ?? ''))
          ? { outcome: 'expired' }
          : { outcome: 'invalid', reason: 'rejected by LWA' };
      }
      const cause = new AuthorizationServerError(`LWA tokeninfo answered ${info.status} without invalid_token`, {
        status: info.status,
      });
      throw new CannotDecideError(
        'LWA request refused',
        "LWA tokeninfo refused the verifier's request without calling the token invalid: check LWA_TOKENINFO_URL",
        { cause },
      );
    }
    if (info.status !== 200 || !isObject(info.body))
      throw new AuthorizationServerError(`LWA tokeninfo answered ${info.status}`, { status: info.status });
    const tokenInfo = info.body;
    // Only a tokeninfo answer about this token is proof about it: a 200 with an `error`, or with
    // neither `aud` nor `app_id`, is something else (a proxy, an error page) and says nothing.
    if (tokenInfo.error !== undefined || (typeof tokenInfo.aud !== 'string' && typeof tokenInfo.app_id !== 'string')) {
      throw new CannotDecideError(
        'LWA tokeninfo answer unreadable',
        'LWA tokeninfo answered 200 with a body that is no tokeninfo answer (an error, or no aud and no app_id): check LWA_TOKENINFO_URL',
        {
          cause: new AuthorizationServerError('LWA tokeninfo answered 200 without a tokeninfo body', { status: 200 }),
        },
      );
    }
    const { clientId, appIds } = this.#options;
    const appId = typeof tokenInfo.app_id === 'string' ? tokenInfo.app_id : undefined;
    const ours = tokenInfo.aud === clientId || (appId !== undefined && (appId === clientId || appIds.includes(appId)));
    if (!ours) return { outcome: 'invalid', reason: 'issued to another client' };
    if (typeof tokenInfo.user_id !== 'string' || tokenInfo.user_id === '') {
      throw new CannotDecideError(
        'LWA tokeninfo without user',
        'LWA tokeninfo affirmed a token without its user_id: check LWA_TOKENINFO_URL',
      );
    }
    // tokeninfo's exp is the number of seconds the token has left
    const expiresAt =
      typeof tokenInfo.exp === 'number' && Number.isFinite(tokenInfo.exp)
        ? new Date(Date.now() + tokenInfo.exp * 1000)
        : undefined;
    if (expiresAt && (tokenInfo.exp as number) <= 0) return { outcome: 'expired' };

    let profile: Record<string, unknown> = {};
    if (this.#options.fetchProfile) {
      const answer = await fetchJson(
        'LWA profile',
        this.#options.profileUrl,
        { headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' } },
        context,
      );
      if (answer.status !== 200 || !isObject(answer.body))
        throw new AuthorizationServerError(`LWA profile answered ${answer.status}`, { status: answer.status });
      profile = answer.body;
    }
    return {
      outcome: 'valid',
      principal: { subject: tokenInfo.user_id, claims: { ...tokenInfo, ...profile } },
      ...(expiresAt && Number.isFinite(expiresAt.getTime()) ? { expiresAt } : {}),
    };
  }
}
