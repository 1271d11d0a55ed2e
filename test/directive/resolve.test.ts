/**
 * resolveDirectiveAccessToken: a directive's token where its kind carries it (payload.scope for
 * Discover, payload.grantee for AcceptGrant, endpoint.scope for the rest); a token out of shape is
 * a malformed directive, never a missing token.
 */
import {
  DIRECTIVE_TOKEN_PATHS,
  isAcceptGrant,
  isDiscover,
  resolveDirectiveAccessToken,
  type Directive,
} from '../../lib';
import { acceptGrantDirective, discoverDirective, powerControllerDirective } from '../../lib/testing';

const endpointDirective = (endpoint: unknown): Directive =>
  ({
    header: { namespace: 'Alexa.PowerController', name: 'TurnOn', messageId: 'm', payloadVersion: '3' },
    endpoint,
    payload: {},
  }) as Directive;

describe('resolveDirectiveAccessToken', () => {
  it('finds the token of a directive to an endpoint at endpoint.scope.token', () => {
    expect(resolveDirectiveAccessToken(powerControllerDirective('TurnOn', { accessToken: 'tok' }).directive)).toEqual({
      status: 'found',
      accessToken: 'tok',
      path: DIRECTIVE_TOKEN_PATHS.endpoint,
    });
  });

  it('finds the token of Discover in its payload, and of AcceptGrant in its grantee', () => {
    expect(resolveDirectiveAccessToken(discoverDirective('tok').directive)).toEqual({
      status: 'found',
      accessToken: 'tok',
      path: 'directive.payload.scope.token',
    });
    expect(resolveDirectiveAccessToken(acceptGrantDirective('tok').directive)).toEqual({
      status: 'found',
      accessToken: 'tok',
      path: 'directive.payload.grantee.token',
    });
  });

  it('says absent when the scope has no token, or Discover and AcceptGrant carry no scope or grantee', () => {
    expect(resolveDirectiveAccessToken(powerControllerDirective('TurnOn').directive)).toEqual({ status: 'absent' });
    expect(resolveDirectiveAccessToken(discoverDirective().directive)).toEqual({ status: 'absent' });
    expect(resolveDirectiveAccessToken(acceptGrantDirective().directive)).toEqual({ status: 'absent' });
    expect(
      resolveDirectiveAccessToken(endpointDirective({ endpointId: 'e', scope: { type: 'BearerToken', token: null } })),
    ).toEqual({ status: 'absent' });
  });

  it.each([
    ['no endpoint', undefined, 'the directive has no "endpoint" object'],
    ['an endpoint that is not an object', 'endpoint-001', 'the directive has no "endpoint" object'],
    ['an endpoint without a scope', { endpointId: 'e' }, 'the directive\'s endpoint has no "scope" object'],
    ['a scope that is not an object', { endpointId: 'e', scope: 'tok' }, '"directive.endpoint.scope" is not an object'],
    [
      'an empty token',
      { endpointId: 'e', scope: { token: '' } },
      '"directive.endpoint.scope.token" is not a non-empty string',
    ],
    [
      'a token that is not a string',
      { endpointId: 'e', scope: { token: 42 } },
      '"directive.endpoint.scope.token" is not a non-empty string',
    ],
  ])('says malformed, never absent, for a directive to an endpoint with %s', (_name, endpoint, reason) => {
    expect(resolveDirectiveAccessToken(endpointDirective(endpoint))).toEqual({ status: 'malformed', reason });
  });
});

describe('isDiscover and isAcceptGrant', () => {
  it('tell Discover and AcceptGrant by namespace and name, and nothing else', () => {
    expect([isDiscover(discoverDirective().directive), isAcceptGrant(discoverDirective().directive)]).toEqual([
      true,
      false,
    ]);
    expect([isDiscover(acceptGrantDirective().directive), isAcceptGrant(acceptGrantDirective().directive)]).toEqual([
      false,
      true,
    ]);
    expect([
      isDiscover(powerControllerDirective('TurnOn').directive),
      isAcceptGrant(powerControllerDirective('TurnOn').directive),
    ]).toEqual([false, false]);
    expect(isDiscover({ header: { namespace: 'Alexa.Discovery', name: 'AddOrUpdateReport' } } as Directive)).toBe(
      false,
    );
  });
});
