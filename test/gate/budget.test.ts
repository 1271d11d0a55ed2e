/**
 * verificationBudget: the time a verifier gets for one request, verificationTimeoutMs capped by
 * what the Lambda function has left (less 500 ms for the reply) and by the longest timer there is.
 */
import { verificationBudget } from '../../lib';
import { LAMBDA_REPLY_RESERVE_MS, MAX_TIMER_MS } from '../../lib/gate/budget';

describe('verificationBudget', () => {
  it('is the cap when there is no Lambda context', () => {
    expect(verificationBudget(3000)).toBe(3000);
    expect(verificationBudget(3000, {})).toBe(3000);
  });

  it("leaves 500 ms of the Lambda's remaining time for the reply", () => {
    expect(verificationBudget(3000, { getRemainingTimeInMillis: () => 2000 })).toBe(1500);
    expect(verificationBudget(3000, { getRemainingTimeInMillis: () => 60_000 })).toBe(3000);
  });

  it('is never negative', () => {
    expect(verificationBudget(3000, { getRemainingTimeInMillis: () => 100 })).toBe(0);
  });

  it('keeps LAMBDA_REPLY_RESERVE_MS back, whatever the cap', () => {
    expect(verificationBudget(10_000, { getRemainingTimeInMillis: () => 4000 })).toBe(4000 - LAMBDA_REPLY_RESERVE_MS);
  });

  it('asks the Lambda context for its remaining time as a method, with the context as `this`', () => {
    const context = {
      left: 1200,
      getRemainingTimeInMillis(this: { left: number }) {
        return this.left;
      },
    };
    expect(verificationBudget(3000, context)).toBe(700);
  });

  it('ignores a context without getRemainingTimeInMillis as a function, or one that answers no finite number', () => {
    expect(verificationBudget(3000, { getRemainingTimeInMillis: 2000 })).toBe(3000);
    expect(verificationBudget(3000, { getRemainingTimeInMillis: () => Number.NaN })).toBe(3000);
    expect(verificationBudget(3000, { getRemainingTimeInMillis: () => Number.POSITIVE_INFINITY })).toBe(3000);
    expect(verificationBudget(3000, null)).toBe(3000);
  });

  it('is the longest timer there is for a cap above it, and a whole number of ms', () => {
    expect(verificationBudget(2 ** 40)).toBe(MAX_TIMER_MS);
    expect(verificationBudget(1234.9)).toBe(1234);
    expect(verificationBudget(3000, { getRemainingTimeInMillis: () => 1000.7 })).toBe(500);
  });
});
