/**
 * The fleet breaker of the unlinking policy: it holds confirmations of a reason class whose first
 * rejections are far above their usual level, learns that level, and closes when the fault ends.
 */
import type { TokenVerifier, UnlinkLedger } from '../../lib';
import {
  clock,
  container,
  expired,
  HOUR,
  invalid,
  provenFleet,
  T0,
  useTestClock,
  versioned,
} from '../support/unlinking-fleet';

useTestClock();

describe('the breaker', () => {
  /** `n` distinct tokens first rejected for `reason` at the current time, from fresh containers. */
  async function rejectMany(ledger: UnlinkLedger, n: number, prefix: string, decision = invalid()) {
    for (let i = 0; i < n; i++) await container(ledger).review(decision, `${prefix}-${i}`);
  }

  it('holds confirmations of a class whose first rejections are far above their usual level, logging ONE ERROR with counts and what to check', async () => {
    const ledger = provenFleet();
    // The usual level: one signature rejection an hour for a day.
    for (let h = 0; h < 24; h++) {
      clock.now = T0 + h * HOUR;
      await rejectMany(ledger, 1, `usual-${h}`);
    }
    clock.now = T0 + 24 * HOUR;
    await container(ledger).review(invalid(), 'dead-token');
    clock.now += HOUR;
    await rejectMany(ledger, 8, 'fault');
    const { review, logger } = container(ledger);
    const held = await review(invalid(), 'dead-token');
    expect(held.rejection).toMatchObject({ fate: 'held', hold: 'breaker', reasonClass: 'signature' });
    await review(invalid(), 'fault-0');
    const errors = logger.lines.filter((l) => l.includes('"level":"error"'));
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0])).toMatchObject({
      hold: 'breaker',
      reasonClass: 'signature',
      recentTokens: 8,
      usualTokens: 0.5,
    });
    expect(errors[0]).toMatch(/JWT_SECRET or JWT_PUBLIC_KEY/);
    // Another class is not held by it.
    expect((await container(ledger).review(expired({ selfEvident: true }), 'old-token')).rejection.fate).toBe(
      'unlinked',
    );
  });

  it('stays open while the fault lasts: the buckets it was open in do not become the usual level', async () => {
    const ledger = provenFleet();
    for (let h = 0; h < 24; h++) {
      clock.now = T0 + h * HOUR;
      await rejectMany(ledger, 1, `usual-${h}`);
    }
    await container(ledger).review(invalid(), 'dead-token');
    for (let m = 0; m <= 20 * 60; m += 10) {
      clock.now = T0 + 24 * HOUR + m * 60_000;
      await rejectMany(ledger, 6, `fault-${m}`);
    }
    expect((await container(ledger).review(invalid(), 'dead-token')).rejection.hold).toBe('breaker');
  });

  it('learns the usual level of a new fleet instead of staying open for ever', async () => {
    const ledger = provenFleet();
    // A busy new skill whose ordinary dead tokens alone are 6 every 10 minutes.
    await rejectMany(ledger, 6, 'first');
    expect((await container(ledger).review(invalid(), 'first-0')).rejection.hold).toBe('breaker');
    for (let m = 10; m <= 120; m += 10) {
      clock.now = T0 + m * 60_000;
      await rejectMany(ledger, 6, `ordinary-${m}`);
    }
    expect((await container(ledger).review(invalid(), 'first-0')).rejection.fate).toBe('unlinked');
  });

  it('closes when the rate is back to normal; a token first rejected while it was open waits confirmAfterMs from when it closed', async () => {
    const ledger = provenFleet();
    for (let h = 0; h < 24; h++) {
      clock.now = T0 + h * HOUR;
      await rejectMany(ledger, 1, `usual-${h}`);
    }
    const start = T0 + 24 * HOUR;
    clock.now = start;
    await rejectMany(ledger, 10, 'fault');
    expect((await container(ledger).review(invalid(), 'fault-0')).rejection.hold).toBe('breaker');
    // An hour later the breaker is shut, but the fault's tokens (long-lived ones, say) were first
    // rejected during it: their wait began when it closed.
    clock.now = start + HOUR;
    const waiting = await container(ledger).review(invalid(), 'fault-0');
    expect(waiting.rejection).toMatchObject({ fate: 'held', hold: 'pending' });
    expect(waiting.rejection.confirmAt).toBeGreaterThan(start + HOUR);
    clock.now = waiting.rejection.confirmAt!;
    expect((await container(ledger).review(invalid(), 'fault-0')).rejection.fate).toBe('unlinked');
  });

  it("counts a container's own first rejections at once, without waiting for its next read of the fleet", async () => {
    const ledger = provenFleet();
    const { review } = container(ledger, { confirmAfterMs: 0 });
    for (let i = 0; i < 6; i++) await review(invalid(), `b-${i}`);
    for (let i = 0; i < 6; i++) expect((await review(invalid(), `b-${i}`)).rejection.hold).toBe('breaker');
  });

  it('lets a class go when an operator releases it, and holds everything while they pause', async () => {
    const ledger = provenFleet();
    await rejectMany(ledger, 10, 'fault');
    clock.now = T0 + HOUR;
    await rejectMany(ledger, 10, 'more');
    ledger.release('signature', clock.now + HOUR);
    expect((await container(ledger).review(invalid(), 'fault-0')).rejection.fate).toBe('unlinked');
    ledger.setPaused(true);
    expect((await container(ledger).review(invalid(), 'fault-1')).rejection.hold).toBe('paused');
  });

  it('does not count the rejections of an unproven configuration: a rolled-back bad deploy leaves the breaker shut', async () => {
    const ledger = provenFleet();
    const bad: TokenVerifier<unknown> = { ...versioned, configurationVersion: 'bad-deploy' };
    for (let i = 0; i < 20; i++)
      expect((await container(ledger, {}, bad).review(invalid(), `genuine-${i}`)).rejection.hold).toBe('unproven');
    await container(ledger).review(invalid(), 'dead-token');
    clock.now = T0 + HOUR;
    expect((await container(ledger).review(invalid(), 'dead-token')).rejection.fate).toBe('unlinked');
  });

  it('neither counts nor holds self-evident rejections: no fault of ours produces them', async () => {
    const ledger = provenFleet();
    for (let i = 0; i < 20; i++)
      expect((await container(ledger).review(expired({ selfEvident: true }), `long-dead-${i}`)).rejection.fate).toBe(
        'unlinked',
      );
    await container(ledger).review(expired(), 'just-expired');
    clock.now = T0 + HOUR;
    expect((await container(ledger).review(expired(), 'just-expired')).rejection.fate).toBe('unlinked');
  });

  it('is off with breaker: false', async () => {
    const ledger = provenFleet();
    await rejectMany(ledger, 10, 'fault');
    clock.now = T0 + HOUR;
    expect((await container(ledger, { breaker: false }).review(invalid(), 'fault-0')).rejection.fate).toBe('unlinked');
  });
});
