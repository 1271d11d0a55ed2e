/**
 * Smart home, video and meetings skills, part 1 of 3: where the access token is in a directive
 * (`payload.scope` for Discover, `payload.grantee` for AcceptGrant, `endpoint.scope` for the rest).
 * A token out of shape is a malformed directive, never a missing token. See docs/smart-home.md.
 */
import type { TokenResolution } from '../gate/decision';
import { isObject } from '../json';
import type { Directive } from './envelope';

/** Where a directive carries its access token, as the `path` of a found {@link TokenResolution}. */
export const DIRECTIVE_TOKEN_PATHS = {
  /** Every directive to an endpoint: controllers, `ReportState`, video, meetings. */
  endpoint: 'directive.endpoint.scope.token',
  /** `Alexa.Discovery.Discover`, which has no endpoint: the token is in its payload. */
  discover: 'directive.payload.scope.token',
  /** `Alexa.Authorization.AcceptGrant`: the token of the user who just linked (the grantee). */
  acceptGrant: 'directive.payload.grantee.token',
} as const;

/** Whether `directive` is `Alexa.Discovery.Discover`, whose token is in its payload and whose rejection is an empty endpoint list by default. */
export function isDiscover(directive: Directive): boolean {
  return directive.header?.namespace === 'Alexa.Discovery' && directive.header?.name === 'Discover';
}

/** Whether `directive` is `Alexa.Authorization.AcceptGrant`, whose token is the grantee's and whose every failure is `ACCEPT_GRANT_FAILED`. */
export function isAcceptGrant(directive: Directive): boolean {
  return directive.header?.namespace === 'Alexa.Authorization' && directive.header?.name === 'AcceptGrant';
}

/**
 * Finds the access token of a directive, at the place its kind carries it ({@link DIRECTIVE_TOKEN_PATHS}).
 * Never throws: a scope that is not an object, or a token that is not a non-empty string, is a
 * `malformed` resolution; no scope or no `token` is `absent`.
 */
export function resolveDirectiveAccessToken(directive: Directive): TokenResolution {
  const [holder, key, path]: [unknown, string, string] = isDiscover(directive)
    ? [directive.payload, 'scope', DIRECTIVE_TOKEN_PATHS.discover]
    : isAcceptGrant(directive)
      ? [directive.payload, 'grantee', DIRECTIVE_TOKEN_PATHS.acceptGrant]
      : [directive.endpoint, 'scope', DIRECTIVE_TOKEN_PATHS.endpoint];
  if (path === DIRECTIVE_TOKEN_PATHS.endpoint) {
    // Alexa sends every directive to an endpoint with the endpoint and its scope: without them the
    // directive is malformed, not a user without a token (which would unlink them).
    if (!isObject(holder)) return { status: 'malformed', reason: 'the directive has no "endpoint" object' };
    if (holder.scope === undefined || holder.scope === null)
      return { status: 'malformed', reason: 'the directive\'s endpoint has no "scope" object' };
  }
  const scope = isObject(holder) ? holder[key] : undefined;
  if (scope === undefined || scope === null) return { status: 'absent' };
  if (!isObject(scope)) return { status: 'malformed', reason: `"${path.slice(0, -'.token'.length)}" is not an object` };
  const token = scope.token;
  if (token === undefined || token === null) return { status: 'absent' };
  if (typeof token !== 'string' || token === '')
    return { status: 'malformed', reason: `"${path}" is not a non-empty string` };
  return { status: 'found', accessToken: token, path };
}
