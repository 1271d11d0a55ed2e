/**
 * The events a directive is answered with follow Alexa's echo rules whatever the handler does: a
 * fresh messageId, the correlationToken only when one was sent, and the endpoint without its
 * token-bearing scope.
 */
import {
  acceptGrantFailedEvent,
  acceptGrantResponseEvent,
  directiveReplies,
  discoverResponseEvent,
  errorEvent,
  responseEvent,
  stateReportEvent,
} from '../../lib';
import { powerControllerDirective, reportStateDirective } from '../../lib/testing';

const turnOn = powerControllerDirective('TurnOn', {
  accessToken: 'secret-token',
  correlationToken: 'corr-1',
  cookie: { room: 'hall' },
}).directive;
const power = {
  namespace: 'Alexa.PowerController',
  name: 'powerState',
  value: 'ON',
  timeOfSample: '2026-01-01T00:00:00Z',
  uncertaintyInMilliseconds: 0,
};

describe('responseEvent', () => {
  it('is Alexa.Response with the echoed correlation token and endpoint (its cookie, never its scope), and an empty payload', () => {
    const { event } = responseEvent(turnOn);
    expect(event).toMatchObject({
      header: { namespace: 'Alexa', name: 'Response', correlationToken: 'corr-1', payloadVersion: '3' },
      payload: {},
    });
    expect(event.endpoint).toEqual({ endpointId: 'endpoint-001', cookie: { room: 'hall' } });
    expect(JSON.stringify(event)).not.toContain('secret-token');
  });

  it("has a fresh messageId each time, not the directive's", () => {
    const [a, b] = [responseEvent(turnOn), responseEvent(turnOn)].map(({ event }) => event.header.messageId);
    expect(a).not.toBe(b);
    expect(a).not.toBe(turnOn.header.messageId);
  });

  it('has no correlationToken when the directive sent none, and no endpoint when its endpointId is not one Alexa accepts', () => {
    const { event } = responseEvent(
      powerControllerDirective('TurnOn', { correlationToken: null, endpointId: 'has spaces' }).directive,
    );
    expect(event.header).not.toHaveProperty('correlationToken');
    expect(event).not.toHaveProperty('endpoint');
  });

  it('takes the namespace, name, payload and context properties it is given', () => {
    const reply = responseEvent(turnOn, {
      namespace: 'Alexa.Video',
      name: 'Done',
      payload: { ok: true },
      properties: [power],
    });
    expect(reply.event.header).toMatchObject({ namespace: 'Alexa.Video', name: 'Done' });
    expect(reply.event.payload).toEqual({ ok: true });
    expect(reply.context).toEqual({ properties: [power] });
  });
});

describe('stateReportEvent', () => {
  it('is Alexa.StateReport with the properties as context', () => {
    const reply = stateReportEvent(reportStateDirective({ accessToken: 't' }).directive, [power]);
    expect(reply.event.header).toMatchObject({ namespace: 'Alexa', name: 'StateReport' });
    expect(reply.context).toEqual({ properties: [power] });
  });
});

describe('errorEvent', () => {
  it('is an ErrorResponse of the type and message, in the namespace asked (Alexa by default), with extra payload fields', () => {
    expect(errorEvent(turnOn, 'ENDPOINT_UNREACHABLE', 'offline').event).toMatchObject({
      header: { namespace: 'Alexa', name: 'ErrorResponse', correlationToken: 'corr-1' },
      endpoint: { endpointId: 'endpoint-001' },
      payload: { type: 'ENDPOINT_UNREACHABLE', message: 'offline' },
    });
    expect(
      errorEvent(turnOn, 'TEMPERATURE_VALUE_OUT_OF_RANGE', 'too hot', {
        namespace: 'Alexa',
        payload: { validRange: { min: 1 } },
      }).event.payload,
    ).toEqual({ validRange: { min: 1 }, type: 'TEMPERATURE_VALUE_OUT_OF_RANGE', message: 'too hot' });
  });

  it("always has a message (Alexa's schema requires one), and its type and message win over payload fields of the same name", () => {
    expect(errorEvent(undefined, 'INTERNAL_ERROR', undefined as unknown as string).event.payload).toEqual({
      type: 'INTERNAL_ERROR',
      message: '',
    });
    expect(
      errorEvent(turnOn, 'INTERNAL_ERROR', 'm', { payload: { type: 'OTHER', message: 'x' } }).event.payload,
    ).toEqual({ type: 'INTERNAL_ERROR', message: 'm' });
  });
});

describe('the Discover and AcceptGrant events', () => {
  it('are Discover.Response with a copy of the endpoints, AcceptGrant.Response, and ACCEPT_GRANT_FAILED in Alexa.Authorization', () => {
    const endpoints = [
      {
        endpointId: 'e',
        manufacturerName: 'm',
        description: 'd',
        friendlyName: 'f',
        displayCategories: ['LIGHT'],
        capabilities: [],
      },
    ];
    const discover = discoverResponseEvent(turnOn, endpoints);
    expect(discover.event).toMatchObject({
      header: { namespace: 'Alexa.Discovery', name: 'Discover.Response' },
      payload: { endpoints },
    });
    expect(discover.event.payload.endpoints).not.toBe(endpoints);
    expect(acceptGrantResponseEvent(turnOn).event).toMatchObject({
      header: { namespace: 'Alexa.Authorization', name: 'AcceptGrant.Response' },
      payload: {},
    });
    expect(acceptGrantFailedEvent(undefined, 'no grant').event).toMatchObject({
      header: { namespace: 'Alexa.Authorization', name: 'ErrorResponse' },
      payload: { type: 'ACCEPT_GRANT_FAILED', message: 'no grant' },
    });
  });
});

describe('directiveReplies', () => {
  it('answers the directive it was made for, each reply the event of the same name', () => {
    const replies = directiveReplies(turnOn);
    expect(replies.response().event.header.correlationToken).toBe('corr-1');
    expect(replies.stateReport([power]).event.header.name).toBe('StateReport');
    expect(replies.error('INTERNAL_ERROR', 'm').event.payload).toMatchObject({ type: 'INTERNAL_ERROR' });
    expect(replies.discover([]).event.header.name).toBe('Discover.Response');
    expect(replies.acceptGrant().event.header.name).toBe('AcceptGrant.Response');
    expect(replies.acceptGrantFailed('m').event.payload).toMatchObject({ type: 'ACCEPT_GRANT_FAILED' });
  });
});
