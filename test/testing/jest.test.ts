/**
 * ask-sdk-account-linking/testing/jest, as jest's setupFilesAfterEnv (this repository's
 * jest.config.js loads it): the account-linking matchers are on `expect`.
 */
import { launchRequest } from '../../lib/testing';

describe('the jest setup file', () => {
  it('installs the account-linking matchers on expect', () => {
    const linkAccount = {
      response: {
        card: { type: 'LinkAccount' },
        outputSpeech: { type: 'SSML', ssml: '<speak>link</speak>' },
        shouldEndSession: true,
      },
    };
    expect(linkAccount).toBeLinkAccountResponse();
    expect(linkAccount).toUnlinkTheUser();
    expect(launchRequest()).not.toBeLinkAccountResponse();
    expect(() => expect(launchRequest()).toBeLinkAccountResponse()).toThrow(/expected a LinkAccount card/);
  });
});
