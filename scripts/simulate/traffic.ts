/** The traffic: profiles of users, their Poisson request times, and which of them have a link that dies (a dead token). */
import type { IssuedToken } from './authorization-server';
import type { Random } from './random';

export const PROFILE_NAMES = ['one-user', 'household', 'small', 'busy', 'million'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface Profile {
  name: ProfileName;
  users: number;
  requestsPerUserPerDay: number;
  /**
   * During the warm-up, one request in this many of a live user goes through the gates (the
   * others only refresh the user's token, as Alexa would): the cheaper path of the million
   * profile. 1 = every request. Dead users' requests always go through, so the ledger's counts
   * of first rejections (the breaker's usual level) and proofs are those of the full traffic.
   */
  warmupSample: number;
}

export const PROFILES: Record<ProfileName, Profile> = {
  'one-user': { name: 'one-user', users: 1, requestsPerUserPerDay: 3, warmupSample: 1 },
  household: { name: 'household', users: 3, requestsPerUserPerDay: 3, warmupSample: 1 },
  small: { name: 'small', users: 50, requestsPerUserPerDay: 2, warmupSample: 1 },
  busy: { name: 'busy', users: 5000, requestsPerUserPerDay: 3, warmupSample: 1 },
  million: { name: 'million', users: 200_000, requestsPerUserPerDay: 5, warmupSample: 20 },
};

/** One user of the skill, as Alexa holds their link. */
export interface User {
  index: number;
  /** When the link dies (the server revoked it; Alexa cannot refresh): Infinity for a genuine user. */
  diesAt: number;
  /** The access token Alexa holds for the user. */
  token: IssuedToken;
  /** When the skill answered the user with an unlinking reply (Alexa dropped the link): the user sends nothing after. */
  unlinkedAt?: number;
  /** Dead users: the first request whose token the verifier rejected. */
  firstRejectedAt?: number;
  firstRejectionKind?: string;
  /** Dead users: the request the policy should have answered with the unlinking reply, and whether it did. */
  due?: { at: number; answered: boolean; why: string };
}

/** How many of `users` have a dead link for a dead-token share: at least one when the share is not 0. */
export function deadCount(users: number, share: number): number {
  return share > 0 ? Math.max(1, Math.round(share * users)) : 0;
}

/**
 * The users' requests as two Poisson streams, each the superposition of its users' (all at the
 * same rate): the users whose link will die, and the others. The gap to a stream's next request
 * is exponential with the mean of its population, and its user is drawn uniformly. (Two streams,
 * so that the warm-up can thin the live users' requests without touching the dead users'.)
 */
export class Traffic {
  readonly users: User[];
  /** A user's mean gap between two requests (ms). */
  readonly userGapMs: number;
  readonly dead: User[];
  /** The users whose link does not die. */
  readonly live: User[];
  readonly #rng: Random;

  constructor(
    profile: Profile,
    rng: Random,
    options: {
      deadShare: number;
      deadBacklog?: boolean | undefined;
      start: number;
      end: number;
      initialToken: (user: number, at: number) => IssuedToken;
    },
  ) {
    this.#rng = rng;
    const userGapMs = (this.userGapMs = DAY_MS / profile.requestsPerUserPerDay);
    const count = deadCount(profile.users, options.deadShare);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(rng.int(profile.users));
    // With a backlog, links also died before the run (at the same rate), and the dead users who
    // have not asked anything since are still there at the start: their deaths are that far back
    // (exponential with a user's mean gap between requests), in the share backlog / (backlog + run).
    const backlogShare = options.deadBacklog ? userGapMs / (userGapMs + (options.end - options.start)) : 0;
    this.users = [];
    for (let index = 0; index < profile.users; index++) {
      const diesAt = !chosen.has(index)
        ? Infinity
        : rng.next() < backlogShare
          ? options.start - rng.exponential(userGapMs)
          : rng.uniform(options.start, options.end);
      // The token Alexa holds at the start: issued at the user's last request before the run (or before the link died).
      const lastRequest = Math.min(options.start, diesAt) - rng.exponential(userGapMs);
      this.users.push({ index, diesAt, token: options.initialToken(index, lastRequest) });
    }
    this.dead = [...chosen].sort((a, b) => a - b).map((index) => this.users[index]!);
    this.live = this.users.filter((user) => !chosen.has(user.index));
  }

  /** The gap to the next request of anybody in `stream`, when one request in `sample` is simulated (ms); Infinity for an empty stream. */
  nextGap(stream: 'live' | 'dead', sample = 1): number {
    const users = stream === 'live' ? this.live : this.dead;
    return users.length === 0 ? Infinity : this.#rng.exponential((this.userGapMs * sample) / users.length);
  }

  /** Whose request it is, in `stream`. */
  pick(stream: 'live' | 'dead'): User {
    const users = stream === 'live' ? this.live : this.dead;
    return users[this.#rng.int(users.length)]!;
  }

  /**
   * After a thinned warm-up, the token each live user holds as if every request had gone through:
   * at the user's last request before `at` (exponential back, Poisson), Alexa refreshed the token
   * if it was within `refreshBeforeMs` of its expiry.
   */
  catchUpTokens(at: number, refreshBeforeMs: number, issue: (user: number, at: number) => IssuedToken): void {
    for (const user of this.live) {
      const last = at - this.#rng.exponential(this.userGapMs);
      if (last > user.token.issuedAt && last >= user.token.alexaExpiresAt - refreshBeforeMs)
        user.token = issue(user.index, last);
    }
  }
}
