/**
 * Custom skills, part 2 of 3: the reply Alexa expects when the gate stops a request (speech and a
 * LinkAccount card, an apology, an empty response, or a CanFulfill answer, by request and
 * decision; voice linking where on). The reply table: docs/custom-skills.md.
 */
import type { ResponseBuilder } from 'ask-sdk-core';
import type { Response } from 'ask-sdk-model';
import type { RejectedDecision } from '../gate/decision';
import type { GateSpeech } from './speech';
import { askForAccountLinkingDirective } from './voice-linking';

/**
 * How a custom-skill request may be answered (see {@link customReplyKind}): `speech` (with a
 * LinkAccount card or an apology), `silent` (an empty response: the request may not speak), or
 * `canFulfill` (a `CanFulfillIntentRequest`'s NO or MAYBE).
 */
export type CustomReplyKind = 'speech' | 'silent' | 'canFulfill';

/** Request types that always speak. */
const SPEAKING_TYPES = new Set(['LaunchRequest', 'IntentRequest']);

/** Request types and families that may not speak, whether or not they carry a session. */
const SILENT_TYPES = new Set(['SessionEndedRequest']);
const SILENT_PREFIXES = [
  'AudioPlayer.',
  'PlaybackController.',
  'System.',
  'AlexaSkillEvent.',
  'AlexaHouseholdListEvent.',
  'Reminders.',
  'Messaging.',
  'Alexa.Authorization.',
];

/**
 * How a request may be answered. Launch and Intent requests speak; other requests of a live
 * session (Connections.Response, APL UserEvent, ...) speak too; requests without a session
 * (AudioPlayer, PlaybackController, skill events) and the silent families may not.
 */
export function customReplyKind(requestType: string, hasSession: boolean): CustomReplyKind {
  if (requestType === 'CanFulfillIntentRequest') return 'canFulfill';
  if (SPEAKING_TYPES.has(requestType)) return 'speech';
  if (SILENT_TYPES.has(requestType) || SILENT_PREFIXES.some((prefix) => requestType.startsWith(prefix)))
    return 'silent';
  return hasSession ? 'speech' : 'silent';
}

/** The reply to a request the gate stopped. */
export function rejectionReply(
  decision: RejectedDecision,
  kind: CustomReplyKind,
  speech: GateSpeech,
  responseBuilder: ResponseBuilder,
): Response {
  const undecided = decision.outcome === 'undecided';
  switch (kind) {
    case 'silent':
      return responseBuilder.getResponse();
    case 'canFulfill':
      return responseBuilder.withCanFulfillIntent({ canFulfill: undecided ? 'MAYBE' : 'NO' }).getResponse();
    case 'speech':
      if (undecided) return responseBuilder.speak(speech.tryLater).withShouldEndSession(true).getResponse();
      return responseBuilder
        .speak(decision.outcome === 'expired' ? speech.relinkAccount : speech.linkAccount)
        .withLinkAccountCard()
        .withShouldEndSession(true)
        .getResponse();
  }
}

/**
 * The reply that hands the user to Alexa's voice-forward account linking: a
 * `Connections.StartConnection` directive for `AMAZON.AskForAccountLinking` that resumes the
 * session, with no speech of ours (Alexa asks the user) and `shouldEndSession` left out, as a
 * session that is to be resumed must not end. `resumedFrom` (the request type, or the intent's
 * name) travels in the directive's token and comes back in the `SessionResumedRequest`.
 */
export function voiceLinkingReply(resumedFrom: string, responseBuilder: ResponseBuilder): Response {
  return responseBuilder.addDirective(askForAccountLinkingDirective(resumedFrom)).getResponse();
}
