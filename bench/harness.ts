/** A small benchmark harness: rounds of timed iterations, medians and spreads, ratios within one run. */
import { performance } from 'node:perf_hooks';

export interface Measurement {
  name: string;
  /** Median time of one operation, in microseconds, over the rounds. */
  medianUs: number;
  minUs: number;
  maxUs: number;
  /** With {@link compare}: the time of one operation in each round, in round order. */
  perRoundUs?: number[];
}

/** Runs `op` `iterations` times per round, `rounds` rounds (after a warm-up round). */
export async function measure(
  name: string,
  op: () => unknown,
  options: { iterations: number; rounds: number },
): Promise<Measurement> {
  const perOp: number[] = [];
  for (let round = -1; round < options.rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < options.iterations; i++) {
      const result = op();
      if (result instanceof Promise) await result;
    }
    const elapsed = performance.now() - started;
    if (round >= 0) perOp.push((elapsed * 1000) / options.iterations);
  }
  return { name, ...spread(perOp) };
}

export function spread(values: number[]): { medianUs: number; minUs: number; maxUs: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { medianUs: median(sorted), minUs: sorted[0], maxUs: sorted[sorted.length - 1] };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const us = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} ms` : `${value.toFixed(1)} µs`);
export const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`;

/**
 * Measures several operations side by side: each round runs every operation `iterations` times,
 * in an order that rotates from round to round, after one warm-up round. A neighbour that slows
 * the machine for a while slows every contender of that round, so ratios of medians hold better
 * than with one contender measured after another.
 */
export async function compare<K extends string>(
  ops: Record<K, () => unknown>,
  options: { iterations: number; rounds: number },
): Promise<Record<K, Measurement>> {
  const names = Object.keys(ops) as K[];
  const perOp = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = -1; round < options.rounds; round++) {
    const offset = ((round % names.length) + names.length) % names.length;
    for (const name of [...names.slice(offset), ...names.slice(0, offset)]) {
      const op = ops[name];
      const started = performance.now();
      for (let i = 0; i < options.iterations; i++) {
        const result = op();
        if (result instanceof Promise) await result;
      }
      if (round >= 0) perOp[name].push(((performance.now() - started) * 1000) / options.iterations);
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, { name, ...spread(perOp[name]), perRoundUs: perOp[name] }]),
  ) as unknown as Record<K, Measurement>;
}

/**
 * `a / b` round by round (both from one {@link compare}: measured within milliseconds of each
 * other), as the median and spread of those ratios: steadier on a busy machine than a ratio of medians.
 */
export function pairedRatio(a: Measurement, b: Measurement): { median: number; min: number; max: number } {
  if (!a.perRoundUs || !b.perRoundUs) throw new Error('pairedRatio needs two measurements of one compare()');
  const ratios = a.perRoundUs.map((value, round) => value / b.perRoundUs![round]);
  const { medianUs, minUs, maxUs } = spread(ratios);
  return { median: medianUs, min: minUs, max: maxUs };
}

/**
 * `a − b` round by round (both from one {@link compare}), in microseconds, as the median and spread
 * of those differences: what `a` costs on top of `b`, measured within milliseconds of each other.
 */
export function pairedDifference(a: Measurement, b: Measurement): { median: number; min: number; max: number } {
  if (!a.perRoundUs || !b.perRoundUs) throw new Error('pairedDifference needs two measurements of one compare()');
  const differences = a.perRoundUs.map((value, round) => value - b.perRoundUs![round]);
  const { medianUs, minUs, maxUs } = spread(differences);
  return { median: medianUs, min: minUs, max: maxUs };
}
