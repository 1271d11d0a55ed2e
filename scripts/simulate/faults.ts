/** The faults a scenario can inject at the end of the warm-up: what the server and the skill's configuration were, and what changes. */
import { keys, type AuthorizationServer, type SigningKey } from './authorization-server';

/** How the skill's `JwtVerifier` is configured: a shared secret, a static public key, or the server's JWKS URL. */
export type VerifierConfig =
  { kind: 'secret'; key: SigningKey } | { kind: 'public-key'; key: SigningKey } | { kind: 'jwks' };

export const FAULTS = [
  'none',
  'wrong-secret',
  'wrong-key',
  'partial',
  'rotated-key',
  'clock-behind',
  'stale-jwks',
] as const;
export type FaultName = (typeof FAULTS)[number];

/** How long the stale copy of the JWKS is served in `stale-jwks`. */
export const STALE_JWKS_MS = 15 * 60_000;
/** How far behind the issuer's clock is in `clock-behind`. */
export const ISSUER_CLOCK_BEHIND_MS = 10 * 60_000;

export interface FaultPlan {
  name: FaultName;
  /** `partial`: the share of users whose tokens the skill cannot verify (0..1). */
  share?: number;
  /** A label for tables: `partial 50%`. */
  label: string;
  /** What the fault is, in a line. */
  description: string;
  /**
   * The share of users the fault hits (their genuine tokens fail), for the goal "alarmed within 10
   * min when ≥ 10 %"; `measured` when it is the share of genuine requests rejected during the fault
   * (a fault that hits each user only now and then).
   */
  usersHit: number | 'measured';
  /** Sets the server up as it is before the fault; returns the skill's configuration then. */
  setup(server: AuthorizationServer): VerifierConfig;
  /** Applies the fault at `now`; returns the configuration deployed with it (every container replaced), if any. */
  start(server: AuthorizationServer, now: number): VerifierConfig | undefined;
}

/** Whether user `index` is among the `share` of users (spread evenly over the indices, fixed per user). */
export function inShare(index: number, share: number): boolean {
  return (index * 0.6180339887498949) % 1 < share;
}

export function faultPlan(name: FaultName, share = 0.5): FaultPlan {
  const k = keys();
  switch (name) {
    case 'none':
      return {
        name,
        label: 'none',
        usersHit: 0,
        description: 'no fault: HS256 with the right secret throughout',
        setup: (server) => ((server.signingKeyFor = () => k.secretA), { kind: 'secret', key: k.secretA }),
        start: () => undefined,
      };
    case 'wrong-secret':
      return {
        name,
        label: 'wrong-secret',
        usersHit: 1,
        description: 'a deploy with a wholly wrong JWT secret (every container replaced)',
        setup: (server) => ((server.signingKeyFor = () => k.secretA), { kind: 'secret', key: k.secretA }),
        start: () => ({ kind: 'secret', key: k.secretWrong }),
      };
    case 'wrong-key':
      return {
        name,
        label: 'wrong-key',
        usersHit: 1,
        description: 'ES256: a deploy with a wrong public key (every container replaced)',
        setup: (server) => ((server.signingKeyFor = () => k.keyA), { kind: 'public-key', key: k.keyA }),
        start: () => ({ kind: 'public-key', key: k.keyWrong }),
      };
    case 'partial':
      return {
        name,
        share,
        label: `partial ${formatShare(share)}`,
        usersHit: share,
        description: `the server signs ${formatShare(share)} of users' tokens with key B; a deploy replaces the JWKS (A and B) by a static key A`,
        setup: (server) => {
          server.signingKeyFor = (user) => (inShare(user, share) ? k.keyB : k.keyA);
          server.published = [k.keyA, k.keyB];
          return { kind: 'jwks' };
        },
        start: () => ({ kind: 'public-key', key: k.keyA }),
      };
    case 'rotated-key':
      return {
        name,
        label: 'rotated-key',
        usersHit: 1,
        description: 'ES256: the server signs with a new key from the fault on; the skill keeps the old static key',
        setup: (server) => ((server.signingKeyFor = () => k.keyA), { kind: 'public-key', key: k.keyA }),
        start: (server) => {
          server.signingKeyFor = () => k.keyB;
          return undefined;
        },
      };
    case 'clock-behind':
      return {
        name,
        label: 'clock-behind',
        usersHit: 'measured',
        description:
          "the issuer's clock goes 10 min behind: every new token's exp is 10 min earlier than Alexa believes",
        setup: (server) => ((server.signingKeyFor = () => k.secretA), { kind: 'secret', key: k.secretA }),
        start: (server) => {
          server.issuerClockOffsetMs = -ISSUER_CLOCK_BEHIND_MS;
          return undefined;
        },
      };
    case 'stale-jwks':
      return {
        name,
        label: 'stale-jwks',
        usersHit: 1,
        description: 'JWKS: the server rotates to a new kid; its JWKS URL answers a stale copy without it for 15 min',
        setup: (server) => {
          server.signingKeyFor = () => k.keyA;
          server.published = [k.keyA];
          return { kind: 'jwks' };
        },
        start: (server, now) => {
          server.staleCopy = [...server.published];
          server.published = [k.keyA, k.keyB];
          server.staleUntil = now + STALE_JWKS_MS;
          server.signingKeyFor = () => k.keyB;
          return undefined;
        },
      };
  }
}

export function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
