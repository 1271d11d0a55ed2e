/** The report: the assumptions, one table of the scenarios, notes on what the policy did, and the goals met or missed. */
import { BREAKER_ALARM, UNPROVEN_ALARM } from './alarms';
import { IDLE_REAP_MS, RECYCLE_MS, REQUEST_MS } from './fleet';
import { ISSUER_CLOCK_BEHIND_MS, STALE_JWKS_MS } from './faults';
import type { ScenarioResult } from './scenario';
import { PROFILES, PROFILE_NAMES } from './traffic';

const WEEK_HOURS = 168;

/** What the model assumes, one line each: printed at the top of every report (and in --json). */
export function assumptions(): string[] {
  const profiles = PROFILE_NAMES.map(
    (name) => `${name} ${PROFILES[name].users} users × ${PROFILES[name].requestsPerUserPerDay}/day`,
  ).join(', ');
  return [
    `Users: ${profiles}; each user's requests are a Poisson process (simulated as two superposed streams, users whose link dies and the others, the user drawn uniformly in each). The SuspectedRejections anomaly alarm of the template is not emulated.`,
    'Every request is Alexa.PowerController.TurnOn to a directive skill built with directiveSkillBuilder + withAccountLinking and a JwtVerifier (issuer/audience fixed); the reply is the outcome.',
    `Tokens: JWT with a 1 h life by default (HS256 with a secret, or ES256 with a P-256 key: cheaper to sign than RSA 2048, on the same verifier path; no verdict depends on it). Alexa refreshes a token at a request when it is within 60 s of the expiry it was told (true clock).`,
    "Dead links: the given share of users (at least 1 when the share is not 0) dies at a uniform time over the whole run (warm-up included); Alexa then sends the last token forever, until an unlinking reply (then the user sends nothing more). The wait is from the token's first rejected request to that reply. A genuine user who gets an unlinking reply is counted and sends nothing more either.",
    "Backlog (every fault scenario, where the warm-up is to give the breaker a steady usual level, and the rows marked backlog): links also died before the run, at the same rate; those not asked since are dead at the start (age exponential with a user's mean gap between requests), as in a fleet long running.",
    `Lambda: a request goes to the most recently used idle warm container, else a cold one (a new verifier and skill; the ledger is the one shared MemoryUnlinkLedger, standing for the table). Idle containers are reaped after U(${IDLE_REAP_MS[0] / 60000}, ${IDLE_REAP_MS[1] / 60000}) min, recycled U(${RECYCLE_MS[0] / 3_600_000}, ${RECYCLE_MS[1] / 3_600_000}) h after they start; a request keeps its container busy U(${REQUEST_MS[0]}, ${REQUEST_MS[1]}) ms (a request is processed at its arrival time; concurrent requests only take other containers). getRemainingTimeInMillis() = 8000.`,
    'Clock: Date.now and performance.now read the virtual clock during a run (restored after); the JWKS URL is a stub of global fetch answered by the virtual server (other URLs untouched).',
    `Faults start after a 24 h warm-up of normal traffic and last the whole measured duration: wrong-secret/wrong-key (a deploy replacing every container), partial (JWKS with keys A and B, then a deploy of a static key A; the share of users signed with B fail), rotated-key (server signs with B; skill keeps static A), clock-behind (issuer ${ISSUER_CLOCK_BEHIND_MS / 60000} min behind), stale-jwks (new kid; JWKS answers a stale copy for ${STALE_JWKS_MS / 60000} min).`,
    "million (the cheaper path): during the warm-up only 1 in 20 of the live users' requests is simulated; at its end each live user's token is brought up to date as if all had been (refreshed at the user's last request before, drawn from the Poisson process). Every request of a user whose link dies is simulated, so the ledger's first rejections (the breaker's usual level) and proofs are the full traffic's. After the warm-up every request goes through the gates: 6 h with no fault, 3 h with a fault.",
    `Alarms (emulated on the metric events): breaker = a ${BREAKER_ALARM.windowMs / 60000}-min window with ≥ ${BREAKER_ALARM.minDecisions} decisions and held-by-breaker ≥ ${BREAKER_ALARM.heldShare * 100} %; unproven = a ${UNPROVEN_ALARM.windowMs / 60000}-min window with a rejection held unproven and no token accepted, or with ≥ ${UNPROVEN_ALARM.minDecisions} decisions and held-unproven ≥ ${UNPROVEN_ALARM.heldShare * 100} %. "No fault" windows: the measured period of 'none' scenarios, and the warm-up (after its first hour) of fault scenarios not thinned. "Alarm after": minutes from the fault's first rejected request (its traffic) to the end of the first alarming window.`,
    "Genuine users unlinked: users whose link is alive and who got an unlinking reply, counted from the fault's start (from the warm-up's end for none): within confirmAfter (1 h) and within 24 h.",
    'Dead-token check: for each dead token, the first request that is self-evident or at least confirmAfter after its first rejection must get the unlinking reply; "overdue" counts those that did not.',
  ];
}

function hours(value: number | undefined): string {
  return value === undefined ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** The table: one line per scenario. */
export function table(results: readonly ScenarioResult[]): string {
  const head = [
    'scenario',
    'dur',
    'requests',
    'genuine unl. ≤1h/≤24h',
    'dead wait h med/p90/max',
    'unans.(overdue)/dead',
    'alarms nofault/fault',
    'alarm after (min)',
    'ledger r/w per 1k',
    'wall s',
  ];
  const rows = results.map((r) => [
    r.label + (r.spec.deadBacklog ? ' backlog' : ''),
    duration(r.spec.durationMs),
    String(r.requests),
    r.spec.fault === 'none'
      ? `${r.genuineUnlinked.measured} (none)`
      : `${r.genuineUnlinked.withinConfirmAfter} / ${r.genuineUnlinked.within24h}`,
    `${hours(r.dead.waitsHours.median)} / ${hours(r.dead.waitsHours.p90)} / ${hours(r.dead.waitsHours.max)}`,
    `${r.dead.unanswered}(${r.dead.overdue})/${r.dead.users}`,
    `${r.alarms.noFault.length} / ${r.spec.fault === 'none' ? '-' : r.alarms.fault.length}`,
    r.spec.fault === 'none'
      ? '-'
      : r.alarms.firstAlarmAfterTrafficMinutes === undefined
        ? 'never'
        : `${Math.round(r.alarms.firstAlarmAfterTrafficMinutes)} min`,
    `${r.ledger.readsPer1k.toFixed(1)} / ${r.ledger.writesPer1k.toFixed(1)}`,
    (r.wallMs / 1000).toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => pad(cell, widths[i]!, i > 0 && i !== 3)).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

export function duration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${Math.round(ms / 60_000)}m`;
}

/** Per scenario, what the policy did that the table does not show: holds by reason, breaker-open time, ERROR lines. */
export function notes(results: readonly ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const held =
      Object.entries(r.rejections.held)
        .map(([hold, n]) => `${hold} ${n}`)
        .join(', ') || 'none';
    const open =
      Object.entries(r.breakerOpenShare)
        .map(([reasonClass, share]) => `${reasonClass} ${Math.round(share * 100)}%`)
        .join(', ') || 'never';
    const overdue = Object.entries(r.dead.overdueWhy)
      .map(([why, n]) => `${n}× ${why}`)
      .join('; ');
    const parts = [
      `rejections ${r.rejections.total} (self-evident ${r.rejections.selfEvident}, suspected ${r.rejections.suspected}; unlinked ${r.rejections.unlinked}; held: ${held})`,
      `breaker open (share of measured 10-min buckets): ${open}`,
      `dead tokens' first rejections: ${
        Object.entries(r.dead.firstRejection)
          .map(([kind, n]) => `${kind} ${n}`)
          .join(', ') || 'none'
      }`,
      `hold ERROR lines ${r.holdErrorLines}`,
      `cold starts ${r.coldStarts}, peak containers ${r.peakContainers}`,
      ...(r.spec.fault !== 'none'
        ? [
            `users hit ${Math.round(r.usersHit * 1000) / 10}%${r.usersHitMeasured ? ' (measured: genuine requests rejected)' : ''}`,
          ]
        : []),
      ...(overdue ? [`overdue: ${overdue}`] : []),
      ...(r.dead.selfEvidentNotRecognised
        ? [`${r.dead.selfEvidentNotRecognised} rejections > 1 h past exp not called self-evident`]
        : []),
      ...(r.genuineUnlinked.warmup ? [`${r.genuineUnlinked.warmup} genuine users unlinked during the warm-up`] : []),
      ...(r.inconsistencies ? [`${r.inconsistencies} replies disagreeing with the metric event`] : []),
      ...(r.suppliedConfigurationVersion
        ? ['the verifier had no configurationVersion: the simulation supplied one']
        : []),
      ...(r.warmupSample > 1 ? [`warm-up: 1 in ${r.warmupSample} live users' requests simulated`] : []),
    ];
    lines.push(`${r.label}${r.spec.deadBacklog ? ' backlog' : ''}: ${parts.join('; ')}`);
  }
  return lines;
}

export interface Goal {
  goal: string;
  met: boolean;
  /** Scenarios checked, and what missed. */
  checked: number;
  misses: string[];
}

/** The goals, each checked over the scenarios it applies to. */
export function goals(results: readonly ScenarioResult[]): Goal[] {
  const faults = results.filter((r) => r.spec.fault !== 'none');
  const goal = (
    text: string,
    applies: readonly ScenarioResult[],
    miss: (r: ScenarioResult) => string | undefined,
  ): Goal => {
    const misses = applies.map((r) => miss(r)).filter((m): m is string => m !== undefined);
    return { goal: text, met: misses.length === 0, checked: applies.length, misses };
  };
  const list: Goal[] = [
    goal("No genuine user unlinked within confirmAfter (1 h) of a fault's start, for every fault", faults, (r) =>
      r.genuineUnlinked.withinConfirmAfter > 0
        ? `${r.label}: ${r.genuineUnlinked.withinConfirmAfter} unlinked`
        : undefined,
    ),
    goal(
      'No genuine user unlinked over 24 h (million: its whole run) for faults hitting ≥ 5 % at busy and million',
      faults.filter((r) => (r.spec.profile === 'busy' || r.spec.profile === 'million') && r.usersHit >= 0.05),
      (r) => (r.genuineUnlinked.within24h > 0 ? `${r.label}: ${r.genuineUnlinked.within24h} unlinked` : undefined),
    ),
    goal(
      'No genuine user unlinked at all with no fault',
      results.filter((r) => r.spec.fault === 'none'),
      (r) =>
        r.genuineUnlinked.measured + r.genuineUnlinked.warmup > 0
          ? `${r.label}: ${r.genuineUnlinked.measured + r.genuineUnlinked.warmup} unlinked`
          : undefined,
    ),
    goal(
      'With no fault, every dead token answered at its first request confirmAfter after its first rejection (self-evident ones at once)',
      results.filter((r) => r.spec.fault === 'none'),
      (r) =>
        r.dead.overdue > 0
          ? `${r.label}${r.spec.deadBacklog ? ' backlog' : ''}: ${r.dead.overdue} of ${r.dead.dueChecked} due tokens not answered (${Object.entries(
              r.dead.overdueWhy,
            )
              .map(([why, n]) => `${n}× ${why}`)
              .join('; ')})`
          : undefined,
    ),
  ];
  const perProfile: string[] = [];
  let profilesChecked = 0;
  for (const profile of PROFILE_NAMES) {
    const mine = results.filter((r) => r.spec.profile === profile && r.alarms.noFaultHours > 0);
    if (mine.length === 0) continue;
    profilesChecked++;
    const windows = mine.reduce((n, r) => n + r.alarms.noFault.length, 0);
    const hoursSeen = mine.reduce((n, r) => n + r.alarms.noFaultHours, 0);
    const perWeek = (windows / hoursSeen) * WEEK_HOURS;
    if (perWeek > 1)
      perProfile.push(
        `${profile}: ${windows} alarm windows in ${Math.round(hoursSeen)} h with no fault (${perWeek.toFixed(1)} per week)`,
      );
  }
  list.push({
    goal: 'Alarm windows with no fault ≤ 1 per week, in every profile',
    met: perProfile.length === 0,
    checked: profilesChecked,
    misses: perProfile,
  });
  list.push(
    goal(
      'Faults hitting ≥ 10 % of users alarmed within 10 min of their traffic (the first rejected request after the fault began)',
      faults.filter((r) => r.usersHit >= 0.1),
      (r) => {
        const after = r.alarms.firstAlarmAfterTrafficMinutes;
        if (after !== undefined && after <= 10) return undefined;
        const when =
          after === undefined
            ? 'never alarmed'
            : `first alarm ${Math.round(after)} min after the fault's first rejected request`;
        const quiet =
          r.alarms.busiestUnprovenWindow < UNPROVEN_ALARM.minDecisions &&
          r.alarms.busiestBreakerWindow < BREAKER_ALARM.minDecisions
            ? ` (too quiet to alarm: at most ${r.alarms.busiestUnprovenWindow} decisions in a 10-min window)`
            : '';
        return `${r.label}: ${when}${quiet}`;
      },
    ),
  );
  return list;
}

/** The goals as text: met or MISSED, and each miss. */
export function goalLines(list: readonly Goal[]): string[] {
  const lines: string[] = [];
  for (const g of list) {
    lines.push(`${g.met ? 'met   ' : 'MISSED'}  ${g.goal} (${g.checked} checked)`);
    for (const miss of g.misses) lines.push(`          - ${miss}`);
  }
  return lines;
}
