/**
 * Smart home, video and meetings directives as Alexa sends them, and the events a skill answers
 * with (Smart Home API v3; ask-sdk-model has no types for them).
 */
import { MalformedRequestError } from '../errors';
import { isObject } from '../json';

/** The header of a directive: what it is (`namespace`, `name`) and how to answer it. */
export interface DirectiveHeader {
  /** The interface, e.g. `Alexa.PowerController`. */
  namespace: string;
  /** The directive's name in its interface, e.g. `TurnOn`. */
  name: string;
  /** Alexa's ID of this message. */
  messageId: string;
  /** Present on directives answered asynchronously too; absent on Discover and AcceptGrant. */
  correlationToken?: string;
  /** `3` for Smart Home API v3 directives. */
  payloadVersion: string;
  /** The instance of a multi-instance controller (Toggle, Range, Mode). */
  instance?: string;
}

/** `{ type: 'BearerToken', token }`; `BearerTokenWithPartition` adds `partition` and `userId`. */
export interface Scope {
  /** `BearerToken` (or `BearerTokenWithPartition`). */
  type: string;
  /** The user's access token: never logged, never echoed. */
  token: string;
  /** `BearerTokenWithPartition` only: the partition the endpoint is in. */
  partition?: string;
  /** `BearerTokenWithPartition` only: the user's ID in that partition. */
  userId?: string;
}

/** The endpoint a directive is for, as Alexa sends it: with the scope that holds the access token. */
export interface DirectiveEndpoint {
  /** The endpoint's ID, as the skill gave it in Discover.Response. */
  endpointId: string;
  /** The user's access token (`scope.token`). */
  scope?: Scope;
  /** The cookie the skill gave the endpoint in Discover.Response. */
  cookie?: Record<string, string>;
}

/** A smart home, video or meetings directive. */
export interface Directive<P = Record<string, any>> {
  /** What the directive is. */
  header: DirectiveHeader;
  /** The endpoint it is for; absent on Discover and AcceptGrant. */
  endpoint?: DirectiveEndpoint;
  /** The directive's arguments (Discover's and AcceptGrant's hold the token too). */
  payload: P;
}

/** What Alexa invokes a smart home, video or meetings skill with: `{ directive }`. */
export interface DirectiveEnvelope<P = Record<string, any>> {
  /** The directive. */
  directive: Directive<P>;
}

/** The header of an event the skill answers with. */
export interface EventHeader {
  /** The event's interface, e.g. `Alexa` for `Alexa.Response`. */
  namespace: string;
  /** The event's name, e.g. `Response`, `ErrorResponse`. */
  name: string;
  /** A fresh UUID for each event. */
  messageId: string;
  /** The directive's, echoed only when it had one (never `null`). */
  correlationToken?: string;
  /** Always `3`. */
  payloadVersion: '3';
  /** The directive's instance, for multi-instance controllers. */
  instance?: string;
}

/** An endpoint as echoed in an event: its ID and cookie, never its scope (the scope holds the token). */
export interface EventEndpoint {
  /** The directive's endpoint ID. */
  endpointId: string;
  /** The directive's endpoint cookie, if it had one. */
  cookie?: Record<string, string>;
}

/** A property of an endpoint's state, as reported in `context.properties`. */
export interface ContextProperty {
  /** The interface that has the property, e.g. `Alexa.PowerController`. */
  namespace: string;
  /** The property's name, e.g. `powerState`. */
  name: string;
  /** Its value, shaped as the interface defines it, e.g. `ON`. */
  value: unknown;
  /** ISO 8601 time the value was read. */
  timeOfSample: string;
  /** How long before `timeOfSample` the value may have changed, in ms (0 when read just now). */
  uncertaintyInMilliseconds: number;
  /** The controller instance, for multi-instance controllers. */
  instance?: string;
}

/** The body of an event: header, the echoed endpoint, and the payload. */
export interface AlexaEventBody<P = Record<string, unknown>> {
  /** What the event is. */
  header: EventHeader;
  /** The directive's endpoint echoed (its ID and cookie, never its scope). */
  endpoint?: EventEndpoint;
  /** The event's payload. */
  payload: P;
}

/** The endpoint's state that comes with an event: never on an ErrorResponse. */
export interface AlexaEventContext {
  /** The properties of the endpoint's state. */
  properties: ContextProperty[];
}

/** An event a skill answers a directive with (or sends to the Alexa event gateway). */
export interface AlexaEvent<P = Record<string, unknown>> {
  /** The event. */
  event: AlexaEventBody<P>;
  /** The endpoint's state after the directive: `Alexa.Response` and `StateReport` only. */
  context?: AlexaEventContext;
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
    if (typeof header[key] !== 'string' || header[key] === '')
      throw new MalformedRequestError(`"directive.header.${key}" is not a non-empty string`);
  }
  for (const key of ['messageId', 'correlationToken', 'payloadVersion', 'instance'] as const) {
    if (header[key] !== undefined && header[key] !== null && typeof header[key] !== 'string') {
      throw new MalformedRequestError(`"directive.header.${key}" is not a string`);
    }
  }
  if (directive.payload !== undefined && !isObject(directive.payload))
    throw new MalformedRequestError('"directive.payload" is not an object');
  if (directive.endpoint !== undefined) {
    if (!isObject(directive.endpoint)) throw new MalformedRequestError('"directive.endpoint" is not an object');
    if (typeof directive.endpoint.endpointId !== 'string')
      throw new MalformedRequestError('"directive.endpoint.endpointId" is not a string');
  }
  return event as unknown as DirectiveEnvelope;
}

/** `Alexa.PowerController.TurnOn`: a directive's namespace and name, as logs and handlers name it. */
export function directiveType(directive: Directive): string {
  return `${directive.header.namespace}.${directive.header.name}`;
}
