/**
 * The warm-path benchmark, bundled by bench/run.ts as `sam build` bundles the examples (minified
 * esbuild, no tsx in the way) and run in a process of its own. For each skill family it measures
 * the floor, the hand-written interceptors and the gate side by side, and prints one JSON line.
 *
 * Configuration from the environment: BENCH_PUBLIC_KEY, BENCH_ISSUER, BENCH_AUDIENCE (see
 * fixtures/config.ts), BENCH_TOKEN (an RS256 access token they accept), BENCH_QUICK. Run with
 * AWS_LAMBDA_FUNCTION_NAME set, so that the gate's defaults are those of a Lambda function.
 */
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

async function main(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1';
  const token = process.env.BENCH_TOKEN ?? '';
  const write = process.stdout.write.bind(process.stdout);
  // What a gate writes to stdout by default (its decision line, metrics lines if any) is
  // serialised as in production, counted, and dropped.
  let written = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return true;
  }) as typeof process.stdout.write;
  const silent = createJsonLogger({ level: 'silent' });
  const context = { getRemainingTimeInMillis: () => 7000 };
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
    };
    const bytes: Record<string, number> = {};
    for (const [name, invoke] of Object.entries(skills)) {
      const before = written;
      const reply = await invoke(event, context);
      if (!isLinkedReply(family, reply))
        throw new Error(`${family} ${name}: the reply is not a linked reply: ${JSON.stringify(reply).slice(0, 300)}`);
      bytes[name] = written - before;
    }
    const ops = Object.fromEntries(
      Object.entries(skills).map(([name, invoke]) => [name, () => invoke(event, context)]),
    );
    results[family] = { times: await compare(ops, { iterations: quick ? 50 : 100, rounds: quick ? 9 : 61 }), bytes };
  }
  write(`${JSON.stringify(results)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
