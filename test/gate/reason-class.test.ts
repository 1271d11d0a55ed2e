/**
 * Reason classes: every verdict and every "could not decide" in one of a few low-cardinality
 * classes, for the metrics' ReasonClass dimension and the breaker's per-class counts.
 */
import {
  AuthorizationServerError,
  CannotDecideError,
  ConfigurationError,
  InvalidVerdictError,
  invalidReasonClass,
  reasonClassOf,
  UnlinkingHeldError,
  VerifierFailedError,
  VerifierTimeoutError,
} from '../../lib';

describe('reason classes', () => {
  it.each([
    ['bad signature', 'signature'],
    ['unknown signing key', 'signature'],
    ['algorithm not allowed', 'signature'],
    ['malformed', 'malformed'],
    ['malformed claims', 'malformed'],
    ['token too long', 'malformed'],
    ['unsigned token', 'malformed'],
    ['payload is not a JSON object', 'malformed'],
    ['wrong audience', 'claims'],
    ['wrong issuer', 'claims'],
    ['issued to another client', 'claims'],
    ['not yet valid', 'claims'],
    ['no linked user in claims', 'claims'],
    ['no user in tokeninfo', 'claims'],
    ['inactive', 'inactive'],
    ['rejected by LWA', 'inactive'],
    ['rejected', 'other'],
    ['unspecified', 'other'],
    ['something new from a custom verifier', 'other'],
  ])('classes the invalid reason "%s" as %s', (reason, reasonClass) => {
    expect(invalidReasonClass(reason)).toBe(reasonClass);
  });

  it.each([
    [new UnlinkingHeldError('invalid', 'bad signature', 'pending', 'signature'), 'signature'],
    [new CannotDecideError('audience mismatch', 'JWT_AUDIENCE'), 'configuration'],
    [new VerifierTimeoutError(3000), 'timeout'],
    [new AuthorizationServerError('503'), 'outage'],
    [new VerifierFailedError('threw', { cause: new AuthorizationServerError('down') }), 'outage'],
    [new VerifierFailedError('threw', { cause: new Error('bug') }), 'verifier'],
    [new InvalidVerdictError('nonsense'), 'verifier'],
    [new ConfigurationError('x'), 'other'],
  ] as const)('classes "could not decide" caused by %p as %s', (cause, reasonClass) => {
    expect(reasonClassOf({ outcome: 'undecided', cause })).toBe(reasonClass);
  });

  it('classes linked, missing and expired', () => {
    expect([
      reasonClassOf({ outcome: 'linked', linkedUser: {} }),
      reasonClassOf({ outcome: 'missing' }),
      reasonClassOf({ outcome: 'expired' }),
    ]).toEqual(['none', 'missing', 'expired']);
  });
});
