export { customRequestType, resolveCustomAccessToken, CUSTOM_TOKEN_PATHS, type CustomResolveOptions } from './resolve';
export { customReplyKind, rejectionReply, speechFor, DEFAULT_SPEECH, type CustomReplyKind, type GateSpeech, type SpeechByLocale } from './respond';
export { withAccountLinking, DEFAULT_PUBLIC_INTENTS, DEFAULT_PUBLIC_REQUEST_TYPES, type CustomGateOptions } from './gate';
export { customSkillHandler, type CustomSkillLambdaHandler, type LambdaContext } from './lambda';
