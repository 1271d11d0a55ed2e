/**
 * The events a smart home, video or meetings skill answers a directive with, built so that they
 * follow Alexa's echo rules whatever the handler does:
 * - a fresh UUID `messageId`;
 * - `correlationToken` only when the directive had one (never `null`);
 * - the endpoint echoed as `endpointId` (and `cookie`), never with its `scope`, which holds the token;
 * - `payloadVersion "3"`; no `context` on an ErrorResponse; `message` always present.
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

export interface ResponseOptions {
  /** Default `Alexa`. */
  namespace?: string;
  /** Default `Response`. */
  name?: string;
  payload?: Record<string, unknown>;
  /** The endpoint's state after the directive, as `context.properties`. */
  properties?: ContextProperty[];
}

/** `Alexa.Response` (or another response event) for a directive. */
export function responseEvent(directive: Directive, options: ResponseOptions = {}): AlexaEvent {
  return {
    event: { header: header(directive, options.namespace ?? 'Alexa', options.name ?? 'Response'), ...endpoint(directive), payload: options.payload ?? {} },
    ...(options.properties ? { context: { properties: options.properties } } : {}),
  };
}

/** `Alexa.StateReport`, the answer to `Alexa.ReportState`. */
export function stateReportEvent(directive: Directive, properties: ContextProperty[]): AlexaEvent {
  return responseEvent(directive, { name: 'StateReport', properties });
}

/** `Alexa.ErrorResponse` (or another namespace's), without `context`, with `message` always set. */
export function errorEvent(
  directive: Directive | undefined,
  type: string,
  message: string,
  options: { namespace?: string; payload?: Record<string, unknown> } = {},
): AlexaEvent<{ type: string; message: string }> {
  return {
    event: {
      header: header(directive, options.namespace ?? 'Alexa', 'ErrorResponse'),
      ...endpoint(directive),
      payload: { ...options.payload, type, message: typeof message === 'string' ? message : '' },
    },
  };
}

/** `Alexa.Discovery.Discover.Response` with the user's endpoints. */
export function discoverResponseEvent(directive: Directive, endpoints: readonly DiscoveredEndpoint[]): AlexaEvent<{ endpoints: DiscoveredEndpoint[] }> {
  return { event: { header: header(directive, 'Alexa.Discovery', 'Discover.Response'), payload: { endpoints: [...endpoints] } } };
}

/** `Alexa.Authorization.AcceptGrant.Response`: its payload is empty. */
export function acceptGrantResponseEvent(directive: Directive): AlexaEvent {
  return { event: { header: header(directive, 'Alexa.Authorization', 'AcceptGrant.Response'), payload: {} } };
}

/** `Alexa.Authorization.ErrorResponse` `ACCEPT_GRANT_FAILED`, the only error type AcceptGrant has. */
export function acceptGrantFailedEvent(directive: Directive | undefined, message: string): AlexaEvent<{ type: string; message: string }> {
  return errorEvent(directive, 'ACCEPT_GRANT_FAILED', message, { namespace: 'Alexa.Authorization' });
}

/** An endpoint in a Discover.Response (the fields of Alexa's discovery schema). */
export interface DiscoveredEndpoint {
  endpointId: string;
  manufacturerName: string;
  description: string;
  friendlyName: string;
  displayCategories: string[];
  capabilities: Array<Record<string, unknown>>;
  cookie?: Record<string, string>;
  additionalAttributes?: Record<string, string>;
  connections?: Array<Record<string, unknown>>;
  relationships?: Record<string, unknown>;
}

/** The replies of one directive, bound to it: what handlers use, as `input.reply`. */
export interface DirectiveReplies {
  response(options?: ResponseOptions): AlexaEvent;
  stateReport(properties: ContextProperty[]): AlexaEvent;
  error(type: string, message: string, options?: { namespace?: string; payload?: Record<string, unknown> }): AlexaEvent;
  discover(endpoints: readonly DiscoveredEndpoint[]): AlexaEvent;
  acceptGrant(): AlexaEvent;
  acceptGrantFailed(message: string): AlexaEvent;
}

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
