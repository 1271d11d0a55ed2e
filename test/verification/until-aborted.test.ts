/** lib/verification/until-aborted.ts: one caller stops waiting for shared work at its deadline; the work goes on. */
import { untilAborted, untilAbortedIfPending } from '../../lib/verification/until-aborted';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('untilAborted', () => {
  it('is the promise itself without a signal', () => {
    const work = Promise.resolve(1);
    expect(untilAborted(work, undefined)).toBe(work);
  });

  it('resolves and rejects as the promise does while the signal is not aborted', async () => {
    await expect(untilAborted(Promise.resolve('done'), new AbortController().signal)).resolves.toBe('done');
    const failure = new Error('upstream');
    await expect(untilAborted(Promise.reject(failure), new AbortController().signal)).rejects.toBe(failure);
  });

  it('rejects at once with the reason of a signal already aborted', async () => {
    const reason = new Error('deadline');
    await expect(untilAborted(new Promise(() => undefined), AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it("rejects with the signal's reason as soon as it aborts, while the shared work goes on for others", async () => {
    const work = deferred<string>();
    const caller = new AbortController();
    const waiting = untilAborted(work.promise, caller.signal);
    const reason = new Error("this caller's deadline");
    caller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    const other = untilAborted(work.promise, new AbortController().signal);
    work.resolve('verdict');
    await expect(other).resolves.toBe('verdict');
  });

  it('rejects with an Error of its own when the signal aborts without a reason', async () => {
    const signal = { aborted: true, reason: undefined } as unknown as AbortSignal;
    await expect(untilAborted(Promise.resolve(1), signal)).rejects.toThrow('The caller stopped waiting');
  });

  it('stops listening to the signal once the promise settles', async () => {
    const caller = new AbortController();
    const removed = jest.spyOn(caller.signal, 'removeEventListener');
    await untilAborted(Promise.resolve(1), caller.signal);
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
    await untilAborted(Promise.reject(new Error('x')), caller.signal).catch(() => undefined);
    expect(removed).toHaveBeenCalledTimes(2);
  });
});

describe('untilAbortedIfPending', () => {
  const countingContext = (signal: AbortSignal) => {
    const context = { reads: 0 };
    Object.defineProperty(context, 'signal', {
      get: () => {
        context.reads++;
        return signal;
      },
    });
    return context as { reads: number; readonly signal: AbortSignal };
  };

  it('answers a promise that settles at once without reading the signal', async () => {
    const context = countingContext(new AbortController().signal);
    await expect(untilAbortedIfPending(Promise.resolve('done'), context)).resolves.toBe('done');
    const failure = new Error('upstream');
    await expect(untilAbortedIfPending(Promise.reject(failure), context)).rejects.toBe(failure);
    // one promise in between (a `.then` on the verification) settles in time too
    await expect(
      untilAbortedIfPending(
        Promise.resolve(1).then((n) => n + 1),
        context,
      ),
    ).resolves.toBe(2);
    expect(context.reads).toBe(0);
  });

  it("reads the signal of a promise still pending, and rejects with the signal's reason when it aborts", async () => {
    const work = deferred<string>();
    const caller = new AbortController();
    const context = countingContext(caller.signal);
    const waiting = untilAbortedIfPending(work.promise, context);
    await new Promise((resolve) => setImmediate(resolve));
    expect(context.reads).toBe(1);
    const reason = new Error('deadline');
    caller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it('resolves a pending promise as it settles, with no context at all', async () => {
    const work = deferred<string>();
    const waiting = untilAbortedIfPending(work.promise, undefined);
    setTimeout(() => work.resolve('late'), 5);
    await expect(waiting).resolves.toBe('late');
  });
});
