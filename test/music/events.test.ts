/**
 * The responses a music request is answered with: `<name>.Response` in the request's namespace
 * (Alexa.Audio.PlayQueue for the play queue's GetItem and GetView), and the error responses in the
 * namespaces and versions the music API gives them.
 */
import {
  contentNotFoundResponse,
  itemNotFoundResponse,
  musicErrorResponse,
  musicReplies,
  musicResponse,
  skipLimitReachedResponse,
} from '../../lib';
import { getNextItemRequest, getPlayableContentRequest, musicRequest } from '../../lib/testing';
import '../support/music-schema';

describe('musicResponse', () => {
  it("is <name>.Response in the request's namespace, version 1.0, with the payload and a fresh messageId", () => {
    const request = getPlayableContentRequest([]);
    const response = musicResponse(request, { content: { id: 'c' } });
    expect(response).toMatchObject({
      header: { namespace: 'Alexa.Media.Search', name: 'GetPlayableContent.Response', payloadVersion: '1.0' },
      payload: { content: { id: 'c' } },
    });
    expect(response.header.messageId).not.toBe(request.header.messageId);
    expect(musicResponse(request, {}).header.messageId).not.toBe(response.header.messageId);
  });

  it("answers the play queue's GetItem and GetView in Alexa.Audio.PlayQueue", () => {
    expect(musicResponse(musicRequest('Alexa.Media.PlayQueue', 'GetItem'), {}).header).toMatchObject({
      namespace: 'Alexa.Audio.PlayQueue',
      name: 'GetItem.Response',
    });
    expect(musicResponse(musicRequest('Alexa.Media.PlayQueue', 'GetView'), {}).header).toMatchObject({
      namespace: 'Alexa.Audio.PlayQueue',
      name: 'GetView.Response',
    });
    // Only those two: the play queue's other requests are answered in their own namespace.
    expect(musicResponse(musicRequest('Alexa.Media.PlayQueue', 'SetShuffle'), {}).header.namespace).toBe(
      'Alexa.Media.PlayQueue',
    );
  });
});

describe('the error responses', () => {
  it('are Alexa.ErrorResponse 3.0 for the generic types, always with a message', () => {
    expect(musicErrorResponse('RATE_LIMIT_EXCEEDED', 'slow down')).toMatchObject({
      header: { namespace: 'Alexa', name: 'ErrorResponse', payloadVersion: '3.0' },
      payload: { type: 'RATE_LIMIT_EXCEEDED', message: 'slow down' },
    });
    expect(musicErrorResponse('INTERNAL_ERROR', undefined as unknown as string).payload).toEqual({
      type: 'INTERNAL_ERROR',
      message: '',
    });
  });

  it('are in Alexa.Media or Alexa.Audio, version 1.0, for content, item and skip limit', () => {
    expect(contentNotFoundResponse('gone')).toMatchObject({
      header: { namespace: 'Alexa.Media', name: 'ErrorResponse', payloadVersion: '1.0' },
      payload: { type: 'CONTENT_NOT_FOUND', message: 'gone' },
    });
    expect(itemNotFoundResponse('gone')).toMatchObject({
      header: { namespace: 'Alexa.Audio', name: 'ErrorResponse', payloadVersion: '1.0' },
      payload: { type: 'ITEM_NOT_FOUND' },
    });
    expect(skipLimitReachedResponse('enough', 'PT1H').payload).toEqual({
      type: 'SKIP_LIMIT_REACHED',
      message: 'enough',
      retryPeriod: 'PT1H',
    });
    expect(skipLimitReachedResponse('enough').payload).toEqual({ type: 'SKIP_LIMIT_REACHED', message: 'enough' });
  });
});

describe('musicReplies', () => {
  it('answers the request it was made for', () => {
    const replies = musicReplies(musicRequest('Alexa.Media.Playback', 'Initiate'));
    expect(replies.response({}).header).toMatchObject({ namespace: 'Alexa.Media.Playback', name: 'Initiate.Response' });
    expect(replies.error('ACCOUNT_PROBLEM', 'm').payload).toMatchObject({ type: 'ACCOUNT_PROBLEM' });
    expect(replies.contentNotFound('m').payload).toMatchObject({ type: 'CONTENT_NOT_FOUND' });
    expect(replies.itemNotFound('m').payload).toMatchObject({ type: 'ITEM_NOT_FOUND' });
    expect(replies.skipLimitReached('m', 'PT1M').payload).toMatchObject({
      type: 'SKIP_LIMIT_REACHED',
      retryPeriod: 'PT1M',
    });
  });
});

describe('music replies', () => {
  const request = getNextItemRequest('q', 'i');
  it.each([
    [
      "a response on the request's namespace",
      () => musicResponse(request, { isQueueFinished: true }),
      { namespace: 'Alexa.Audio.PlayQueue', name: 'GetNextItem.Response', payloadVersion: '1.0' },
    ],
    [
      'GetItem answered on Alexa.Audio.PlayQueue',
      () => musicResponse(musicRequest('Alexa.Media.PlayQueue', 'GetItem'), {}),
      { namespace: 'Alexa.Audio.PlayQueue', name: 'GetItem.Response' },
    ],
    [
      'a general error',
      () => musicErrorResponse('RATE_LIMIT_EXCEEDED', 'slow down'),
      { namespace: 'Alexa', payloadVersion: '3.0' },
    ],
    [
      'CONTENT_NOT_FOUND',
      () => contentNotFoundResponse('no such song'),
      { namespace: 'Alexa.Media', payloadVersion: '1.0' },
    ],
    [
      'ITEM_NOT_FOUND',
      () => itemNotFoundResponse('start of queue'),
      { namespace: 'Alexa.Audio', payloadVersion: '1.0' },
    ],
    [
      'SKIP_LIMIT_REACHED with a retry period',
      () => skipLimitReachedResponse('no more skips', 'DAILY'),
      { namespace: 'Alexa.Audio', payloadVersion: '1.0' },
    ],
  ])('%s has the right header and validates', (_name, build, header) => {
    const reply = build();
    expect(reply.header).toMatchObject(header);
    expect(reply.header.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply).toMatchMusicSchema();
  });

  it('and the schema check can fail: a general error with payloadVersion 3 does not validate', () => {
    const reply = musicErrorResponse('INTERNAL_ERROR', 'x');
    reply.header.payloadVersion = '3';
    expect(reply).not.toMatchMusicSchema();
  });
});
