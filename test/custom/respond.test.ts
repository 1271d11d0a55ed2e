/**
 * The custom skill gate's replies: which kind of reply a request type gets (speech, silence, or a
 * CanFulfillIntent answer), and for each the rejection Alexa expects: a LinkAccount card only for
 * no token or an affirmative verdict, "try later" when the verifier could not decide.
 */
import { ResponseFactory } from 'ask-sdk-core';
import {
  customReplyKind,
  DEFAULT_SPEECH,
  rejectionReply,
  VerifierTimeoutError,
  voiceLinkingReply,
  type RejectedDecision,
} from '../../lib';

const undecided: RejectedDecision = { outcome: 'undecided', cause: new VerifierTimeoutError(3000) };
const reply = (decision: RejectedDecision, kind: Parameters<typeof rejectionReply>[1]) =>
  rejectionReply(decision, kind, DEFAULT_SPEECH, ResponseFactory.init());

describe('customReplyKind', () => {
  it.each([
    ['LaunchRequest', false, 'speech'],
    ['IntentRequest', true, 'speech'],
    ['CanFulfillIntentRequest', false, 'canFulfill'],
    ['SessionEndedRequest', true, 'silent'],
    ['AudioPlayer.PlaybackStarted', false, 'silent'],
    ['AlexaSkillEvent.SkillAccountLinked', false, 'silent'],
    ['Alexa.Authorization.Grant', false, 'silent'],
    ['System.ExceptionEncountered', true, 'silent'],
    ['Alexa.Presentation.APL.UserEvent', true, 'speech'],
    ['Alexa.Presentation.APL.UserEvent', false, 'silent'],
  ] as const)('answers %s (in a session: %s) with %s', (requestType, hasSession, kind) => {
    expect(customReplyKind(requestType, hasSession)).toBe(kind);
  });
});

describe('rejectionReply', () => {
  it('asks to link with a LinkAccount card for no token or an invalid one, and to link again for an expired one', () => {
    for (const decision of [{ outcome: 'missing' }, { outcome: 'invalid', reason: 'x' }] as RejectedDecision[]) {
      expect(reply(decision, 'speech')).toMatchObject({
        card: { type: 'LinkAccount' },
        outputSpeech: { ssml: `<speak>${DEFAULT_SPEECH.linkAccount}</speak>` },
        shouldEndSession: true,
      });
    }
    expect(reply({ outcome: 'expired' }, 'speech')).toMatchObject({
      card: { type: 'LinkAccount' },
      outputSpeech: { ssml: `<speak>${DEFAULT_SPEECH.relinkAccount}</speak>` },
    });
  });

  it('says "try later" without a card when the verifier could not decide', () => {
    const response = reply(undecided, 'speech');
    expect(response).toMatchObject({
      outputSpeech: { ssml: `<speak>${DEFAULT_SPEECH.tryLater}</speak>` },
      shouldEndSession: true,
    });
    expect(response.card).toBeUndefined();
  });

  it('answers CanFulfillIntent NO for a rejection and MAYBE when it could not decide, and a silent request with an empty response', () => {
    expect(reply({ outcome: 'missing' }, 'canFulfill').canFulfillIntent).toEqual({ canFulfill: 'NO' });
    expect(reply(undecided, 'canFulfill').canFulfillIntent).toEqual({ canFulfill: 'MAYBE' });
    expect(reply({ outcome: 'invalid', reason: 'x' }, 'silent')).toEqual({});
  });
});

describe('voiceLinkingReply', () => {
  it('starts voice account linking, resuming from the request type given', () => {
    const response = voiceLinkingReply('OrderIntent', ResponseFactory.init());
    expect(response.directives).toEqual([
      expect.objectContaining({
        type: 'Connections.StartConnection',
        uri: 'connection://AMAZON.AskForAccountLinking/1',
      }),
    ]);
  });
});
