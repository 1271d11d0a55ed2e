/**
 * Waiting for shared work under one caller's deadline: the verdict cache and the JWKS key set both
 * share one piece of work (a verification, a fetch) among concurrent callers, and each caller stops
 * waiting at its own deadline without cancelling the work for the others.
 */

/**
 * `promise`, or a rejection as soon as `signal` aborts, whichever comes first. The rejection is the
 * signal's `reason` (the gate's `VerifierTimeoutError`), or an `Error` when it has none.
 * `promise` itself goes on; only this caller stops waiting for it.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('The caller stopped waiting');
}

/**
 * {@link untilAborted} with the caller's signal read only if `promise` is still pending a few
 * microtask turns later. A verification without I/O (a local key, a cached verdict) has settled by
 * then, and no AbortSignal is made for it: a signal is an EventTarget, costly at cold start and a
 * few microseconds on every request. A verification still pending is raced against the signal as
 * {@link untilAborted} does, so a caller never waits past its deadline.
 */
export async function untilAbortedIfPending<T>(
  promise: Promise<T>,
  context: { readonly signal?: AbortSignal | undefined } | undefined,
): Promise<T> {
  let settled: { value: T } | { error: unknown } | undefined;
  promise.then(
    (value) => (settled = { value }),
    (error: unknown) => (settled = { error }),
  );
  // Two turns: one for `promise` to take the value of the promise it follows, one for the reaction above.
  await undefined;
  await undefined;
  const now = settled as typeof settled; // (assigned by the reactions above)
  if (now && 'error' in now) throw now.error;
  if (now) return now.value;
  return untilAborted(promise, context?.signal);
}
