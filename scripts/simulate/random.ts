/** The simulation's one source of randomness: a seeded PRNG (mulberry32) and the draws made from it. */

/** A seeded pseudo-random generator: every random choice of a run goes through one, so a seed replays a run. */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform draw in [0, 1) (mulberry32). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform draw in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An exponential draw with the given mean: the gap between two events of a Poisson process. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** A new generator seeded from this one (for a part of the run that must not shift the others' draws). */
  fork(): Random {
    return new Random(Math.floor(this.next() * 4294967296));
  }
}
