/**
 * The numbers and rules `check-server` holds an authorization server to, each with where it comes
 * from. docs/check-server.md lists the same sources; a rule no Amazon page was found to state is
 * marked `confirmed: false`, and the findings that rest on it say so.
 */

/** Alexa gives up on the token endpoint's answer after this long (Account Linking FAQ). */
export const TOKEN_RESPONSE_LIMIT_MS = 4500;
/** Answers slower than this are reported as close to the limit (this tool's margin, not Amazon's). */
export const TOKEN_RESPONSE_WARNING_MS = 3000;
/** The shortest access token lifetime Alexa accepts, in seconds (Account Linking FAQ: six minutes). */
export const MIN_ACCESS_TOKEN_LIFETIME_SECONDS = 360;
/** The hosts of Alexa's redirect URIs, one per region, as the developer console lists them. */
export const ALEXA_REDIRECT_HOSTS = ['pitangui.amazon.com', 'layla.amazon.com', 'alexa.amazon.co.jp'] as const;

export interface Source {
  /** Where the rule is written. */
  url: string;
  /** What the page says, in short (never quoted at length). */
  says: string;
  /** false when no Amazon page was found to state the rule: the finding says it is not confirmed. */
  confirmed: boolean;
}

export const SOURCES = {
  requirements: {
    url: 'https://developer.amazon.com/en-US/docs/alexa/account-linking/requirements-account-linking.html',
    says: "The authorization URI must be reachable over HTTPS on port 443; the OAuth server needs a certificate signed by an Amazon-approved certificate authority (and the page says Let's Encrypt cannot be used, although it is on the list).",
    confirmed: true,
  },
  faq: {
    url: 'https://developer.amazon.com/en-US/docs/alexa/account-linking/faq.html',
    says: 'HTTPS with a certificate from an Amazon-approved CA; for the authorization code grant the server returns the access token and the refresh token in a JSON response and must respond within 4.5 seconds; access tokens must live at least six minutes (360 seconds).',
    confirmed: true,
  },
  tokenUriPort: {
    url: 'https://developer.amazon.com/en-US/docs/alexa/account-linking/requirements-account-linking.html',
    says: 'Port 443 for the access token URI: the page states it for the authorization URI; the text of its access token URI section was not read in full here, so port 443 for the token URI is not confirmed (HTTPS with an Amazon-approved certificate is, by the FAQ).',
    confirmed: false,
  },
  noRefreshToken: {
    url: 'https://developer.amazon.com/en-US/docs/alexa/account-linking/add-account-linking-logic-smart-home.html',
    says: 'A token becomes invalid when it has expired and Alexa could not get a new one, which happens with the authorization code grant when the server does not provide refresh tokens.',
    confirmed: true,
  },
  refreshFailureUnlinks: {
    url: 'https://developer.amazon.com/ja-JP/docs/alexa/account-linking/ja-add-account-linking-logic-music.html',
    says: 'When Alexa cannot get a new token pair because the refresh token of a linked user is invalid or expired, it deletes the tokens and asks the user (push notification, home card) to link again.',
    confirmed: true,
  },
  refreshPair: {
    url: 'https://developer.amazon.com/docs/alexaplus/account-linking/use-access-tokens.html',
    says: 'When the access token expires, Alexa calls the access token URI with the refresh token for a new access token and refresh token pair.',
    confirmed: true,
  },
  prematureInvalidation: {
    url: 'https://developer.amazon.com/en-US/blogs/alexa/device-makers/2024/07/alexa-account-linking-july-2024',
    says: 'Prematurely invalidating access and refresh tokens leads to authentication failures. That Alexa sends an old refresh token again shortly after a refresh (a retry whose answer it lost) was not found stated by Amazon: not confirmed; the check treats it as the failure a rotation without grace turns into an unlink.',
    confirmed: false,
  },
  expiredReplyUnlinks: {
    url: 'https://developer.amazon.com/ja-JP/docs/alexa/account-linking/ja-add-account-linking-logic-smart-home.html',
    says: "A skill that answers EXPIRED_AUTHORIZATION_CREDENTIAL or INVALID_AUTHORIZATION_CREDENTIAL makes Alexa delete the user's tokens and unlink the account.",
    confirmed: true,
  },
  redirectUris: {
    url: 'https://developer.amazon.com/en-US/docs/alexa/account-linking/requirements-account-linking.html',
    says: 'After the user signs in, the authorization server redirects to the Alexa redirect URI it was given (e.g. https://pitangui.amazon.com/api/skill/link/…) with state and code. The three regional hosts (pitangui.amazon.com, layla.amazon.com, alexa.amazon.co.jp) are those the developer console lists; an Amazon page listing all three was not read here: not confirmed.',
    confirmed: false,
  },
  tokenResponse: {
    url: 'https://www.rfc-editor.org/rfc/rfc6749#section-5.1',
    says: 'RFC 6749 §5.1: a token response holds access_token and token_type (required), expires_in (recommended), refresh_token (optional). That Alexa refuses a token_type other than bearer is not confirmed.',
    confirmed: false,
  },
  verifier: {
    url: 'https://developer.amazon.com/en-US/docs/alexa/account-linking/add-account-linking-logic-smart-home.html',
    says: 'The skill verifies the access token in each request; this package\'s verifier answers "could not decide" (a transient reply, no unlink) on a configuration mismatch, so every linked user\'s requests fail until the deploy is fixed.',
    confirmed: true,
  },
} satisfies Record<string, Source>;

export type SourceId = keyof typeof SOURCES;
