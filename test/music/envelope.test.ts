/**
 * parseMusicRequest: a request is a Music Skill API request when it has the shape of one; otherwise
 * a MalformedRequestError says what is wrong. musicRequestType names a request as the logs do.
 */
import { MalformedRequestError, musicRequestType, parseMusicRequest } from '../../lib';
import { getPlayableContentRequest } from '../../lib/testing';

const header = { namespace: 'Alexa.Media.Search', name: 'GetPlayableContent', messageId: 'm', payloadVersion: '1.0' };
const requestContext = { user: { id: 'u' }, location: { originatingLocale: 'en-US' } };

describe('parseMusicRequest', () => {
  it('takes a request with its user, or with a null one (account linking is optional), as it is', () => {
    const request = getPlayableContentRequest([], { accessToken: 't' });
    expect(parseMusicRequest(request)).toBe(request);
    const noUser = { header, payload: { requestContext: { ...requestContext, user: null } } };
    expect(parseMusicRequest(noUser)).toBe(noUser);
  });

  it.each([
    ['not an object', null, 'the request is not a JSON object'],
    ['without a header', { payload: { requestContext } }, 'the request has no "header" object'],
    [
      'with an empty namespace',
      { header: { ...header, namespace: '' }, payload: { requestContext } },
      '"header.namespace" is not a non-empty string',
    ],
    [
      'with a messageId that is not a string',
      { header: { ...header, messageId: 1 }, payload: { requestContext } },
      '"header.messageId" is not a string',
    ],
    ['without a payload', { header }, 'the request has no "payload" object'],
    ['without a requestContext', { header, payload: {} }, '"payload.requestContext" is not an object'],
    [
      'with a user that is not an object',
      { header, payload: { requestContext: { ...requestContext, user: 'u' } } },
      '"payload.requestContext.user" is not an object',
    ],
  ])('refuses a request %s, saying so', (_name, event, reason) => {
    expect(() => parseMusicRequest(event)).toThrow(MalformedRequestError);
    expect(() => parseMusicRequest(event)).toThrow(`Malformed Alexa request: ${reason}`);
  });
});

describe('musicRequestType', () => {
  it('is the namespace and name', () => {
    expect(musicRequestType(getPlayableContentRequest([]))).toBe('Alexa.Media.Search.GetPlayableContent');
  });
});
