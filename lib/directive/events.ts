/**
 * The events a smart home, video or meetings skill answers a directive with, following Alexa's
 * echo rules whatever the handler does (fresh `messageId`, `correlationToken` only when sent, the
 * endpoint without its token-bearing `scope`). See docs/smart-home.md.
 */
import { randomUUID } from 'node:crypto';
import type { AlexaEvent, ContextProperty, Directive, EventEndpoint, EventHeader } from './envelope';
import { isObject } from '../json';

/** What Alexa's schema accepts as an endpointId. */
const ENDPOINT_ID = /^[a-zA-Z0-9_\-=#;:?@&]{1,256}$/;

function header(directive: Directive | undefined, namespace: string, name: string): EventHeader {
  const correlationToken = directive?.header?.correlationToken;
  return {
    namespace,
    name,
    messageId: randomUUID(),
    ...(typeof correlationToken === 'string' && correlationToken !== '' ? { correlationToken } : {}),
    payloadVersion: '3',
  };
}

function endpoint(directive: Directive | undefined): { endpoint?: EventEndpoint } {
  const source = directive?.endpoint;
  if (!isObject(source) || typeof source.endpointId !== 'string' || !ENDPOINT_ID.test(source.endpointId)) return {};
  return { endpoint: { endpointId: source.endpointId, ...(isObject(source.cookie) ? { cookie: source.cookie } : {}) } };
}

/** What {@link responseEvent} (`input.reply.response()`) puts in a response event. */
export interface ResponseOptions {
  /** The event's namespace. Default: `Alexa`. */
  namespace?: string | undefined;
  /** The event's name. Default: `Response`. */
  name?: string | undefined;
  /** The event's payload. Default: `{}` (what `Alexa.Response` has). */
  payload?: Record<string, unknown> | undefined;
  /** The endpoint's state after the directive, as `context.properties`. */
  properties?: ContextProperty[] | undefined;
}

/** `Alexa.Response` (or another response event) for a directive. */
export function responseEvent(directive: Directive, options: ResponseOptions = {}): AlexaEvent {
  return {
    event: {
      header: header(directive, options.namespace ?? 'Alexa', options.name ?? 'Response'),
      ...endpoint(directive),
      payload: options.payload ?? {},
    },
    ...(options.properties ? { context: { properties: options.properties } } : {}),
  };
}

/** `Alexa.StateReport`, the answer to `Alexa.ReportState`. */
export function stateReportEvent(directive: Directive, properties: ContextProperty[]): AlexaEvent {
  return responseEvent(directive, { name: 'StateReport', properties });
}

// A type, not an interface: it must fit `Record<string, unknown>`, the payload of a plain AlexaEvent.
/** The payload of an ErrorResponse event: the error type, a message, and any fields the type adds. */
export type DirectiveErrorPayload = {
  /** The error type, e.g. `INVALID_AUTHORIZATION_CREDENTIAL`, `INTERNAL_ERROR`, `ACCEPT_GRANT_FAILED`. */
  type: string;
  /** Why, for logs (Alexa does not speak it); never a token. Always present (Alexa's schema requires it). */
  message: string;
};

/** Options of {@link errorEvent} beyond the type and message. */
export interface ErrorEventOptions {
  /** The error's namespace: `Alexa.Video`, `Alexa.ThermostatController`, ... Default: `Alexa`. */
  namespace?: string | undefined;
  /** Fields the error type adds, e.g. `validRange` for `VALUE_OUT_OF_RANGE`. */
  payload?: Record<string, unknown> | undefined;
}

/** `Alexa.ErrorResponse` (or another namespace's), without `context`, with `message` always set. */
export function errorEvent(
  directive: Directive | undefined,
  type: string,
  message: string,
  options: ErrorEventOptions = {},
): AlexaEvent<DirectiveErrorPayload> {
  return {
    event: {
      header: header(directive, options.namespace ?? 'Alexa', 'ErrorResponse'),
      ...endpoint(directive),
      payload: { ...options.payload, type, message: typeof message === 'string' ? message : '' },
    },
  };
}

/** `Alexa.Discovery.Discover.Response` with the user's endpoints. */
export function discoverResponseEvent(
  directive: Directive,
  endpoints: readonly DiscoveredEndpoint[],
): AlexaEvent<DiscoverResponsePayload> {
  return {
    event: {
      header: header(directive, 'Alexa.Discovery', 'Discover.Response'),
      payload: { endpoints: [...endpoints] },
    },
  };
}

/** `Alexa.Authorization.AcceptGrant.Response`: its payload is empty. */
export function acceptGrantResponseEvent(directive: Directive): AlexaEvent {
  return { event: { header: header(directive, 'Alexa.Authorization', 'AcceptGrant.Response'), payload: {} } };
}

/** `Alexa.Authorization.ErrorResponse` `ACCEPT_GRANT_FAILED`, the only error type AcceptGrant has. */
export function acceptGrantFailedEvent(
  directive: Directive | undefined,
  message: string,
): AlexaEvent<DirectiveErrorPayload> {
  return errorEvent(directive, 'ACCEPT_GRANT_FAILED', message, { namespace: 'Alexa.Authorization' });
}

/** The payload of `Discover.Response`: the user's endpoints (none is a valid answer). */
export type DiscoverResponsePayload = {
  /** The endpoints the linked user has. */
  endpoints: DiscoveredEndpoint[];
};

/** An endpoint in a Discover.Response (the fields of Alexa's discovery schema). */
export interface DiscoveredEndpoint {
  /** The endpoint's ID in the skill, unique for the user (letters, digits and `_-=#;:?@&`, up to 256). */
  endpointId: string;
  /** Who makes the device, as the Alexa app shows it. */
  manufacturerName: string;
  /** What the device is, as the Alexa app shows it. */
  description: string;
  /** The name the user calls the device by. */
  friendlyName: string;
  /** How the Alexa app files the device, e.g. `LIGHT`. */
  displayCategories: string[];
  /** The interfaces the endpoint supports (`{ type: 'AlexaInterface', interface, version, ... }`). */
  capabilities: Array<Record<string, unknown>>;
  /** Data Alexa sends back with every directive for this endpoint. */
  cookie?: Record<string, string> | undefined;
  /** Manufacturer details: model, serial number, firmware, ... */
  additionalAttributes?: Record<string, string> | undefined;
  /** How the device connects: Zigbee, Z-Wave, ... */
  connections?: Array<Record<string, unknown>> | undefined;
  /** Relationships to other endpoints, e.g. the bridge it is behind. */
  relationships?: Record<string, unknown> | undefined;
}

/** The replies of one directive, bound to it: what handlers use, as `input.reply`. */
export interface DirectiveReplies {
  /** `Alexa.Response` (or another response event): see {@link responseEvent}. */
  response(options?: ResponseOptions): AlexaEvent;
  /** `Alexa.StateReport` with the endpoint's properties: see {@link stateReportEvent}. */
  stateReport(properties: ContextProperty[]): AlexaEvent;
  /** An ErrorResponse of `type`: see {@link errorEvent}. */
  error(type: string, message: string, options?: ErrorEventOptions): AlexaEvent;
  /** `Discover.Response` with the user's endpoints: see {@link discoverResponseEvent}. */
  discover(endpoints: readonly DiscoveredEndpoint[]): AlexaEvent;
  /** `AcceptGrant.Response`: see {@link acceptGrantResponseEvent}. */
  acceptGrant(): AlexaEvent;
  /** `ACCEPT_GRANT_FAILED`: see {@link acceptGrantFailedEvent}. */
  acceptGrantFailed(message: string): AlexaEvent;
}

/** The replies bound to `directive` (what the directive builder hands handlers as `input.reply`). */
export function directiveReplies(directive: Directive): DirectiveReplies {
  return {
    response: (options) => responseEvent(directive, options),
    stateReport: (properties) => stateReportEvent(directive, properties),
    error: (type, message, options) => errorEvent(directive, type, message, options),
    discover: (endpoints) => discoverResponseEvent(directive, endpoints),
    acceptGrant: () => acceptGrantResponseEvent(directive),
    acceptGrantFailed: (message) => acceptGrantFailedEvent(directive, message),
  };
}
