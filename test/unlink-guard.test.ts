/**
 * The unlink guard, state by state: a fresh container, a warm one, a run of rejections, an
 * acceptance, a cool-off; and its ERROR line, which names no token.
 */
import { ConfigurationError, UnlinkGuard, UnlinkGuardHoldError, type GateDecision } from '../lib';
import { recordingLogger } from './support/fixtures';

const linked: GateDecision<unknown> = { outcome: 'linked', linkedUser: { subject: 'rider-1' } };
const invalid = (reason = 'bad signature'): GateDecision<unknown> => ({ outcome: 'invalid', reason });
const expired: GateDecision<unknown> = { outcome: 'expired' };
const token = (n: number) => `eyJhbGciOiJIUzI1NiJ9.secret-token-${n}.signature`;

function guard(options: ConstructorParameters<typeof UnlinkGuard>[0] extends infer O ? Omit<O & object, 'logger' | 'family'> : never = {}) {
  const logger = recordingLogger();
  const g = new UnlinkGuard({ ...options, logger, family: 'custom' });
  const answer = (decision: GateDecision<unknown>, t?: string) => g.review(decision, t);
  const held = (decision: GateDecision<unknown>, t?: string) => answer(decision, t).heldByGuard;
  const errors = () => logger.lines.map((l) => JSON.parse(l)).filter((l) => l.level === 'error');
  const warnings = () => logger.lines.map((l) => JSON.parse(l)).filter((l) => l.level === 'warn');
  return { g, logger, answer, held, errors, warnings };
}

afterEach(() => jest.useRealTimers());

describe('the unlink guard in a fresh container (no token accepted yet)', () => {
  it('holds the first rejection as "could not decide", with an UnlinkGuardHoldError as the cause', () => {
    const { answer } = guard();
    const review = answer(invalid(), token(1));
    expect(review.heldByGuard).toBe(true);
    expect(review.decision.outcome).toBe('undecided');
    const cause = (review.decision as unknown as { cause: UnlinkGuardHoldError }).cause;
    expect(cause).toBeInstanceOf(UnlinkGuardHoldError);
    expect(cause).toMatchObject({ code: 'ERR_UNLINK_GUARD_HOLD', name: 'UnlinkGuardHoldError', heldOutcome: 'invalid', reason: 'bad signature' });
  });

  it('holds expired verdicts too: an expiry is not evidence that the key works', () => {
    const { held } = guard();
    expect(held(expired, token(1))).toBe(true);
  });

  it('holds every rejection of a wholly wrong configuration: 30 distinct tokens, none answered', () => {
    const { held } = guard();
    const answers = Array.from({ length: 30 }, (_, i) => held(invalid(), token(i)));
    expect(answers.every(Boolean)).toBe(true);
  });

  it('still holds after the cool-off: nothing has shown that the configuration ever worked', () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { held, g } = guard({ coolOffMs: 60_000 });
    expect(held(invalid(), token(1))).toBe(true);
    jest.setSystemTime(new Date('2026-01-01T00:01:00Z'));
    expect(g.holding).toBe(false); // the run is forgotten...
    expect(held(invalid(), token(2))).toBe(true); // ...and, still unproven, the guard holds again
  });

  it('counts the first threshold - 1 rejections as before when told not to hold while unproven', () => {
    const { held } = guard({ holdWhileUnproven: false, threshold: 3 });
    expect([held(invalid(), token(1)), held(invalid(), token(2)), held(invalid(), token(3))]).toEqual([false, false, true]);
  });
});

describe('the unlink guard after an acceptance', () => {
  it('answers rejections interleaved with accepted tokens exactly as before (forged, deleted, expired)', () => {
    const { answer } = guard();
    answer(linked, token(0));
    const rejections = [invalid('bad signature'), invalid('inactive'), expired, invalid('wrong audience')];
    rejections.forEach((rejection, i) => {
      expect(answer(rejection, token(100 + i))).toEqual({ decision: rejection, heldByGuard: false });
      answer(linked, token(i));
    });
  });

  it('holds from the threshold-th distinct rejection in a row (default 2)', () => {
    const { answer, held } = guard();
    answer(linked, token(0));
    expect(held(invalid(), token(1))).toBe(false);
    expect(held(invalid(), token(2))).toBe(true);
    expect(held(expired, token(3))).toBe(true);
  });

  it.each([1, 2, 3])('with threshold %i, answers threshold - 1 distinct rejections before holding', (threshold) => {
    const { answer, held } = guard({ threshold });
    answer(linked, token(0));
    const answers = Array.from({ length: 4 }, (_, i) => held(invalid(), token(i + 1)));
    expect(answers).toEqual([1, 2, 3, 4].map((n) => n >= threshold));
  });

  it('counts one user\'s retries once, and keeps their first answer', () => {
    const { answer, held } = guard({ threshold: 2 });
    answer(linked, token(0));
    expect(held(invalid(), token(1))).toBe(false);
    expect(held(invalid(), token(1))).toBe(false);
    expect(held(invalid(), token(1))).toBe(false);
    expect(held(invalid(), token(2))).toBe(true);
    expect(held(invalid(), token(1))).toBe(false); // answered as before, as it was the first time
  });

  it('is released by an acceptance, says so once, and answers the next rejection as before', () => {
    const { answer, held, warnings, g } = guard();
    answer(linked, token(0));
    held(invalid(), token(1));
    expect(held(invalid(), token(2))).toBe(true);
    expect(g.holding).toBe(true);
    answer(linked, token(0));
    expect(g.holding).toBe(false);
    expect(warnings().map((w) => w.message)).toEqual([expect.stringMatching(/^account linking: unlink guard: released: a token was accepted; 1 replies were held/)]);
    expect(held(invalid(), token(2))).toBe(false);
  });

  it('neither counts nor releases on a missing token or a verifier that could not decide', () => {
    const { answer, held } = guard();
    answer(linked, token(0));
    held(invalid(), token(1));
    answer({ outcome: 'missing' }, undefined);
    answer({ outcome: 'undecided', cause: new ConfigurationError('x') }, token(5));
    expect(held(invalid(), token(2))).toBe(true);
    answer({ outcome: 'missing' }, undefined);
    expect(held(invalid(), token(3))).toBe(true);
  });

  it('forgets the run after the cool-off (and not a millisecond before): threshold - 1 rejections are answered again', () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { answer, held } = guard({ coolOffMs: 60_000 });
    answer(linked, token(0));
    held(invalid(), token(1));
    expect(held(invalid(), token(2))).toBe(true); // the hold begins at 00:00:00
    jest.setSystemTime(new Date('2026-01-01T00:00:59.999Z'));
    expect(held(invalid(), token(3))).toBe(true);
    jest.setSystemTime(new Date('2026-01-01T00:01:00Z'));
    expect(held(invalid(), token(4))).toBe(false); // a wrong configuration unlinks at most threshold - 1 per cool-off
    expect(held(invalid(), token(5))).toBe(true);
  });
});

describe('what the unlink guard logs', () => {
  it('logs ONE ERROR at the first held verdict, in an operator\'s words, with the reasons seen, and no token', () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { held, errors, logger } = guard();
    held(invalid('bad signature'), token(0));
    expect(errors()).toHaveLength(1);
    for (let i = 1; i < 5; i++) held(invalid(i < 3 ? 'bad signature' : 'inactive'), token(i));
    expect(errors()).toHaveLength(1);
    const [error] = errors();
    expect(error.message).toMatch(/^account linking: unlink guard: 1 distinct tokens rejected for bad signature and none accepted since this container started \(2026-01-01T00:00:00.000Z\): configuration suspected, unlinking replies held/);
    expect(error).toMatchObject({ family: 'custom', distinctTokens: 1, reasons: { 'bad signature': 1 }, lastAcceptedAt: null });
    for (let i = 0; i < 5; i++) expect(logger.text()).not.toContain(token(i));
  });

  it('logs its ERROR when a warm container\'s run reaches the threshold, and not before', () => {
    const { answer, held, errors } = guard();
    answer(linked, token(0));
    held(expired, token(1));
    expect(errors()).toHaveLength(0);
    held(expired, token(2));
    expect(errors().map((e) => e.message)).toEqual([expect.stringMatching(/^account linking: unlink guard: 2 distinct tokens rejected for expired and none accepted since \d{4}-/)]);
  });

  it('names every reason of the run when the hold starts after an acceptance', () => {
    const { answer, held, errors } = guard({ threshold: 3 });
    answer(linked, token(0));
    held(invalid('inactive'), token(1));
    held(expired, token(2));
    held(invalid('inactive'), token(3));
    expect(errors()[0].message).toMatch(/3 distinct tokens rejected for inactive, expired and none accepted since \d{4}-/);
  });

  it('counts later held verdicts, with a WARN summary at 10, 100, ... held replies', () => {
    const { held, errors, warnings } = guard();
    for (let i = 0; i < 100; i++) held(invalid(), token(i));
    expect(errors()).toHaveLength(1);
    const summaries = warnings().filter((w) => /still holding/.test(w.message));
    expect(summaries.map((w) => w.heldReplies)).toEqual([10, 100]);
    expect(summaries[1].message).toMatch(/still holding: 100 replies held, 100 distinct tokens/);
  });

  it('keeps a custom verifier\'s reason to one short line', () => {
    const { held, errors } = guard();
    held(invalid(`line one\nline two ${'x'.repeat(100)}`), token(1));
    held(invalid('bad signature'), token(2));
    expect(errors()[0].message).toContain('line one line two xxx');
    expect(Object.keys(errors()[0].reasons)[0].length).toBeLessThanOrEqual(60);
  });
});

describe('the unlink guard with very many tokens', () => {
  it('keeps holding past the 1000 tokens it remembers, and names at most 5 reasons in its ERROR', () => {
    const { held, errors } = guard();
    const answers = Array.from({ length: 1500 }, (_, i) => held(invalid(`reason number ${i}`), token(i)));
    expect(answers.every(Boolean)).toBe(true);
    expect(Object.keys(errors()[0].reasons).length).toBeLessThanOrEqual(5);
  });
});

describe('unlink guard options', () => {
  it.each([0, 4, 1.5, Number.NaN])('refuses threshold %s', (threshold) => {
    expect(() => guard({ threshold })).toThrow(ConfigurationError);
  });

  it('refuses a cool-off that is not a positive number', () => {
    expect(() => guard({ coolOffMs: 0 })).toThrow(/coolOffMs/);
  });

  it('documents its defaults: threshold 2, cool-off 10 minutes, holding while unproven', () => {
    const { g } = guard();
    expect([g.threshold, g.coolOffMs, g.holdWhileUnproven]).toEqual([2, 600_000, true]);
  });
});
