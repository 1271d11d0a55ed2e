/**
 * The other users a bad deploy reaches: each one's request ({@link CrowdRequest}), and how the
 * deploy went for all of them ({@link fleetTally}), in the same words in the terminal and on the
 * console page.
 */
import { fingerprint, type HoldReason } from '../../lib';
import { describeDecision } from './decisions';
import type { Claim, Heard } from './replies';

/** `1 reply`, `2 replies`: a count and its noun, singular or plural. */
export function plural(count: number, singular: string, many = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : many}`;
}

/** One request of another user of the skill (in a bad deploy, sent before the user's own). */
export interface CrowdRequest {
  user: string;
  tokenFingerprint: string;
  summary: string;
  unlinks: boolean;
  /** What the reply does to this user, and its badge. */
  claim: Claim;
  badge: string;
  /** Why the unlinking policy held this user's rejection, if it did. */
  held?: HoldReason;
  /** The gate's decision, in plain words. */
  decisionText: string;
}

/** One request of another user, from what came of it. */
export function crowdRequest(user: string, token: string, heard: Heard): CrowdRequest {
  return {
    user,
    tokenFingerprint: fingerprint(token),
    summary: heard.summary,
    unlinks: heard.unlinks,
    claim: heard.claim,
    badge: heard.badge,
    ...(heard.decision?.held ? { held: heard.decision.held } : {}),
    decisionText: describeDecision(heard.decision, heard.claim),
  };
}

/** How a bad deploy went for every user it reached: the same words in the terminal and on the console page. */
export interface FleetTally {
  users: number;
  unlinked: number;
  held: number;
  holds: Partial<Record<HoldReason, number>>;
  /** `0 of 5 users unlinked, 5 held: unproven`, or `..., none held (the verifier could not decide: no rejection to hold)`. */
  text: string;
}

/** Counts a bad deploy's users: the other users' requests and the user's own, each once. */
export function fleetTally(requests: Array<{ unlinks: boolean; held?: HoldReason | undefined }>): FleetTally {
  const unlinked = requests.filter((request) => request.unlinks).length;
  const holds: Partial<Record<HoldReason, number>> = {};
  for (const request of requests) if (request.held) holds[request.held] = (holds[request.held] ?? 0) + 1;
  const held = Object.values(holds).reduce((sum, count) => sum + (count ?? 0), 0);
  const heldText =
    held > 0
      ? Object.entries(holds)
          .map(([hold, count]) => `${count} held: ${hold}`)
          .join(', ')
      : 'none held (the verifier could not decide: no rejection to hold)';
  return {
    users: requests.length,
    unlinked,
    held,
    holds,
    text: `${unlinked} of ${plural(requests.length, 'user')} unlinked, ${heldText}`,
  };
}
