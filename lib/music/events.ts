/**
 * The replies of a music skill, with the Music Skill API's rules applied: a fresh UUID `messageId`;
 * `<Name>.Response` on the request's namespace with `payloadVersion "1.0"`; general errors on
 * `Alexa` with `payloadVersion "3.0"` (not smart home's `"3"`); media errors on `Alexa.Media` and
 * `Alexa.Audio` with `payloadVersion "1.0"`; `message` always present.
 */
import { randomUUID } from 'node:crypto';
import type { MusicHeader, MusicRequest, MusicResponse } from './envelope';

/** General error types of the Music Skill API (namespace `Alexa`). */
export type MusicErrorType =
  | 'ACCOUNT_PROBLEM'
  | 'EXPIRED_AUTHORIZATION_CREDENTIAL'
  | 'INTERNAL_ERROR'
  | 'INVALID_AUTHORIZATION_CREDENTIAL'
  | 'INVALID_DIRECTIVE'
  | 'RATE_LIMIT_EXCEEDED';

/**
 * Responses whose namespace is not the request's. Amazon's examples answer `Alexa.Media.PlayQueue`
 * GetItem and GetView on `Alexa.Audio.PlayQueue`.
 */
const RESPONSE_NAMESPACES: Record<string, string> = {
  'Alexa.Media.PlayQueue.GetItem': 'Alexa.Audio.PlayQueue',
  'Alexa.Media.PlayQueue.GetView': 'Alexa.Audio.PlayQueue',
};

function header(namespace: string, name: string, payloadVersion: string): MusicHeader {
  return { messageId: randomUUID(), namespace, name, payloadVersion };
}

/** `<Name>.Response` to a request, e.g. `GetPlayableContent.Response` on `Alexa.Media.Search`. */
export function musicResponse<P extends Record<string, unknown>>(request: MusicRequest, payload: P): MusicResponse<P> {
  const { namespace, name } = request.header;
  return { header: header(RESPONSE_NAMESPACES[`${namespace}.${name}`] ?? namespace, `${name}.Response`, '1.0'), payload };
}

/** An `Alexa` ErrorResponse, `payloadVersion "3.0"`. */
export function musicErrorResponse(type: MusicErrorType, message: string): MusicResponse<{ type: MusicErrorType; message: string }> {
  return { header: header('Alexa', 'ErrorResponse', '3.0'), payload: { type, message: typeof message === 'string' ? message : '' } };
}

/** `Alexa.Media` CONTENT_NOT_FOUND: nothing matches the search, or the content cannot be played. */
export function contentNotFoundResponse(message: string): MusicResponse<{ type: 'CONTENT_NOT_FOUND'; message: string }> {
  return { header: header('Alexa.Media', 'ErrorResponse', '1.0'), payload: { type: 'CONTENT_NOT_FOUND', message } };
}

/** `Alexa.Audio` ITEM_NOT_FOUND: no such item in the queue (e.g. GetPreviousItem at its head). */
export function itemNotFoundResponse(message: string): MusicResponse<{ type: 'ITEM_NOT_FOUND'; message: string }> {
  return { header: header('Alexa.Audio', 'ErrorResponse', '1.0'), payload: { type: 'ITEM_NOT_FOUND', message } };
}

/** `Alexa.Audio` SKIP_LIMIT_REACHED, with the period after which skipping works again (e.g. `DAILY`). */
export function skipLimitReachedResponse(
  message: string,
  retryPeriod?: string,
): MusicResponse<{ type: 'SKIP_LIMIT_REACHED'; message: string; retryPeriod?: string }> {
  return {
    header: header('Alexa.Audio', 'ErrorResponse', '1.0'),
    payload: { type: 'SKIP_LIMIT_REACHED', message, ...(retryPeriod ? { retryPeriod } : {}) },
  };
}

/** The replies of one request, bound to it: what handlers use, as `input.reply`. */
export interface MusicReplies {
  response<P extends Record<string, unknown>>(payload: P): MusicResponse<P>;
  error(type: MusicErrorType, message: string): MusicResponse;
  contentNotFound(message: string): MusicResponse;
  itemNotFound(message: string): MusicResponse;
  skipLimitReached(message: string, retryPeriod?: string): MusicResponse;
}

export function musicReplies(request: MusicRequest): MusicReplies {
  return {
    response: (payload) => musicResponse(request, payload),
    error: musicErrorResponse,
    contentNotFound: contentNotFoundResponse,
    itemNotFound: itemNotFoundResponse,
    skipLimitReached: skipLimitReachedResponse,
  };
}
