/**
 * Lines written with write(2) on fd 1 reach the reader complete and in order, whatever the pipe
 * does: a reader that falls behind (a full pipe, blocking or not), one that stops for longer than
 * the writer waits, one that goes away, and a stream of the skill's own on the same pipe. Each case
 * runs test/support/stdout-child.ts, bundled and run by plain node as in Lambda, in a process of its
 * own whose stdout this test reads as Lambda's log capture does.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');
const DIR = mkdtempSync(path.join(os.tmpdir(), 'stdout-test-'));
const CHILD = path.join(DIR, 'stdout-child.js');

beforeAll(() => {
  buildSync({
    entryPoints: [path.join(ROOT, 'test/support/stdout-child.ts')],
    outfile: CHILD,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2022',
    logLevel: 'error',
  });
});
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

interface Run {
  code: number | null;
  lines: string[];
  seen: { eagain: number; writes: number; handedOver: number };
  stderr: string;
}

/**
 * Runs the child with its stdout a pipe left unread for `holdMs` once it is ready to write (so, filled),
 * then read to the end. `fifo`: a named pipe, blocking on the child's side (as a pipe is until a
 * stream is made on it); otherwise the socket pair Node's spawn makes.
 */
function runChild(
  args: string[],
  holdMs: number,
  options: { closeAfterMs?: number; fifo?: boolean } = {},
): Promise<Run> {
  let readFd: number | undefined;
  let writeFd: number | undefined;
  if (options.fifo) {
    const fifo = path.join(DIR, `stdout-${Math.random().toString(36).slice(2)}.fifo`);
    execFileSync('mkfifo', [fifo]);
    readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK); // the read end first, so that opening does not wait
    writeFd = openSync(fifo, constants.O_WRONLY);
    rmSync(fifo);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], {
      cwd: ROOT,
      stdio: ['ignore', writeFd ?? 'pipe', 'pipe'],
      env: { ...process.env, AWS_LAMBDA_FUNCTION_NAME: '', LOG_LEVEL: 'info' },
    });
    if (writeFd !== undefined) closeSync(writeFd); // the child holds the write end: its exit ends the pipe
    const stdout = readFd !== undefined ? new Socket({ fd: readFd, readable: true, writable: false }) : child.stdout!;
    const chunks: Buffer[] = [];
    let stderr = '';
    stdout.pause();
    const hold = () => {
      if (options.closeAfterMs !== undefined) {
        setTimeout(() => stdout.destroy(), options.closeAfterMs);
      } else {
        setTimeout(() => {
          stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
          stdout.resume();
        }, holdMs);
      }
    };
    child.stderr!.on('data', (chunk: Buffer) => {
      const wasReady = stderr.includes('@@ready');
      stderr += chunk.toString();
      if (!wasReady && stderr.includes('@@ready')) hold();
    });
    const drained = new Promise<void>((done) => {
      stdout.on('end', done);
      stdout.on('close', done);
      stdout.on('error', () => done());
    });
    child.on('error', reject);
    child.on('close', async (code) => {
      await drained;
      const seenLine = stderr.split('\n').find((line) => line.startsWith('@@seen '));
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({
        code,
        lines: text === '' ? [] : text.replace(/\n$/, '').split('\n'),
        seen: seenLine ? JSON.parse(seenLine.slice('@@seen '.length)) : { eagain: -1, writes: -1, handedOver: -1 },
        stderr,
      });
    });
  });
}

/** The `seq` of each line, failing on any line that is not whole JSON. */
const sequence = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { seq: number }).seq);
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('writeStdout', () => {
  jest.setTimeout(60_000);

  it('waits for the reader of a blocking pipe, then writes every line whole and in order', async () => {
    const run = await runChild(['lines', '2000', '800'], 300, { fifo: true });
    expect(run.code).toBe(0);
    expect(run.seen.eagain).toBe(0); // blocking: the kernel waited, no EAGAIN
    expect(run.seen.handedOver).toBe(0);
    expect(sequence(run.lines)).toEqual(upTo(2000));
  });

  it('writes every line, whole and in order, to a socket whose reader falls behind', async () => {
    const run = await runChild(['lines', '2000', '800'], 300);
    expect(run.code).toBe(0);
    expect(sequence(run.lines)).toEqual(upTo(2000));
    expect(run.seen.handedOver).toBe(0);
  });

  it('waits out a full non-blocking pipe (EAGAIN), then writes every line whole and in order', async () => {
    const run = await runChild(['lines', '2000', '800', 'stream-first'], 300, { fifo: true });
    expect(run.code).toBe(0);
    expect(run.seen.eagain).toBeGreaterThan(0); // the pipe really was full and non-blocking
    expect(run.seen.handedOver).toBe(0);
    expect(sequence(run.lines)).toEqual([-1, ...upTo(2000)]);
  });

  it('writes lines longer than the pipe holds in parts, each line whole', async () => {
    const run = await runChild(['lines', '20', String(200_000), 'stream-first'], 200);
    expect(run.code).toBe(0);
    expect(sequence(run.lines)).toEqual([-1, ...upTo(20)]);
    expect(run.lines.slice(1).every((line) => line.length > 199_000)).toBe(true);
  });

  it('hands what it cannot write to process.stdout when the reader stops past the wait, and nothing is lost or reordered', async () => {
    const run = await runChild(['lines', '400', '4000', 'stream-first'], 2_500);
    expect(run.code).toBe(0);
    expect(run.seen.handedOver).toBeGreaterThan(0);
    expect(sequence(run.lines)).toEqual([-1, ...upTo(400)]);
  });

  it('neither throws nor hangs when the reader goes away (EPIPE)', async () => {
    const run = await runChild(['lines', '2000', '800'], 0, { closeAfterMs: 50 });
    expect(run.stderr).not.toMatch(/Error|EPIPE/);
    expect(run.seen.writes).toBeGreaterThan(0);
    expect(run.code).toBe(0);
  });
});

describe("a stream of the skill's own on the same stdout", () => {
  jest.setTimeout(60_000);

  it("never lets the gate's EMF line into, or ahead of, a decision line the skill's logger wrote through process.stdout", async () => {
    const requests = 300;
    // On a socket (a pipe's stream writes at once on Linux; a socket's queues), as Lambda's stdout may be.
    const run = await runChild(['mixed', String(requests), '0', 'stream-first'], 400);
    expect(run.code).toBe(0);
    const parsed = run.lines.map((line) => JSON.parse(line) as Record<string, any>); // throws on a torn line
    expect(parsed.shift()).toEqual({ seq: -1, via: 'stream' });
    expect(parsed.shift()).toMatchObject({ seq: -2 }); // the megabyte the stream still held when the requests began
    expect(parsed).toHaveLength(requests * 3);
    for (let i = 0; i < requests; i++) {
      const [decision, metrics, own] = parsed.slice(i * 3, i * 3 + 3);
      expect(decision).toMatchObject({ level: 'INFO', message: 'account linking: gate decision', outcome: 'linked' });
      expect(metrics).toMatchObject({ Family: 'custom', Outcome: 'linked', Decisions: 1 });
      expect(own).toEqual({ request: i });
    }
  });
});

describe('a stdout that cannot be written', () => {
  const devFull = existsSync('/dev/full');

  (devFull ? it : it.skip)('drops the lines of a full disk (ENOSPC) without throwing or crashing', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [CHILD, 'gate', '20'], { cwd: ROOT, stdio: ['ignore', fd, 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(result.stderr).not.toMatch(/Error|ENOSPC/);
      expect(result.code).toBe(0);
    } finally {
      closeSync(fd);
    }
  });
});

describe('batchStdout', () => {
  it('writes the lines written inside it in one write, in order', async () => {
    const run = await runChild(['batch'], 0);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('writes in the batch: 1');
    expect(sequence(run.lines)).toEqual([0, 1]);
  });
});

describe('a gate in a Lambda function, its stdout full', () => {
  jest.setTimeout(60_000);

  it("writes each request's decision line and EMF line, whole and in order, before the skill's next line", async () => {
    const requests = 300;
    const run = await runChild(['gate', String(requests), '0', 'stream-first'], 400, { fifo: true });
    expect(run.code).toBe(0);
    expect(run.seen.eagain).toBeGreaterThan(0);
    const parsed = run.lines.map((line) => JSON.parse(line) as Record<string, any>);
    expect(parsed.shift()).toEqual({ seq: -1, via: 'stream' });
    expect(parsed).toHaveLength(requests * 3);
    for (let i = 0; i < requests; i++) {
      const [decision, metrics, own] = parsed.slice(i * 3, i * 3 + 3);
      expect(decision).toMatchObject({ level: 'INFO', message: 'account linking: gate decision', outcome: 'linked' });
      expect(metrics).toMatchObject({ Family: 'custom', Outcome: 'linked', Decisions: 1 });
      expect(metrics!._aws.CloudWatchMetrics[0].Namespace).toBe('AccountLinking');
      expect(own).toEqual({ request: i });
    }
    // one write per request for the gate's two lines, one for the skill's own line
    expect(run.seen.writes - run.seen.eagain).toBe(requests * 2);
  });
});
