/**
 * npm run bench [-- --quick]
 *
 * Prints a table and writes it to bench/results.md. Every compared figure is a ratio of medians
 * measured in this same run; spreads (min–max over rounds) are shown. Not a test: nothing here
 * fails a build.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, createSecretKey, generateKeyPairSync, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SkillBuilders } from 'ask-sdk-core';
import { build } from 'esbuild';
import {
  CachingVerifier, createJsonLogger, directiveSkillBuilder, emfMetrics, IntrospectionVerifier, JwtVerifier, musicSkillBuilder, withAccountLinking,
  type CustomGateOptions, type TokenVerifier,
} from '../lib';
import { getPlayableContentRequest, launchRequest, mintAccessToken, powerControllerDirective } from '../lib/testing';
import { buildFunction, loadFunction, type EnvVarsFile } from '../scripts/local-invoke';
import { measure, percentile, ratio, spread, us, type Measurement } from './harness';

const QUICK = process.argv.includes('--quick');
const ROOT = path.resolve(__dirname, '..');
const ISSUER = 'https://auth.bench.test/';
const AUDIENCE = 'bench-skill';
const silent = createJsonLogger({ level: 'silent' });
const out: string[] = [];
const line = (text = '') => {
  console.log(text);
  out.push(text);
};

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
const secret = createSecretKey(Buffer.from('a-benchmark-secret-that-is-long-enough-for-hs256'));
const rsToken = mintAccessToken({ key: rsa.privateKey, algorithm: 'RS256', issuer: ISSUER, audience: AUDIENCE, subject: 'u', keyId: 'k1' });
const hsToken = mintAccessToken({ key: secret, algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE, subject: 'u' });
const rsVerifier = new JwtVerifier({ publicKey: rsa.publicKey, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });
const hsVerifier = new JwtVerifier({ secret, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });

function table(header: string[], rows: string[][]): void {
  line(`| ${header.join(' | ')} |`);
  line(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) line(`| ${row.join(' | ')} |`);
  line();
}
const cell = (m: Measurement) => `${us(m.medianUs)} (${us(m.minUs)}–${us(m.maxUs)})`;
const goal = (value: number, limit: number) => (value <= limit ? `met (≤ ${limit}×)` : `**missed** (> ${limit}×)`);

async function verification(): Promise<void> {
  line('## 1. Token verification, uncached, per call');
  line();
  const jose = await import('jose');
  const { JwtRsaVerifier } = await import('aws-jwt-verify');
  const awsVerifier = JwtRsaVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: 'http://127.0.0.1:1/jwks' });
  awsVerifier.cacheJwks({ keys: [jwk] } as never);

  const floorRs = () => {
    const dot = rsToken.lastIndexOf('.');
    return cryptoVerify('RSA-SHA256', Buffer.from(rsToken.slice(0, dot)), rsa.publicKey, Buffer.from(rsToken.slice(dot + 1), 'base64url'));
  };
  const floorHs = () => {
    const dot = hsToken.lastIndexOf('.');
    const mac = createHmac('sha256', secret).update(hsToken.slice(0, dot)).digest();
    return timingSafeEqual(mac, Buffer.from(hsToken.slice(dot + 1), 'base64url'));
  };
  const rs = { iterations: QUICK ? 300 : 2000, rounds: 7 };
  const hs = { iterations: QUICK ? 3000 : 20000, rounds: 7 };
  const options = { issuer: ISSUER, audience: AUDIENCE };
  const results = {
    rsFloor: await measure('RS256 floor: crypto.verify', floorRs, rs),
    rsOurs: await measure('RS256 JwtVerifier', () => rsVerifier.verify(rsToken), rs),
    rsJose: await measure('RS256 jose 6', () => jose.jwtVerify(rsToken, rsa.publicKey, { ...options, algorithms: ['RS256'] }), rs),
    rsAws: await measure('RS256 aws-jwt-verify', () => awsVerifier.verifySync(rsToken), rs),
    hsFloor: await measure('HS256 floor: HMAC', floorHs, hs),
    hsOurs: await measure('HS256 JwtVerifier', () => hsVerifier.verify(hsToken), hs),
    hsJose: await measure('HS256 jose 6', () => jose.jwtVerify(hsToken, secret, { ...options, algorithms: ['HS256'] }), hs),
  };
  table(['verifier', 'per call: median (min–max)', 'vs floor'], Object.values(results).map((m) => [
    m.name, cell(m), ratio(m.medianUs, m.name.startsWith('RS') ? results.rsFloor.medianUs : results.hsFloor.medianUs),
  ]));
  const rsVsFloor = results.rsOurs.medianUs / results.rsFloor.medianUs;
  const hsVsFloor = results.hsOurs.medianUs / results.hsFloor.medianUs;
  line(`- RS256 vs floor: ${rsVsFloor.toFixed(2)}×, goal ${goal(rsVsFloor, 1.5)}; vs jose ${ratio(results.rsOurs.medianUs, results.rsJose.medianUs)}, vs aws-jwt-verify ${ratio(results.rsOurs.medianUs, results.rsAws.medianUs)} (goal: below 1×).`);
  line(`- HS256 vs floor: ${hsVsFloor.toFixed(2)}×, goal ${goal(hsVsFloor, 5)}; vs jose ${ratio(results.hsOurs.medianUs, results.hsJose.medianUs)} (aws-jwt-verify has no HS256).`);
  line();
}

async function gateOverhead(): Promise<void> {
  line('## 2. Gate overhead per warm invocation');
  line();
  const cached = (verifier: TokenVerifier<unknown>) => new CachingVerifier(verifier);
  const options = { iterations: QUICK ? 300 : 3000, rounds: 7 };
  const launch = launchRequest({ accessToken: rsToken });
  const custom = (verifier?: TokenVerifier<unknown>) => {
    const builder = SkillBuilders.custom();
    if (verifier) withAccountLinking(builder, { verifier, logger: silent });
    const skill = builder.addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.speak('hi').getResponse() }).create();
    return () => skill.invoke(launch);
  };
  const turnOn = powerControllerDirective('TurnOn', { accessToken: rsToken });
  const directive = (verifier?: TokenVerifier<unknown>) => {
    const builder = directiveSkillBuilder().withLogger(silent);
    if (verifier) withAccountLinking(builder, { verifier });
    const skill = builder.addRequestHandlers({ canHandle: () => true, handle: (input) => input.reply.response() }).create();
    return () => skill.invoke(turnOn);
  };
  const search = getPlayableContentRequest([{ type: 'TRACK', entityId: '1' }], { accessToken: rsToken });
  const music = (verifier?: TokenVerifier<unknown>) => {
    const builder = musicSkillBuilder().withLogger(silent);
    if (verifier) withAccountLinking(builder, { verifier });
    const skill = builder.addRequestHandlers({ canHandle: () => true, handle: (input) => input.reply.response({}) }).create();
    return () => skill.invoke(search);
  };
  const rows: string[][] = [];
  for (const [family, make] of [['custom (ask-sdk-core)', custom], ['directive', directive], ['music', music]] as const) {
    const bare = await measure('bare', make(), options);
    const warm = await measure('gate, cached verdict', make(cached(rsVerifier)), options);
    const cold = await measure('gate, uncached RS256', make(rsVerifier), options);
    rows.push([family, cell(bare), cell(warm), `+${us(warm.medianUs - bare.medianUs)} (${ratio(warm.medianUs, bare.medianUs)})`, cell(cold), `+${us(cold.medianUs - bare.medianUs)}`]);
  }
  table(['family', 'bare skill', 'gate, cached verdict', 'overhead, cached', 'gate, uncached RS256', 'overhead, uncached'], rows);
  line('"Bare" for directive and music is the toolkit\'s own runtime builder without `withAccountLinking` (ask-sdk-runtime underneath).');
  line();
}

async function guardAndMetrics(): Promise<void> {
  line('## 2b. Unlink guard and metrics per warm invocation');
  line();
  const options = { iterations: QUICK ? 300 : 3000, rounds: 7 };
  const verifier = new CachingVerifier(rsVerifier);
  const launch = launchRequest({ accessToken: rsToken });
  let emfBytes = 0;
  const custom = (gate: Partial<CustomGateOptions<unknown>>) => {
    const skill = withAccountLinking(SkillBuilders.custom(), { verifier, logger: silent, ...gate })
      .addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.speak('hi').getResponse() })
      .create();
    return () => skill.invoke(launch);
  };
  // EMF lines are built and serialized as in Lambda, then dropped (stdout is not what is measured)
  const emf = emfMetrics({ write: (text) => void (emfBytes = text.length) });
  const neither = await measure('gate, no guard, no metrics', custom({ unlinkGuard: false, metrics: false }), options);
  const guard = await measure('gate + unlink guard (default)', custom({ metrics: false }), options);
  const both = await measure('gate + unlink guard + EMF metrics (Lambda default)', custom({ metrics: emf }), options);
  table(['custom skill, cached RS256 verdict', 'per invocation: median (min–max)', 'added'], [
    [neither.name, cell(neither), '—'],
    [guard.name, cell(guard), `+${us(guard.medianUs - neither.medianUs)}`],
    [both.name, cell(both), `+${us(both.medianUs - neither.medianUs)}`],
  ]);
  line(`The guard on a linked request updates a timestamp; the EMF metrics build and serialize one ${emfBytes}-byte line per decision. Outside Lambda the default is no metrics, so the gate columns of section 2 include the guard but not the metrics.`);
  line();
}

async function coldStart(): Promise<void> {
  line('## 3. Cold start: require time of the built Lambda bundles');
  line();
  const envVars = JSON.parse(readFileSync(path.join(ROOT, 'events/env.local.json'), 'utf8')) as EnvVarsFile;
  const buildDir = path.join(ROOT, 'bench', '.build');
  const bareBundle = async (name: string) => {
    // the same build properties as the examples' (template.yaml): minified, with a source map
    await build({ entryPoints: [path.join(ROOT, 'bench/fixtures', `${name}.ts`)], outdir: path.join(buildDir, name), bundle: true, platform: 'node', format: 'cjs', target: 'es2023', minify: true, sourcemap: true, logLevel: 'warning' });
    return path.join(buildDir, name, `${name}.js`);
  };
  const requireTime = (file: string, env: Record<string, string>) => {
    const runs = QUICK ? 5 : 15;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const script = `const t=performance.now();require(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`;
      times.push(Number(execFileSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', ...env } }).toString()) * 1000);
    }
    return { name: file, ...spread(times) };
  };
  const rows: string[][] = [];
  for (const [logicalId, bare] of [['RideHailerFunction', 'bare-custom'], ['MyLightsFunction', 'bare-directive'], ['JukeboxFunction', 'bare-music']] as const) {
    const fn = loadFunction(path.join(ROOT, 'template.yaml'), logicalId, envVars);
    const gatedFile = path.join(await buildFunction(fn, path.join(buildDir, 'functions')), 'index.js');
    const bareFile = await bareBundle(bare);
    const gated = requireTime(gatedFile, fn.environment);
    const baseline = requireTime(bareFile, { NODE_OPTIONS: fn.environment.NODE_OPTIONS ?? '' });
    const r = gated.medianUs / baseline.medianUs;
    rows.push([logicalId, `${(statSync(bareFile).size / 1024).toFixed(0)} KiB`, `${(statSync(gatedFile).size / 1024).toFixed(0)} KiB`,
      `${us(baseline.medianUs)} (${us(baseline.minUs)}–${us(baseline.maxUs)})`, `${us(gated.medianUs)} (${us(gated.minUs)}–${us(gated.maxUs)})`, `${r.toFixed(2)}× ${goal(r, 1.5)}`]);
  }
  table(['function', 'bundle, bare', 'bundle, example', 'require, bare', 'require, example', 'ratio'], rows);
  line('"Bare" is a one-handler skill on the same builder without the gate or a verifier; "example" is the built example Lambda (gate, JWT verifier, its handlers), configured from events/env.local.json. Minified esbuild bundles with source maps, as `sam build` makes them from template.yaml, both run with its `NODE_OPTIONS` (`--enable-source-maps`); each time is one fresh `node` process.');
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
    req.on('end', () => setTimeout(() => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (req.url === '/jwks') return res.end(JSON.stringify({ keys: [jwk] }));
      const token = new URLSearchParams(body).get('token') ?? '';
      res.end(JSON.stringify({ active: true, sub: token.slice(-8), exp: Math.floor(Date.now() / 1000) + 3600 }));
    }, LATENCY_MS));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const scenarios: Array<[string, TokenVerifier<unknown>, (i: number) => string, number]> = [
    ['introspection (opaque tokens)', new CachingVerifier(new IntrospectionVerifier({ url: `${base}/introspect`, clientId: 'c', clientSecret: 's' })), (i) => `opaque-token-${String(i).padStart(8, '0')}`, K],
    ['JWKS (RS256 tokens)', new CachingVerifier(new JwtVerifier({ jwksUri: `${base}/jwks`, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE })),
      (() => { const tokens = Array.from({ length: K }, (_, i) => mintAccessToken({ key: rsa.privateKey, algorithm: 'RS256', issuer: ISSUER, audience: AUDIENCE, subject: `u${i}`, keyId: 'k1' })); return (i: number) => tokens[i]; })(), 1],
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
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < order.length) {
        const k = order[next++];
        const hit = done.has(k);
        const started = performance.now();
        const reply = await skill.invoke(launchRequest({ accessToken: tokenOf(k) }));
        (hit ? hits : misses).push((performance.now() - started) * 1000);
        if (!reply.response.card) linked++;
        done.add(k);
      }
    }));
    rows.push([name, `${N} over ${K} tokens, ${CONCURRENCY} at once`, `${upstream} (goal ${expected})`, String(linked), `${us(percentile(hits, 50))} / ${us(percentile(hits, 99))}`,
      `${us(percentile(misses, 50))} / ${us(percentile(misses, 99))}`]);
  }
  server.close();
  table(['verifier (cached)', 'requests', 'upstream calls', 'linked replies', 'hit p50 / p99', 'miss p50 / p99'], rows);
  line(`The loopback server answers after ${LATENCY_MS} ms. A "miss" is a request whose token had no verdict yet when it started (including requests that waited on another's upstream call).`);
  line();
}

async function memory(): Promise<void> {
  line('## 5. Memory: many invocations, many tokens');
  line();
  // bundled and run by plain node, so that nothing but the gated skill is in the process
  const bundle = path.join(ROOT, 'bench', '.build', 'memory.js');
  await build({ entryPoints: [path.join(__dirname, 'memory.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', target: 'es2023', logLevel: 'warning' });
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const rows: string[][] = [];
  let gc = false;
  for (const [label, flags] of [['Node defaults', []], ['heap sized for 128 MB', ['--max-old-space-size=96', '--max-semi-space-size=2']]] as const) {
    const args = ['--expose-gc', ...flags, bundle, ...(QUICK ? ['--quick'] : [])];
    const result = JSON.parse(execFileSync(process.execPath, args, { cwd: ROOT }).toString().trim().split('\n').pop()!);
    gc = result.gc;
    rows.push([label, result.invocations.toLocaleString('en'), result.distinct.toLocaleString('en'), `${result.entries} (${result.maxEntries})`,
      `${mb(result.before.rss)} / ${mb(result.after.rss)}`, `${mb(result.before.heapUsed)} / ${mb(result.after.heapUsed)}`,
      result.after.rss < 128 * 2 ** 20 ? 'yes' : '**no**', `${Math.round(result.perSecond).toLocaleString('en')} /s`]);
  }
  table(['V8 heap', 'invocations', 'distinct tokens', 'cache entries (cap)', 'RSS before / after', 'heap used before / after', 'under 128 MB', 'throughput'], rows);
  line(`Heap in use stays flat (the cache is capped); with Node's default heap limits V8 keeps freed pages, which RSS counts. "Heap sized for 128 MB" runs with \`--max-old-space-size=96 --max-semi-space-size=2\`, limits such as a 128 MB function would use.`);
  line(`Measured in a process of its own with only the gated skill loaded, ${gc ? 'after a forced GC' : 'without a forced GC'}; the verifier is a stub, so the cache and the gate are what is measured.`);
  line();
}

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  line('# Benchmarks');
  line();
  line(`Run ${new Date().toISOString().slice(0, 10)} on ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}${QUICK ? ' (--quick: smaller counts)' : ''}. Medians over 7 rounds, (min–max) in brackets.`);
  line();
  await verification();
  await gateOverhead();
  await guardAndMetrics();
  await coldStart();
  await networkLoad();
  await memory();
  if (!QUICK) writeFileSync(path.join(__dirname, 'results.md'), `${out.join('\n')}\n`);
  console.log(QUICK ? '(--quick: bench/results.md left as it was)' : 'Written to bench/results.md');
}

main().then(() => process.exit(0), (error) => {
  console.error(error);
  process.exit(1);
});
