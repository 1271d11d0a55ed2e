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
