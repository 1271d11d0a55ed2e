/**
 * npm run skill-package -- <example> --create
 * npm run skill-package -- <example> --stack <outputs.json> [--out <dir>] [--profile <ask profile>]
 *
 * Fills an example's ASK CLI project (`skill-packages/<example>/`: ask-resources.json,
 * skill-package/, account-linking.json) and writes the filled copy to `.skill-packages/<example>/`
 * (git-ignored: it holds the client secret), ready for `ask deploy` and
 * `ask smapi update-account-linking-info`. See docs/deploy.md for the order of the steps.
 *
 * Placeholders are `${NAME}` in JSON strings:
 * - a SAM stack output key (`${RideHailerFunctionArn}`), from `--stack`: the JSON of
 *   `sam list stack-outputs --output json` or of `aws cloudformation describe-stacks`
 *   (with or without `--query "Stacks[0].Outputs"`);
 * - else an environment variable (`${ACCOUNT_LINKING_CLIENT_ID}`). An array element that is a
 *   placeholder alone takes a comma list (`ACCOUNT_LINKING_SCOPES=openid,offline_access,rides`):
 *   one element per item, none for an empty value.
 *
 * `--create` writes the package a skill is created from, before its function exists: the manifest
 * without its endpoints (and skill events, which need one), and no account-linking settings. The
 * SAM template needs the skill IDs, and the skills need the functions' ARNs: create first, deploy
 * the stack, then fill and deploy again.
 *
 * The copy's `.ask/` (ask-states.json: the skill ID `ask deploy` created) is kept across runs.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { v1 } from 'ask-smapi-model';

export const ROOT = path.resolve(__dirname, '..');
/** Where the examples' packages live, one directory per example. */
export const PACKAGES_DIR = path.join(ROOT, 'skill-packages');
/** Where the filled copies go (git-ignored). */
export const OUTPUT_DIR = path.join(ROOT, '.skill-packages');
/** The account-linking settings, beside ask-resources.json: never part of the uploaded skill package. */
export const ACCOUNT_LINKING_FILE = 'account-linking.json';

const USAGE = [
  'usage: npm run skill-package -- <example> --create [--out <dir>] [--profile <ask profile>]',
  '       npm run skill-package -- <example> --stack <outputs.json> [--out <dir>] [--profile <ask profile>]',
].join('\n');

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_PLACEHOLDER = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export class SkillPackageError extends Error {}

/** The examples with a package: the directories of skill-packages/. */
export function examples(packagesDir = PACKAGES_DIR): string[] {
  return readdirSync(packagesDir)
    .filter((name) => statSync(path.join(packagesDir, name)).isDirectory())
    .sort();
}

/** Every file of an example's package, by its path relative to the package (`skill-package/skill.json`), parsed. */
export function readPackage(example: string, packagesDir = PACKAGES_DIR): Map<string, unknown> {
  const dir = path.join(packagesDir, example);
  if (!existsSync(dir))
    throw new SkillPackageError(`no skill package for "${example}": one of ${examples(packagesDir).join(', ')}`);
  const files = new Map<string, unknown>();
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const file = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.json')) files.set(file, JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    }
  };
  walk('');
  return files;
}

/**
 * A stack's outputs as a map, from what `sam list stack-outputs --output json` or
 * `aws cloudformation describe-stacks` prints: an array of `{OutputKey, OutputValue}`, the same
 * under `Stacks[0].Outputs`, or a plain `{key: value}` object.
 */
export function stackOutputs(json: unknown): Record<string, string> {
  const stacks = (json as { Stacks?: Array<{ Outputs?: unknown }> } | null)?.Stacks;
  const list = Array.isArray(stacks) ? stacks[0]?.Outputs : json;
  if (Array.isArray(list)) {
    const outputs: Record<string, string> = {};
    for (const item of list as Array<{ OutputKey?: unknown; OutputValue?: unknown }>) {
      if (typeof item?.OutputKey !== 'string' || typeof item.OutputValue !== 'string') {
        throw new SkillPackageError('stack outputs: every item needs a string OutputKey and OutputValue');
      }
      outputs[item.OutputKey] = item.OutputValue;
    }
    return outputs;
  }
  if (json && typeof json === 'object' && Object.values(json).every((value) => typeof value === 'string')) {
    return { ...(json as Record<string, string>) };
  }
  throw new SkillPackageError(
    'stack outputs: expected the JSON of `sam list stack-outputs --output json` or `aws cloudformation describe-stacks`',
  );
}

/** The placeholder names left in a JSON value. */
export function placeholdersIn(value: unknown): string[] {
  const names = new Set<string>();
  const visit = (node: unknown) => {
    if (typeof node === 'string') for (const match of node.matchAll(PLACEHOLDER)) names.add(match[1]!);
    else if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') Object.values(node).forEach(visit);
  };
  visit(value);
  return [...names].sort();
}

/** A JSON value with its placeholders replaced; a name `values` lacks is left as it is. */
export function fill(value: unknown, values: Readonly<Record<string, string | undefined>>): unknown {
  if (typeof value === 'string') return value.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const name = typeof item === 'string' ? WHOLE_PLACEHOLDER.exec(item)?.[1] : undefined;
      const list = name === undefined ? undefined : values[name];
      if (list === undefined) return [fill(item, values)];
      return list
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
    });
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, values)]));
  }
  return value;
}

/** The manifest a skill is created from before its function exists: no endpoints, no skill events. */
export function withoutEndpoints(
  envelope: v1.skill.Manifest.SkillManifestEnvelope,
): v1.skill.Manifest.SkillManifestEnvelope {
  const manifest = structuredClone(envelope.manifest ?? {});
  delete manifest.events;
  for (const api of Object.values(manifest.apis ?? {}) as Array<{ endpoint?: unknown; regions?: unknown }>) {
    delete api.endpoint;
    delete api.regions;
  }
  return { ...envelope, manifest };
}

export interface FillOptions {
  /** `create`: the package to create the skill from; `deploy`: everything filled, endpoints included. */
  mode: 'create' | 'deploy';
  /** The stack's outputs (deploy). */
  outputs?: Record<string, string> | undefined;
  /** Environment variables (the OAuth settings of account-linking.json). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The ASK CLI profile ask-resources.json is keyed by; default `default`. */
  profile?: string | undefined;
}

/**
 * An example's package, filled: the files to write, by relative path. Throws a SkillPackageError
 * that names every placeholder nothing filled.
 */
export function fillPackage(files: ReadonlyMap<string, unknown>, options: FillOptions): Map<string, unknown> {
  const values = { ...options.env, ...options.outputs };
  const filled = new Map<string, unknown>();
  const missing = new Map<string, string[]>();
  for (const [file, json] of files) {
    let content = json;
    if (options.mode === 'create') {
      if (file === ACCOUNT_LINKING_FILE) continue;
      if (file === 'skill-package/skill.json')
        content = withoutEndpoints(json as v1.skill.Manifest.SkillManifestEnvelope);
    }
    if (file === 'ask-resources.json' && options.profile && options.profile !== 'default')
      content = renameProfile(content, options.profile);
    content = fill(content, values);
    for (const name of placeholdersIn(content)) missing.set(name, [...(missing.get(name) ?? []), file]);
    filled.set(file, content);
  }
  if (missing.size > 0) {
    const lines = [...missing].map(([name, where]) => `  \${${name}} in ${where.join(', ')}: ${sourceOf(name)}`);
    throw new SkillPackageError(`nothing filled these placeholders:\n${lines.join('\n')}`);
  }
  return filled;
}

function sourceOf(name: string): string {
  return /^[A-Z][A-Z0-9_]*$/.test(name)
    ? `set the environment variable ${name}`
    : `a stack output of that key (--stack <outputs.json>)`;
}

function renameProfile(resources: unknown, profile: string): unknown {
  const { profiles = {}, ...rest } = resources as { profiles?: Record<string, unknown> };
  return {
    ...rest,
    profiles: Object.fromEntries(
      Object.entries(profiles).map(([name, value]) => [name === 'default' ? profile : name, value]),
    ),
  };
}

/**
 * Writes a filled package to `outDir`: skill-package/ replaced as a whole, the other files
 * overwritten, `.ask/` kept; account-linking.json readable by its owner only (it holds the client
 * secret), and removed by a `create` run (which has none).
 */
export function writePackage(outDir: string, files: ReadonlyMap<string, unknown>): string[] {
  mkdirSync(outDir, { recursive: true });
  rmSync(path.join(outDir, 'skill-package'), { recursive: true, force: true });
  if (!files.has(ACCOUNT_LINKING_FILE)) rmSync(path.join(outDir, ACCOUNT_LINKING_FILE), { force: true });
  const written: string[] = [];
  for (const [file, json] of files) {
    const target = path.join(outDir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    const secret = file === ACCOUNT_LINKING_FILE;
    writeFileSync(target, `${JSON.stringify(json, null, 2)}\n`, secret ? { mode: 0o600 } : undefined);
    if (secret) chmodSync(target, 0o600);
    written.push(target);
  }
  return written;
}

export function main(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      stack: { type: 'string' },
      create: { type: 'boolean', default: false },
      out: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const example = positionals[0];
  if (!example || positionals.length > 1) throw new SkillPackageError(USAGE);
  if (values.create === (values.stack !== undefined))
    throw new SkillPackageError(`give one of --create and --stack\n${USAGE}`);

  let outputs: Record<string, string> | undefined;
  if (values.stack !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(values.stack, 'utf8'));
    } catch (error) {
      throw new SkillPackageError(`cannot read the stack outputs from ${values.stack}: ${(error as Error).message}`);
    }
    outputs = stackOutputs(json);
  }
  const outDir = path.resolve(values.out ?? path.join(OUTPUT_DIR, example));
  const files = fillPackage(readPackage(example), {
    mode: values.create ? 'create' : 'deploy',
    outputs,
    env,
    profile: values.profile ?? env.ASK_DEFAULT_PROFILE,
  });
  const written = writePackage(outDir, files);
  console.log(
    `skill-package: ${example} (${values.create ? 'to create the skill, without endpoints' : 'endpoints filled'}) in ${path.relative(process.cwd(), outDir) || '.'}`,
  );
  for (const file of written) console.log(`  ${path.relative(outDir, file)}`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    const usage =
      error instanceof SkillPackageError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    if (!usage) throw error;
    console.error(`skill-package: ${(error as Error).message}`);
    process.exitCode = 2;
  }
}
