/**
 * Lines to stdout, written at once with `write(2)` on fd 1: no stream built at cold start, nothing
 * queued in memory while a function may be frozen, and the lines in the order written, behind
 * whatever `process.stdout` still holds. The default sink of the JSON logger and of the gate's EMF
 * metrics. See docs/metrics.md, "How the lines are written".
 */
import { writeSync } from 'node:fs';

/** How long one write waits in all for a full, non-blocking stdout pipe to drain before handing the rest to `process.stdout`. */
export const STDOUT_MAX_WAIT_MS = 1000;

/** What a batch ({@link batchStdout}) has collected so far; undefined outside one. */
let batch: string | undefined;
/** A small shared buffer for `Atomics.wait`, the one synchronous sleep Node has. */
let sleeper: Int32Array | undefined;

/** `process.stdout` once anything has made it (Node makes it on first use), known without making it. */
interface Seen {
  stream?: NodeJS.WriteStream;
  /** An `'error'` listener is on the stream: a line handed to it never crashes the function. */
  guarded?: boolean;
}
const SEEN = Symbol.for('ask-sdk-account-linking.stdout');
const seen: Seen = ((process as unknown as Record<symbol, Seen | undefined>)[SEEN] ??= watchStdout());

/**
 * Notes `process.stdout` when it is made, by wrapping Node's lazy getter (the same stream comes
 * back). Once per process, whatever copies of this module are loaded (they share the record).
 */
function watchStdout(): Seen {
  const record: Seen = {};
  const own = Object.getOwnPropertyDescriptor(process, 'stdout');
  if (own && 'value' in own) {
    record.stream = own.value as NodeJS.WriteStream; // replaced by a plain value: it exists
  } else if (own?.get && own.configurable) {
    const get = own.get;
    Object.defineProperty(process, 'stdout', {
      ...own,
      get(this: NodeJS.Process) {
        return (record.stream = get.call(this) as NodeJS.WriteStream);
      },
    });
  }
  return record;
}

/**
 * Writes `text` (one or more whole lines) to stdout now, in one `write(2)` where the pipe takes it;
 * through `process.stdout` instead while that stream holds lines not yet written (its own or
 * ours), so that no line lands inside another or ahead of it.
 *
 * On a blocking stdout (no stream has been made on it) a write waits for the reader, as the Lambda
 * runtime's own log writes do. On a full non-blocking pipe (`EAGAIN`) it waits for the pipe to
 * drain, up to {@link STDOUT_MAX_WAIT_MS} in all; past that, the rest goes to `process.stdout`,
 * which queues it. Where stdout cannot be written at all (closed, full disk, no fd 1), the line is
 * dropped. Never throws.
 */
export function writeStdout(text: string): void {
  if (batch !== undefined) {
    batch += text;
    return;
  }
  const stream = seen.stream;
  if (stream !== undefined && stream.writableLength > 0) {
    handOver(stream, text);
    return;
  }
  let written = 0;
  try {
    written = writeSync(1, text);
  } catch (error) {
    if (!retryable(error)) return; // stdout cannot be written: nowhere to put the line
  }
  // One call writes it all, unless the pipe was nearly full (then the kernel takes a part).
  if (written < Buffer.byteLength(text)) writeRest(Buffer.from(text), written);
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

/** A full non-blocking pipe (`EAGAIN`) or an interrupted call (`EINTR`): worth another try. */
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
      if (!retryable(error)) return; // the rest cannot be written: nowhere to put it
    }
    if (written > 0) {
      offset += written;
      continue;
    }
    if (Date.now() - started >= STDOUT_MAX_WAIT_MS) {
      handOver(process.stdout, bytes.subarray(offset));
      return;
    }
    sleeper ??= new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(sleeper, 0, 0, waitMs);
    waitMs = Math.min(waitMs * 2, 1);
  }
}

/**
 * Queues `chunk` on `process.stdout`, behind what it holds, to be written when the pipe takes it.
 * The stream gets an `'error'` listener first: a pipe that breaks later loses the queue rather than
 * crash the function.
 */
function handOver(stream: NodeJS.WriteStream, chunk: string | Uint8Array): void {
  try {
    if (!seen.guarded) {
      stream.on('error', () => undefined);
      seen.guarded = true;
    }
    stream.write(chunk);
  } catch {
    // stdout is gone: nowhere to put the line
  }
}
