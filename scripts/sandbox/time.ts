/** Time in the sandbox: waiting, and a time as people read it. */

/** Waits `ms` milliseconds (not at all if `ms` is negative). */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** An ISO time as people read it in the sandbox: `12:00:02.345 UTC`. */
export function clock(iso: string | undefined): string {
  return iso ? `${iso.slice(11, 23)} UTC` : 'later';
}
