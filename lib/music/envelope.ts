/**
 * Music, radio and podcast skills (the Music Skill API): `{header, payload}` at the top level,
 * neither custom requests nor smart home directives.
 */
import { MalformedRequestError } from '../errors';
import { isObject } from '../json';

export interface MusicHeader {
  messageId: string;
  namespace: string;
  name: string;
  payloadVersion: string;
}

export interface MusicRequestContext {
  user?: { id?: string; accessToken?: string | null };
  location?: { originatingLocale?: string; countryCode?: string };
}

export interface MusicRequest<P = Record<string, any>> {
  header: MusicHeader;
  payload: P & { requestContext: MusicRequestContext };
}

export interface MusicResponse<P = Record<string, unknown>> {
  header: MusicHeader;
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
    if (typeof event.header[key] !== 'string' || event.header[key] === '') throw new MalformedRequestError(`"header.${key}" is not a non-empty string`);
  }
  for (const key of ['messageId', 'payloadVersion'] as const) {
    if (event.header[key] !== undefined && typeof event.header[key] !== 'string') throw new MalformedRequestError(`"header.${key}" is not a string`);
  }
  if (!isObject(event.payload)) throw new MalformedRequestError('the request has no "payload" object');
  if (!isObject(event.payload.requestContext)) throw new MalformedRequestError('"payload.requestContext" is not an object');
  const user = event.payload.requestContext.user;
  if (user !== undefined && user !== null && !isObject(user)) throw new MalformedRequestError('"payload.requestContext.user" is not an object');
  return event as unknown as MusicRequest;
}

/** `Alexa.Media.Search.GetPlayableContent`: a request's namespace and name. */
export function musicRequestType(request: MusicRequest): string {
  return `${request.header.namespace}.${request.header.name}`;
}

