/**
 * The test kit: request envelopes of every family, access tokens minted with a local key (or expired), a
 * scriptable verifier double, and jest matchers for what a gated skill answers.
 *
 * @module ask-sdk-account-linking/testing
 */
export * from './events';
export * from './tokens';
export * from './directives';
export * from './music';
export * from './verifiers';
export { unlinkingForTests } from './unlinking';
export { accountLinkingMatchers, errorTypeOf, type MatcherResult } from './matchers';
