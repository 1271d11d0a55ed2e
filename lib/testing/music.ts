/** Music Skill API requests for tests and local runs, shaped as Alexa sends them. */
import { randomUUID } from 'node:crypto';
import type { MusicRequest } from '../music/envelope';

/** What the music request helpers put in a request. */
export interface MusicRequestOptions {
  /** The access token, at `payload.requestContext.user.accessToken` (omitted: not linked). */
  accessToken?: string | undefined;
  /** The device's locale (`requestContext.location.originatingLocale`). Default: `en-US`. */
  locale?: string | undefined;
}

/** A Music Skill API request `namespace`.`name` with `payload` and a `requestContext`. */
export function musicRequest(
  namespace: string,
  name: string,
  payload: Record<string, unknown> = {},
  options: MusicRequestOptions = {},
): MusicRequest {
  return {
    header: { messageId: randomUUID(), namespace, name, payloadVersion: '1.0' },
    payload: {
      requestContext: {
        user: {
          id: 'amzn1.ask.account.TESTUSER',
          ...(options.accessToken !== undefined ? { accessToken: options.accessToken } : {}),
        },
        location: { originatingLocale: options.locale ?? 'en-US', countryCode: 'US' },
      },
      ...payload,
    },
  };
}

/** `Alexa.Media.Search.GetPlayableContent` for an entity, e.g. `{ type: 'TRACK', entityId: '1' }` or `{ type: 'MEDIA_TYPE', value: 'STATION' }`. */
export function getPlayableContentRequest(
  attributes: Array<Record<string, unknown>>,
  options?: MusicRequestOptions,
): MusicRequest {
  return musicRequest(
    'Alexa.Media.Search',
    'GetPlayableContent',
    { filters: { explicitLanguageAllowed: true }, selectionCriteria: { attributes } },
    options,
  );
}

/** `Alexa.Media.Playback.Initiate` of a content ID from GetPlayableContent. */
export function initiateRequest(contentId: string, options?: MusicRequestOptions): MusicRequest {
  return musicRequest(
    'Alexa.Media.Playback',
    'Initiate',
    { filters: { explicitLanguageAllowed: true }, contentId, currentItemReference: null, playbackModifiers: null },
    options,
  );
}

/** `Alexa.Audio.PlayQueue.GetNextItem` after the item `id` of queue `queueId`. */
export function getNextItemRequest(queueId: string, id: string, options?: MusicRequestOptions): MusicRequest {
  return musicRequest(
    'Alexa.Audio.PlayQueue',
    'GetNextItem',
    {
      currentItemReference: { namespace: 'Alexa.Audio.PlayQueue', name: 'item', id, queueId, contentId: queueId },
      isUserInitiated: false,
    },
    options,
  );
}
