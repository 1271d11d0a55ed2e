/**
 * Smart home, video and meetings directives for tests and local runs, shaped as Alexa sends them.
 */
import { randomUUID } from 'node:crypto';
import type { DirectiveEnvelope, Scope } from '../directive/envelope';

/** What the directive helpers put in a directive. */
export interface DirectiveOptions {
  /** The access token, where Alexa puts it for this directive (omitted: a scope without a token). */
  accessToken?: string | undefined;
  /** The endpoint's ID. Default: `endpoint-001`. */
  endpointId?: string | undefined;
  /** The endpoint's cookie. Default: none. */
  cookie?: Record<string, string> | undefined;
  /** Default: a fresh one for endpoint directives; none for Discover and AcceptGrant. */
  correlationToken?: string | null | undefined;
  /** The directive's payload. Default: `{}`. */
  payload?: Record<string, unknown> | undefined;
}

/** A directive to an endpoint (controllers, ReportState, video, meetings): the token in `endpoint.scope`. */
export function endpointDirective(namespace: string, name: string, options: DirectiveOptions = {}): DirectiveEnvelope {
  const correlationToken = options.correlationToken === undefined ? `corr-${randomUUID()}` : options.correlationToken;
  return {
    directive: {
      header: {
        namespace,
        name,
        messageId: randomUUID(),
        ...(correlationToken ? { correlationToken } : {}),
        payloadVersion: '3',
      },
      endpoint: {
        // Alexa always sends the scope; a user with no token has none in it (a shape the Scope type, which
        // describes what Alexa sends a linked user, does not allow: hence the cast).
        scope: (options.accessToken !== undefined
          ? { type: 'BearerToken', token: options.accessToken }
          : { type: 'BearerToken' }) as Scope,
        endpointId: options.endpointId ?? 'endpoint-001',
        ...(options.cookie ? { cookie: options.cookie } : {}),
      },
      payload: options.payload ?? {},
    },
  };
}

/** `Alexa.PowerController.TurnOn` or `TurnOff` to an endpoint. */
export function powerControllerDirective(name: 'TurnOn' | 'TurnOff', options?: DirectiveOptions): DirectiveEnvelope {
  return endpointDirective('Alexa.PowerController', name, options);
}

/** `Alexa.ReportState` for an endpoint: answered with a StateReport. */
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
