import { resolveCustomAccessToken } from '../../lib';
import { launchRequest, skillAccountLinkedEvent, audioPlayerEvent } from '../../lib/testing';

describe('resolveCustomAccessToken', () => {
  it('reads context.System.user.accessToken first', () => {
    expect(resolveCustomAccessToken(launchRequest({ accessToken: 'a' }))).toEqual({
      status: 'found',
      accessToken: 'a',
      path: 'context.System.user.accessToken',
    });
  });

  it('falls back to session.user.accessToken', () => {
    const envelope = launchRequest({ accessToken: 'a' }) as any;
    delete envelope.context.System.user.accessToken;
    expect(resolveCustomAccessToken(envelope)).toEqual({
      status: 'found',
      accessToken: 'a',
      path: 'session.user.accessToken',
    });
  });

  it('reads the person token only when asked to prefer it', () => {
    const envelope = launchRequest({ accessToken: 'account', personAccessToken: 'person' });
    expect(resolveCustomAccessToken(envelope)).toMatchObject({ accessToken: 'account' });
    expect(resolveCustomAccessToken(envelope, { preferPersonToken: true })).toEqual({
      status: 'found',
      accessToken: 'person',
      path: 'context.System.person.accessToken',
    });
  });

  it('reads request.body.accessToken on SkillAccountLinked', () => {
    expect(resolveCustomAccessToken(skillAccountLinkedEvent('linked'))).toEqual({
      status: 'found',
      accessToken: 'linked',
      path: 'request.body.accessToken',
    });
  });

  it('finds a token in requests without a session', () => {
    expect(resolveCustomAccessToken(audioPlayerEvent('PlaybackStarted', { accessToken: 'a' }))).toMatchObject({
      status: 'found',
    });
  });

  it.each([
    ['omitted', launchRequest()],
    ['null', { ...launchRequest(), session: null, context: { System: { user: { accessToken: null } } } }],
    ['the empty string', launchRequest({ accessToken: '' })],
  ])('says absent for a token that is %s', (_name, envelope) => {
    expect(resolveCustomAccessToken(envelope)).toEqual({ status: 'absent' });
  });

  it.each([
    [
      'a number',
      { request: { type: 'LaunchRequest' }, context: { System: { user: { accessToken: 1 } } } },
      '"context.System.user.accessToken" is not a string',
    ],
    [
      'inside a user that is a string',
      { request: { type: 'LaunchRequest' }, context: { System: { user: 'u' } } },
      '"context.System.user" is not an object',
    ],
    ['in an envelope that is not an object', 'nope', 'the request envelope is not a JSON object'],
    // Alexa sends context, System and user with every custom request: without them the envelope is broken, not unlinked.
    [
      'in an envelope without context',
      { request: { type: 'LaunchRequest' } },
      'the request envelope has no "context" object',
    ],
    [
      'in a context without System',
      { request: { type: 'LaunchRequest' }, context: {} },
      '"context.System" is not an object',
    ],
    [
      'in a System that is an array',
      { request: { type: 'LaunchRequest' }, context: { System: [] } },
      '"context.System" is not an object',
    ],
    [
      'in a System without user',
      { request: { type: 'LaunchRequest' }, context: { System: {} } },
      '"context.System.user" is not an object',
    ],
  ])('says malformed for a token %s', (_name, envelope, reason) => {
    expect(resolveCustomAccessToken(envelope)).toEqual({ status: 'malformed', reason });
  });
});
