/** The template's alarms, emulated on the gates' metric events: held-by-breaker per 5-min window, held-unproven per 10-min window. */
import type { RejectionSeen } from './policy-adapter';

/** The breaker alarm: in a 5-min window, at least 20 decisions and at least 1 % of them held by the breaker. */
export const BREAKER_ALARM = { windowMs: 5 * 60_000, minDecisions: 20, heldShare: 0.01 } as const;
/**
 * The unproven alarm: in a 10-min window, a rejection held unproven and no token accepted; or at
 * least 5 decisions and at least 50 % of them held unproven.
 */
export const UNPROVEN_ALARM = { windowMs: 10 * 60_000, minDecisions: 5, heldShare: 0.5 } as const;

export type AlarmName = 'breaker' | 'unproven';

/** One alarming window: which alarm, and when the window starts and ends (ms). */
export interface AlarmWindow {
  alarm: AlarmName;
  start: number;
  end: number;
}

/** Decisions and holds per window, as CloudWatch would sum the metrics. */
export class AlarmWindows {
  readonly #breaker = new Map<number, Window>();
  readonly #unproven = new Map<number, Window>();

  /** Counts one gate decision at `at`, with what the policy made of its rejection, if any, and whether it was linked. */
  record(at: number, rejection: RejectionSeen | undefined, linked = false): void {
    count(this.#breaker, BREAKER_ALARM.windowMs, at, rejection?.hold === 'breaker', linked);
    count(this.#unproven, UNPROVEN_ALARM.windowMs, at, rejection?.hold === 'unproven', linked);
  }

  /** The alarming windows that start in [from, to), in time order. */
  alarms(from: number, to: number): AlarmWindow[] {
    const found: AlarmWindow[] = [];
    for (const [alarm, windows, rule] of [
      ['breaker', this.#breaker, BREAKER_ALARM],
      ['unproven', this.#unproven, UNPROVEN_ALARM],
    ] as const) {
      for (const [start, { decisions, held, linked }] of windows) {
        if (start < from || start >= to) continue;
        const nothingAccepted = alarm === 'unproven' && held >= 1 && linked === 0;
        if (nothingAccepted || (decisions >= rule.minDecisions && held >= rule.heldShare * decisions))
          found.push({ alarm, start, end: start + rule.windowMs });
      }
    }
    return found.sort((a, b) => a.end - b.end);
  }

  /** The most decisions any window of `alarm` in [from, to) held: to tell "never alarmed" from "too quiet to alarm". */
  busiestWindow(alarm: AlarmName, from: number, to: number): number {
    let most = 0;
    for (const [start, { decisions }] of alarm === 'breaker' ? this.#breaker : this.#unproven) {
      if (start >= from && start < to) most = Math.max(most, decisions);
    }
    return most;
  }
}

interface Window {
  decisions: number;
  held: number;
  linked: number;
}

function count(windows: Map<number, Window>, windowMs: number, at: number, held: boolean, linked: boolean): void {
  const start = Math.floor(at / windowMs) * windowMs;
  let window = windows.get(start);
  if (!window) windows.set(start, (window = { decisions: 0, held: 0, linked: 0 }));
  window.decisions++;
  if (held) window.held++;
  if (linked) window.linked++;
}
