/**
 * GateShortCircuitError: what a gate's interceptor throws to stop a request, carrying the family,
 * the request type and the decision its error handler renders; "could not decide" keeps its cause.
 */
import { AccountLinkingError, GateShortCircuitError, VerifierTimeoutError } from '../../lib';

describe('GateShortCircuitError', () => {
  it('carries the family, request type and decision, and says them in its message, never more', () => {
    const error = new GateShortCircuitError('directive', 'Alexa.PowerController.TurnOn', {
      outcome: 'invalid',
      reason: 'bad signature',
    });
    expect(error).toBeInstanceOf(AccountLinkingError);
    expect(error).toMatchObject({
      name: 'GateShortCircuitError',
      code: 'ERR_GATE_SHORT_CIRCUIT',
      family: 'directive',
      requestType: 'Alexa.PowerController.TurnOn',
    });
    expect(error.decision).toEqual({ outcome: 'invalid', reason: 'bad signature' });
    expect(error.message).toBe(
      'Account linking gate stopped a directive Alexa.PowerController.TurnOn: access token invalid',
    );
    expect(error.cause).toBeUndefined();
  });

  it('keeps the cause of "could not decide"', () => {
    const cause = new VerifierTimeoutError(3000);
    expect(
      new GateShortCircuitError('music', 'Alexa.Media.Search.GetPlayableContent', { outcome: 'undecided', cause })
        .cause,
    ).toBe(cause);
  });
});
