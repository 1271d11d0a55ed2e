/**
 * musicRejectionResponse: the Alexa.ErrorResponse that answers a music request the gate stopped.
 * The credential codes (which unlink) answer only no token or an affirmative verdict.
 */
import { invalidMusicRequestResponse, musicRejectionResponse, VerifierFailedError } from '../../lib';

describe('musicRejectionResponse', () => {
  it.each([
    ['no token', { outcome: 'missing' }, 'INVALID_AUTHORIZATION_CREDENTIAL'],
    ['an invalid token', { outcome: 'invalid', reason: 'bad signature' }, 'INVALID_AUTHORIZATION_CREDENTIAL'],
    ['an expired token', { outcome: 'expired' }, 'EXPIRED_AUTHORIZATION_CREDENTIAL'],
    ['"could not decide"', { outcome: 'undecided', cause: new VerifierFailedError('down') }, 'INTERNAL_ERROR'],
  ] as const)('answers %s with Alexa.ErrorResponse %s', (_name, decision, type) => {
    const response = musicRejectionResponse(decision);
    expect(response.header).toMatchObject({ namespace: 'Alexa', name: 'ErrorResponse', payloadVersion: '3.0' });
    expect(response.payload).toEqual({ type, message: expect.any(String) });
  });

  it("never says the verifier's reason", () => {
    expect(JSON.stringify(musicRejectionResponse({ outcome: 'invalid', reason: 'kid abc123 unknown' }))).not.toContain(
      'abc123',
    );
  });
});

describe('invalidMusicRequestResponse', () => {
  it('is INVALID_DIRECTIVE with the reason', () => {
    expect(invalidMusicRequestResponse('no header').payload).toEqual({
      type: 'INVALID_DIRECTIVE',
      message: 'Invalid request: no header',
    });
  });
});
