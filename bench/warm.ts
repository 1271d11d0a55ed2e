/**
 * The warm-path benchmark, bundled by bench/run.ts as `sam build` bundles the examples (minified
 * esbuild, no tsx in the way) and run in a process of its own. For each skill family it measures
 * the floor, the hand-written interceptors and the gate side by side, and writes one JSON object to
 * the file BENCH_RESULT_FILE names (never to stdout: stdout is the gate's, as in Lambda).
 *
 * Configuration from the environment: BENCH_PUBLIC_KEY, BENCH_ISSUER, BENCH_AUDIENCE (see
 * fixtures/config.ts), BENCH_TOKEN (an RS256 access token they accept), BENCH_QUICK,
 * BENCH_RESULT_FILE. Run with AWS_LAMBDA_FUNCTION_NAME set, so that the gate's defaults are those
 * of a Lambda function, and with stdout a pipe that the parent drains (as Lambda's log capture
 * reads a function's stdout): what the gate writes there is written for real, in the timed rounds too.
 */
import { writeFileSync } from 'node:fs';
import { emfMetrics } from '../lib/gate/metrics';
import { createJsonLogger } from '../lib/logging';
import type { TokenVerifier } from '../lib/verification/verifier';
import { gatedCustomSkill } from './fixtures/gated-custom';
import { gatedDirectiveSkill } from './fixtures/gated-directive';
import { gatedMusicSkill } from './fixtures/gated-music';
import { handWrittenSkill } from './fixtures/hand-custom';
import {
  directiveReply,
  directiveTokenOf,
  handWrittenRuntimeSkill,
  musicReply,
  musicTokenOf,
} from './fixtures/hand-runtime';
import { authenticator as awsAuthenticator } from './fixtures/verify-aws-jwt-verify';
import { authenticator as floorAuthenticator } from './fixtures/verify-floor';
import { withLogLine } from './fixtures/log-line';
import type { Authenticate } from './fixtures/config';
import { gateVerifier } from './fixtures/verify-gate';
import { authenticator as joseAuthenticator } from './fixtures/verify-jose';
import { eventOf, FAMILIES, isLinkedReply, type Family } from './fixtures/families';
import { compare } from './harness';

const handWritten = (family: Family, authenticate: Authenticate) =>
  family === 'custom'
    ? handWrittenSkill(authenticate)
    : family === 'directive'
      ? handWrittenRuntimeSkill(directiveTokenOf, directiveReply, authenticate)
      : handWrittenRuntimeSkill(musicTokenOf, musicReply, authenticate);

/** The gate's options beyond the verifier; the default configuration is `{}`. */
type GateExtras = Parameters<typeof gatedCustomSkill>[1];
const gated = (family: Family, verifier: TokenVerifier<unknown>, options: GateExtras = {}) =>
  family === 'custom'
    ? gatedCustomSkill(verifier, options)
    : family === 'directive'
      ? gatedDirectiveSkill(verifier, options)
      : gatedMusicSkill(verifier, options);

/** What `fs.writeSync` is, read from the module object at call time (as the bundle's `(0, import_node_fs.writeSync)(…)` reads it). */
type WriteSync = (fd: number, ...rest: unknown[]) => number;

/**
 * The bytes `work` writes to stdout: through `fs.writeSync(1, …)` (the toolkit's default writer)
 * or `process.stdout.write`. Both are wrapped while `work` runs (each counts, then hands over to
 * the original, so the bytes still reach the pipe) and restored before it returns, so that no
 * timed round runs through a wrapper. `writeSync` counts what the call wrote (its return value:
 * a partial write of a nearly full pipe counts what the kernel took, its retry the rest).
 *
 * `process.stdout` is wrapped as it is handed out, not fetched here: fetching it makes the stream,
 * which puts fd 1 (a pipe) in non-blocking mode for good, and the gate's `writeSync(1, …)` would
 * then meet EAGAIN (and its retry's waits) whenever the reader falls behind, in the timed rounds
 * too — a change the measurement would have made, not the gate.
 */
async function stdoutBytes(work: () => Promise<void>): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as { writeSync: WriteSync };
  const { writeSync } = fs;
  let bytes = 0;
  let inStream = 0; // a stream that writes with fs.writeSync itself (a file, not a pipe) is counted once
  fs.writeSync = function (this: unknown, fd: number, ...rest: unknown[]) {
    const written = writeSync.call(this, fd, ...rest);
    if (fd === 1 && inStream === 0) bytes += written;
    return written;
  };
  let wrapped: { stream: NodeJS.WriteStream; own: PropertyDescriptor | undefined } | undefined;
  const wrap = (stream: NodeJS.WriteStream) => {
    if (wrapped) return stream;
    wrapped = { stream, own: Object.getOwnPropertyDescriptor(stream, 'write') };
    const write = stream.write as (...args: unknown[]) => boolean;
    stream.write = function (this: NodeJS.WriteStream, chunk: string | Uint8Array, ...rest: unknown[]) {
      bytes +=
        typeof chunk === 'string'
          ? Buffer.byteLength(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8')
          : chunk.byteLength;
      inStream++;
      try {
        return write.call(this, chunk, ...rest);
      } finally {
        inStream--;
      }
    } as typeof stream.write;
    return stream;
  };
  const stdout = Object.getOwnPropertyDescriptor(process, 'stdout');
  if (stdout?.get && stdout.configurable) {
    const get = stdout.get;
    Object.defineProperty(process, 'stdout', { ...stdout, get: () => wrap(get.call(process)) });
  } else {
    wrap(process.stdout);
  }
  try {
    await work();
  } finally {
    fs.writeSync = writeSync;
    if (stdout?.get && stdout.configurable) Object.defineProperty(process, 'stdout', stdout);
    if (wrapped) {
      if (wrapped.own) Object.defineProperty(wrapped.stream, 'write', wrapped.own);
      else delete (wrapped.stream as { write?: unknown }).write;
    }
  }
  return bytes;
}

async function main(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1';
  const token = process.env.BENCH_TOKEN ?? '';
  const resultFile = process.env.BENCH_RESULT_FILE;
  if (!resultFile) throw new Error("Set BENCH_RESULT_FILE: where the result goes (stdout is the gate's)");
  const silent = createJsonLogger({ level: 'silent' });
  const drop = () => undefined;
  const context = { getRemainingTimeInMillis: () => 7000 };
  /** Requests over which a contender's stdout bytes per request are counted (after its first). */
  const counted = 20;
  const results: Record<string, unknown> = {};
  for (const family of FAMILIES) {
    const event = eventOf(family, token);
    const skills: Record<string, (event: any, context?: any) => Promise<unknown>> = {
      floor: handWritten(family, floorAuthenticator()),
      aws: handWritten(family, awsAuthenticator()),
      jose: handWritten(family, joseAuthenticator()),
      gate: gated(family, gateVerifier(false)),
      // Nothing written: no decision line, no metrics (`metrics` is an option once the gate counts decisions).
      gateQuiet: gated(family, gateVerifier(false), { logger: silent, ...({ metrics: false } as GateExtras) }),
      // ... and no unlinking policy (`unlinking: false`).
      gateBare: gated(family, gateVerifier(false), {
        logger: silent,
        ...({ metrics: false, unlinking: false } as GateExtras),
      }),
      gateCached: gated(family, gateVerifier(true)),
      // The gate's two lines built and serialised as by default, then dropped: no write(2).
      gateUnwritten: gated(family, gateVerifier(false), {
        logger: createJsonLogger({ write: drop }),
        ...({ metrics: emfMetrics({ write: drop }) } as GateExtras),
      }),
      // By hand with aws-jwt-verify and one log line a request: as many write(2) calls as the gate.
      awsLogged: handWritten(family, withLogLine(awsAuthenticator())),
    };
    // A short phase before timing: each contender's first reply is checked, then what it writes to
    // stdout over `counted` more requests is counted (the wrappers are gone before the timed rounds).
    const bytes: Record<string, number> = {};
    for (const [name, invoke] of Object.entries(skills)) {
      const reply = await invoke(event, context);
      if (!isLinkedReply(family, reply))
        throw new Error(`${family} ${name}: the reply is not a linked reply: ${JSON.stringify(reply).slice(0, 300)}`);
      const written = await stdoutBytes(async () => {
        for (let i = 0; i < counted; i++) await invoke(event, context);
      });
      bytes[name] = written / counted;
    }
    const ops = Object.fromEntries(
      Object.entries(skills).map(([name, invoke]) => [name, () => invoke(event, context)]),
    );
    results[family] = { times: await compare(ops, { iterations: quick ? 50 : 100, rounds: quick ? 9 : 61 }), bytes };
  }
  writeFileSync(resultFile, JSON.stringify(results));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
