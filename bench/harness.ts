/** A small benchmark harness: rounds of timed iterations, medians and spreads, ratios within one run. */
import { performance } from 'node:perf_hooks';

export interface Measurement {
  name: string;
  /** Median time of one operation, in microseconds, over the rounds. */
  medianUs: number;
  minUs: number;
  maxUs: number;
}

/** Runs `op` `iterations` times per round, `rounds` rounds (after a warm-up round). */
export async function measure(name: string, op: () => unknown, options: { iterations: number; rounds: number }): Promise<Measurement> {
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
