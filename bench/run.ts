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
 * the toolkit's gate. See bench/fixtures/.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHmac, createSecretKey, generateKeyPairSync, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SkillBuilders } from 'ask-sdk-core';
import { build } from 'esbuild';
import {
  CachingVerifier,
  createJsonLogger,
  IntrospectionVerifier,
  JwtVerifier,
  withAccountLinking,
  type TokenVerifier,
} from '../lib';
import { launchRequest, mintAccessToken } from '../lib/testing';
import { buildFunction } from '../scripts/local-invoke/build';
import { loadFunction } from '../scripts/local-invoke/template';
import { compare, median, pairedRatio, percentile, ratio, spread, us, type Measurement } from './harness';
import { eventOf, FAMILIES, isLinkedReply, type Family } from './fixtures/families';

const QUICK = process.argv.includes('--quick');
/** `--only=warm,cold`: just those sections (verification, warm, cold, network, memory); results.md is then left as it was. */
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
  const { stdout } = await exec(process.execPath, [bundleFile], {
    env: {
      PATH: process.env.PATH ?? '',
      ...benchEnv,
      BENCH_TOKEN: rsToken,
      BENCH_QUICK: QUICK ? '1' : '0',
      AWS_LAMBDA_FUNCTION_NAME: 'bench-warm',
    },
    maxBuffer: 1 << 24,
  });
  const all = JSON.parse(stdout.trim().split('\n').pop()!) as Record<
    Family,
    { times: Record<string, Measurement>; bytes: Record<string, number> }
  >;
  const rows: string[][] = [];
  const parts: string[][] = [];
  for (const family of FAMILIES) {
    const { times: t, bytes } = all[family];
    const paired = (a: Measurement, b: Measurement) => {
      const r = pairedRatio(a, b);
      return `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
    };
    const vsAws = pairedRatio(t.gate, t.aws).median;
    goals.push(
      `Warm, ${family}: gate (uncached RS256) / hand-written aws-jwt-verify = ${vsAws.toFixed(2)}× (ratio of medians ${ratio(t.gate.medianUs, t.aws.medianUs)}), goal ${goal(vsAws, 1.2)}`,
    );
    rows.push([
      family,
      cell(t.floor),
      cell(t.aws),
      cell(t.jose),
      cell(t.gate),
      cell(t.gateCached),
      `**${paired(t.gate, t.aws)}** ${goal(vsAws, 1.2)}`,
      paired(t.gate, t.floor),
      paired(t.aws, t.floor),
      paired(t.jose, t.aws),
      paired(t.gateCached, t.aws),
    ]);
    parts.push([
      family,
      `${bytes.gate} B`,
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
    'Every cell is the median time of one `invoke` of a warm skill (min–max over rounds). "Floor" and "by hand" are the skills of bench/fixtures/hand-*.ts: bare ask-sdk-core (custom) or ask-sdk-runtime (directive, music) with a request interceptor that reads the family\'s token and checks it (the floor: one `crypto.verify`, no claims; aws-jwt-verify and jose: signature, `iss`, `aud`, `exp`). "Gate" is the same one-handler skill behind the toolkit\'s gate and `JwtVerifier` (bench/fixtures/gated-*.ts) with its defaults, as in a Lambda function (\`AWS_LAMBDA_FUNCTION_NAME\` is set): it writes its decision line (and whatever else it writes by default, e.g. metrics) to stdout, which the bench counts and drops. "Cached verdict" is `CachingVerifier` in front: the second request with the same token costs no signature check. All of it is one minified esbuild bundle (bench/warm.ts) run by plain `node`, contenders interleaved round by round; a ratio is the median (min–max) over rounds of the two contenders\' times in the same round.',
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
      const skillOf =
        family === 'custom' ? ['handWrittenSkill', './hand-custom'] : [`handWrittenRuntimeSkill`, './hand-runtime'];
      const hand = (verifierModule: string) =>
        family === 'custom'
          ? `import { authenticator } from '${verifierModule}';\nimport { handWrittenSkill } from './hand-custom';\nexport const handler = handWrittenSkill(authenticator());`
          : `import { authenticator } from '${verifierModule}';\nimport { handWrittenRuntimeSkill, ${family}TokenOf, ${family}Reply } from './hand-runtime';\nexport const handler = handWrittenRuntimeSkill(${family}TokenOf, ${family}Reply, authenticator());`;
      void skillOf;
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
      const kib = (file: string) => `${(statSync(file).size / 1024).toFixed(0)} KiB`;
      const r = t('example').medianUs / t('floor').medianUs;
      goals.push(
        `Cold, ${examples[family]}: example / floor = ${r.toFixed(2)}×, goal ${goal(r, 1.5)} (toolkit gate alone: ${ratio(t('gate').medianUs, t('floor').medianUs)}; --enable-source-maps adds ${us(t('exampleMaps').medianUs - t('example').medianUs)})`,
      );
      rows.push([
        `${family}: ${examples[family]}`,
        cell(t('floor')),
        cell(t('aws')),
        cell(t('jose')),
        cell(t('gateFloor')),
        cell(t('gate')),
        cell(t('example')),
        cell(t('exampleMaps')),
        `**${r.toFixed(2)}×** ${goal(r, 1.5)}`,
        ratio(t('gateFloor').medianUs, t('floor').medianUs),
        ratio(t('gate').medianUs, t('floor').medianUs),
        ratio(t('aws').medianUs, t('floor').medianUs),
        ratio(t('example').medianUs, t('aws').medianUs),
      ]);
      composition.push([
        family,
        ...contenders
          .filter((c) => c.name !== 'exampleMaps')
          .map((c) => `${kib(c.file)}: ${us(median(requires[c.name]))} + ${us(median(firsts[c.name]))}`),
      ]);
    }
  } finally {
    subscriptions.close();
  }
  table(
    [
      'family: example function',
      'floor: bare + crypto.verify',
      'by hand: aws-jwt-verify',
      'by hand: jose',
      "gate + the floor's check",
      'gate + JwtVerifier',
      'example function',
      'example, --enable-source-maps',
      'example / floor',
      'gate + floor check / floor',
      'gate + JwtVerifier / floor',
      'aws-jwt-verify / floor',
      'example / aws-jwt-verify',
    ],
    rows,
  );
  line(
    "Time from `require` of the bundle to the first linked reply, in a fresh `node` process (median over rounds; each round runs every contender once, in alternating order). All are minified esbuild bundles with a source map, built as `sam build` builds template.yaml's functions; the example function is built from template.yaml (NODE_OPTIONS as its Parameters default) and configured for the same RS256 key; the others are bench/fixtures/, one handler each. \"Gate + the floor's check\" is the gate with a verifier that does only the floor's `crypto.verify`: the gate's own cost, without a JWT library. Jukebox's first request also asks its subscription resource server (a loopback server here), as every one of its requests does. Node start-up itself (≈ the same for all) is not counted.",
  );
  line();
  table(
    ['family', 'floor', 'aws-jwt-verify', 'jose', 'gate + floor check', 'gate + JwtVerifier', 'example function'],
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

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const started = Date.now();
  line('# Benchmarks');
  line();
  line(
    `Run ${new Date().toISOString().slice(0, 10)} on ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${os.loadavg()[0].toFixed(1)}, Node ${process.version}${QUICK ? ' (--quick: smaller counts)' : ''}. Medians, (min–max) in brackets.`,
  );
  line();
  const sections = { verification, warm: warmPath, cold: coldStart, network: networkLoad, memory };
  for (const [name, run] of Object.entries(sections)) if (!ONLY || ONLY.includes(name)) await run();
  line('## Goals');
  line();
  for (const text of goals) line(`- ${text}`);
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
