/**
 * The project's own smart home schema (test/schemas/smart-home-messages.schema.json) is what
 * validates smart home replies in a clone without Amazon's schema: it must accept what the toolkit
 * emits and reject what Alexa's rules forbid.
 */
import {
  acceptGrantFailedEvent,
  acceptGrantResponseEvent,
  discoverResponseEvent,
  errorEvent,
  responseEvent,
  stateReportEvent,
} from '../../lib';
import {
  acceptGrantDirective,
  discoverDirective,
  powerControllerDirective,
  reportStateDirective,
} from '../../lib/testing';
import { ownSmartHomeSchemaErrors } from '../support/smart-home-schema';

const directive = powerControllerDirective('TurnOn', {
  accessToken: 't',
  endpointId: 'lamp-1',
  cookie: { room: 'kitchen' },
}).directive;
const powerState = {
  namespace: 'Alexa.PowerController',
  name: 'powerState',
  value: 'ON',
  timeOfSample: new Date().toISOString(),
  uncertaintyInMilliseconds: 0,
};
const lamp = {
  endpointId: 'lamp-1',
  manufacturerName: 'My Lights',
  description: 'A lamp',
  friendlyName: 'Lamp',
  displayCategories: ['LIGHT'],
  capabilities: [{ type: 'AlexaInterface', interface: 'Alexa.PowerController', version: '3' }],
};

describe("the project's smart home schema", () => {
  it.each([
    ['Alexa.Response with context', () => responseEvent(directive, { properties: [powerState] })],
    [
      'Alexa.StateReport',
      () => stateReportEvent(reportStateDirective({ endpointId: 'lamp-1' }).directive, [powerState]),
    ],
    [
      'Alexa.ErrorResponse with the endpoint and its cookie echoed',
      () => errorEvent(directive, 'INVALID_AUTHORIZATION_CREDENTIAL', 'x'),
    ],
    [
      'an Alexa.Video ErrorResponse',
      () => errorEvent(directive, 'INVALID_AUTHORIZATION_CREDENTIAL', 'x', { namespace: 'Alexa.Video' }),
    ],
    ['Discover.Response with endpoints', () => discoverResponseEvent(discoverDirective('t').directive, [lamp])],
    ['Discover.Response with none', () => discoverResponseEvent(discoverDirective('t').directive, [])],
    ['AcceptGrant.Response', () => acceptGrantResponseEvent(acceptGrantDirective('t').directive)],
    ['ACCEPT_GRANT_FAILED', () => acceptGrantFailedEvent(acceptGrantDirective('t').directive, 'exchange failed')],
  ])('accepts %s', (_name, build) => {
    expect(ownSmartHomeSchemaErrors(build())).toEqual([]);
  });

  it.each<[string, () => unknown]>([
    [
      'a credential error under Alexa.Authorization',
      () => errorEvent(directive, 'INVALID_AUTHORIZATION_CREDENTIAL', 'x', { namespace: 'Alexa.Authorization' }),
    ],
    ['an Alexa error type that does not exist', () => errorEvent(directive, 'SERVICE_UNAVAILABLE', 'x')],
    [
      'an AcceptGrant.Response with a payload',
      () => {
        const event = acceptGrantResponseEvent(acceptGrantDirective('t').directive);
        event.event.payload = { note: 'x' };
        return event;
      },
    ],
    [
      'a Discover.Response with a correlationToken',
      () => {
        const event = discoverResponseEvent(discoverDirective('t').directive, []);
        event.event.header.correlationToken = 'c';
        return event;
      },
    ],
    [
      'an ErrorResponse with context',
      () => ({ ...errorEvent(directive, 'INTERNAL_ERROR', 'x'), context: { properties: [powerState] } }),
    ],
    [
      'the endpoint scope echoed',
      () => {
        const event = errorEvent(directive, 'INTERNAL_ERROR', 'x');
        (event.event.endpoint as unknown as Record<string, unknown>).scope = { type: 'BearerToken', token: 't' };
        return event;
      },
    ],
    [
      'payloadVersion "3.0"',
      () => {
        const event = responseEvent(directive) as unknown as { event: { header: Record<string, unknown> } };
        event.event.header.payloadVersion = '3.0';
        return event;
      },
    ],
    [
      'a messageId with an underscore',
      () => {
        const event = responseEvent(directive);
        event.event.header.messageId = 'not_a_uuid';
        return event;
      },
    ],
    [
      'a context property without timeOfSample',
      () => {
        const { timeOfSample: _omitted, ...partial } = powerState;
        return { ...responseEvent(directive), context: { properties: [partial] } };
      },
    ],
    [
      'a discovered endpoint without a friendlyName',
      () => {
        const { friendlyName: _omitted, ...partial } = lamp;
        return {
          event: {
            ...discoverResponseEvent(discoverDirective('t').directive, []).event,
            payload: { endpoints: [partial] },
          },
        };
      },
    ],
  ])('rejects %s', (_name, build) => {
    expect(ownSmartHomeSchemaErrors(build())).not.toEqual([]);
  });
});
