/**
 * The errors of the package: each an AccountLinkingError with its own name and stable code (what a
 * program tests, rather than a message), its cause kept, and its fields as given.
 */
import {
  AccountLinkingError,
  AuthorizationServerError,
  CannotDecideError,
  ConfigurationError,
  GrantRefusedError,
  InvalidVerdictError,
  MalformedRequestError,
  NoAlexaGrantError,
  NoLinkedUserError,
  UnlinkingHeldError,
  VerifierFailedError,
  VerifierTimeoutError,
} from '../lib';

describe('the errors', () => {
  it.each([
    [new ConfigurationError('x'), 'ConfigurationError', 'ERR_CONFIGURATION'],
    [new VerifierTimeoutError(3000), 'VerifierTimeoutError', 'ERR_VERIFIER_TIMEOUT'],
    [new VerifierFailedError('x'), 'VerifierFailedError', 'ERR_VERIFIER_FAILED'],
    [new InvalidVerdictError('x'), 'InvalidVerdictError', 'ERR_INVALID_VERDICT'],
    [new MalformedRequestError('x'), 'MalformedRequestError', 'ERR_MALFORMED_REQUEST'],
    [new AuthorizationServerError('x'), 'AuthorizationServerError', 'ERR_AUTHORIZATION_SERVER'],
    [new CannotDecideError('x', 'y'), 'CannotDecideError', 'ERR_CANNOT_DECIDE'],
    [new NoLinkedUserError('x'), 'NoLinkedUserError', 'ERR_NO_LINKED_USER'],
    [new UnlinkingHeldError('invalid', 'x', 'pending', 'signature'), 'UnlinkingHeldError', 'ERR_UNLINKING_HELD'],
    [new GrantRefusedError('invalid_grant'), 'GrantRefusedError', 'ERR_GRANT_REFUSED'],
    [new NoAlexaGrantError('x'), 'NoAlexaGrantError', 'ERR_NO_ALEXA_GRANT'],
  ] as const)('%p is an AccountLinkingError named %s with code %s', (error, name, code) => {
    expect(error).toBeInstanceOf(AccountLinkingError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(String(error)).toMatch(new RegExp(`^${name}: `));
  });

  it('has codes that are all different', () => {
    const codes = [
      new ConfigurationError(''),
      new VerifierTimeoutError(0),
      new VerifierFailedError(''),
      new InvalidVerdictError(''),
      new MalformedRequestError(''),
      new AuthorizationServerError(''),
      new CannotDecideError('', ''),
      new NoLinkedUserError(''),
      new UnlinkingHeldError('expired', '', 'ledger', ''),
      new GrantRefusedError(''),
      new NoAlexaGrantError(''),
    ].map((error) => error.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('keeps the cause it is given', () => {
    const cause = new Error('ECONNRESET');
    expect(new VerifierFailedError('threw', { cause }).cause).toBe(cause);
    expect(new AuthorizationServerError('down', { cause, status: 503 })).toMatchObject({ cause, status: 503 });
    expect(new MalformedRequestError('bad', { cause }).cause).toBe(cause);
    expect(new CannotDecideError('r', 'c', { cause }).cause).toBe(cause);
  });

  it('words its message from its fields, and keeps them', () => {
    expect(new VerifierTimeoutError(250)).toMatchObject({
      budgetMs: 250,
      message: 'The token verifier did not answer within 250 ms',
    });
    expect(new MalformedRequestError('no header')).toMatchObject({
      reason: 'no header',
      message: 'Malformed Alexa request: no header',
    });
    expect(new CannotDecideError('audience mismatch', 'JWT_AUDIENCE')).toMatchObject({
      reason: 'audience mismatch',
      check: 'JWT_AUDIENCE',
      message: 'The token verifier could not decide (audience mismatch): JWT_AUDIENCE',
    });
    expect(new UnlinkingHeldError('expired', 'clock', 'pending', 'expired', 42)).toMatchObject({
      heldOutcome: 'expired',
      hold: 'pending',
      reasonClass: 'expired',
      confirmAt: 42,
    });
    expect(new GrantRefusedError('invalid_grant')).toMatchObject({
      lwaError: 'invalid_grant',
      message: 'Login with Amazon refused the grant: invalid_grant',
    });
    expect(new AuthorizationServerError('down').status).toBeUndefined();
  });
});
