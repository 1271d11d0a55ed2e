/**
 * Custom skills (ask-sdk-core's `SkillBuilders.custom()`): where the token is, the replies when the
 * gate stops a request, the gate's speech in every locale, voice-forward account linking, and the
 * Lambda entry point. The gate itself goes on with `withAccountLinking`.
 *
 * @module ask-sdk-account-linking/custom
 */
export { customRequestType, resolveCustomAccessToken, CUSTOM_TOKEN_PATHS, type CustomResolveOptions } from './resolve';
export { customReplyKind, rejectionReply, voiceLinkingReply, type CustomReplyKind } from './respond';
export {
  speechFor,
  DEFAULT_SPEECH,
  GATE_SPEECH,
  CUSTOM_SKILL_LOCALES,
  type CustomSkillLocale,
  type GateSpeech,
  type SpeechByLocale,
} from './speech';
export {
  askForAccountLinkingDirective,
  getVoiceLinkingResult,
  voiceLinkingResult,
  ASK_FOR_ACCOUNT_LINKING_URI,
  VOICE_LINKING_LINKED,
  VOICE_LINKING_TOKEN_PREFIX,
  type AskForAccountLinkingDirective,
  type VoiceLinkingResult,
} from './voice-linking';
export { DEFAULT_PUBLIC_INTENTS, DEFAULT_PUBLIC_REQUEST_TYPES, type CustomGateOptions } from './gate';
export { customSkillHandler, type CustomSkillLambdaHandler, type LambdaContext } from './lambda';
