/**
 * Lines to stdout, written at once with `write(2)` on fd 1: no stream built at cold start, nothing
 * queued in memory while a function may be frozen, and the toolkit's lines in the order written.
 * The default sink of {@link createJsonLogger} and of the gate's EMF metrics. See docs/benchmarks.md.
 */
import { writeSync } from 'node:fs';

/** How long one write waits in all for a full stdout pipe to drain, before handing the rest to `process.stdout`. */
export const STDOUT_MAX_WAIT_MS = 1000;

/** What a batch ({@link batchStdout}) has collected so far; undefined outside one. */
let batch: string | undefined;
/** `process.stdout`, once a write had to go through it: later lines follow it while it has any queued. */
let queued: NodeJS.WriteStream | undefined;
/** A small shared buffer for `Atomics.wait`, the one synchronous sleep Node has. */
let sleeper: Int32Array | undefined;

/**
 * Writes `text` (one or more whole lines) to stdout now, in one `write(2)` where the pipe takes it.
 * On a full pipe (`EAGAIN`: the reader is behind) it waits for the pipe to drain, up to
 * {@link STDOUT_MAX_WAIT_MS} in all; past that, or on any other error, the rest goes to
 * `process.stdout`, which queues it, and later lines follow it there until that queue is empty.
 * Never throws; nothing is dropped that `process.stdout` would keep.
 */
export function writeStdout(text: string): void {
  if (batch !== undefined) {
    batch += text;
    return;
  }
  if (queued && queued.writableLength > 0) {
    queued.write(text);
    return;
  }
  let written = 0;
  try {
    written = writeSync(1, text);
  } catch (error) {
    if (!retryable(error)) return handOver(Buffer.from(text), 0, error);
  }
  // One call writes it all, unless the pipe was nearly full (then the kernel takes a part).
  const length = Buffer.byteLength(text);
  if (written < length) writeRest(Buffer.from(text), written);
}

/**
 * Runs `work` and writes whatever it wrote through {@link writeStdout} in one `write(2)` at its
 * end: the gate's decision line and its EMF line cost one system call. Lines keep their order;
 * a batch within a batch joins the outer one.
 */
export function batchStdout<T>(work: () => T): T {
  if (batch !== undefined) return work();
  batch = '';
  try {
    return work();
  } finally {
    const text = batch;
    batch = undefined;
    if (text) writeStdout(text);
  }
}

/** A full pipe (`EAGAIN`) or an interrupted call (`EINTR`): worth another try. */
function retryable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'EAGAIN' || code === 'EINTR';
}

/** Writes `bytes` from `offset` on, waiting out a full pipe (see {@link writeStdout}). */
function writeRest(bytes: Buffer, offset: number): void {
  const started = Date.now();
  let waitMs = 0.05; // a reader a moment behind is waited for briefly; one that stays behind, longer each time
  while (offset < bytes.length) {
    let written = 0;
    try {
      written = writeSync(1, bytes, offset, bytes.length - offset);
    } catch (error) {
      if (!retryable(error)) return handOver(bytes, offset, error);
    }
    if (written > 0) {
      offset += written;
      continue;
    }
    if (Date.now() - started >= STDOUT_MAX_WAIT_MS) return handOver(bytes, offset, undefined);
    sleeper ??= new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(sleeper, 0, 0, waitMs);
    waitMs = Math.min(waitMs * 2, 1);
  }
}

/**
 * What `write(2)` could not take goes to `process.stdout`, which keeps it in order and writes it
 * when it can; unless stdout is gone (`EPIPE`: nobody reads it; `EBADF`: no fd 1), where nothing
 * can be written anywhere and a stream would only fail later, out of our hands.
 */
function handOver(bytes: Buffer, offset: number, error: unknown): void {
  const code = (error as { code?: unknown })?.code;
  if (code === 'EPIPE' || code === 'EBADF') return;
  try {
    queued = process.stdout;
    queued.write(bytes.subarray(offset));
  } catch {
    // stdout is gone (closed, or no such descriptor): nothing can be written anywhere.
  }
}
