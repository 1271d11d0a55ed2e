/**
 * Lines written with write(2) on fd 1 reach the reader complete and in order, whatever the pipe
 * does: a reader that falls behind (a full pipe, blocking or not), one that stops for longer than
 * the writer waits, one that goes away. Each case runs test/support/stdout-child.ts in a process of
 * its own, with its stdout a pipe this test reads as Lambda's log capture does.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const CHILD = path.join(ROOT, 'test/support/stdout-child.ts');

interface Run {
  code: number | null;
  lines: string[];
  seen: { eagain: number; writes: number; handedOver: number };
  stderr: string;
}

/** Runs the child with its stdout a pipe left unread for `holdMs` once it is ready to write (so, filled), then read to the end. */
function runChild(args: string[], holdMs: number, options: { closeAfterMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_LAMBDA_FUNCTION_NAME: '', LOG_LEVEL: 'info' },
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.pause();
    const hold = () => {
      if (options.closeAfterMs !== undefined) {
        setTimeout(() => child.stdout.destroy(), options.closeAfterMs);
      } else {
        setTimeout(() => {
          child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
          child.stdout.resume();
        }, holdMs);
      }
    };
    child.stderr.on('data', (chunk: Buffer) => {
      const wasReady = stderr.includes('@@ready');
      stderr += chunk.toString();
      if (!wasReady && stderr.includes('@@ready')) hold();
    });
    child.on('error', reject);
    child.on('close', (code) => {
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

  it('writes every line, whole and in order, to a pipe whose reader falls behind (a blocking pipe)', async () => {
    const run = await runChild(['lines', '2000', '800'], 300);
    expect(run.code).toBe(0);
    expect(sequence(run.lines)).toEqual(upTo(2000));
    expect(run.seen.handedOver).toBe(0);
  });

  it('waits out a full non-blocking pipe (EAGAIN), then writes every line whole and in order', async () => {
    const run = await runChild(['lines', '2000', '800', 'stream-first'], 300);
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
    const run = await runChild(['gate', String(requests), '0', 'stream-first'], 400);
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
