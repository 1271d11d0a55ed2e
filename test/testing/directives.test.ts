/**
 * The directive builders for tests: directives shaped as Alexa sends them, the token where each
 * kind carries it, and a user without a token shaped as Alexa sends that too.
 */
import { resolveDirectiveAccessToken } from '../../lib';
import {
  acceptGrantDirective,
  discoverDirective,
  endpointDirective,
  powerControllerDirective,
  reportStateDirective,
} from '../../lib/testing';

describe('endpointDirective', () => {
  it('is a directive to an endpoint, its token in the scope, with a fresh correlation token unless given one (null for none)', () => {
    const { directive } = endpointDirective('Alexa.BrightnessController', 'SetBrightness', {
      accessToken: 'tok',
      endpointId: 'lamp',
      cookie: { a: 'b' },
      payload: { brightness: 5 },
    });
    expect(directive).toMatchObject({
      header: {
        namespace: 'Alexa.BrightnessController',
        name: 'SetBrightness',
        payloadVersion: '3',
        correlationToken: expect.stringMatching(/^corr-/),
      },
      endpoint: { scope: { type: 'BearerToken', token: 'tok' }, endpointId: 'lamp', cookie: { a: 'b' } },
      payload: { brightness: 5 },
    });
    expect(endpointDirective('Alexa', 'ReportState', { correlationToken: 'c' }).directive.header.correlationToken).toBe(
      'c',
    );
    expect(endpointDirective('Alexa', 'ReportState', { correlationToken: null }).directive.header).not.toHaveProperty(
      'correlationToken',
    );
    expect(endpointDirective('A', 'B').directive.header.messageId).not.toBe(
      endpointDirective('A', 'B').directive.header.messageId,
    );
  });

  it('sends a user without a token a scope without a token, as Alexa does (so the token is absent, not malformed)', () => {
    const { directive } = powerControllerDirective('TurnOff');
    expect(directive.endpoint?.scope).toEqual({ type: 'BearerToken' });
    expect(resolveDirectiveAccessToken(directive)).toEqual({ status: 'absent' });
  });
});

describe('the named directives', () => {
  it('are PowerController, ReportState, Discover and AcceptGrant, each with its token where its kind carries it', () => {
    expect(powerControllerDirective('TurnOn').directive.header).toMatchObject({
      namespace: 'Alexa.PowerController',
      name: 'TurnOn',
    });
    expect(reportStateDirective().directive.header).toMatchObject({ namespace: 'Alexa', name: 'ReportState' });
    expect(discoverDirective('tok').directive).toMatchObject({
      header: { namespace: 'Alexa.Discovery', name: 'Discover' },
      payload: { scope: { token: 'tok' } },
    });
    expect(discoverDirective().directive.payload).toEqual({});
    expect(acceptGrantDirective('tok', 'code-1').directive).toMatchObject({
      header: { namespace: 'Alexa.Authorization', name: 'AcceptGrant' },
      payload: { grant: { type: 'OAuth2.AuthorizationCode', code: 'code-1' }, grantee: { token: 'tok' } },
    });
    expect(acceptGrantDirective().directive.payload).not.toHaveProperty('grantee');
  });
});
