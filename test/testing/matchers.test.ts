/**
 * The account-linking matchers: each passes on the reply it names and fails on the others, and a
 * failure that expected an unlinking reply but got the transient one says why (the policy held it).
 */
import { accountLinkingMatchers, errorTypeOf } from '../../lib/testing';

const linkAccount = {
  response: {
    card: { type: 'LinkAccount' },
    outputSpeech: { type: 'SSML', ssml: '<speak>link</speak>' },
    shouldEndSession: true,
  },
};
const tryLater = { response: { outputSpeech: { type: 'SSML', ssml: '<speak>later</speak>' }, shouldEndSession: true } };
const smartHomeError = (type: string, namespace = 'Alexa') => ({
  event: { header: { namespace, name: 'ErrorResponse', payloadVersion: '3' }, payload: { type, message: 'm' } },
});
const musicError = (type: string) => ({
  header: { namespace: 'Alexa', name: 'ErrorResponse', payloadVersion: '3.0' },
  payload: { type, message: 'm' },
});
const m = accountLinkingMatchers;

describe('errorTypeOf', () => {
  it('reads the type of a smart home or music ErrorResponse, and nothing else', () => {
    expect(errorTypeOf(smartHomeError('INTERNAL_ERROR'))).toBe('INTERNAL_ERROR');
    expect(errorTypeOf(musicError('INVALID_DIRECTIVE'))).toBe('INVALID_DIRECTIVE');
    expect(errorTypeOf({ event: { header: { name: 'Response' }, payload: { type: 'X' } } })).toBeUndefined();
    expect(errorTypeOf(linkAccount)).toBeUndefined();
    expect(errorTypeOf('ErrorResponse')).toBeUndefined();
  });
});

describe('accountLinkingMatchers', () => {
  it('toBeLinkAccountResponse passes on a LinkAccount card with speech that ends the session, only', () => {
    expect(m.toBeLinkAccountResponse(linkAccount).pass).toBe(true);
    expect(m.toBeLinkAccountResponse(tryLater).pass).toBe(false);
    expect(m.toBeLinkAccountResponse({ response: { ...linkAccount.response, shouldEndSession: false } }).pass).toBe(
      false,
    );
  });

  it('toBeTryLaterResponse passes on speech without a card that ends the session, only', () => {
    expect(m.toBeTryLaterResponse(tryLater).pass).toBe(true);
    expect(m.toBeTryLaterResponse(linkAccount).pass).toBe(false);
  });

  it('toBeAlexaErrorResponse passes on a smart home ErrorResponse (of the type, when given), in Alexa, Alexa.Video or Alexa.Authorization', () => {
    expect(m.toBeAlexaErrorResponse(smartHomeError('INTERNAL_ERROR')).pass).toBe(true);
    expect(m.toBeAlexaErrorResponse(smartHomeError('INTERNAL_ERROR'), 'INTERNAL_ERROR').pass).toBe(true);
    expect(m.toBeAlexaErrorResponse(smartHomeError('INTERNAL_ERROR'), 'INVALID_AUTHORIZATION_CREDENTIAL').pass).toBe(
      false,
    );
    expect(m.toBeAlexaErrorResponse(smartHomeError('ACCEPT_GRANT_FAILED', 'Alexa.Authorization')).pass).toBe(true);
    expect(m.toBeAlexaErrorResponse(smartHomeError('INTERNAL_ERROR', 'Alexa.PowerController')).pass).toBe(false);
    expect(m.toBeAlexaErrorResponse(musicError('INTERNAL_ERROR')).pass).toBe(false);
  });

  it('toBeMusicErrorResponse passes on a music ErrorResponse (version 3.0) of the type, when given', () => {
    expect(m.toBeMusicErrorResponse(musicError('INTERNAL_ERROR'), 'INTERNAL_ERROR').pass).toBe(true);
    expect(m.toBeMusicErrorResponse(musicError('INTERNAL_ERROR'), 'EXPIRED_AUTHORIZATION_CREDENTIAL').pass).toBe(false);
    expect(m.toBeMusicErrorResponse(smartHomeError('INTERNAL_ERROR')).pass).toBe(false);
  });

  it('toUnlinkTheUser passes on the two credential codes and the LinkAccount card, never on a transient reply', () => {
    expect(m.toUnlinkTheUser(smartHomeError('INVALID_AUTHORIZATION_CREDENTIAL')).pass).toBe(true);
    expect(m.toUnlinkTheUser(musicError('EXPIRED_AUTHORIZATION_CREDENTIAL')).pass).toBe(true);
    expect(m.toUnlinkTheUser(linkAccount).pass).toBe(true);
    expect(m.toUnlinkTheUser(tryLater).pass).toBe(false);
    expect(m.toUnlinkTheUser(smartHomeError('INTERNAL_ERROR')).pass).toBe(false);
  });

  it('explains a transient reply where an unlinking one was expected: the unlinking policy held it', () => {
    expect(m.toBeLinkAccountResponse(tryLater).message()).toContain('unlinkingForTests()');
    expect(m.toUnlinkTheUser(smartHomeError('INTERNAL_ERROR')).message()).toContain('held');
    expect(
      m.toBeAlexaErrorResponse(smartHomeError('BRIDGE_UNREACHABLE'), 'INVALID_AUTHORIZATION_CREDENTIAL').message(),
    ).toContain('unlinkingForTests()');
    // No such hint where no unlinking reply was expected, or where the reply is not the transient one.
    expect(m.toBeTryLaterResponse(linkAccount).message()).not.toContain('unlinkingForTests()');
    expect(m.toBeLinkAccountResponse(smartHomeError('INVALID_DIRECTIVE')).message()).not.toContain(
      'unlinkingForTests()',
    );
  });

  it('words the message for .not when it passes, and shows what it received', () => {
    expect(m.toBeTryLaterResponse(tryLater).message()).toMatch(/^expected not speech without a card/);
    expect(m.toBeTryLaterResponse(linkAccount).message()).toMatch(/^expected speech without a card/);
    expect(m.toBeTryLaterResponse(linkAccount).message()).toContain('"LinkAccount"');
  });
});
