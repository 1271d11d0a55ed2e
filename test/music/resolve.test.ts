/**
 * resolveMusicAccessToken: the token at payload.requestContext.user.accessToken. Account linking
 * is optional for music skills, so omitted or null is absent; a token out of shape, or a request
 * without its user, is malformed.
 */
import { MUSIC_TOKEN_PATH, resolveMusicAccessToken, type MusicRequest } from '../../lib';
import { getPlayableContentRequest } from '../../lib/testing';

const withUser = (user: unknown): MusicRequest => {
  const request = getPlayableContentRequest([{ type: 'TRACK', entityId: '1' }]);
  return {
    ...request,
    payload: { ...request.payload, requestContext: { ...request.payload.requestContext, user } },
  } as MusicRequest;
};

describe('resolveMusicAccessToken', () => {
  it('finds the token at payload.requestContext.user.accessToken', () => {
    expect(resolveMusicAccessToken(getPlayableContentRequest([], { accessToken: 'tok' }))).toEqual({
      status: 'found',
      accessToken: 'tok',
      path: MUSIC_TOKEN_PATH,
    });
    expect(MUSIC_TOKEN_PATH).toBe('payload.requestContext.user.accessToken');
  });

  it('says absent when the token is omitted or null', () => {
    expect(resolveMusicAccessToken(getPlayableContentRequest([]))).toEqual({ status: 'absent' });
    expect(resolveMusicAccessToken(withUser({ id: 'u', accessToken: null }))).toEqual({ status: 'absent' });
  });

  it.each([
    ['an empty token', { id: 'u', accessToken: '' }, `"${MUSIC_TOKEN_PATH}" is not a non-empty string`],
    ['a token that is not a string', { id: 'u', accessToken: 7 }, `"${MUSIC_TOKEN_PATH}" is not a non-empty string`],
    ['no user', undefined, '"payload.requestContext.user" is not an object'],
    ['a user that is not an object', 'u', '"payload.requestContext.user" is not an object'],
  ])('says malformed, never absent, for %s', (_name, user, reason) => {
    expect(resolveMusicAccessToken(withUser(user))).toEqual({ status: 'malformed', reason });
  });
});
