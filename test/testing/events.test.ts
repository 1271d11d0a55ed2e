/**
 * The custom skill envelopes for tests: requests shaped as Alexa sends them, a session only for the
 * request types that have one, and the token in both user objects only when given.
 */
import { customRequestType, voiceLinkingResult } from '../../lib';
import {
  audioPlayerEvent,
  canFulfillIntentRequest,
  customEnvelope,
  intentRequest,
  launchRequest,
  sessionEndedRequest,
  sessionResumedRequest,
  skillAccountLinkedEvent,
  TEST_SKILL_ID,
  TEST_USER_ID,
  voiceLinkingResumedRequest,
} from '../../lib/testing';

const any = (envelope: unknown) => envelope as Record<string, any>;

describe('customEnvelope', () => {
  it("puts the token in the session's user and the context's, the skill and user ids, and the locale", () => {
    const envelope = any(launchRequest({ accessToken: 'tok', locale: 'fr-FR' }));
    expect(envelope.session).toMatchObject({
      new: true,
      application: { applicationId: TEST_SKILL_ID },
      user: { userId: TEST_USER_ID, accessToken: 'tok' },
    });
    expect(envelope.context.System.user).toEqual({ userId: TEST_USER_ID, accessToken: 'tok' });
    expect(envelope.request).toMatchObject({ type: 'LaunchRequest', locale: 'fr-FR' });
    expect(any(launchRequest()).context.System.user).toEqual({ userId: TEST_USER_ID });
  });

  it('has a session for the request types that have one, and not for events, unless told', () => {
    expect(any(intentRequest('OrderIntent')).session).toMatchObject({ new: false });
    expect(any(sessionEndedRequest()).session).toBeDefined();
    expect(any(canFulfillIntentRequest('OrderIntent')).session).toBeDefined();
    expect(any(audioPlayerEvent()).session).toBeUndefined();
    expect(any(skillAccountLinkedEvent('tok')).session).toBeUndefined();
    expect(any(customEnvelope({ type: 'Custom.Event' })).session).toBeUndefined();
    expect(any(customEnvelope({ type: 'Custom.Event' }, { session: true })).session).toBeDefined();
    expect(any(launchRequest({ session: false })).session).toBeUndefined();
  });

  it('adds a person with its own token only when given one', () => {
    expect(any(launchRequest({ personAccessToken: 'person-tok' })).context.System.person).toMatchObject({
      accessToken: 'person-tok',
    });
    expect(any(launchRequest()).context.System).not.toHaveProperty('person');
  });
});

describe('the named custom requests', () => {
  it('are intents with their slots, a linked-account event with its token in the body, and an AudioPlayer event', () => {
    expect(any(intentRequest('OrderIntent', { size: 'large' })).request.intent).toEqual({
      name: 'OrderIntent',
      confirmationStatus: 'NONE',
      slots: { size: { name: 'size', value: 'large', confirmationStatus: 'NONE' } },
    });
    expect(any(canFulfillIntentRequest('OrderIntent', { size: 'l' })).request).toMatchObject({
      type: 'CanFulfillIntentRequest',
      intent: { slots: { size: { value: 'l' } } },
    });
    expect(any(skillAccountLinkedEvent('tok')).request).toMatchObject({
      type: 'AlexaSkillEvent.SkillAccountLinked',
      body: { accessToken: 'tok' },
    });
    expect(any(skillAccountLinkedEvent()).request.body).toEqual({});
    expect(any(audioPlayerEvent('PlaybackStopped')).request.type).toBe('AudioPlayer.PlaybackStopped');
  });

  it("resume a session with a connection's result, and a voice linking one that voiceLinkingResult reads back", () => {
    expect(any(sessionResumedRequest({ token: 't', result: { x: 1 } })).request.cause).toEqual({
      type: 'ConnectionCompleted',
      token: 't',
      status: { code: '200', message: 'OK' },
      result: { x: 1 },
    });
    const resumed = voiceLinkingResumedRequest('LINKED', { resumedFrom: 'OrderIntent' });
    expect(voiceLinkingResult(resumed)).toMatchObject({ status: 'LINKED', resumedFrom: 'OrderIntent' });
  });

  it('are of the request type the gate reads', () => {
    expect(
      [launchRequest(), intentRequest('X'), audioPlayerEvent(), skillAccountLinkedEvent(), sessionResumedRequest()].map(
        customRequestType,
      ),
    ).toEqual([
      'LaunchRequest',
      'IntentRequest',
      'AudioPlayer.PlaybackStarted',
      'AlexaSkillEvent.SkillAccountLinked',
      'SessionResumedRequest',
    ]);
  });
});
