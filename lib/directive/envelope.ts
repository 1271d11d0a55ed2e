/**
 * Smart home, video and meetings directives as Alexa sends them, and the events a skill answers
 * with (Smart Home API v3; ask-sdk-model has no types for them).
 */
import { MalformedRequestError } from '../errors';
import { isObject } from '../json';

export interface DirectiveHeader {
  namespace: string;
  name: string;
  messageId: string;
  /** Present on directives answered asynchronously too; absent on Discover and AcceptGrant. */
  correlationToken?: string;
  payloadVersion: string;
  instance?: string;
}

/** `{ type: 'BearerToken', token }`; `BearerTokenWithPartition` adds `partition` and `userId`. */
export interface Scope {
  type: string;
  token: string;
  partition?: string;
  userId?: string;
}

export interface DirectiveEndpoint {
  endpointId: string;
  scope?: Scope;
  cookie?: Record<string, string>;
}

export interface Directive<P = Record<string, any>> {
  header: DirectiveHeader;
  endpoint?: DirectiveEndpoint;
  payload: P;
}

export interface DirectiveEnvelope<P = Record<string, any>> {
  directive: Directive<P>;
}

export interface EventHeader {
  namespace: string;
  name: string;
  messageId: string;
  correlationToken?: string;
  payloadVersion: '3';
  instance?: string;
}

/** An endpoint as echoed in an event: its ID and cookie, never its scope (the scope holds the token). */
export interface EventEndpoint {
  endpointId: string;
  cookie?: Record<string, string>;
}

export interface ContextProperty {
  namespace: string;
  name: string;
  value: unknown;
  /** ISO 8601 time the value was read. */
  timeOfSample: string;
  uncertaintyInMilliseconds: number;
  instance?: string;
}

export interface AlexaEvent<P = Record<string, unknown>> {
  event: { header: EventHeader; endpoint?: EventEndpoint; payload: P };
  context?: { properties: ContextProperty[] };
}

/**
 * The envelope, if `event` is shaped like a directive: an object with a `directive` whose `header`
 * has a string `namespace` and `name`, and whose `payload` and `endpoint`, where present, are objects.
 * Throws {@link MalformedRequestError} saying what is wrong otherwise.
 */
export function parseDirectiveEnvelope(event: unknown): DirectiveEnvelope {
  if (!isObject(event)) throw new MalformedRequestError('the request is not a JSON object');
  const directive = event.directive;
  if (!isObject(directive)) throw new MalformedRequestError('the request has no "directive" object');
  const header = directive.header;
  if (!isObject(header)) throw new MalformedRequestError('the directive has no "header" object');
  for (const key of ['namespace', 'name'] as const) {
    if (typeof header[key] !== 'string' || header[key] === '') throw new MalformedRequestError(`"directive.header.${key}" is not a non-empty string`);
  }
  for (const key of ['messageId', 'correlationToken', 'payloadVersion', 'instance'] as const) {
    if (header[key] !== undefined && header[key] !== null && typeof header[key] !== 'string') {
      throw new MalformedRequestError(`"directive.header.${key}" is not a string`);
    }
  }
  if (directive.payload !== undefined && !isObject(directive.payload)) throw new MalformedRequestError('"directive.payload" is not an object');
  if (directive.endpoint !== undefined) {
    if (!isObject(directive.endpoint)) throw new MalformedRequestError('"directive.endpoint" is not an object');
    if (typeof directive.endpoint.endpointId !== 'string') throw new MalformedRequestError('"directive.endpoint.endpointId" is not a string');
  }
  return event as unknown as DirectiveEnvelope;
}

/** `Alexa.PowerController.TurnOn`: a directive's namespace and name, as logs and handlers name it. */
export function directiveType(directive: Directive): string {
  return `${directive.header.namespace}.${directive.header.name}`;
}

