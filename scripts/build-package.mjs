#!/usr/bin/env node
/**
 * Builds the package from lib/ twice with this repository's TypeScript: CommonJS into dist/cjs and
 * ES modules into dist/esm, each with its own .d.ts files and a package.json saying which it is
 * (`{"type":"commonjs"}` / `{"type":"module"}`), so Node, TypeScript (node10, node16/nodenext,
 * bundler) and bundlers each read the right one.
 *
 * The sources import each other without extensions (`./errors`); Node's ES module loader needs
 * them spelled out, so the ESM output's relative specifiers are rewritten to the file they name
 * (`./errors.js`, `./custom/index.js`). An ESM file that still calls `require('package')` (a lazy
 * load of a CommonJS dependency) gets a static import of it instead, so that Node and bundlers
 * (esbuild in `sam build`) both see the dependency; any other `require` gets a
 * `createRequire(import.meta.url)`. (Better: `await import('package')` in the source, which both
 * builds keep lazy.)
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
  if (file.endsWith('.js')) text = replaceRequires(text);
  if (text !== source) writeFileSync(file, text);
}

/** ESM text with `require('package')` turned into a static namespace import, other requires given a createRequire. */
function replaceRequires(text) {
  const imports = new Map();
  let replaced = text.replace(/(^|[^.\w$])require\s*\(\s*(['"])([^'"./][^'"]*)\2\s*\)/gm, (_match, lead, _quote, specifier) => {
    if (!imports.has(specifier)) imports.set(specifier, `__required${imports.size}`);
    const name = imports.get(specifier);
    return `${lead}(${name}.default ?? ${name})`;
  });
  const header = [...imports].map(([specifier, name]) => `import * as ${name} from '${specifier}';`);
  if (/(^|[^.\w$])require\s*\(/m.test(replaced)) {
    header.push(`import { createRequire as __createRequire } from 'node:module';`, `const require = __createRequire(import.meta.url);`);
  }
  return header.length > 0 ? `${header.join('\n')}\n${replaced}` : replaced;
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
