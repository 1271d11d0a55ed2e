/**
 * A package-lock.json for a fresh consumer project, cut from this repository's own lockfile, so
 * the project installs with `npm ci --offline`: after this repository's `npm ci` the npm cache
 * holds every tarball the lockfile names (but not the registry metadata a lockless `npm install`
 * would need), so an install from a lockfile is the one that works with no network.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface LockEntry {
  version?: string | undefined;
  resolved?: string | undefined;
  integrity?: string | undefined;
  dependencies?: Record<string, string> | undefined;
  optionalDependencies?: Record<string, string> | undefined;
  peerDependencies?: Record<string, string> | undefined;
  peerDependenciesMeta?: Record<string, { optional?: boolean }> | undefined;
  [key: string]: unknown;
}

/** The registry URL of a locked package's tarball: `<registry>/<name>/-/<unscoped name>-<version>.tgz`. */
function registryTarball(key: string, entry: LockEntry): string {
  const name =
    (entry.name as string | undefined) ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
}

/** The lockfile key Node would find `name` under, looking up from the package at `from`. */
function resolveKey(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    base = base.slice(0, base.lastIndexOf('node_modules/')).replace(/\/$/, '');
  }
}

/**
 * The lockfile of a project that depends on `dependencies` (names at this repository's installed
 * versions) and on the packed tarball at `tarball` (a path relative to the project).
 */
export function consumerLockfile(options: {
  root: string;
  projectName: string;
  tarball: string;
  tarballPath: string;
  dependencies: Record<string, string>;
}): object {
  const repoLock = JSON.parse(readFileSync(path.join(options.root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const own = JSON.parse(readFileSync(path.join(options.root, 'package.json'), 'utf8')) as LockEntry & {
    name: string;
    version: string;
  };
  const packages: Record<string, LockEntry> = {};
  const pending: string[] = [];
  const visit = (from: string, name: string, required: boolean) => {
    const key = resolveKey(repoLock.packages, from, name);
    if (!key) {
      if (required)
        throw new Error(
          `consumer lockfile: ${name} (needed by ${from || 'the project'}) is not in this repository's lockfile`,
        );
      return;
    }
    if (packages[key]) return;
    const {
      dev: _dev,
      devOptional: _devOptional,
      peer: _peer,
      ...entry
    } = repoLock.packages[key] as LockEntry & { dev?: unknown; devOptional?: unknown; peer?: unknown };
    // Our lockfile omits `resolved`; without it npm would ask the registry where the tarball is.
    // Spelled out, npm ci takes each tarball from the cache by its integrity, no registry metadata needed.
    packages[key] = { ...entry, resolved: entry.resolved ?? registryTarball(key, entry) };
    pending.push(key);
  };
  const visitDependenciesOf = (key: string, entry: LockEntry) => {
    for (const name of Object.keys(entry.dependencies ?? {})) visit(key, name, true);
    for (const name of Object.keys(entry.optionalDependencies ?? {})) visit(key, name, false);
    for (const name of Object.keys(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[name]?.optional) visit(key, name, true);
    }
  };

  const tarballKey = `node_modules/${own.name}`;
  const tarballEntry: LockEntry = {
    version: own.version,
    resolved: `file:${options.tarball}`,
    integrity: `sha512-${createHash('sha512').update(readFileSync(options.tarballPath)).digest('base64')}`,
    license: own.license,
    dependencies: own.dependencies,
    engines: own.engines,
    peerDependencies: own.peerDependencies,
    peerDependenciesMeta: own.peerDependenciesMeta,
  };
  packages[tarballKey] = tarballEntry;
  for (const name of Object.keys(options.dependencies)) visit('', name, true);
  visitDependenciesOf(tarballKey, tarballEntry);
  while (pending.length > 0) {
    const key = pending.pop()!;
    visitDependenciesOf(key, packages[key]!);
  }
  return {
    name: options.projectName,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': {
        name: options.projectName,
        dependencies: { [own.name]: `file:${options.tarball}`, ...options.dependencies },
      },
      ...Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}
