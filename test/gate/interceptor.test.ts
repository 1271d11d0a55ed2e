/**
 * gateInterceptor: the gate every family installs. Its verificationTimeoutMs is checked when it is
 * made, its decision line holds a verifier's reason on one short line, and its debug dump of a
 * request never fails the request.
 */
import { ConfigurationError, decide, verificationBudget } from '../../lib';
import { MAX_TIMER_MS } from '../../lib/gate/budget';
import { gateInterceptor } from '../../lib/gate/interceptor';
import { gateOptionsFromEnvironment } from '../../lambda/environment';
import { found, verifier } from '../support/gate';

describe("the gate's verificationTimeoutMs", () => {
  const spec = (timeoutMs: number) => ({
    family: 'custom' as const,
    verifier: verifier(async () => ({ outcome: 'expired' as const })),
    verificationTimeoutMs: timeoutMs,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    requestType: () => 'LaunchRequest',
    isGated: () => true,
    resolve: () => ({ status: 'absent' as const }),
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['not a number', Number.NaN],
  ])('is a ConfigurationError when %s', (_name, timeoutMs) => {
    expect(() => gateInterceptor(spec(timeoutMs))).toThrow(ConfigurationError);
    expect(() => gateInterceptor(spec(timeoutMs))).toThrow(/verificationTimeoutMs/);
  });

  it.each([
    ['above the timer range', 2 ** 31],
    ['far above it', 1e12],
    ['infinite', Number.POSITIVE_INFINITY],
  ])(
    'takes a cap %s as the longest timer there is (2^31 - 1 ms): a verifier that answers in 50 ms is waited for, not timed out at once',
    async (_name, timeoutMs) => {
      expect(verificationBudget(timeoutMs)).toBe(MAX_TIMER_MS);
      const slow = verifier(
        () => new Promise((resolve) => setTimeout(() => resolve({ outcome: 'valid', principal: { id: 1 } }), 50)),
      );
      expect(await decide(found, slow, { family: 'custom', budgetMs: timeoutMs })).toMatchObject({ outcome: 'linked' });
      const input = { attributesManager: { getRequestAttributes: () => ({}) }, context: undefined };
      const gate = gateInterceptor({
        ...spec(timeoutMs),
        verifier: slow,
        unlinking: false,
        metrics: false,
        resolve: () => ({ status: 'found' as const, accessToken: 't', path: 'p' }),
      });
      await expect(gate.process(input)).resolves.toBeUndefined();
    },
  );

  it("is a ConfigurationError from VERIFICATION_TIMEOUT_MS in the example Lambdas past Alexa's 8 s, and so past the timer range", () => {
    expect(gateOptionsFromEnvironment({ VERIFICATION_TIMEOUT_MS: '2500' })).toEqual({ verificationTimeoutMs: 2500 });
    for (const raw of [String(2 ** 31), '1e12', '7001', 'Infinity']) {
      expect(() => gateOptionsFromEnvironment({ VERIFICATION_TIMEOUT_MS: raw })).toThrow(/VERIFICATION_TIMEOUT_MS/);
    }
  });
});

describe("a custom verifier's reason in the decision line", () => {
  it('is logged on one line of at most 60 characters, whatever the verifier wrote', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = {
      debug() {},
      info: (_m: string, f?: Record<string, unknown>) => void lines.push(f ?? {}),
      warn() {},
      error() {},
    };
    const gate = gateInterceptor({
      family: 'custom',
      verificationTimeoutMs: 1000,
      logger,
      unlinking: false,
      metrics: false,
      verifier: verifier(async () => ({ outcome: 'invalid', reason: `rejected\nbecause ${'x'.repeat(200)}` })),
      requestType: () => 'LaunchRequest',
      isGated: () => true,
      resolve: () => ({ status: 'found' as const, accessToken: 'opaque-token', path: 'p' }),
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
    const { createJsonLogger, JwtVerifier, withAccountLinking } = await import('../../lib');
    const { launchRequest, mintAccessToken } = await import('../../lib/testing');
    const secret = 'a-test-secret-that-is-long-enough-for-hs256';
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'debug', write: (line) => void lines.push(line) });
    const jwt = new JwtVerifier({ secret, algorithms: ['HS256'], issuer: 'https://issuer.test/', audience: 'skill' });
    const skill = withAccountLinking(SkillBuilders.custom(), {
      verifier: jwt,
      logger,
      unlinking: false,
      metrics: false,
    })
      .addRequestHandlers({
        canHandle: () => true,
        handle: (input) => input.responseBuilder.speak('served').getResponse(),
      })
      .create();
    const envelope = launchRequest({
      accessToken: mintAccessToken({ key: secret, issuer: 'https://issuer.test/', audience: 'skill', subject: 'u' }),
    }) as any;
    let deep: Record<string, unknown> = {};
    envelope.request.deep = deep;
    for (let i = 0; i < 10_000; i++) deep = (deep.next = {}) as Record<string, unknown>;
    const reply = await skill.invoke(envelope);
    expect(JSON.stringify(reply.response.outputSpeech)).toContain('served');
    expect(lines.some((line) => line.includes('not logged: it cannot be copied or serialised'))).toBe(true);
  });
});
