/** Import in a jest setup file (`setupFilesAfterEnv`) to install the account-linking matchers. */
import { accountLinkingMatchers } from './matchers';

declare const expect: { extend(matchers: Record<string, unknown>): void };
expect.extend(accountLinkingMatchers);
