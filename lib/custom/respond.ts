/**
 * Custom skills, part 2 of 3: the reply Alexa expects when the gate stops a request.
 *
 * | request                          | missing / invalid / expired       | verifier could not decide |
 * |----------------------------------|-----------------------------------|---------------------------|
 * | Launch, Intent, live session     | speech + LinkAccount card, ends   | apology, no card, ends    |
 * | may not speak (SessionEnded,     | empty response                    | empty response            |
 * |   AudioPlayer.*, System.*, ...)  |                                   |                           |
 * | CanFulfillIntentRequest          | canFulfill "NO"                   | canFulfill "MAYBE"        |
 */
import type { ResponseBuilder } from 'ask-sdk-core';
import type { Response } from 'ask-sdk-model';
import type { RejectedDecision } from '../gate';

export type CustomReplyKind = 'speech' | 'silent' | 'canFulfill';

/** What the gate says, as SSML (without the `<speak>` wrapper). */
export interface GateSpeech {
  /** No token, or a token the verifier rejected: sent with a LinkAccount card. */
  linkAccount: string;
  /** The verifier said the token expired: sent with a LinkAccount card. */
  relinkAccount: string;
  /** The verifier could not decide (outage, timeout): no card, since the link is fine. */
  tryLater: string;
}

/** Speech per locale (`en-US`) or language (`en`); a locale's texts fall back to its language's, then to English. */
export type SpeechByLocale = Record<string, Partial<GateSpeech>>;

export const DEFAULT_SPEECH: GateSpeech = {
  linkAccount: "To continue, please link your account in the Alexa app. I've sent a card there to help you.",
  relinkAccount: "Your account link has expired. Please link your account again in the Alexa app. I've sent a card there to help you.",
  tryLater: "Sorry, I can't reach your account right now. Please try again in a little while.",
};

/** Request types that always speak. */
const SPEAKING_TYPES = new Set(['LaunchRequest', 'IntentRequest']);

/** Request types and families that may not speak, whether or not they carry a session. */
const SILENT_TYPES = new Set(['SessionEndedRequest']);
const SILENT_PREFIXES = [
  'AudioPlayer.', 'PlaybackController.', 'System.', 'AlexaSkillEvent.', 'AlexaHouseholdListEvent.',
  'Reminders.', 'Messaging.', 'Alexa.Authorization.',
];

/**
 * How a request may be answered. Launch and Intent requests speak; other requests of a live
 * session (Connections.Response, APL UserEvent, ...) speak too; requests without a session
 * (AudioPlayer, PlaybackController, skill events) and the silent families may not.
 */
export function customReplyKind(requestType: string, hasSession: boolean): CustomReplyKind {
  if (requestType === 'CanFulfillIntentRequest') return 'canFulfill';
  if (SPEAKING_TYPES.has(requestType)) return 'speech';
  if (SILENT_TYPES.has(requestType) || SILENT_PREFIXES.some((prefix) => requestType.startsWith(prefix))) return 'silent';
  return hasSession ? 'speech' : 'silent';
}

export function speechFor(locale: string | undefined, speech: SpeechByLocale = {}): GateSpeech {
  const language = locale?.split('-')[0];
  return {
    ...DEFAULT_SPEECH,
    ...(language !== undefined ? speech[language] : undefined),
    ...(locale !== undefined ? speech[locale] : undefined),
  };
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
