#!/usr/bin/env node
/**
 * Builds the package from lib/ twice with this repository's TypeScript: CommonJS into dist/cjs and
 * ES modules into dist/esm, each with its own .d.ts files and a package.json saying which it is
 * (`{"type":"commonjs"}` / `{"type":"module"}`), so Node, TypeScript (node10, node16/nodenext,
 * bundler) and bundlers each read the right one.
 *
 * The sources import each other without extensions (`./errors`); Node's ES module loader needs
 * them spelled out, so the ESM output's relative specifiers are rewritten to the file they name
 * (`./errors.js`, `./custom/index.js`). The sources call no `require` (a lazy load is
 * `await import('package')`, which both builds keep lazy): an ESM file that still does fails the
 * build, since `require` does not exist in an ES module.
 *
 * No source maps are shipped: the package ships no sources for them to point at.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

rmSync(dist, { recursive: true, force: true });
for (const config of ['tsconfig.build.cjs.json', 'tsconfig.build.esm.json']) {
  const result = spawnSync(process.execPath, [tsc, '-p', config], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
writeFileSync(path.join(dist, 'cjs', 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
writeFileSync(path.join(dist, 'esm', 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);

const esm = path.join(dist, 'esm');
for (const file of walk(esm)) {
  if (!file.endsWith('.js') && !file.endsWith('.d.ts')) continue;
  const source = readFileSync(file, 'utf8');
  let text = source.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]*|\.\.?)\2/g,
    (_match, lead, quote, specifier) => `${lead}${quote}${resolveSpecifier(file, specifier)}${quote}`,
  );
  if (file.endsWith('.js') && /(^|[^.\w$])require\s*\(/m.test(text)) {
    throw new Error(
      `build-package: ${path.relative(root, file)} calls require(), which an ES module does not have; use await import() in the source`,
    );
  }
  if (text !== source) writeFileSync(file, text);
}

/** `./errors` → `./errors.js`, `./custom` → `./custom/index.js`, from the file that imports it. */
function resolveSpecifier(file, specifier) {
  if (/\.(c|m)?js$/.test(specifier)) return specifier;
  const target = path.resolve(path.dirname(file), specifier);
  const suffix = file.endsWith('.d.ts') ? '.d.ts' : '.js';
  if (existsSync(`${target}${suffix}`)) return `${specifier}.js`;
  if (existsSync(path.join(target, `index${suffix}`))) return `${specifier.replace(/\/$/, '')}/index.js`;
  throw new Error(`build-package: cannot resolve ${specifier} from ${path.relative(root, file)}`);
}

function* walk(directory) {
  for (const name of readdirSync(directory)) {
    const full = path.join(directory, name);
    if (statSync(full).isDirectory()) yield* walk(full);
    else yield full;
  }
}
