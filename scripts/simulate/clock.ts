/** The virtual clock: `Date.now` and `performance.now` answer the simulation's time while a run is installed. */

/** Simulated time, in ms since the epoch; {@link VirtualClock.install} makes the process read it. */
export class VirtualClock {
  /** The simulated time now (ms since the epoch). */
  now: number;
  #restore: (() => void) | undefined;

  constructor(start: number) {
    this.now = start;
  }

  /** Points `Date.now` and `performance.now` at this clock; returns (and keeps) the function that restores them. */
  install(): () => void {
    if (this.#restore) return this.#restore;
    const realDateNow = Date.now;
    const realPerformanceNow = performance.now;
    const origin = this.now;
    Date.now = () => this.now;
    // performance.now is a method of the Performance prototype: an own property shadows it.
    Object.defineProperty(performance, 'now', { value: () => this.now - origin, configurable: true, writable: true });
    this.#restore = () => {
      Date.now = realDateNow;
      // Remove the own property (the prototype's method shows again); keep the real one if it was own.
      delete (performance as { now?: unknown }).now;
      if (performance.now !== realPerformanceNow)
        Object.defineProperty(performance, 'now', { value: realPerformanceNow, configurable: true, writable: true });
      this.#restore = undefined;
    };
    return this.#restore;
  }

  /** Whether {@link VirtualClock.install} is in effect. */
  get installed(): boolean {
    return this.#restore !== undefined;
  }

  /** Moves the clock to `at` (never backwards). */
  advanceTo(at: number): void {
    if (at > this.now) this.now = at;
  }
}

/** Runs `body` with `clock` installed, restoring the real clocks afterwards, however `body` ends. */
export async function withClock<T>(clock: VirtualClock, body: () => Promise<T>): Promise<T> {
  const restore = clock.install();
  try {
    return await body();
  } finally {
    restore();
  }
}
