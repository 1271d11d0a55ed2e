import { resolveCustomAccessToken } from '../../lib';
import { launchRequest, skillAccountLinkedEvent, withAccessToken, withoutAccessToken } from '../../lib/testing';

const directive = (namespace: string, name: string, extra: object = {}) => ({
  directive: { header: { namespace, name, payloadVersion: '3', messageId: 'm' }, payload: {}, ...extra },
});

describe('withAccessToken', () => {
  it('puts the token in context and session of a custom request, where the resolver finds it', () => {
    const envelope = withAccessToken(launchRequest(), 'T0K3N-xyz') as any;
    expect(envelope.context.System.user.accessToken).toBe('T0K3N-xyz');
    expect(envelope.session.user.accessToken).toBe('T0K3N-xyz');
    expect(resolveCustomAccessToken(envelope)).toMatchObject({ status: 'found', accessToken: 'T0K3N-xyz' });
  });

  it('puts the token in request.body on SkillAccountLinked', () => {
    expect((withAccessToken(skillAccountLinkedEvent(), 'T0K3N-xyz') as any).request.body.accessToken).toBe('T0K3N-xyz');
  });

  it('puts the token in directive.endpoint.scope for controller directives', () => {
    const envelope = withAccessToken(
      directive('Alexa.PowerController', 'TurnOn', { endpoint: { endpointId: 'lamp-1' } }),
      'T0K3N-xyz',
    );
    expect(envelope.directive).toMatchObject({
      endpoint: { endpointId: 'lamp-1', scope: { type: 'BearerToken', token: 'T0K3N-xyz' } },
    });
  });

  it('puts the token in payload.scope for Discover and payload.grantee for AcceptGrant', () => {
    expect(withAccessToken(directive('Alexa.Discovery', 'Discover'), 'T0K3N-xyz').directive.payload).toEqual({
      scope: { type: 'BearerToken', token: 'T0K3N-xyz' },
    });
    expect(withAccessToken(directive('Alexa.Authorization', 'AcceptGrant'), 'T0K3N-xyz').directive.payload).toEqual({
      grantee: { type: 'BearerToken', token: 'T0K3N-xyz' },
    });
  });

  it('puts the token in payload.requestContext.user for music requests', () => {
    const music = {
      header: { namespace: 'Alexa.Media.Search', name: 'GetPlayableContent' },
      payload: { requestContext: { user: { id: 'u' } } },
    };
    expect(withAccessToken(music, 'T0K3N-xyz').payload.requestContext.user).toEqual({
      id: 'u',
      accessToken: 'T0K3N-xyz',
    });
  });

  it('leaves the original envelope alone', () => {
    const original = launchRequest();
    withAccessToken(original, 'T0K3N-xyz');
    expect(JSON.stringify(original)).not.toContain('T0K3N-xyz');
  });

  it('refuses what is no Alexa envelope', () => {
    expect(() => withAccessToken({ hello: 'world' }, 'T0K3N-xyz')).toThrow(
      'neither a custom request, a directive nor a music request',
    );
    expect(() => withAccessToken('nope', 'T0K3N-xyz')).toThrow('not a JSON object');
  });
});

describe('withoutAccessToken', () => {
  it('removes every copy of the token', () => {
    const envelope = withoutAccessToken(launchRequest({ accessToken: 'T0K3N-xyz' }));
    expect(JSON.stringify(envelope)).not.toContain('T0K3N-xyz');
    expect(resolveCustomAccessToken(envelope)).toEqual({ status: 'absent' });
  });
});
