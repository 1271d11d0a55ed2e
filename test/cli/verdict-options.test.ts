/** verdict's arguments and env file: both option forms, usage errors that never repeat a value, SAM's env-vars format. */
import { environmentFrom, parseOptions, UsageError } from '../../lib/cli/verdict-options';

describe('parseOptions', () => {
  it('reads --option value and --option=value alike', () => {
    expect(parseOptions(['--token-file', 't.txt', '--env-file=env.json', '--function', 'F', '--json'])).toEqual({
      tokenFile: 't.txt',
      envFile: 'env.json',
      functionId: 'F',
      json: true,
      help: false,
    });
  });

  it.each([
    [['--token-file'], /needs a value/],
    [['--token', 'a', '--token-file', 'b'], /Give the token once/],
    [['constructor'], /Unknown option/],
  ])('refuses %j with a usage error', (args, message) => {
    expect(() => parseOptions(args)).toThrow(UsageError);
    expect(() => parseOptions(args)).toThrow(message);
  });

  it('never repeats a token pasted where an option goes', () => {
    expect(() => parseOptions(['-eyJhbGciOiJIUzI1NiJ9.e30.abc'])).toThrow(/not repeated/);
  });
});

describe('environmentFrom', () => {
  it('takes a flat object of strings (numbers as text)', () => {
    expect(
      environmentFrom(JSON.stringify({ JWT_ISSUER: 'https://i/', VERIFY_CACHE_TTL_SECONDS: 0 }), undefined),
    ).toEqual({ JWT_ISSUER: 'https://i/', VERIFY_CACHE_TTL_SECONDS: '0' });
  });

  it("takes one function of SAM's env-vars format, over its Parameters, and says which functions there are", () => {
    const text = JSON.stringify({ Parameters: { A: '1', B: '1' }, F: { B: '2' }, G: {} });
    expect(environmentFrom(text, 'F')).toEqual({ A: '1', B: '2' });
    expect(() => environmentFrom(text, undefined)).toThrow(/--function \(F, G\)/);
    expect(() => environmentFrom(text, 'H')).toThrow(/no function of the name given to --function/);
  });

  it('refuses a file that is not a JSON object', () => {
    expect(() => environmentFrom('not json', undefined)).toThrow(/not JSON/);
    expect(() => environmentFrom('[1]', undefined)).toThrow(/not a JSON object/);
  });
});
