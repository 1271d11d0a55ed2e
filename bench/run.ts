/**
 * npm run bench [-- --quick] [-- --only=warm,cold]
 *
 * Prints a table and writes it to bench/results.md. Every compared figure is a ratio of medians
 * measured in this same run, the contenders interleaved round by round (so that a noisy neighbour
 * slows all of them alike); spreads (min–max over rounds) are shown. Not a test: nothing here
 * fails a build.
 *
 * The peers, for each skill family: the floor (a bare skill plus one raw `crypto.verify`), what a
 * user writes by hand (a request interceptor that verifies with aws-jwt-verify, or with jose), and
 * the toolkit's gate; at cold start, the example functions against a floor that does their work
 * (Jukebox's subscription fetch). See bench/fixtures/. The last section measures the unlinking
 * ledger (in memory, and DynamoDB on a dynalite the bench starts) on accepted and rejected requests.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHmac, createSecretKey, generateKeyPairSync, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import {
  closeSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SkillBuilders } from 'ask-sdk-core';
import { build } from 'esbuild';
import { yamlParse } from 'yaml-cfn';
import {
  CachingVerifier,
  createJsonLogger,
  IntrospectionVerifier,
  JwtVerifier,
  MemoryUnlinkLedger,
  withAccountLinking,
  type Logger,
  type TokenVerifier,
  type UnlinkingOptions,
} from '../lib';
import { launchRequest, mintAccessToken } from '../lib/testing';
import { buildFunction } from '../scripts/local-invoke/build';
import { loadFunction } from '../scripts/local-invoke/template';
import {
  compare,
  median,
  pairedDifference,
  pairedRatio,
  percentile,
  ratio,
  spread,
  us,
  type Measurement,
} from './harness';
import { eventOf, FAMILIES, isLinkedReply, type Family } from './fixtures/families';

const QUICK = process.argv.includes('--quick');
/** `--only=warm,cold`: just those sections (verification, warm, cold, network, memory, ledger); results.md is then left as it was. */
const ONLY = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const BUILD = path.join(ROOT, 'bench', '.build');
const ISSUER = 'https://auth.bench.test/';
const AUDIENCE = 'bench-skill';
const silent = createJsonLogger({ level: 'silent' });
const out: string[] = [];
const line = (text = '') => {
  console.log(text);
  out.push(text);
};

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKeyPem = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
const jwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
const secret = createSecretKey(Buffer.from('a-benchmark-secret-that-is-long-enough-for-hs256'));
const rsToken = mintAccessToken({
  key: rsa.privateKey,
  algorithm: 'RS256',
  issuer: ISSUER,
  audience: AUDIENCE,
  subject: 'u',
  keyId: 'k1',
});
const hsToken = mintAccessToken({ key: secret, algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE, subject: 'u' });
const rsVerifier = new JwtVerifier({
  publicKey: rsa.publicKey,
  algorithms: ['RS256'],
  issuer: ISSUER,
  audience: AUDIENCE,
});
const hsVerifier = new JwtVerifier({ secret, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
// The fixtures read their configuration from the environment, as a Lambda function does.
const benchEnv = { BENCH_PUBLIC_KEY: publicKeyPem, BENCH_ISSUER: ISSUER, BENCH_AUDIENCE: AUDIENCE };
Object.assign(process.env, benchEnv);

function table(header: string[], rows: string[][]): void {
  line(`| ${header.join(' | ')} |`);
  line(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) line(`| ${row.join(' | ')} |`);
  line();
}
const cell = (m: Pick<Measurement, 'medianUs' | 'minUs' | 'maxUs'>) =>
  `${us(m.medianUs)} (${us(m.minUs)}–${us(m.maxUs)})`;
const goal = (value: number, limit: number) =>
  value <= limit ? `met (≤ ${limit}×)` : `**missed** (> ${limit}×, by ${((value / limit - 1) * 100).toFixed(0)}%)`;
const goals: string[] = [];
/** A difference of times, with its sign. */
const signedUs = (value: number) => `${value < 0 ? '−' : '+'}${us(Math.abs(value))}`;
/** Why a goal is missed, from this run's own figures (what would close it: docs/benchmarks.md). */
const whys: string[] = [];

async function verification(): Promise<void> {
  line('## 1. Token verification, uncached, per call');
  line();
  const jose = await import('jose');
  const { JwtRsaVerifier } = await import('aws-jwt-verify');
  const awsVerifier = JwtRsaVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: 'http://127.0.0.1:1/jwks' });
  awsVerifier.cacheJwks({ keys: [jwk] } as never);

  const floorRs = () => {
    const dot = rsToken.lastIndexOf('.');
    return cryptoVerify(
      'RSA-SHA256',
      Buffer.from(rsToken.slice(0, dot)),
      rsa.publicKey,
      Buffer.from(rsToken.slice(dot + 1), 'base64url'),
    );
  };
  const floorHs = () => {
    const dot = hsToken.lastIndexOf('.');
    const mac = createHmac('sha256', secret).update(hsToken.slice(0, dot)).digest();
    return timingSafeEqual(mac, Buffer.from(hsToken.slice(dot + 1), 'base64url'));
  };
  const options = { issuer: ISSUER, audience: AUDIENCE };
  const rs = await compare(
    {
      floor: floorRs,
      ours: () => rsVerifier.verify(rsToken),
      jose: () => jose.jwtVerify(rsToken, rsa.publicKey, { ...options, algorithms: ['RS256'] }),
      aws: () => awsVerifier.verifySync(rsToken),
    },
    { iterations: QUICK ? 200 : 1000, rounds: QUICK ? 5 : 9 },
  );
  const hs = await compare(
    {
      floor: floorHs,
      ours: () => hsVerifier.verify(hsToken),
      jose: () => jose.jwtVerify(hsToken, secret, { ...options, algorithms: ['HS256'] }),
    },
    { iterations: QUICK ? 2000 : 10000, rounds: QUICK ? 5 : 9 },
  );
  const rows: Array<[string, Measurement, Measurement]> = [
    ['RS256 floor: crypto.verify', rs.floor, rs.floor],
    ['RS256 JwtVerifier', rs.ours, rs.floor],
    ['RS256 jose 6', rs.jose, rs.floor],
    ['RS256 aws-jwt-verify', rs.aws, rs.floor],
    ['HS256 floor: HMAC', hs.floor, hs.floor],
    ['HS256 JwtVerifier', hs.ours, hs.floor],
    ['HS256 jose 6', hs.jose, hs.floor],
  ];
  table(
    ['verifier', 'per call: median (min–max)', 'vs floor'],
    rows.map(([name, m, floor]) => [name, cell(m), ratio(m.medianUs, floor.medianUs)]),
  );
  line(
    `- RS256 JwtVerifier vs jose ${ratio(rs.ours.medianUs, rs.jose.medianUs)}, vs aws-jwt-verify ${ratio(rs.ours.medianUs, rs.aws.medianUs)}; HS256 vs jose ${ratio(hs.ours.medianUs, hs.jose.medianUs)} (aws-jwt-verify has no HS256).`,
  );
  line();
}

/** The warm goal: the gate, uncached RS256, writing its lines, against the hand-written aws-jwt-verify interceptor. */
const WARM_GOAL = 1.0;

interface DrainedRun {
  code: number | null;
  /** What the program wrote to its stdout, in bytes (read and dropped). */
  stdoutBytes: number;
  /** `FIFO` (a pipe, as Lambda's) or `socket pair` (Node's own stdio pipe, where `mkfifo` is missing). */
  stdoutKind: string;
  stderr: string;
}

/**
 * Runs a program with its stdout a pipe that this process drains, counts and drops as fast as it
 * comes, as Lambda's log capture reads a function's stdout: a FIFO (`mkfifo`), since Node's own
 * `stdio: 'pipe'` is a socket pair on Linux. Its stderr is kept, for the error message.
 */
async function runDrained(file: string, args: string[], env: Record<string, string>): Promise<DrainedRun> {
  let readFd: number | undefined;
  let writeFd: number | undefined;
  const fifo = path.join(BUILD, `stdout-${process.pid}.fifo`);
  try {
    mkdirSync(BUILD, { recursive: true });
    rmSync(fifo, { force: true });
    execFileSync('mkfifo', [fifo], { stdio: 'ignore' });
    // The read end first, non-blocking (so that opening it does not wait for a writer), then the write end.
    readFd = openSync(fifo, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    writeFd = openSync(fifo, fsConstants.O_WRONLY);
  } catch {
    if (readFd !== undefined) closeSync(readFd);
    readFd = writeFd = undefined;
  } finally {
    rmSync(fifo, { force: true });
  }
  const child = spawn(file, args, { env, stdio: ['ignore', writeFd ?? 'pipe', 'pipe'] });
  if (writeFd !== undefined) closeSync(writeFd); // the child holds the write end: its exit is the end of the pipe
  const stdout = readFd !== undefined ? new Socket({ fd: readFd, readable: true, writable: false }) : child.stdout!;
  let stdoutBytes = 0;
  stdout.on('data', (chunk: Buffer) => (stdoutBytes += chunk.length));
  const drained = new Promise<void>((resolve) => {
    stdout.on('end', resolve);
    stdout.on('close', resolve);
    stdout.on('error', () => resolve());
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 1 << 16) stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve(exitCode));
  });
  await drained;
  return { code, stdoutBytes, stdoutKind: readFd !== undefined ? 'FIFO' : 'socket pair', stderr };
}

async function warmPath(): Promise<void> {
  line('## 2. Warm path: one invocation of a warm skill, RS256 token');
  line();
  // Bundled and minified as the examples are, and run by plain node: what runs in Lambda, not tsx's transpilation.
  const bundleFile = path.join(BUILD, 'warm.js');
  await build({
    entryPoints: [path.join(__dirname, 'warm.ts')],
    outfile: bundleFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2023',
    minify: true,
    logLevel: 'warning',
  });
  const resultFile = path.join(BUILD, 'warm-result.json');
  rmSync(resultFile, { force: true });
  const child = await runDrained(process.execPath, [bundleFile], {
    PATH: process.env.PATH ?? '',
    ...benchEnv,
    BENCH_TOKEN: rsToken,
    BENCH_QUICK: QUICK ? '1' : '0',
    BENCH_RESULT_FILE: resultFile,
    AWS_LAMBDA_FUNCTION_NAME: 'bench-warm',
  });
  if (child.code !== 0 || !existsSync(resultFile))
    throw new Error(`the warm benchmark failed (exit ${child.code}): ${child.stderr.slice(0, 2000)}`);
  const all = JSON.parse(readFileSync(resultFile, 'utf8')) as Record<
    Family,
    { times: Record<string, Measurement>; bytes: Record<string, number> }
  >;
  const rows: string[][] = [];
  const parts: string[][] = [];
  const others: string[] = [];
  const views: string[][] = [];
  for (const family of FAMILIES) {
    const { times: t, bytes } = all[family];
    const silentOnes = Object.entries(bytes).filter(
      ([name]) => name !== 'gate' && name !== 'gateCached' && name !== 'awsLogged',
    );
    others.push(`${family} ${silentOnes.map(([name, value]) => `${name} ${Math.round(value)} B`).join(', ')}`);
    const paired = (a: Measurement, b: Measurement) => {
      const r = pairedRatio(a, b);
      return `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
    };
    const vsAws = pairedRatio(t.gate, t.aws).median;
    const unwritten = pairedRatio(t.gateUnwritten, t.aws).median;
    const sameWrites = pairedRatio(t.gate, t.awsLogged).median;
    goals.push(
      `Warm, ${family}: gate (uncached RS256, decision line and EMF line written to a pipe) / hand-written aws-jwt-verify (writes nothing) = ${vsAws.toFixed(2)}× (ratio of medians ${ratio(t.gate.medianUs, t.aws.medianUs)}), goal ${goal(vsAws, WARM_GOAL)}; ` +
        `the lines built but not written / aws-jwt-verify = ${unwritten.toFixed(2)}×, goal ${goal(unwritten, WARM_GOAL)}; ` +
        `gate / aws-jwt-verify with one log line a request (one write(2) each) = ${sameWrites.toFixed(2)}×, goal ${goal(sameWrites, WARM_GOAL)}`,
    );
    const writeUs = t.gate.medianUs - t.gateUnwritten.medianUs;
    const handWriteUs = t.awsLogged.medianUs - t.aws.medianUs;
    const buildUs = t.gateUnwritten.medianUs - t.gateQuiet.medianUs;
    whys.push(
      `Warm, ${family}: the one write(2) of the gate's lines, ${signedUs(writeUs)} a request (the hand-written interceptor's one log line: ${signedUs(handWriteUs)}); building the two lines, ${signedUs(buildUs)}; the gate writing nothing is ${pairedRatio(t.gateQuiet, t.aws).median.toFixed(2)}× aws-jwt-verify.`,
    );
    views.push([
      family,
      `${Math.round(bytes.gate)} B in one write / ${Math.round(bytes.awsLogged)} B in one write`,
      cell(t.gateUnwritten),
      cell(t.awsLogged),
      `**${paired(t.gateUnwritten, t.aws)}** ${goal(unwritten, WARM_GOAL)}`,
      `**${paired(t.gate, t.awsLogged)}** ${goal(sameWrites, WARM_GOAL)}`,
      paired(t.gate, t.gateUnwritten),
      paired(t.awsLogged, t.aws),
    ]);
    rows.push([
      family,
      cell(t.floor),
      cell(t.aws),
      cell(t.jose),
      cell(t.gate),
      cell(t.gateCached),
      `**${paired(t.gate, t.aws)}** ${goal(vsAws, WARM_GOAL)}`,
      paired(t.gate, t.floor),
      paired(t.aws, t.floor),
      paired(t.jose, t.aws),
      paired(t.gateCached, t.aws),
    ]);
    parts.push([
      family,
      `${Math.round(bytes.gate)} B`,
      cell(t.gateQuiet),
      cell(t.gateBare),
      paired(t.gate, t.gateQuiet),
      paired(t.gateQuiet, t.gateBare),
      paired(t.gateQuiet, t.aws),
      paired(t.gateBare, t.aws),
    ]);
  }
  table(
    [
      'family',
      'floor: bare + crypto.verify',
      'by hand: aws-jwt-verify',
      'by hand: jose',
      'gate, uncached RS256',
      'gate, cached verdict',
      'gate / aws-jwt-verify',
      'gate / floor',
      'aws-jwt-verify / floor',
      'jose / aws-jwt-verify',
      'gate cached / aws-jwt-verify',
    ],
    rows,
  );
  line(
    'The write itself. "Lines built, not written" is the gate with its default decision line and EMF line built and serialised, then dropped (what this table measured before the lines were written for real). "By hand + a log line" is the aws-jwt-verify interceptor writing one JSON line a request as `console.log` does in Lambda\'s Node.js runtime (one `write(2)` to the log\'s file descriptor): the same number of writes as the gate.',
  );
  line();
  table(
    [
      'family',
      'gate / by hand: bytes a request',
      'gate, lines built, not written',
      'by hand: aws-jwt-verify + a log line',
      'gate, lines not written / aws-jwt-verify',
      'gate / aws-jwt-verify + a log line',
      'gate / gate, lines not written (= the write)',
      'aws-jwt-verify + a log line / aws-jwt-verify (= its write)',
    ],
    views,
  );
  line(
    'What the gate\'s parts cost, uncached RS256: "quiet" writes nothing (logger silent, metrics off), "bare" also has no unlinking policy (`unlinking: false`).',
  );
  line();
  table(
    [
      'family',
      'gate writes to stdout per request',
      'gate, quiet',
      'gate, bare',
      'gate / gate quiet (= what writing costs)',
      'gate quiet / gate bare (= the policy)',
      'gate quiet / aws-jwt-verify',
      'gate bare / aws-jwt-verify',
    ],
    parts,
  );
  line(
    `Every cell is the median time of one \`invoke\` of a warm skill (min–max over rounds). "Floor" and "by hand" are the skills of bench/fixtures/hand-*.ts: bare ask-sdk-core (custom) or ask-sdk-runtime (directive, music) with a request interceptor that reads the family's token and checks it (the floor: one \`crypto.verify\`, no claims; aws-jwt-verify and jose: signature, \`iss\`, \`aud\`, \`exp\`). "Gate" is the same one-handler skill behind the toolkit's gate and \`JwtVerifier\` (bench/fixtures/gated-*.ts) with its defaults, as in a Lambda function (\`AWS_LAMBDA_FUNCTION_NAME\` is set): it writes its decision line and its EMF metrics line (whatever it writes by default) to stdout, which is a pipe (${child.stdoutKind}) that the bench process drains and discards as fast as it comes, as Lambda's log capture reads a function's stdout: in the timed rounds these are real writes, nothing stands in for them (${(child.stdoutBytes / 2 ** 20).toFixed(1)} MiB drained in all). The bytes per request were counted in a short phase before timing (20 requests per contender, after its first), by wrapping \`fs.writeSync\` (fd 1) and \`process.stdout.write\`; both wrappers are removed before the timed rounds. What the other contenders write per request: ${others.join('; ')}. "Cached verdict" is \`CachingVerifier\` in front: the second request with the same token costs no signature check. All of it is one minified esbuild bundle (bench/warm.ts) run by plain \`node\`, contenders interleaved round by round; a ratio is the median (min–max) over rounds of the two contenders' times in the same round.`,
  );
  line();
}

interface ColdContender {
  name: string;
  file: string;
  env: Record<string, string>;
}

const CHILD = `
const { readFileSync, writeSync } = require('node:fs');
const { performance } = require('node:perf_hooks');
const [file, eventFile] = process.argv.slice(1);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 7000 };
const t0 = performance.now();
const { handler } = require(file);
const t1 = performance.now();
Promise.resolve(handler(event, context)).then((reply) => {
  const t2 = performance.now();
  writeSync(1, '\\n@@bench ' + JSON.stringify({ startUs: t0 * 1000, requireUs: (t1 - t0) * 1000, firstUs: (t2 - t1) * 1000, reply }) + '\\n');
  process.exit(0);
});`;

async function coldRun(
  contender: ColdContender,
  eventFile: string,
): Promise<{ requireUs: number; firstUs: number; reply: unknown }> {
  const { stdout } = await exec(process.execPath, ['-e', CHILD, contender.file, eventFile], {
    env: { PATH: process.env.PATH ?? '', ...contender.env },
    maxBuffer: 1 << 24,
  });
  const marked = stdout.split('\n').find((text) => text.startsWith('@@bench '));
  if (!marked) throw new Error(`${contender.name}: no result; stdout: ${stdout.slice(0, 500)}`);
  return JSON.parse(marked.slice('@@bench '.length));
}

/** Bundles a benchmark skill as `sam build` bundles the examples (template.yaml's BuildProperties). */
async function bundle(name: string, contents: string): Promise<string> {
  const outfile = path.join(BUILD, 'cold', name, 'index.js');
  await build({
    stdin: { contents, resolveDir: path.join(ROOT, 'bench', 'fixtures'), loader: 'ts', sourcefile: `${name}.ts` },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2023',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  return outfile;
}

/** The cold goals: the example against a floor that does its work; the gate + JwtVerifier against the floor and the hand-written aws-jwt-verify interceptor. */
const COLD_EXAMPLE_GOAL = 1.5;
const COLD_GATE_FLOOR_GOAL = 1.2;
const COLD_GATE_AWS_GOAL = 1.0;

async function coldStart(): Promise<void> {
  line('## 3. Cold start: require of the bundle + the first linked request, in a fresh process');
  line();
  const subscriptions = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ tier: 'premium' }));
  });
  await new Promise<void>((resolve) => subscriptions.listen(0, '127.0.0.1', resolve));
  const subscriptionUrl = `http://127.0.0.1:${(subscriptions.address() as AddressInfo).port}/subscription`;
  const examples: Record<Family, string> = {
    custom: 'RideHailerFunction',
    directive: 'MyLightsFunction',
    music: 'JukeboxFunction',
  };
  const runs = QUICK ? 3 : 11;
  const rows: string[][] = [];
  const composition: string[][] = [];
  try {
    for (const family of FAMILIES) {
      const eventFile = path.join(BUILD, 'cold', `${family}-event.json`);
      mkdirSync(path.dirname(eventFile), { recursive: true });
      writeFileSync(eventFile, JSON.stringify(eventOf(family, rsToken)));
      const hand = (verifierModule: string) =>
        family === 'custom'
          ? `import { authenticator } from '${verifierModule}';\nimport { handWrittenSkill } from './hand-custom';\nexport const handler = handWrittenSkill(authenticator());`
          : `import { authenticator } from '${verifierModule}';\nimport { handWrittenRuntimeSkill, ${family}TokenOf, ${family}Reply } from './hand-runtime';\nexport const handler = handWrittenRuntimeSkill(${family}TokenOf, ${family}Reply, authenticator());`;
      const gatedName = { custom: 'gatedCustomSkill', directive: 'gatedDirectiveSkill', music: 'gatedMusicSkill' }[
        family
      ];
      const lambdaEnv = { AWS_LAMBDA_FUNCTION_NAME: 'bench-cold', AWS_REGION: 'us-east-1' };
      const peerEnv = { ...benchEnv, ...lambdaEnv, NODE_OPTIONS: '' };
      const fn = loadFunction(path.join(ROOT, 'template.yaml'), examples[family], {
        [examples[family]]: {
          TOKEN_VERIFIER: 'jwt',
          JWT_PUBLIC_KEY: publicKeyPem.replace(/\n/g, '\\n'),
          JWT_ISSUER: ISSUER,
          JWT_AUDIENCE: AUDIENCE,
          JWT_ALGORITHMS: 'RS256',
          SUBSCRIPTION_URL: subscriptionUrl,
        },
      });
      const exampleFile = path.join(await buildFunction(fn, path.join(BUILD, 'functions')), 'index.js');
      const exampleEnv: Record<string, string> = {
        ...Object.fromEntries(Object.entries(fn.environment).filter(([, value]) => value !== '')),
        ...lambdaEnv,
      };
      const contenders: ColdContender[] = [
        { name: 'floor', file: await bundle(`${family}-floor`, hand('./verify-floor')), env: peerEnv },
        // The floor that does the example's work on this request too: Jukebox asks its resource server
        // (fetch) on every request; Ride Hailer's LaunchRequest and My Lights' Discover make no call.
        ...(family === 'music'
          ? [
              {
                name: 'sameWork',
                file: await bundle(
                  `${family}-floor-subscription`,
                  `import { authenticator } from './verify-floor';\nimport { handWrittenMusicSkillWithSubscription } from './subscription-floor';\nexport const handler = handWrittenMusicSkillWithSubscription(authenticator());`,
                ),
                env: { ...peerEnv, BENCH_SUBSCRIPTION_URL: subscriptionUrl },
              },
            ]
          : []),
        { name: 'aws', file: await bundle(`${family}-aws-jwt-verify`, hand('./verify-aws-jwt-verify')), env: peerEnv },
        { name: 'jose', file: await bundle(`${family}-jose`, hand('./verify-jose')), env: peerEnv },
        {
          name: 'gateFloor',
          file: await bundle(
            `${family}-gate-floor`,
            `import { floorGateVerifier } from './verify-gate';\nimport { ${gatedName} } from './gated-${family}';\nexport const handler = ${gatedName}(floorGateVerifier());`,
          ),
          env: peerEnv,
        },
        {
          name: 'gate',
          file: await bundle(
            `${family}-gate`,
            `import { gateVerifier } from './verify-gate';\nimport { ${gatedName} } from './gated-${family}';\nexport const handler = ${gatedName}(gateVerifier(true));`,
          ),
          env: peerEnv,
        },
        { name: 'example', file: exampleFile, env: exampleEnv },
        {
          name: 'exampleMaps',
          file: exampleFile,
          env: { ...exampleEnv, NODE_OPTIONS: `${exampleEnv.NODE_OPTIONS ?? ''} --enable-source-maps`.trim() },
        },
      ];
      const totals: Record<string, number[]> = {};
      const requires: Record<string, number[]> = {};
      const firsts: Record<string, number[]> = {};
      for (let run = -1; run < runs; run++) {
        for (const contender of run % 2 ? contenders : [...contenders].reverse()) {
          const result = await coldRun(contender, eventFile);
          if (!isLinkedReply(family, result.reply))
            throw new Error(
              `${family} ${contender.name}: the first reply is not a linked reply: ${JSON.stringify(result.reply).slice(0, 300)}`,
            );
          if (run < 0) continue; // the first round warms the page cache
          (totals[contender.name] ??= []).push(result.requireUs + result.firstUs);
          (requires[contender.name] ??= []).push(result.requireUs);
          (firsts[contender.name] ??= []).push(result.firstUs);
        }
      }
      const t = (name: string) => spread(totals[name]);
      const sameWork = totals.sameWork ? 'sameWork' : 'floor';
      const kib = (file: string) => `${(statSync(file).size / 1024).toFixed(0)} KiB`;
      const over = (a: string, b: string) => t(a).medianUs / t(b).medianUs;
      const example = over('example', sameWork);
      const gateFloor = over('gate', 'floor');
      const gateAws = over('gate', 'aws');
      const sameWorkName =
        sameWork === 'floor'
          ? 'same-work floor (= the floor: no network call on this request)'
          : 'same-work floor (the floor + the subscription fetch)';
      goals.push(
        `Cold, ${examples[family]}: example / ${sameWorkName} = ${example.toFixed(2)}×, goal ${goal(example, COLD_EXAMPLE_GOAL)} (--enable-source-maps adds ${us(t('exampleMaps').medianUs - t('example').medianUs)})`,
        `Cold, ${family}: gate + JwtVerifier / floor = ${gateFloor.toFixed(2)}×, goal ${goal(gateFloor, COLD_GATE_FLOOR_GOAL)}`,
        `Cold, ${family}: gate + JwtVerifier / hand-written aws-jwt-verify = ${gateAws.toFixed(2)}×, goal ${goal(gateAws, COLD_GATE_AWS_GOAL)}`,
      );
      const size = (name: string) => statSync(contenders.find((c) => c.name === name)!.file).size / 1024;
      whys.push(
        `Cold, ${family}: the gate + JwtVerifier bundle is ${(size('gate') - size('floor')).toFixed(0)} KiB over the floor's and ${(size('gate') - size('aws')).toFixed(0)} KiB over aws-jwt-verify's; against the floor, its require ${signedUs(median(requires.gate) - median(requires.floor))}, its first request ${signedUs(median(firsts.gate) - median(firsts.floor))}. ` +
          `${examples[family]} is ${(size('example') - size('gate')).toFixed(0)} KiB over the gate's bundle; against the gate, its require ${signedUs(median(requires.example) - median(requires.gate))}, its first request ${signedUs(median(firsts.example) - median(firsts.gate))}.`,
      );
      rows.push([
        `${family}: ${examples[family]}`,
        cell(t('floor')),
        sameWork === 'floor' ? '= floor' : cell(t(sameWork)),
        cell(t('aws')),
        cell(t('jose')),
        cell(t('gateFloor')),
        cell(t('gate')),
        cell(t('example')),
        cell(t('exampleMaps')),
        `**${example.toFixed(2)}×** ${goal(example, COLD_EXAMPLE_GOAL)}`,
        `**${gateFloor.toFixed(2)}×** ${goal(gateFloor, COLD_GATE_FLOOR_GOAL)}`,
        `**${gateAws.toFixed(2)}×** ${goal(gateAws, COLD_GATE_AWS_GOAL)}`,
        ratio(t('gateFloor').medianUs, t('floor').medianUs),
        ratio(t('aws').medianUs, t('floor').medianUs),
      ]);
      const parts = (name: string) => {
        const contender = contenders.find((c) => c.name === name);
        return contender
          ? `${kib(contender.file)}: ${us(median(requires[name]))} + ${us(median(firsts[name]))}`
          : '= floor';
      };
      composition.push([family, ...['floor', 'sameWork', 'aws', 'jose', 'gateFloor', 'gate', 'example'].map(parts)]);
    }
  } finally {
    subscriptions.close();
  }
  table(
    [
      'family: example function',
      'floor: bare + crypto.verify',
      'same-work floor',
      'by hand: aws-jwt-verify',
      'by hand: jose',
      "gate + the floor's check",
      'gate + JwtVerifier',
      'example function',
      'example, --enable-source-maps',
      'example / same-work floor',
      'gate + JwtVerifier / floor',
      'gate + JwtVerifier / aws-jwt-verify',
      'gate + floor check / floor',
      'aws-jwt-verify / floor',
    ],
    rows,
  );
  line(
    "Time from `require` of the bundle to the first linked reply, in a fresh `node` process (median over rounds; each round runs every contender once, in alternating order). All are minified esbuild bundles with a source map, built as `sam build` builds template.yaml's functions; the example function is built from template.yaml (NODE_OPTIONS as its Parameters default) and configured for the same RS256 key; the others are bench/fixtures/, one handler each. \"Gate + the floor's check\" is the gate with a verifier that does only the floor's `crypto.verify`: the gate's own cost, without a JWT library. The example is compared with a floor that does the same work on that request: Jukebox's first request (as every one of its requests) asks its subscription resource server with global `fetch` (a loopback server here), so its same-work floor is the floor plus that call, made with Jukebox's own `ResourceServerSubscriptions` (lambda/jukebox/subscriptions.ts: GET, `Authorization: Bearer`, `Accept: application/json`) before the reply (bench/fixtures/subscription-floor.ts). Ride Hailer's LaunchRequest and My Lights' Discover make no network call (their handlers answer from the request and a static list; the DynamoDB ledger of the template's `UNLINK_LEDGER_TABLE` is loaded only for a rejection or for the first proof, which waits until the reply is sent, after this measurement ends), so their same-work floor is the plain floor. The gate's goals are against the plain floor and the hand-written aws-jwt-verify interceptor, which do what the gated fixture does. Node start-up itself (≈ the same for all) is not counted.",
  );
  line();
  table(
    [
      'family',
      'floor',
      'same-work floor',
      'aws-jwt-verify',
      'jose',
      'gate + floor check',
      'gate + JwtVerifier',
      'example function',
    ],
    composition,
  );
  line('Bundle size: median `require` time + median first-request time.');
  line();
}

async function networkLoad(): Promise<void> {
  line('## 4. Network verifiers under load');
  line();
  const N = QUICK ? 400 : 4000;
  const K = QUICK ? 20 : 200;
  const CONCURRENCY = 50;
  const LATENCY_MS = 20;
  let upstream = 0;
  const server = createServer((req, res) => {
    upstream++;
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () =>
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        if (req.url === '/jwks') return res.end(JSON.stringify({ keys: [jwk] }));
        const token = new URLSearchParams(body).get('token') ?? '';
        res.end(JSON.stringify({ active: true, sub: token.slice(-8), exp: Math.floor(Date.now() / 1000) + 3600 }));
      }, LATENCY_MS),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const scenarios: Array<[string, TokenVerifier<unknown>, (i: number) => string, number]> = [
    [
      'introspection (opaque tokens)',
      new CachingVerifier(new IntrospectionVerifier({ url: `${base}/introspect`, clientId: 'c', clientSecret: 's' })),
      (i) => `opaque-token-${String(i).padStart(8, '0')}`,
      K,
    ],
    [
      'JWKS (RS256 tokens)',
      new CachingVerifier(
        new JwtVerifier({ jwksUri: `${base}/jwks`, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE }),
      ),
      (() => {
        const tokens = Array.from({ length: K }, (_, i) =>
          mintAccessToken({
            key: rsa.privateKey,
            algorithm: 'RS256',
            issuer: ISSUER,
            audience: AUDIENCE,
            subject: `u${i}`,
            keyId: 'k1',
          }),
        );
        return (i: number) => tokens[i];
      })(),
      1,
    ],
  ];
  const rows: string[][] = [];
  for (const [name, verifier, tokenOf, expected] of scenarios) {
    upstream = 0;
    const skill = withAccountLinking(SkillBuilders.custom(), { verifier, logger: silent })
      .addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.getResponse() })
      .create();
    const order = Array.from({ length: N }, (_, i) => i % K).sort(() => Math.random() - 0.5);
    const done = new Set<number>();
    const hits: number[] = [];
    const misses: number[] = [];
    let next = 0;
    let linked = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < order.length) {
          const k = order[next++];
          const hit = done.has(k);
          const started = performance.now();
          const reply = await skill.invoke(launchRequest({ accessToken: tokenOf(k) }));
          (hit ? hits : misses).push((performance.now() - started) * 1000);
          if (!reply.response.card) linked++;
          done.add(k);
        }
      }),
    );
    rows.push([
      name,
      `${N} over ${K} tokens, ${CONCURRENCY} at once`,
      `${upstream} (goal ${expected})`,
      String(linked),
      `${us(percentile(hits, 50))} / ${us(percentile(hits, 99))}`,
      `${us(percentile(misses, 50))} / ${us(percentile(misses, 99))}`,
    ]);
  }
  server.close();
  table(['verifier (cached)', 'requests', 'upstream calls', 'linked replies', 'hit p50 / p99', 'miss p50 / p99'], rows);
  line(
    `The loopback server answers after ${LATENCY_MS} ms. A "miss" is a request whose token had no verdict yet when it started (including requests that waited on another's upstream call).`,
  );
  line();
}

async function memory(): Promise<void> {
  line('## 5. Memory: many invocations, many tokens');
  line();
  // bundled and run by plain node, so that nothing but the gated skill is in the process
  const bundle = path.join(ROOT, 'bench', '.build', 'memory.js');
  await build({
    entryPoints: [path.join(__dirname, 'memory.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2023',
    logLevel: 'warning',
  });
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const rows: string[][] = [];
  let gc = false;
  for (const [label, flags] of [
    ['Node defaults', []],
    ['heap sized for 128 MB', ['--max-old-space-size=96', '--max-semi-space-size=2']],
  ] as const) {
    const args = ['--expose-gc', ...flags, bundle, ...(QUICK ? ['--quick'] : [])];
    const result = JSON.parse(execFileSync(process.execPath, args, { cwd: ROOT }).toString().trim().split('\n').pop()!);
    gc = result.gc;
    rows.push([
      label,
      result.invocations.toLocaleString('en'),
      result.distinct.toLocaleString('en'),
      `${result.entries} (${result.maxEntries})`,
      `${mb(result.before.rss)} / ${mb(result.after.rss)}`,
      `${mb(result.before.heapUsed)} / ${mb(result.after.heapUsed)}`,
      result.after.rss < 128 * 2 ** 20 ? 'yes' : '**no**',
      `${Math.round(result.perSecond).toLocaleString('en')} /s`,
    ]);
  }
  table(
    [
      'V8 heap',
      'invocations',
      'distinct tokens',
      'cache entries (cap)',
      'RSS before / after',
      'heap used before / after',
      'under 128 MB',
      'throughput',
    ],
    rows,
  );
  line(
    `Heap in use stays flat (the cache is capped); with Node's default heap limits V8 keeps freed pages, which RSS counts. "Heap sized for 128 MB" runs with \`--max-old-space-size=96 --max-semi-space-size=2\`, limits such as a 128 MB function would use.`,
  );
  line(
    `Measured in a process of its own with only the gated skill loaded, ${gc ? 'after a forced GC' : 'without a forced GC'}; the verifier is a stub, so the cache and the gate are what is measured.`,
  );
  line();
}

/** The accepted warm path with a ledger, against no policy: "unchanged" is within this (≈ 1.0, the run's noise). */
const LEDGER_GOAL = 1.05;

async function ledgerCost(): Promise<void> {
  line('## 6. The unlinking ledger: what it costs a warm gated skill');
  line();
  // DynamoDB is dynalite on loopback, in a process of its own (as a table is not in the function's
  // process: its storage work after a write must not slow the next contender's round); the ledger
  // reaches it as a deployed function reaches its table: the SDK's default client, configured by
  // AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION and (fake) credentials in the environment.
  const dynaliteProcess = spawn(
    process.execPath,
    [
      '-e',
      "const s = require('dynalite')({ createTableMs: 0 }); s.listen(0, '127.0.0.1', () => console.log(s.address().port));",
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    dynaliteProcess.once('error', reject);
    dynaliteProcess.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  const server = {
    closeAllConnections: undefined as undefined | (() => void),
    close: (done: () => void) => {
      dynaliteProcess.once('exit', () => done());
      dynaliteProcess.kill();
    },
  };
  const awsEnv: Record<string, string> = {
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // The SDK's notice that its 2027 releases need Node 22 would land in the middle of the table.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const savedEnv = Object.fromEntries(Object.keys(awsEnv).map((key) => [key, process.env[key]]));
  Object.assign(process.env, awsEnv);
  let admin: { destroy(): void } | undefined;
  try {
    const { CreateTableCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoDbUnlinkLedger } = await import('../lib/dynamodb');
    const client = new DynamoDBClient({});
    admin = client;
    // The table as template.yaml's UnlinkLedgerTable (its key schema and billing mode), as the ledger's tests make it.
    const template = yamlParse(readFileSync(path.join(ROOT, 'template.yaml'), 'utf8')) as any;
    const { AttributeDefinitions, KeySchema, BillingMode } = template.Resources.UnlinkLedgerTable.Properties;
    const tableName = 'bench-unlink-ledger';
    await client.send(new CreateTableCommand({ TableName: tableName, AttributeDefinitions, KeySchema, BillingMode }));

    const ledgers = { memory: new MemoryUnlinkLedger(), dynamo: new DynamoDbUnlinkLedger({ tableName }) };
    const verifier = () =>
      new JwtVerifier({ publicKey: rsa.publicKey, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });
    const gate = (unlinking: UnlinkingOptions | false, logger: Logger = silent) => {
      const skill = withAccountLinking(SkillBuilders.custom(), {
        verifier: verifier(),
        logger,
        metrics: false,
        unlinking,
      })
        .addRequestHandlers({
          canHandle: () => true,
          handle: (input) => input.responseBuilder.speak('Welcome back.').getResponse(),
        })
        .create();
      return (event: unknown) => skill.invoke(event as never);
    };
    const gates = {
      none: gate(false),
      memory: gate({ ledger: ledgers.memory }),
      dynamo: gate({ ledger: ledgers.dynamo }),
    };
    type Kind = keyof typeof gates;
    const kinds = Object.keys(gates) as Kind[];

    // Rejected requests: tokens signed by another key (an `invalid` verdict, reason `signature`: a
    // suspected rejection), a new one for each request, so that neither the policy's own cache of
    // first rejections nor the ledger's entry for the token answers.
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    let minted = 0;
    const forged = (n: number) =>
      Array.from({ length: n }, () =>
        launchRequest({
          accessToken: mintAccessToken({
            key: otherKey,
            algorithm: 'RS256',
            issuer: ISSUER,
            audience: AUDIENCE,
            subject: `forged-${++minted}`,
            keyId: 'k1',
          }),
        }),
      );
    const accepted = launchRequest({ accessToken: rsToken });
    const replyKind = (reply: any) =>
      reply?.response?.card?.type === 'LinkAccount'
        ? 'unlinking reply (LinkAccount card)'
        : reply?.response?.outputSpeech?.ssml?.includes('Welcome back.')
          ? 'linked'
          : 'transient reply (no card)';

    // What the policy makes of a run of rejections after an acceptance, seen once, untimed, with a
    // logger that keeps each decision's `held` (a fleet of its own: a fresh in-memory ledger).
    const holds: string[] = [];
    const probe = gate(
      { ledger: new MemoryUnlinkLedger() },
      { ...silent, info: (_message, fields) => void holds.push(String(fields?.held ?? fields?.outcome)) },
    );
    await probe(accepted);
    for (const event of forged(8)) await probe(event);
    const holdRuns = holds
      .slice(1)
      .reduce<Array<[string, number]>>((runs, hold) => {
        const last = runs[runs.length - 1];
        if (last && last[0] === hold) last[1]++;
        else runs.push([hold, 1]);
        return runs;
      }, [])
      .map(([hold, n]) => `${hold} ×${n}`)
      .join(', then ');

    // Before timing: each gate accepts a token (the container's first acceptance writes the proof,
    // not awaited: wait for it to land), and each rejects one.
    const replies: Record<string, string> = {};
    for (const kind of kinds) {
      replies[`accepted ${kind}`] = replyKind(await gates[kind](accepted));
      replies[`rejected ${kind}`] = replyKind(await gates[kind](forged(1)[0]));
    }
    const version = verifier().configurationVersion;
    for (let waited = 0; (await ledgers.dynamo.readFleet(version, [])).provenAt === undefined; waited += 10) {
      if (waited > 5000) throw new Error('the DynamoDB ledger has no proof 5 s after the first acceptance');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const [name, kind] of Object.entries(replies)) {
      const expected = name.startsWith('accepted')
        ? 'linked'
        : name.endsWith('none')
          ? 'unlinking reply (LinkAccount card)'
          : 'transient reply (no card)';
      if (kind !== expected) throw new Error(`ledger: ${name}: ${kind}, expected ${expected}`);
    }
    const operations = () => ({ memory: { ...ledgers.memory.operations }, dynamo: { ...ledgers.dynamo.operations } });

    // (a) The accepted path: the three gates side by side.
    const acceptedOptions = { iterations: QUICK ? 200 : 500, rounds: QUICK ? 9 : 31 };
    const beforeAccepted = operations();
    const a = await compare(
      { none: () => gates.none(accepted), memory: () => gates.memory(accepted), dynamo: () => gates.dynamo(accepted) },
      acceptedOptions,
    );
    const afterAccepted = operations();

    // (b) Rejections, each beside an accepted request of the same gate (rounds interleaved as above).
    const rejectedOptions = { iterations: QUICK ? 20 : 50, rounds: QUICK ? 5 : 21 };
    const perContender = rejectedOptions.iterations * (rejectedOptions.rounds + 1);
    const queues = Object.fromEntries(kinds.map((kind) => [kind, forged(perContender)])) as Record<Kind, unknown[]>;
    const next = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<Kind, number>;
    const reject = (kind: Kind) => () => gates[kind](queues[kind][next[kind]++]);
    const beforeRejected = operations();
    const b = await compare(
      {
        acceptedNone: () => gates.none(accepted),
        acceptedMemory: () => gates.memory(accepted),
        acceptedDynamo: () => gates.dynamo(accepted),
        rejectedNone: reject('none'),
        rejectedMemory: reject('memory'),
        rejectedDynamo: reject('dynamo'),
      },
      rejectedOptions,
    );
    const afterRejected = operations();

    const paired = (x: Measurement, y: Measurement) => {
      const r = pairedRatio(x, y);
      return `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
    };
    const extra = (x: Measurement, y: Measurement) => {
      const d = pairedDifference(x, y);
      return `+${us(d.median)} (${us(d.min)}–${us(d.max)})`;
    };
    const ops = (
      ledger: 'memory' | 'dynamo',
      before: ReturnType<typeof operations>,
      after: ReturnType<typeof operations>,
      n: number,
    ) =>
      `${((after[ledger].reads - before[ledger].reads) / n).toFixed(2)} / ${((after[ledger].writes - before[ledger].writes) / n).toFixed(2)}`;
    const acceptedCount = acceptedOptions.iterations * (acceptedOptions.rounds + 1);
    const held = `transient reply, held (${holdRuns})`;
    const rows: string[][] = [
      ['accepted (valid RS256)', '`unlinking: false` (no policy)', cell(a.none), '1.00×', '—', '—', 'linked'],
      [
        'accepted',
        'in-memory ledger',
        cell(a.memory),
        paired(a.memory, a.none),
        '—',
        ops('memory', beforeAccepted, afterAccepted, acceptedCount),
        'linked',
      ],
      [
        'accepted',
        'DynamoDB ledger (dynalite)',
        cell(a.dynamo),
        paired(a.dynamo, a.none),
        '—',
        ops('dynamo', beforeAccepted, afterAccepted, acceptedCount),
        'linked',
      ],
      [
        'rejected (another key, a new token each time)',
        '`unlinking: false` (no policy)',
        cell(b.rejectedNone),
        paired(b.rejectedNone, b.acceptedNone),
        extra(b.rejectedNone, b.acceptedNone),
        '—',
        'unlinking reply at once (LinkAccount card)',
      ],
      [
        'rejected',
        'in-memory ledger',
        cell(b.rejectedMemory),
        paired(b.rejectedMemory, b.acceptedNone),
        extra(b.rejectedMemory, b.acceptedMemory),
        ops('memory', beforeRejected, afterRejected, perContender),
        held,
      ],
      [
        'rejected',
        'DynamoDB ledger (dynalite)',
        cell(b.rejectedDynamo),
        paired(b.rejectedDynamo, b.acceptedNone),
        extra(b.rejectedDynamo, b.acceptedDynamo),
        ops('dynamo', beforeRejected, afterRejected, perContender),
        held,
      ],
    ];
    table(
      [
        'request',
        "gate's unlinking policy",
        'per request: median (min–max)',
        'vs accepted, no policy',
        'extra over an accepted request, same gate',
        'ledger reads / writes per request',
        'reply',
      ],
      rows,
    );
    const memoryRatio = pairedRatio(a.memory, a.none);
    const dynamoRatio = pairedRatio(a.dynamo, a.none);
    const worst = Math.max(memoryRatio.median, dynamoRatio.median);
    goals.push(
      `Ledger: the accepted warm path unchanged by the ledger: in-memory ledger / no policy = ${memoryRatio.median.toFixed(2)}×, DynamoDB ledger / no policy = ${dynamoRatio.median.toFixed(2)}× (DynamoDB / in-memory ${pairedRatio(a.dynamo, a.memory).median.toFixed(2)}×), goal ${goal(worst, LEDGER_GOAL)} (≈ 1.0: within 5%)`,
    );
    line(
      `A warm custom skill (ask-sdk-core, one handler) behind the gate with \`JwtVerifier\` (uncached RS256), a silent logger and \`metrics: false\`, run in this process (tsx, not the minified bundle of section 2): the same gate with no policy (\`unlinking: false\`), with a \`MemoryUnlinkLedger\`, and with a \`DynamoDbUnlinkLedger\` whose table is dynalite on loopback in a process of its own (the SDK's HTTP round trips and dynalite's work count; a real table adds its network latency, a few ms per request in-region, which is not here). Accepted: one valid token, ${acceptedOptions.iterations} requests per contender per round; each gate had accepted once before timing (its proof written), after which an acceptance touches no ledger (the reads / writes column counts the ledger's own request counters). Rejected: each request a token never seen before, signed by another RSA key (an \`invalid\` \`signature\` verdict: suspected), ${rejectedOptions.iterations} per contender per round, interleaved round by round with accepted requests of the same three gates; "extra" is the median (min–max) over rounds of the rejected request's time minus the accepted request's, same gate, same round. Each is held, not unlinked: the policy has seen an acceptance, but a suspected rejection is confirmed only when the same token is rejected again \`confirmAfterMs\` (1 h) after its first rejection; it is held as \`pending\` until five distinct tokens have been first rejected in half an hour, then the breaker opens (a fresh fleet has no usual level) and holds the rest as \`breaker\` (the reply column shows what an untimed probe saw), after the same ledger requests either way: a read of the token's entry, a conditional write of its first rejection and an update of the 10-minute count (the fleet read, once a minute per container, was made before timing). With \`unlinking: false\` the rejection gets the unlinking reply at once, with no ledger.`,
    );
    line();
  } finally {
    admin?.destroy();
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const started = Date.now();
  line('# Benchmarks');
  line();
  line(
    `Run ${new Date().toISOString().slice(0, 10)} on ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${os.loadavg()[0].toFixed(1)}, Node ${process.version}${QUICK ? ' (--quick: smaller counts)' : ''}. Medians, (min–max) in brackets.`,
  );
  line();
  const sections = { verification, warm: warmPath, cold: coldStart, network: networkLoad, memory, ledger: ledgerCost };
  for (const [name, run] of Object.entries(sections)) if (!ONLY || ONLY.includes(name)) await run();
  line('## Goals');
  line();
  for (const text of goals) line(`- ${text}`);
  if (whys.length > 0) {
    line();
    line("Where the time goes, from this run's figures (why each miss, and what would close it: docs/benchmarks.md):");
    line();
    for (const text of whys) line(`- ${text}`);
  }
  line();
  line(`(The whole run took ${((Date.now() - started) / 1000).toFixed(0)} s.)`);
  if (!QUICK && !ONLY) writeFileSync(path.join(__dirname, 'results.md'), `${out.join('\n')}\n`);
  console.log(QUICK || ONLY ? '(--quick or --only: bench/results.md left as it was)' : 'Written to bench/results.md');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
