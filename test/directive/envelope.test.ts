/**
 * parseDirectiveEnvelope: a request is a directive when it has the shape of one; otherwise a
 * MalformedRequestError says what is wrong. directiveType names a directive as the logs do.
 */
import { directiveType, MalformedRequestError, parseDirectiveEnvelope } from '../../lib';
import { discoverDirective, powerControllerDirective } from '../../lib/testing';

const header = { namespace: 'Alexa.PowerController', name: 'TurnOn', messageId: 'm', payloadVersion: '3' };

describe('parseDirectiveEnvelope', () => {
  it('takes a directive to an endpoint and Discover, which has none, as they are', () => {
    const turnOn = powerControllerDirective('TurnOn', { accessToken: 't' });
    expect(parseDirectiveEnvelope(turnOn)).toBe(turnOn);
    const discover = discoverDirective('t');
    expect(parseDirectiveEnvelope(discover)).toBe(discover);
  });

  it.each([
    ['not an object', 'directive', 'the request is not a JSON object'],
    ['without a directive', { event: {} }, 'the request has no "directive" object'],
    ['without a header', { directive: { payload: {} } }, 'the directive has no "header" object'],
    [
      'with an empty namespace',
      { directive: { header: { ...header, namespace: '' } } },
      '"directive.header.namespace" is not a non-empty string',
    ],
    [
      'without a name',
      { directive: { header: { ...header, name: undefined } } },
      '"directive.header.name" is not a non-empty string',
    ],
    [
      'with a correlationToken that is not a string',
      { directive: { header: { ...header, correlationToken: 7 } } },
      '"directive.header.correlationToken" is not a string',
    ],
    [
      'with a payload that is not an object',
      { directive: { header, payload: [] } },
      '"directive.payload" is not an object',
    ],
    [
      'with an endpoint that is not an object',
      { directive: { header, endpoint: 'e' } },
      '"directive.endpoint" is not an object',
    ],
    [
      'with an endpoint without an endpointId',
      { directive: { header, endpoint: { scope: {} } } },
      '"directive.endpoint.endpointId" is not a string',
    ],
  ])('refuses a request %s, saying so', (_name, event, reason) => {
    expect(() => parseDirectiveEnvelope(event)).toThrow(MalformedRequestError);
    expect(() => parseDirectiveEnvelope(event)).toThrow(`Malformed Alexa request: ${reason}`);
  });

  it('takes a null correlationToken as none', () => {
    const event = { directive: { header: { ...header, correlationToken: null }, payload: {} } };
    expect(parseDirectiveEnvelope(event)).toBe(event);
  });
});

describe('directiveType', () => {
  it('is the namespace and name', () => {
    expect(directiveType(powerControllerDirective('TurnOff').directive)).toBe('Alexa.PowerController.TurnOff');
  });
});
