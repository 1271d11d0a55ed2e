/**
 * rejectionEvent: the event that answers a directive the gate stopped. The credential codes (which
 * make Alexa delete the link) answer only an affirmative verdict or no token at all; "could not
 * decide" is an INTERNAL_ERROR; AcceptGrant is always ACCEPT_GRANT_FAILED.
 */
import { invalidDirectiveEvent, rejectionEvent, VerifierTimeoutError, type RejectedDecision } from '../../lib';
import { acceptGrantDirective, discoverDirective, powerControllerDirective } from '../../lib/testing';

const turnOn = powerControllerDirective('TurnOn', { accessToken: 'tok', correlationToken: 'corr-1' }).directive;
const undecided: RejectedDecision = { outcome: 'undecided', cause: new VerifierTimeoutError(3000) };
const typeOf = (event: ReturnType<typeof rejectionEvent>) => [
  event.event.header.namespace,
  event.event.header.name,
  (event.event.payload as { type?: string }).type,
];

describe('rejectionEvent', () => {
  it.each([
    ['missing', { outcome: 'missing' }, 'INVALID_AUTHORIZATION_CREDENTIAL'],
    ['invalid', { outcome: 'invalid', reason: 'bad signature' }, 'INVALID_AUTHORIZATION_CREDENTIAL'],
    ['expired', { outcome: 'expired' }, 'EXPIRED_AUTHORIZATION_CREDENTIAL'],
  ] as const)(
    'answers a directive to an endpoint with a %s token with Alexa.ErrorResponse %s',
    (_name, decision, type) => {
      expect(typeOf(rejectionEvent(turnOn, decision))).toEqual(['Alexa', 'ErrorResponse', type]);
    },
  );

  it('answers "could not decide" with INTERNAL_ERROR, or BRIDGE_UNREACHABLE when asked, never a credential code', () => {
    expect(typeOf(rejectionEvent(turnOn, undecided))).toEqual(['Alexa', 'ErrorResponse', 'INTERNAL_ERROR']);
    expect(typeOf(rejectionEvent(turnOn, undecided, { outageErrorType: 'BRIDGE_UNREACHABLE' }))).toEqual([
      'Alexa',
      'ErrorResponse',
      'BRIDGE_UNREACHABLE',
    ]);
    expect(typeOf(rejectionEvent(discoverDirective('tok').directive, undecided))).toEqual([
      'Alexa',
      'ErrorResponse',
      'INTERNAL_ERROR',
    ]);
  });

  it('answers Discover with an empty endpoint list by default, or the credential ErrorResponse when asked', () => {
    const discover = discoverDirective('tok').directive;
    expect(rejectionEvent(discover, { outcome: 'invalid', reason: 'x' }).event).toMatchObject({
      header: { namespace: 'Alexa.Discovery', name: 'Discover.Response' },
      payload: { endpoints: [] },
    });
    expect(typeOf(rejectionEvent(discover, { outcome: 'expired' }, { discoverRejection: 'error-response' }))).toEqual([
      'Alexa',
      'ErrorResponse',
      'EXPIRED_AUTHORIZATION_CREDENTIAL',
    ]);
  });

  it('answers AcceptGrant with ACCEPT_GRANT_FAILED, whatever the outcome', () => {
    for (const decision of [{ outcome: 'missing' }, { outcome: 'expired' }, undecided] as RejectedDecision[]) {
      expect(typeOf(rejectionEvent(acceptGrantDirective('tok').directive, decision))).toEqual([
        'Alexa.Authorization',
        'ErrorResponse',
        'ACCEPT_GRANT_FAILED',
      ]);
    }
  });

  it('puts credential codes in Alexa.Video for a video skill that asks, and echoes the correlation token', () => {
    const event = rejectionEvent(turnOn, { outcome: 'missing' }, { credentialErrorNamespace: 'Alexa.Video' });
    expect(typeOf(event)).toEqual(['Alexa.Video', 'ErrorResponse', 'INVALID_AUTHORIZATION_CREDENTIAL']);
    expect(event.event.header.correlationToken).toBe('corr-1');
  });
});

describe('invalidDirectiveEvent', () => {
  it('is INVALID_DIRECTIVE with the reason, or ACCEPT_GRANT_FAILED for AcceptGrant, with or without a directive', () => {
    expect(invalidDirectiveEvent(turnOn, 'no handler').event.payload).toEqual({
      type: 'INVALID_DIRECTIVE',
      message: 'Invalid directive: no handler',
    });
    expect(typeOf(invalidDirectiveEvent(acceptGrantDirective('tok').directive, 'x'))).toEqual([
      'Alexa.Authorization',
      'ErrorResponse',
      'ACCEPT_GRANT_FAILED',
    ]);
    expect(typeOf(invalidDirectiveEvent(undefined, 'not JSON'))).toEqual([
      'Alexa',
      'ErrorResponse',
      'INVALID_DIRECTIVE',
    ]);
  });
});
