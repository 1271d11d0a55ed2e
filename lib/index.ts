/** ask-sdk-account-linking: OAuth account linking done right in Alexa skill code. */
export * from './errors';
export * from './verification';
export * from './custom';
export * from './directive';
export * from './music';
export { RuntimeSkillBuilder, type RuntimeSkill, type RuntimeHandlerInput, type RuntimeFamily } from './runtime-skill';
export { accountLinking, withAccountLinking, AccountLinking, type AccountLinkingOptions } from './account-linking';
export {
  getLinkedUser,
  findLinkedUser,
  getLinkedAccessToken,
  findLinkedAccount,
  linkedUserAccessors,
  LinkedAccount,
  type HasRequestAttributes,
  type LinkedUserAccessors,
} from './linked-account';
export { decide, verificationBudget, DEFAULT_VERIFICATION_TIMEOUT_MS, type CommonGateOptions, type GateDecision, type TokenResolution } from './gate';
export { fingerprint, redact, describeError, CREDENTIAL_PATHS, createJsonLogger, type Logger, type LogLevel, type JsonLoggerOptions } from './logging';
