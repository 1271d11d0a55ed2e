/**
 * Import in a jest setup file (`setupFilesAfterEnv`) to install the account-linking matchers
 * ({@link accountLinkingMatchers}).
 *
 * @module ask-sdk-account-linking/testing/jest
 */
import { accountLinkingMatchers } from './matchers';

declare const expect: { extend(matchers: Record<string, unknown>): void };
expect.extend(accountLinkingMatchers);
