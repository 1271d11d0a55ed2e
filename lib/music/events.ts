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
  return {
    header: header(RESPONSE_NAMESPACES[`${namespace}.${name}`] ?? namespace, `${name}.Response`, '1.0'),
    payload,
  };
}

// Types, not interfaces: they must fit `Record<string, unknown>`, the payload of a plain MusicResponse.
/** The payload of a music ErrorResponse of type `T`. */
export type MusicErrorPayload<T extends string = string> = {
  /** The error type, e.g. `INVALID_AUTHORIZATION_CREDENTIAL` or `CONTENT_NOT_FOUND`. */
  type: T;
  /** Why, for logs (Alexa does not speak it); never a token. Always present. */
  message: string;
};

/** The payload of `SKIP_LIMIT_REACHED`: a {@link MusicErrorPayload} with the period after which skipping works again. */
export type SkipLimitReachedPayload = MusicErrorPayload<'SKIP_LIMIT_REACHED'> & {
  /** When skipping works again, e.g. `DAILY`, `HOURLY`; omitted when unknown. */
  retryPeriod?: string;
};

/** An `Alexa` ErrorResponse, `payloadVersion "3.0"`. */
export function musicErrorResponse(
  type: MusicErrorType,
  message: string,
): MusicResponse<MusicErrorPayload<MusicErrorType>> {
  return {
    header: header('Alexa', 'ErrorResponse', '3.0'),
    payload: { type, message: typeof message === 'string' ? message : '' },
  };
}

/** `Alexa.Media` CONTENT_NOT_FOUND: nothing matches the search, or the content cannot be played. */
export function contentNotFoundResponse(message: string): MusicResponse<MusicErrorPayload<'CONTENT_NOT_FOUND'>> {
  return { header: header('Alexa.Media', 'ErrorResponse', '1.0'), payload: { type: 'CONTENT_NOT_FOUND', message } };
}

/** `Alexa.Audio` ITEM_NOT_FOUND: no such item in the queue (e.g. GetPreviousItem at its head). */
export function itemNotFoundResponse(message: string): MusicResponse<MusicErrorPayload<'ITEM_NOT_FOUND'>> {
  return { header: header('Alexa.Audio', 'ErrorResponse', '1.0'), payload: { type: 'ITEM_NOT_FOUND', message } };
}

/** `Alexa.Audio` SKIP_LIMIT_REACHED, with the period after which skipping works again (e.g. `DAILY`). */
export function skipLimitReachedResponse(
  message: string,
  retryPeriod?: string,
): MusicResponse<SkipLimitReachedPayload> {
  return {
    header: header('Alexa.Audio', 'ErrorResponse', '1.0'),
    payload: { type: 'SKIP_LIMIT_REACHED', message, ...(retryPeriod ? { retryPeriod } : {}) },
  };
}

/** The replies of one request, bound to it: what handlers use, as `input.reply`. */
export interface MusicReplies {
  /** `<Name>.Response` with `payload`: see {@link musicResponse}. */
  response<P extends Record<string, unknown>>(payload: P): MusicResponse<P>;
  /** A general `Alexa` ErrorResponse: see {@link musicErrorResponse}. */
  error(type: MusicErrorType, message: string): MusicResponse;
  /** `Alexa.Media` CONTENT_NOT_FOUND: see {@link contentNotFoundResponse}. */
  contentNotFound(message: string): MusicResponse;
  /** `Alexa.Audio` ITEM_NOT_FOUND: see {@link itemNotFoundResponse}. */
  itemNotFound(message: string): MusicResponse;
  /** `Alexa.Audio` SKIP_LIMIT_REACHED: see {@link skipLimitReachedResponse}. */
  skipLimitReached(message: string, retryPeriod?: string): MusicResponse;
}

/** The replies bound to `request` (what the music builder hands handlers as `input.reply`). */
export function musicReplies(request: MusicRequest): MusicReplies {
  return {
    response: (payload) => musicResponse(request, payload),
    error: musicErrorResponse,
    contentNotFound: contentNotFoundResponse,
    itemNotFound: itemNotFoundResponse,
    skipLimitReached: skipLimitReachedResponse,
  };
}
