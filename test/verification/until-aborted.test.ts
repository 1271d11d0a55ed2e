/** lib/verification/until-aborted.ts: one caller stops waiting for shared work at its deadline; the work goes on. */
import { untilAborted } from '../../lib/verification/until-aborted';

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
