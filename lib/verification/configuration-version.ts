/**
 * A verifier's `configurationVersion`: a short hash of the settings its verdicts rest on, the same
 * in every container for the same settings. Shared by the shipped verifiers. See `docs/verifiers.md`.
 */
import { createHash, hash } from 'node:crypto';
import { isObject } from '../json';

/** The SHA-256 of `data`, in hex. */
export function sha256Hex(data: string | Buffer): string {
  // crypto.hash (Node 20.12+): one call, no Hash object, as tokenDigest does.
  return typeof hash === 'function' ? hash('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

/**
 * A verifier's `configurationVersion`: the first 16 hex digits of the SHA-256 of the canonical JSON
 * of `settings` (object keys sorted, `undefined` left out; arrays kept in order, so sort those
 * whose order means nothing). Pass hashes of secrets, never secrets. Shared by the shipped verifiers.
 *
 * @internal
 */
export function configurationDigest(settings: Record<string, unknown>): string {
  return sha256Hex(canonicalJson(settings)).slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
