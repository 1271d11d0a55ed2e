import { CannotDecideError, decide, InvalidVerdictError, VerifierFailedError, VerifierTimeoutError, verificationBudget, type TokenVerifier, type VerificationContext } from '../lib';
import { ConfigurationError } from '../lib';
import { MAX_TIMER_MS } from '../lib/gate/budget';
import { createCannotDecideReporter } from '../lib/gate/decision-log';
import { gateInterceptor } from '../lib/gate/interceptor';
import { gateOptionsFromEnvironment } from '../lambda/environment';

const found = { status: 'found' as const, accessToken: 'opaque-token', path: 'context.System.user.accessToken' };
const options = { family: 'custom' as const, budgetMs: 50 };
const verifier = (verify: TokenVerifier<unknown>['verify']): TokenVerifier<unknown> => ({ verify });

describe('decide', () => {
  it('says missing, without asking the verifier, when there is no token', async () => {
    const verify = jest.fn();
    expect(await decide({ status: 'absent' }, verifier(verify), options)).toEqual({ outcome: 'missing' });
    expect(verify).not.toHaveBeenCalled();
  });

  it('passes valid, invalid and expired verdicts through', async () => {
    const expiresAt = new Date(Date.now() + 60_000);
    expect(await decide(found, verifier(async () => ({ outcome: 'valid', principal: { id: 1 }, expiresAt })), options))
      .toEqual({ outcome: 'linked', linkedUser: { id: 1 }, expiresAt });
    expect(await decide(found, verifier(async () => ({ outcome: 'invalid', reason: 'revoked' })), options)).toEqual({ outcome: 'invalid', reason: 'revoked' });
    expect(await decide(found, verifier(async () => ({ outcome: 'expired' })), options)).toEqual({ outcome: 'expired' });
  });

  it.each([
    ['the whole token', (token: string) => `unknown token ${token}`],
    ['a piece of it', (token: string) => `no session for ${token.slice(4, 16)} here`],
    ['a long credential-like run', () => `rejected ${'A1b2C3d4'.repeat(4)}`],
  ])('takes %s out of a verifier\'s reason before anything sees it', async (_name, reasonOf) => {
    const token = 'k3Jd9xQ2mP7vL0sZ8wT5yR1nB4cF6gH2';
    const decision = await decide({ ...found, accessToken: token }, verifier(async () => ({ outcome: 'invalid', reason: reasonOf(token) })), options);
    expect(decision).toEqual({ outcome: 'invalid', reason: expect.stringContaining('[redacted]') });
    const reason = (decision as { reason: string }).reason;
    for (let i = 0; i + 8 <= token.length; i++) expect(reason).not.toContain(token.slice(i, i + 8));
  });

  it('hands the verifier the family, a deadline and a live abort signal', async () => {
    let seen: VerificationContext | undefined;
    await decide(found, verifier(async (_token, context) => { seen = context; return { outcome: 'expired' }; }), { family: 'music', budgetMs: 1000 });
    expect(seen?.family).toBe('music');
    expect(seen?.signal.aborted).toBe(false);
    expect(seen!.deadline.getTime()).toBeGreaterThan(Date.now());
  });

  it('is undecided, with a VerifierFailedError whose cause is the verifier\'s error, when the verifier throws or rejects', async () => {
    const failure = new Error('ECONNREFUSED');
    for (const verify of [() => { throw failure; }, () => Promise.reject(failure)]) {
      const decision = await decide(found, verifier(verify as never), options);
      expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierFailedError) });
      expect(decision.outcome === 'undecided' && decision.cause.cause).toBe(failure);
    }
  });

  it('is undecided when the verifier overruns the deadline, and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const decision = await decide(found, verifier((_t, context) => { signal = context.signal; return new Promise(() => undefined); }), options);
    expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierTimeoutError) });
    expect(signal?.aborted).toBe(true);
  });

  it('is undecided at once when no time is left', async () => {
    const decision = await decide(found, verifier(() => new Promise(() => undefined)), { family: 'custom', budgetMs: 0 });
    expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierTimeoutError) });
  });

  it.each([
    ['undefined', undefined],
    ['a string', 'valid'],
    ['an unknown outcome', { outcome: 'ok' }],
    ['valid without a principal', { outcome: 'valid' }],
    ['valid with an expiresAt that is not a Date', { outcome: 'valid', principal: 'u', expiresAt: '2030-01-01' }],
  ])('is undecided when the verifier answers %s', async (_name, answer) => {
    expect(await decide(found, verifier(async () => answer as never), options)).toMatchObject({ outcome: 'undecided', cause: expect.any(InvalidVerdictError) });
  });

  it('uses the verdict of a verifier that answers after a few ticks, within the deadline', async () => {
    const decision = await decide(found, verifier(async () => {
      await null;
      await new Promise((resolve) => setImmediate(resolve));
      return { outcome: 'valid', principal: 'u' };
    }), options);
    expect(decision).toEqual({ outcome: 'linked', linkedUser: 'u' });
  });

  it('hands an aborted signal to a verifier that first reads it after the deadline', async () => {
    let signal: AbortSignal | undefined;
    const decision = await decide(found, verifier(async (_t, context) => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      signal = context.signal;
      return { outcome: 'expired' };
    }), { family: 'custom', budgetMs: 10 });
    expect(decision).toMatchObject({ outcome: 'undecided', cause: expect.any(VerifierTimeoutError) });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(VerifierTimeoutError);
  });

  it('does not leave a late rejection unhandled after a timeout', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      await decide(found, verifier(() => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 80))), { family: 'custom', budgetMs: 10 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('verificationBudget', () => {
  it('is the cap when there is no Lambda context', () => {
    expect(verificationBudget(3000)).toBe(3000);
    expect(verificationBudget(3000, {})).toBe(3000);
  });

  it('leaves 500 ms of the Lambda\'s remaining time for the reply', () => {
    expect(verificationBudget(3000, { getRemainingTimeInMillis: () => 2000 })).toBe(1500);
    expect(verificationBudget(3000, { getRemainingTimeInMillis: () => 60_000 })).toBe(3000);
  });

  it('is never negative', () => {
    expect(verificationBudget(3000, { getRemainingTimeInMillis: () => 100 })).toBe(0);
  });
});

describe('a verifier that cannot decide for a reason about us', () => {
  const logged = () => {
    const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> | undefined }> = [];
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
    return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
  };

  it('logs one ERROR per gate and reason, naming what to check, and never the token', async () => {
    const { lines, logger } = logged();
    const report = createCannotDecideReporter(logger);
    const cannotDecide = (reason: string) =>
      decide(found, verifier(async () => { throw new CannotDecideError(reason, 'JWT_AUDIENCE: the aud your authorization server puts in access tokens'); }), options);
    for (const reason of ['audience mismatch', 'audience mismatch', 'issuer mismatch', 'audience mismatch']) report('custom', await cannotDecide(reason));
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors.map((line) => line.fields?.reason)).toEqual(['audience mismatch', 'issuer mismatch']);
    expect(errors[0].message).toContain('JWT_AUDIENCE');
    expect(JSON.stringify(lines)).not.toContain(found.accessToken);
  });

  it('logs nothing of the kind for other outcomes and other failures', async () => {
    const { lines, logger } = logged();
    const report = createCannotDecideReporter(logger);
    report('custom', await decide(found, verifier(async () => { throw new Error('ECONNREFUSED'); }), options));
    report('custom', await decide(found, verifier(async () => ({ outcome: 'invalid', reason: 'bad signature' })), options));
    expect(lines).toEqual([]);
  });
});

describe('the gate\'s verificationTimeoutMs', () => {
  const spec = (timeoutMs: number) => ({
    family: 'custom' as const, verifier: verifier(async () => ({ outcome: 'expired' as const })), verificationTimeoutMs: timeoutMs, logger: { debug() {}, info() {}, warn() {}, error() {} },
    requestType: () => 'LaunchRequest', isGated: () => true, resolve: () => ({ status: 'absent' as const }),
  });

  it.each([['zero', 0], ['negative', -5], ['not a number', Number.NaN]])('is a ConfigurationError when %s', (_name, timeoutMs) => {
    expect(() => gateInterceptor(spec(timeoutMs))).toThrow(ConfigurationError);
    expect(() => gateInterceptor(spec(timeoutMs))).toThrow(/verificationTimeoutMs/);
  });

  it.each([['above the timer range', 2 ** 31], ['far above it', 1e12], ['infinite', Number.POSITIVE_INFINITY]])(
    'takes a cap %s as the longest timer there is (2^31 - 1 ms): a verifier that answers in 50 ms is waited for, not timed out at once',
    async (_name, timeoutMs) => {
      expect(verificationBudget(timeoutMs)).toBe(MAX_TIMER_MS);
      const slow = verifier(() => new Promise((resolve) => setTimeout(() => resolve({ outcome: 'valid', principal: { id: 1 } }), 50)));
      expect(await decide(found, slow, { family: 'custom', budgetMs: timeoutMs })).toMatchObject({ outcome: 'linked' });
      const input = { attributesManager: { getRequestAttributes: () => ({}) }, context: undefined };
      const gate = gateInterceptor({ ...spec(timeoutMs), verifier: slow, unlinking: false, metrics: false, resolve: () => ({ status: 'found' as const, accessToken: 't', path: 'p' }) });
      await expect(gate.process(input)).resolves.toBeUndefined();
    },
  );

  it('is a ConfigurationError from VERIFICATION_TIMEOUT_MS in the example Lambdas past Alexa\'s 8 s, and so past the timer range', () => {
    expect(gateOptionsFromEnvironment({ VERIFICATION_TIMEOUT_MS: '2500' })).toEqual({ verificationTimeoutMs: 2500 });
    for (const raw of [String(2 ** 31), '1e12', '7001', 'Infinity']) {
      expect(() => gateOptionsFromEnvironment({ VERIFICATION_TIMEOUT_MS: raw })).toThrow(/VERIFICATION_TIMEOUT_MS/);
    }
  });
});

describe('a custom verifier\'s reason in the decision line', () => {
  it('is logged on one line of at most 60 characters, whatever the verifier wrote', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = { debug() {}, info: (_m: string, f?: Record<string, unknown>) => void lines.push(f ?? {}), warn() {}, error() {} };
    const gate = gateInterceptor({
      family: 'custom', verificationTimeoutMs: 1000, logger, unlinking: false, metrics: false,
      verifier: verifier(async () => ({ outcome: 'invalid', reason: `rejected\nbecause ${'x'.repeat(200)}` })),
      requestType: () => 'LaunchRequest', isGated: () => true, resolve: () => ({ status: 'found' as const, accessToken: 'opaque-token', path: 'p' }),
    });
    await gate.process({ attributesManager: { getRequestAttributes: () => ({}) } }).catch(() => undefined);
    const reason = String(lines.find((l) => l.outcome === 'invalid')?.reason);
    expect(reason).not.toContain('\n');
    expect(reason.length).toBeLessThanOrEqual(60);
    expect(reason).toBe('rejected because [redacted]'); // a run of 24 token-like characters or more is taken out
  });
});

describe('the debug dump of a request', () => {
  it('never fails a request: an envelope nested 10,000 levels deep is named, not logged, and the linked user is served', async () => {
    const { SkillBuilders } = await import('ask-sdk-core');
    const { createJsonLogger, JwtVerifier, withAccountLinking } = await import('../lib');
    const { launchRequest, mintAccessToken } = await import('../lib/testing');
    const secret = 'a-test-secret-that-is-long-enough-for-hs256';
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'debug', write: (line) => void lines.push(line) });
    const jwt = new JwtVerifier({ secret, algorithms: ['HS256'], issuer: 'https://issuer.test/', audience: 'skill' });
    const skill = withAccountLinking(SkillBuilders.custom(), { verifier: jwt, logger, unlinking: false, metrics: false })
      .addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.speak('served').getResponse() }).create();
    const envelope = launchRequest({ accessToken: mintAccessToken({ key: secret, issuer: 'https://issuer.test/', audience: 'skill', subject: 'u' }) }) as any;
    let deep: Record<string, unknown> = {};
    envelope.request.deep = deep;
    for (let i = 0; i < 10_000; i++) deep = (deep.next = {}) as Record<string, unknown>;
    const reply = await skill.invoke(envelope);
    expect(JSON.stringify(reply.response.outputSpeech)).toContain('served');
    expect(lines.some((line) => line.includes('not logged: it cannot be copied or serialised'))).toBe(true);
  });
});
