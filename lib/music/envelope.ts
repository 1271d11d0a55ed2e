/**
 * Music, radio and podcast skills (the Music Skill API): `{header, payload}` at the top level,
 * neither custom requests nor smart home directives.
 */
import { MalformedRequestError } from '../errors';
import { isObject } from '../json';

/** The header of a Music Skill API request or response. */
export interface MusicHeader {
  /** The message's ID: Alexa's on a request, a fresh UUID on a response. */
  messageId: string;
  /** The interface, e.g. `Alexa.Media.Search`. */
  namespace: string;
  /** The message's name, e.g. `GetPlayableContent`. */
  name: string;
  /** `1.0` for requests and responses; `3.0` on general `Alexa` errors. */
  payloadVersion: string;
}

/** The user of a music request. */
export interface MusicRequestUser {
  /** The user's Alexa ID. */
  id?: string;
  /** The access token, when the user linked their account. */
  accessToken?: string | null;
}

/** Where a music request comes from. */
export interface MusicRequestLocation {
  /** The locale of the device, e.g. `en-US`. */
  originatingLocale?: string;
  /** The country of the device, e.g. `US`. */
  countryCode?: string;
}

/** `payload.requestContext` of every music request: who asks, from where. */
export interface MusicRequestContext {
  /** The user, with the access token (`user.accessToken`). */
  user?: MusicRequestUser;
  /** The device's locale and country. */
  location?: MusicRequestLocation;
}

/** A Music Skill API request: `{ header, payload }` at the top level. */
export interface MusicRequest<P = Record<string, any>> {
  /** What the request is. */
  header: MusicHeader;
  /** The request's arguments and its `requestContext`. */
  payload: P & {
    /** Who asks, from where: the access token is at `requestContext.user.accessToken`. */
    requestContext: MusicRequestContext;
  };
}

/** A Music Skill API response or ErrorResponse. */
export interface MusicResponse<P = Record<string, unknown>> {
  /** What the response is. */
  header: MusicHeader;
  /** Its payload. */
  payload: P;
}

/**
 * The request, if `event` has the shape of a Music Skill API request: `header` with string
 * `namespace` and `name`, and a `payload` with a `requestContext` object. Throws
 * {@link MalformedRequestError} saying what is wrong otherwise.
 */
export function parseMusicRequest(event: unknown): MusicRequest {
  if (!isObject(event)) throw new MalformedRequestError('the request is not a JSON object');
  if (!isObject(event.header)) throw new MalformedRequestError('the request has no "header" object');
  for (const key of ['namespace', 'name'] as const) {
    if (typeof event.header[key] !== 'string' || event.header[key] === '')
      throw new MalformedRequestError(`"header.${key}" is not a non-empty string`);
  }
  for (const key of ['messageId', 'payloadVersion'] as const) {
    if (event.header[key] !== undefined && typeof event.header[key] !== 'string')
      throw new MalformedRequestError(`"header.${key}" is not a string`);
  }
  if (!isObject(event.payload)) throw new MalformedRequestError('the request has no "payload" object');
  if (!isObject(event.payload.requestContext))
    throw new MalformedRequestError('"payload.requestContext" is not an object');
  const user = event.payload.requestContext.user;
  if (user !== undefined && user !== null && !isObject(user))
    throw new MalformedRequestError('"payload.requestContext.user" is not an object');
  return event as unknown as MusicRequest;
}

/** `Alexa.Media.Search.GetPlayableContent`: a request's namespace and name. */
export function musicRequestType(request: MusicRequest): string {
  return `${request.header.namespace}.${request.header.name}`;
}
