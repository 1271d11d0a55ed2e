export {
  parseDirectiveEnvelope,
  directiveType,
  type AlexaEvent,
  type AlexaEventBody,
  type AlexaEventContext,
  type ContextProperty,
  type Directive,
  type DirectiveEndpoint,
  type DirectiveEnvelope,
  type DirectiveHeader,
  type EventEndpoint,
  type EventHeader,
  type Scope,
} from './envelope';
export * from './events';
export { resolveDirectiveAccessToken, isDiscover, isAcceptGrant, DIRECTIVE_TOKEN_PATHS } from './resolve';
export { rejectionEvent, invalidDirectiveEvent, type DirectiveReplyOptions } from './respond';
export { type DirectiveGateOptions } from './gate';
export { DirectiveSkillBuilder, directiveSkillBuilder, type DirectiveHandlerInput, type DirectiveExecutor } from './builder';
export {
  acceptGrantHandler,
  AlexaEventGatewayTokens,
  MemoryAlexaGrantStore,
  GrantRefusedError,
  NoAlexaGrantError,
  LWA_TOKEN_URL,
  type AlexaGrant,
  type AlexaGrantStore,
  type AlexaGrantVersion,
  type AcceptGrantOptions,
  type LwaClientCredentials,
} from './accept-grant';
export { withDirectiveAccountLinking as withAccountLinking } from '../account-linking';
