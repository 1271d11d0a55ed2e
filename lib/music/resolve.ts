/**
 * Music skills, part 1 of 3: the access token is at `payload.requestContext.user.accessToken`.
 * Account linking is optional for music skills, so it may be absent (omitted or `null`); a token
 * that is there but not a non-empty string, or a request without `requestContext.user`, is a
 * malformed request.
 */
import type { TokenResolution } from '../gate/decision';
import { isObject } from '../json';
import type { MusicRequest } from './envelope';

/** Where a music request carries its access token, as the `path` of a found {@link TokenResolution}. */
export const MUSIC_TOKEN_PATH = 'payload.requestContext.user.accessToken';

/**
 * Finds the access token of a music request, at {@link MUSIC_TOKEN_PATH}. Never throws: omitted or
 * `null` is `absent` (account linking is optional for music skills); anything else that is not a
 * non-empty string is `malformed`.
 */
export function resolveMusicAccessToken(request: MusicRequest): TokenResolution {
  const user = request.payload?.requestContext?.user;
  // Alexa sends the user (its id, and the token once linked) with every request: without it the
  // request is malformed, not a user without a token.
  if (!isObject(user)) return { status: 'malformed', reason: '"payload.requestContext.user" is not an object' };
  const token = user.accessToken;
  if (token === undefined || token === null) return { status: 'absent' };
  if (typeof token !== 'string' || token === '')
    return { status: 'malformed', reason: `"${MUSIC_TOKEN_PATH}" is not a non-empty string` };
  return { status: 'found', accessToken: token, path: MUSIC_TOKEN_PATH };
}
