/** One scenario, run end to end: the fleet, the users and the fault on the event queue under the virtual clock, and what came of it. */
import {
  DEFAULT_CONFIRM_AFTER_MS,
  LEDGER_BUCKET_MS,
  MemoryUnlinkLedger,
  type GateMetricEvent,
  type Logger,
} from '../../lib';
import { powerControllerDirective } from '../../lib/testing';
import { AlarmWindows, type AlarmWindow } from './alarms';
import { AuthorizationServer, keys } from './authorization-server';
import { VirtualClock } from './clock';
import { EventQueue } from './event-queue';
import { faultPlan, type FaultName } from './faults';
import { Fleet } from './fleet';
import { HOLD_ERROR_PREFIX, rejectionOf, type RejectionSeen } from './policy-adapter';
import { Random } from './random';
import { DAY_MS, HOUR_MS, PROFILES, Traffic, type ProfileName, type User } from './traffic';

/** Where every run starts: a Monday, midnight UTC (windows and buckets line up with it). */
export const SIMULATION_START = Date.UTC(2030, 0, 7);
/** Normal traffic before the fault, so that the breaker has a usual level (it looks back 24 h). */
export const WARMUP_MS = DAY_MS;
/** Alexa refreshes a token this long before the expiry it was told. */
export const REFRESH_BEFORE_MS = 60_000;
/** The unlinking replies of a directive skill: Alexa drops the link. */
const UNLINKING_TYPES = new Set(['INVALID_AUTHORIZATION_CREDENTIAL', 'EXPIRED_AUTHORIZATION_CREDENTIAL']);

export interface ScenarioSpec {
  profile: ProfileName;
  fault: FaultName;
  /** `partial`: the share of users whose tokens the skill cannot verify (0..1). */
  share?: number;
  /** The share of users whose link dies during the run (0..1). */
  deadShare: number;
  /** Whether links also died before the run (a backlog of dead tokens at the start, as in a fleet long running). */
  deadBacklog?: boolean;
  /** The measured time after the warm-up (the fault lasts all of it), ms. */
  durationMs: number;
  seed: number;
  /** Default {@link WARMUP_MS}. */
  warmupMs?: number;
  /** Default: the profile's. */
  warmupSample?: number;
  /** An access token's life, ms. Default: 1 h. */
  tokenLifeMs?: number;
}

export interface ScenarioResult {
  spec: ScenarioSpec;
  label: string;
  description: string;
  /** Requests in the measured period (after the warm-up), all through the gates. */
  requests: number;
  /** Requests through the gates in the whole run. */
  gateRequests: number;
  /** During the warm-up, one request in this many of a live user went through the gates (the cheaper path; 1 = all). */
  warmupSample: number;
  genuineUsers: number;
  genuineUnlinked: { withinConfirmAfter: number; within24h: number; measured: number; warmup: number };
  dead: {
    users: number;
    /** Dead users whose token was rejected at least once. */
    rejected: number;
    /** How their first rejections were judged: self-evident or suspected. */
    firstRejection: Record<string, number>;
    answered: number;
    waitsHours: { median?: number | undefined; p90?: number | undefined; max?: number | undefined };
    /** Dead users whose token was never answered with the unlinking reply by the end. */
    unanswered: number;
    /** Of those, the ones with a request due (self-evident, or past confirmAfter from the first rejection). */
    dueChecked: number;
    /** Due requests that did not get the unlinking reply, with why. */
    overdue: number;
    overdueWhy: Record<string, number>;
    /** Rejections of dead tokens more than 1 h past `exp` (a key we hold verified them) that the verifier did not call self-evident. */
    selfEvidentNotRecognised: number;
  };
  rejections: {
    total: number;
    selfEvident: number;
    suspected: number;
    unlinked: number;
    held: Record<string, number>;
    byClass: Record<string, number>;
  };
  alarms: {
    noFault: AlarmWindow[];
    noFaultHours: number;
    fault: AlarmWindow[];
    /** Minutes from the fault's start to the end of the first alarming window. */
    firstAlarmMinutes?: number;
    /** Minutes from the fault's first rejected request (its traffic) to the end of the first alarming window. */
    firstAlarmAfterTrafficMinutes?: number;
    busiestUnprovenWindow: number;
    busiestBreakerWindow: number;
  };
  /** The share of users the fault hits (declared, or measured: the share of genuine requests rejected while it lasts). */
  usersHit: number;
  usersHitMeasured: boolean;
  ledger: { readsPer1k: number; writesPer1k: number; reads: number; writes: number };
  /** Per reason class, the share of the measured period's 10-min ledger buckets some container marked breaker-open. */
  breakerOpenShare: Record<string, number>;
  holdErrorLines: number;
  coldStarts: number;
  peakContainers: number;
  tokensMinted: number;
  jwksFetches: number;
  /** Replies whose unlinking-ness disagreed with the metric event's outcome (should be 0). */
  inconsistencies: number;
  suppliedConfigurationVersion: boolean;
  confirmAfterMs: number;
  wallMs: number;
}

export function scenarioLabel(
  spec: Pick<ScenarioSpec, 'profile' | 'fault' | 'share' | 'deadShare' | 'tokenLifeMs'>,
): string {
  const fault = spec.fault === 'partial' ? `partial ${Math.round((spec.share ?? 0.5) * 1000) / 10}%` : spec.fault;
  const life =
    spec.tokenLifeMs !== undefined && spec.tokenLifeMs !== 3_600_000
      ? ` tokens ${Math.round(spec.tokenLifeMs / 3_600_000)}h`
      : '';
  return `${spec.profile} ${fault} dead ${Math.round(spec.deadShare * 1000) / 10}%${life}`;
}

/** A logger that writes nothing and counts the policy's hold ERROR lines. */
function quietLogger(): Logger & { holdErrors: number } {
  const logger = {
    debugEnabled: false,
    holdErrors: 0,
    debug() {},
    info() {},
    warn() {},
    error(message: string) {
      if (message.startsWith(HOLD_ERROR_PREFIX)) logger.holdErrors++;
    },
  };
  return logger;
}

type SimEvent = { type: 'arrival'; stream: 'live' | 'dead'; generation: number } | { type: 'fault' };

/** Runs one scenario. Installs the virtual clock and the JWKS fetch stub for the run, and restores both, however it ends. */
export async function runScenario(spec: ScenarioSpec): Promise<ScenarioResult> {
  const wallStart = process.hrtime.bigint();
  const profile = PROFILES[spec.profile];
  const plan = faultPlan(spec.fault, spec.share);
  const warmupMs = spec.warmupMs ?? WARMUP_MS;
  const sample = spec.warmupSample ?? profile.warmupSample;
  const confirmAfterMs = DEFAULT_CONFIRM_AFTER_MS;
  const start = SIMULATION_START;
  const faultStart = start + warmupMs;
  const end = faultStart + spec.durationMs;
  const rng = new Random(spec.seed);
  keys(); // made before the clock is virtual

  const server = new AuthorizationServer(keys().secretA, spec.tokenLifeMs);
  const initialConfig = plan.setup(server);
  const ledger = new MemoryUnlinkLedger();
  const logger = quietLogger();
  const alarms = new AlarmWindows();
  const clock = new VirtualClock(start);
  let last: GateMetricEvent | undefined;
  /** The first rejection after the fault's start: when the fault's traffic began, for "alarmed within 10 minutes of traffic". */
  let firstRejectionAfterFault: number | undefined;
  const metrics = {
    record(event: GateMetricEvent) {
      last = event;
      const rejection = rejectionOf(event);
      if (rejection && firstRejectionAfterFault === undefined && clock.now >= faultStart)
        firstRejectionAfterFault = clock.now;
      alarms.record(clock.now, rejection, event.outcome === 'linked');
    },
  };
  const fleet = new Fleet(initialConfig, { ledger, logger, metrics, rng: rng.fork() });
  const traffic = new Traffic(profile, rng.fork(), {
    deadShare: spec.deadShare,
    deadBacklog: spec.deadBacklog,
    start,
    end,
    initialToken: (user, at) => server.issue(user, at),
  });

  let requests = 0;
  let gateRequests = 0;
  let inconsistencies = 0;
  let selfEvidentNotRecognised = 0;
  const genuineUnlinks: number[] = [];
  const waits: number[] = [];
  const rejections = {
    total: 0,
    selfEvident: 0,
    suspected: 0,
    unlinked: 0,
    held: {} as Record<string, number>,
    byClass: {} as Record<string, number>,
  };
  let hitRequests = 0;
  let hitRejected = 0;
  let opsAtStart = { reads: 0, writes: 0 };

  const handle = async (user: User, now: number) => {
    if (user.unlinkedAt !== undefined) return; // Alexa dropped the link: the user sends nothing more
    const dead = now >= user.diesAt;
    if (!dead && now >= user.token.alexaExpiresAt - REFRESH_BEFORE_MS) user.token = server.issue(user.index, now);
    const measured = now >= faultStart;
    gateRequests++;
    if (measured) requests++;
    last = undefined;
    const reply = await fleet.handle(
      now,
      powerControllerDirective('TurnOn', { accessToken: server.jwtOf(user.token) }),
    );
    const event = last as GateMetricEvent | undefined;
    const type = (reply.event.payload as { type?: unknown }).type;
    const unlinking = typeof type === 'string' && UNLINKING_TYPES.has(type);
    if (unlinking !== (event?.outcome === 'invalid' || event?.outcome === 'expired')) inconsistencies++;
    const rejection: RejectionSeen | undefined = event && rejectionOf(event);
    if (rejection && measured) countRejection(rejections, rejection);
    if (!dead && measured) {
      hitRequests++;
      if (rejection) hitRejected++;
    }
    if (!dead) {
      if (unlinking) {
        user.unlinkedAt = now;
        genuineUnlinks.push(now);
      }
      return;
    }
    if (rejection && user.firstRejectedAt === undefined) {
      user.firstRejectedAt = now;
      user.firstRejectionKind = rejection.kind;
    }
    if (
      rejection?.kind === 'suspected' &&
      rejection.reasonClass === 'expired' &&
      now > (user.token.exp + 3600) * 1000 + 1000
    )
      selfEvidentNotRecognised++;
    if (
      user.firstRejectedAt !== undefined &&
      !user.due &&
      (rejection?.kind === 'self-evident' || now >= user.firstRejectedAt + confirmAfterMs)
    ) {
      const why = unlinking
        ? 'unlinked'
        : rejection
          ? `held ${rejection.hold} (${rejection.kind} ${rejection.reasonClass})`
          : `not rejected (${event?.outcome} ${event?.reasonClass})`;
      user.due = { at: now, answered: unlinking, why };
    }
    if (unlinking) {
      user.unlinkedAt = now;
      waits.push(now - user.firstRejectedAt!);
    }
  };

  const queue = new EventQueue<SimEvent>();
  queue.push(faultStart, { type: 'fault' });
  // The live users' stream is thinned in the warm-up (one request in `sample`), and restarted at full rate at its end.
  let liveGeneration = 0;
  queue.push(start + traffic.nextGap('live', sample), { type: 'arrival', stream: 'live', generation: liveGeneration });
  queue.push(start + traffic.nextGap('dead'), { type: 'arrival', stream: 'dead', generation: 0 });
  let breakerOpenShare: Record<string, number> = {};
  const restoreClock = clock.install();
  const restoreFetch = server.installFetch(() => clock.now);
  try {
    while (queue.peekTime() < end) {
      const { at, event } = queue.pop()!;
      clock.advanceTo(at);
      if (event.type === 'fault') {
        opsAtStart = { ...ledger.operations };
        if (sample > 1) {
          traffic.catchUpTokens(at, REFRESH_BEFORE_MS, (user, issuedAt) => server.issue(user, issuedAt));
          queue.push(at + traffic.nextGap('live'), { type: 'arrival', stream: 'live', generation: ++liveGeneration });
        }
        const deployed = plan.start(server, at);
        if (deployed) fleet.deploy(deployed);
        continue;
      }
      if (event.stream === 'live' && event.generation !== liveGeneration) continue; // the thinned stream, ended
      queue.push(at + traffic.nextGap(event.stream, event.stream === 'live' && at < faultStart ? sample : 1), event);
      await handle(traffic.pick(event.stream), at);
    }
    breakerOpenShare = await openShare(ledger, fleet.configurationVersion, faultStart, end);
  } finally {
    restoreFetch();
    restoreClock();
  }

  const genuineUsers = profile.users - traffic.dead.length;
  const dead = traffic.dead;
  const overdueWhy: Record<string, number> = {};
  for (const user of dead)
    if (user.due && !user.due.answered) overdueWhy[user.due.why] = (overdueWhy[user.due.why] ?? 0) + 1;
  const sorted = [...waits].sort((a, b) => a - b);
  const quantile = (q: number) =>
    sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! / HOUR_MS;
  const noFaultFrom = spec.fault === 'none' ? faultStart : sample === 1 ? start + HOUR_MS : faultStart;
  const noFaultTo = spec.fault === 'none' ? end : faultStart;
  const faultAlarms = spec.fault === 'none' ? [] : alarms.alarms(faultStart, end);
  const measuredOps = {
    reads: ledger.operations.reads - opsAtStart.reads,
    writes: ledger.operations.writes - opsAtStart.writes,
  };
  const per1k = (n: number) => (requests === 0 ? 0 : (n / requests) * 1000);
  const usersHitMeasured = plan.usersHit === 'measured';
  return {
    spec,
    label: scenarioLabel(spec),
    description: plan.description,
    requests,
    gateRequests,
    warmupSample: sample,
    genuineUsers,
    genuineUnlinked: {
      withinConfirmAfter: genuineUnlinks.filter((at) => at >= faultStart && at <= faultStart + confirmAfterMs).length,
      within24h: genuineUnlinks.filter((at) => at >= faultStart && at <= faultStart + DAY_MS).length,
      measured: genuineUnlinks.filter((at) => at >= faultStart).length,
      warmup: genuineUnlinks.filter((at) => at < faultStart).length,
    },
    dead: {
      users: dead.length,
      rejected: dead.filter((user) => user.firstRejectedAt !== undefined).length,
      firstRejection: dead.reduce<Record<string, number>>((kinds, user) => {
        if (user.firstRejectionKind) kinds[user.firstRejectionKind] = (kinds[user.firstRejectionKind] ?? 0) + 1;
        return kinds;
      }, {}),
      answered: waits.length,
      waitsHours: { median: quantile(0.5), p90: quantile(0.9), max: quantile(1) },
      unanswered: dead.filter((user) => user.unlinkedAt === undefined).length,
      dueChecked: dead.filter((user) => user.due).length,
      overdue: dead.filter((user) => user.due && !user.due.answered).length,
      overdueWhy,
      selfEvidentNotRecognised,
    },
    rejections,
    alarms: {
      noFault: alarms.alarms(noFaultFrom, noFaultTo),
      noFaultHours: Math.max(0, noFaultTo - noFaultFrom) / HOUR_MS,
      fault: faultAlarms,
      ...(faultAlarms.length > 0 ? { firstAlarmMinutes: (faultAlarms[0]!.end - faultStart) / 60_000 } : {}),
      ...(faultAlarms.length > 0 && firstRejectionAfterFault !== undefined
        ? { firstAlarmAfterTrafficMinutes: Math.max(0, (faultAlarms[0]!.end - firstRejectionAfterFault) / 60_000) }
        : {}),
      busiestUnprovenWindow: alarms.busiestWindow('unproven', faultStart, end),
      busiestBreakerWindow: alarms.busiestWindow('breaker', faultStart, end),
    },
    usersHit: usersHitMeasured ? (hitRequests === 0 ? 0 : hitRejected / hitRequests) : (plan.usersHit as number),
    usersHitMeasured,
    ledger: { readsPer1k: per1k(measuredOps.reads), writesPer1k: per1k(measuredOps.writes), ...measuredOps },
    breakerOpenShare,
    holdErrorLines: logger.holdErrors,
    coldStarts: fleet.coldStarts,
    peakContainers: fleet.peakContainers,
    tokensMinted: server.minted,
    jwksFetches: server.jwksFetches,
    inconsistencies,
    suppliedConfigurationVersion: fleet.suppliedVersion,
    confirmAfterMs,
    wallMs: Number(process.hrtime.bigint() - wallStart) / 1e6,
  };
}

/** Per reason class, the share of the ledger's buckets in [from, to) marked breaker-open (read while the clock is still virtual). */
async function openShare(
  ledger: MemoryUnlinkLedger,
  version: string | undefined,
  from: number,
  to: number,
): Promise<Record<string, number>> {
  if (version === undefined) return {};
  const starts: number[] = [];
  for (let at = Math.ceil(from / LEDGER_BUCKET_MS) * LEDGER_BUCKET_MS; at < to; at += LEDGER_BUCKET_MS) starts.push(at);
  if (starts.length === 0) return {};
  const { open } = await ledger.readFleet(version, starts);
  const share: Record<string, number> = {};
  for (const classes of Object.values(open))
    for (const reasonClass of classes) share[reasonClass] = (share[reasonClass] ?? 0) + 1 / starts.length;
  return share;
}

function countRejection(counts: ScenarioResult['rejections'], rejection: RejectionSeen): void {
  counts.total++;
  if (rejection.kind === 'self-evident') counts.selfEvident++;
  else counts.suspected++;
  if (rejection.fate === 'unlinked') counts.unlinked++;
  else counts.held[rejection.hold ?? '?'] = (counts.held[rejection.hold ?? '?'] ?? 0) + 1;
  counts.byClass[rejection.reasonClass] = (counts.byClass[rejection.reasonClass] ?? 0) + 1;
}
