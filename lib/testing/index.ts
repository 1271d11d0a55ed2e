/** The test kit: request envelopes, access tokens, and a place to put them. Import from `ask-sdk-account-linking/testing`. */
export * from './events';
export * from './tokens';
export * from './directives';
export * from './music';
export * from './verifiers';
export { accountLinkingMatchers, errorTypeOf, type MatcherResult } from './matchers';
