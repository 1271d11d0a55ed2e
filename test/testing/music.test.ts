/**
 * The music request builders for tests: requests shaped as Alexa sends them, the user always
 * there and the token in it only when given.
 */
import { getNextItemRequest, getPlayableContentRequest, initiateRequest, musicRequest } from '../../lib/testing';

describe('musicRequest', () => {
  it('is a request of the namespace and name, with the user (and the token when given), the locale, and the payload', () => {
    const request = musicRequest(
      'Alexa.Media.Playback',
      'Initiate',
      { contentId: 'c' },
      { accessToken: 'tok', locale: 'de-DE' },
    );
    expect(request).toMatchObject({
      header: { namespace: 'Alexa.Media.Playback', name: 'Initiate', payloadVersion: '1.0' },
      payload: {
        contentId: 'c',
        requestContext: {
          user: { id: 'amzn1.ask.account.TESTUSER', accessToken: 'tok' },
          location: { originatingLocale: 'de-DE' },
        },
      },
    });
    const anonymous = musicRequest('A', 'B');
    expect(anonymous.payload.requestContext.user).toEqual({ id: 'amzn1.ask.account.TESTUSER' });
    expect(anonymous.payload.requestContext.location).toMatchObject({ originatingLocale: 'en-US' });
    expect(anonymous.header.messageId).not.toBe(musicRequest('A', 'B').header.messageId);
  });
});

describe('the named music requests', () => {
  it('are GetPlayableContent, Initiate and GetNextItem with their payloads', () => {
    expect(getPlayableContentRequest([{ type: 'TRACK', entityId: '1' }])).toMatchObject({
      header: { namespace: 'Alexa.Media.Search', name: 'GetPlayableContent' },
      payload: { selectionCriteria: { attributes: [{ type: 'TRACK', entityId: '1' }] } },
    });
    expect(initiateRequest('content-1')).toMatchObject({
      header: { namespace: 'Alexa.Media.Playback', name: 'Initiate' },
      payload: { contentId: 'content-1' },
    });
    expect(getNextItemRequest('queue-1', 'item-1', { accessToken: 't' })).toMatchObject({
      header: { namespace: 'Alexa.Audio.PlayQueue', name: 'GetNextItem' },
      payload: {
        currentItemReference: { id: 'item-1', queueId: 'queue-1' },
        requestContext: { user: { accessToken: 't' } },
      },
    });
  });
});
