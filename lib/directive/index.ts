/**
 * Smart home, video and meetings skills (directives): the envelope and event types, the replies,
 * the skill builder, and AcceptGrant with the grant code exchanged and stored.
 *
 * @module ask-sdk-account-linking/directive
 */
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
export { DirectiveSkillBuilder, directiveSkillBuilder } from './builder';
export type { DirectiveHandlerInput, DirectiveExecutor } from './handler-input';
export {
  acceptGrantHandler,
  AlexaEventGatewayTokens,
  MemoryAlexaGrantStore,
  LWA_TOKEN_URL,
  type AlexaGrant,
  type AlexaGrantStore,
  type AlexaGrantVersion,
  type AcceptGrantOptions,
  type LwaClientCredentials,
} from './accept-grant';
/** The errors of AcceptGrant, from the one error module (re-exported for this entry point). */
export { GrantRefusedError, NoAlexaGrantError } from '../errors';
export { withDirectiveAccountLinking as withAccountLinking } from '../with-account-linking';
