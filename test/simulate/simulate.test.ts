/** The simulation (`npm run simulate`) on short scenarios, through the same functions its main uses. */
import { VirtualClock, withClock } from '../../scripts/simulate/clock';
import { EventQueue } from '../../scripts/simulate/event-queue';
import { parseDuration, parseFlags, scenariosOf } from '../../scripts/simulate/main';
import { Random } from '../../scripts/simulate/random';
import { goals } from '../../scripts/simulate/report';
import { runScenario, SIMULATION_START } from '../../scripts/simulate/scenario';
import { DAY_MS, HOUR_MS } from '../../scripts/simulate/traffic';

describe('the unlinking simulation', () => {
  it('a busy fleet under a deploy with a wrong secret for 6 h unlinks no genuine user, and the unproven alarm fires within 10 min', async () => {
    const result = await runScenario({
      profile: 'busy',
      fault: 'wrong-secret',
      deadShare: 0.01,
      durationMs: 6 * HOUR_MS,
      seed: 7,
    });
    expect(result.requests).toBeGreaterThan(3000);
    expect(result.genuineUnlinked).toEqual({ withinConfirmAfter: 0, within24h: 0, measured: 0, warmup: 0 });
    expect(result.rejections.held.unproven).toBe(result.rejections.total);
    expect(result.alarms.firstAlarmMinutes).toBeLessThanOrEqual(10);
    expect(result.holdErrorLines).toBeGreaterThan(0);
    expect(result.inconsistencies).toBe(0);
    const [withinConfirmAfter] = goals([result]);
    expect(withinConfirmAfter!.met).toBe(true);
  }, 60_000);

  it.each([
    ['first rejected more than 1 h past exp: self-evident, answered at once', 3, 'self-evident'],
    ['first rejected within 1 h of exp: suspected, answered at its first request confirmAfter later', 15, 'suspected'],
  ])(
    'one user with a dead token over 10 days, %s',
    async (_name, seed, kind) => {
      const result = await runScenario({
        profile: 'one-user',
        fault: 'none',
        deadShare: 1,
        durationMs: 10 * DAY_MS,
        seed,
      });
      expect(result.dead.users).toBe(1);
      expect(result.dead.firstRejection).toEqual({ [kind]: 1 });
      expect(result.dead.dueChecked).toBe(1);
      expect(result.dead.overdue).toBe(0);
      expect(result.dead.answered).toBe(1);
      expect(result.dead.unanswered).toBe(0);
      if (kind === 'self-evident') expect(result.dead.waitsHours.max).toBe(0);
      else expect(result.dead.waitsHours.max).toBeGreaterThanOrEqual(1);
      expect(result.genuineUnlinked.measured + result.genuineUnlinked.warmup).toBe(0);
    },
    60_000,
  );

  it('restores the real Date.now, performance.now and fetch after a run, and replays a run from its seed', async () => {
    const [dateNow, performanceNow, realFetch] = [Date.now, performance.now, globalThis.fetch];
    const spec = { profile: 'household', fault: 'stale-jwks', deadShare: 0, durationMs: DAY_MS, seed: 11 } as const;
    const first = await runScenario(spec);
    expect(Date.now).toBe(dateNow);
    expect(performance.now).toBe(performanceNow);
    expect(globalThis.fetch).toBe(realFetch);
    expect(Math.abs(Date.now() - new Date().getTime())).toBeLessThan(1000);
    const second = await runScenario(spec);
    const { wallMs: _a, ...a } = first;
    const { wallMs: _b, ...b } = second;
    expect(b).toEqual(a);
  }, 60_000);

  it('the virtual clock answers Date.now and performance.now while installed, and restores them when the body throws', async () => {
    const clock = new VirtualClock(SIMULATION_START);
    const realDateNow = Date.now;
    await expect(
      withClock(clock, async () => {
        expect(Date.now()).toBe(SIMULATION_START);
        clock.advanceTo(SIMULATION_START + 5000);
        expect(Date.now()).toBe(SIMULATION_START + 5000);
        expect(performance.now()).toBe(5000);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(Date.now).toBe(realDateNow);
    expect(clock.installed).toBe(false);
  });

  it('the event queue gives events in time order, ties in insertion order; the PRNG replays from its seed', () => {
    const queue = new EventQueue<string>();
    const rng = new Random(42);
    const times = Array.from({ length: 200 }, () => Math.floor(rng.uniform(0, 50)));
    times.forEach((at, i) => queue.push(at, `${at}:${i}`));
    const out: string[] = [];
    for (let event = queue.pop(); event; event = queue.pop()) out.push(event.event);
    const expected = times
      .map((at, i) => ({ at, i }))
      .sort((x, y) => x.at - y.at || x.i - y.i)
      .map(({ at, i }) => `${at}:${i}`);
    expect(out).toEqual(expected);
    expect(new Random(9).next()).toBe(new Random(9).next());
  });

  it('reads its flags: one scenario when asked, every default one otherwise', () => {
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('7d')).toBe(7 * DAY_MS);
    const [one] = scenariosOf(
      parseFlags(['--profile', 'busy', '--fault', 'partial', '--share', '50', '--duration', '6h', '--seed', '5']),
    );
    expect(one).toMatchObject({ profile: 'busy', fault: 'partial', share: 0.5, durationMs: 6 * HOUR_MS, seed: 5 });
    const all = scenariosOf(parseFlags([]));
    expect(all.length).toBeGreaterThan(30);
    expect(new Set(all.map((s) => s.seed)).size).toBe(all.length);
  });
});
