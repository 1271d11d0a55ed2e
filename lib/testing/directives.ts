/**
 * Smart home, video and meetings directives for tests and local runs, shaped as Alexa sends them.
 */
import { randomUUID } from 'node:crypto';
import type { DirectiveEnvelope } from '../directive/envelope';

export interface DirectiveOptions {
  /** The access token, where Alexa puts it for this directive (omitted: not linked). */
  accessToken?: string;
  endpointId?: string;
  cookie?: Record<string, string>;
  /** Default: a fresh one for endpoint directives; none for Discover and AcceptGrant. */
  correlationToken?: string | null;
  payload?: Record<string, unknown>;
}

/** A directive to an endpoint (controllers, ReportState, video, meetings): the token in `endpoint.scope`. */
export function endpointDirective(namespace: string, name: string, options: DirectiveOptions = {}): DirectiveEnvelope {
  const correlationToken = options.correlationToken === undefined ? `corr-${randomUUID()}` : options.correlationToken;
  return {
    directive: {
      header: { namespace, name, messageId: randomUUID(), ...(correlationToken ? { correlationToken } : {}), payloadVersion: '3' },
      endpoint: {
        ...(options.accessToken !== undefined ? { scope: { type: 'BearerToken', token: options.accessToken } } : {}),
        endpointId: options.endpointId ?? 'endpoint-001',
        ...(options.cookie ? { cookie: options.cookie } : {}),
      },
      payload: options.payload ?? {},
    },
  };
}

export function powerControllerDirective(name: 'TurnOn' | 'TurnOff', options?: DirectiveOptions): DirectiveEnvelope {
  return endpointDirective('Alexa.PowerController', name, options);
}

export function reportStateDirective(options?: DirectiveOptions): DirectiveEnvelope {
  return endpointDirective('Alexa', 'ReportState', options);
}

/** `Alexa.Discovery.Discover`: the token in `payload.scope`, no endpoint, no correlation token. */
export function discoverDirective(accessToken?: string): DirectiveEnvelope {
  return {
    directive: {
      header: { namespace: 'Alexa.Discovery', name: 'Discover', messageId: randomUUID(), payloadVersion: '3' },
      payload: accessToken !== undefined ? { scope: { type: 'BearerToken', token: accessToken } } : {},
    },
  };
}

/** `Alexa.Authorization.AcceptGrant`: the user's token in `payload.grantee`, an LWA code in `payload.grant`. */
export function acceptGrantDirective(accessToken?: string, code = 'ANUbUKCJqlBOpMhwYWxU'): DirectiveEnvelope {
  return {
    directive: {
      header: { namespace: 'Alexa.Authorization', name: 'AcceptGrant', messageId: randomUUID(), payloadVersion: '3' },
      payload: {
        grant: { type: 'OAuth2.AuthorizationCode', code },
        ...(accessToken !== undefined ? { grantee: { type: 'BearerToken', token: accessToken } } : {}),
      },
    },
  };
}
