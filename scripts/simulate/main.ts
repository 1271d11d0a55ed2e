/**
 * `npm run simulate`: the unlinking policy of the REAL gates under simulated Lambda fleets, users, dead links and faults, on a virtual clock.
 *
 * Assumptions of the model (printed again at the top of every report, see report.ts `assumptions()`):
 * - Users' requests are Poisson (two superposed streams, users whose link dies and the others, the
 *   user drawn uniformly in each); profiles one-user
 *   (1 × 3/day), household (3 × 3/day), small (50 × 2/day), busy (5,000 × 3/day), million
 *   (200,000 × 5/day = 1M requests a day).
 * - Each request is a smart home directive (Alexa.PowerController.TurnOn) to a directive skill built
 *   with directiveSkillBuilder + withAccountLinking and a JwtVerifier: the library's public API. The
 *   unlinking reply (INVALID_/EXPIRED_AUTHORIZATION_CREDENTIAL) is read from the skill's answer.
 * - Access tokens are JWTs with a 1 h life by default (HS256, or ES256 with a P-256 key, cheaper to
 *   sign than RSA 2048 for the million profile); Alexa refreshes a token at a request
 *   when it is within 60 s of the expiry it was told, by the true clock.
 * - Dead links: a share of users (at least one when the share is not 0) dies at a uniform time over
 *   the whole run; Alexa keeps sending the last token until an unlinking reply, after which the
 *   user sends nothing. With the backlog (fault scenarios, and a few no-fault ones), links also died
 *   before the run, and the dead tokens a long-running fleet has are there at the start.
 * - Lambda: the most recently used idle container takes a request, else a cold one starts (a new
 *   verifier and skill; one MemoryUnlinkLedger shared by all stands for the DynamoDB table); idle
 *   containers are reaped after U(5, 15) min and recycled U(2, 6) h after they start; a request keeps
 *   its container busy U(40, 60) ms but is processed at its arrival time.
 * - Faults start after 24 h of normal traffic (the breaker's usual level) and last the measured duration.
 * - million: in the warm-up only 1 in 20 requests of live users is simulated (their tokens are brought
 *   up to date at its end); every dead user's request is. After it, every request: 6 h with no fault,
 *   3 h with a fault (3 × confirmAfter).
 * - Alarms are the template's, emulated on the gate's metric events (5-min breaker, 10-min unproven windows).
 *
 * Flags: --profile, --fault, --share (percent, partial), --dead (percent), --duration (90m, 24h, 7d),
 * --seed, --token-life (default 1h), --dead-backlog / --no-dead-backlog (default: on with a fault, off without), --json, --check (exit 1 when a goal is missed), --jobs (parallel processes).
 * No scenario flag: every default scenario, with fixed seeds.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { FAULTS, type FaultName } from './faults';
import { assumptions, goalLines, goals, notes, table } from './report';
import { runScenario, scenarioLabel, type ScenarioResult, type ScenarioSpec } from './scenario';
import { DAY_MS, HOUR_MS, PROFILE_NAMES, type ProfileName } from './traffic';

const DEAD_SHARES = [0.001, 0.01, 0.05];
const PARTIAL_SHARES = [0.05, 0.1, 0.5, 0.99];

/** How long a profile's no-fault scenarios run (long enough to measure dead-token waits), and its fault scenarios. */
const NONE_DURATION: Record<ProfileName, number> = {
  'one-user': 30 * DAY_MS,
  household: 30 * DAY_MS,
  small: 7 * DAY_MS,
  busy: 2 * DAY_MS,
  million: 6 * HOUR_MS,
};
const FAULT_DURATION: Record<ProfileName, number> = {
  'one-user': 7 * DAY_MS,
  household: 7 * DAY_MS,
  small: 2 * DAY_MS,
  busy: DAY_MS,
  million: 3 * HOUR_MS,
};
/** Dead links in fault scenarios: none for the tiny profiles (their one dead user would be most of them), 1 % elsewhere. */
const FAULT_DEAD: Record<ProfileName, number> = { 'one-user': 0, household: 0, small: 0.01, busy: 0.01, million: 0.01 };

/** A seed fixed per scenario (FNV-1a of its label), so adding a scenario does not change the others. */
function seedOf(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

function spec(
  profile: ProfileName,
  fault: FaultName,
  deadShare: number,
  extra: Partial<ScenarioSpec> = {},
): ScenarioSpec {
  const base = { profile, fault, deadShare, ...(fault === 'partial' ? { share: extra.share ?? 0.5 } : {}) };
  const label =
    scenarioLabel({ ...base, ...(extra.tokenLifeMs !== undefined ? { tokenLifeMs: extra.tokenLifeMs } : {}) }) +
    (extra.deadBacklog ? ' backlog' : '');
  return {
    ...base,
    durationMs: fault === 'none' ? NONE_DURATION[profile] : FAULT_DURATION[profile],
    seed: seedOf(label),
    ...extra,
  };
}

/**
 * Every default scenario: each profile with no fault at each dead-token share (dead links from the
 * run's start, as briefed; plus a steady-state backlog variant for busy 5 % and million 1 %, 5 %);
 * the small profiles with wrong-secret and partial 50 %; busy with every fault, million with every
 * fault but partial 10 % and 99 % (time). Fault scenarios run with the backlog: the warm-up is
 * there to give the breaker a steady usual level.
 */
export function defaultScenarios(): ScenarioSpec[] {
  const list: ScenarioSpec[] = [];
  for (const profile of PROFILE_NAMES) for (const dead of DEAD_SHARES) list.push(spec(profile, 'none', dead));
  list.push(spec('busy', 'none', 0.05, { deadBacklog: true }));
  list.push(spec('million', 'none', 0.01, { deadBacklog: true }));
  list.push(spec('million', 'none', 0.05, { deadBacklog: true }));
  for (const profile of ['one-user', 'household', 'small'] as const) {
    list.push(spec(profile, 'wrong-secret', FAULT_DEAD[profile], { deadBacklog: true }));
    list.push(spec(profile, 'partial', FAULT_DEAD[profile], { share: 0.5, deadBacklog: true }));
  }
  // Tokens that live a day: a genuine user's token can be rejected twice an hour apart, so the
  // breaker, not the token's refresh, is what keeps a partial or rotated-key fault from unlinking.
  for (const fault of ['partial', 'rotated-key'] as const) {
    list.push(
      spec('busy', fault, FAULT_DEAD.busy, {
        ...(fault === 'partial' ? { share: 0.1 } : {}),
        deadBacklog: true,
        tokenLifeMs: DAY_MS,
      }),
    );
  }
  for (const profile of ['busy', 'million'] as const) {
    for (const fault of FAULTS) {
      if (fault === 'none') continue;
      const shares = profile === 'million' ? [0.05, 0.5] : PARTIAL_SHARES;
      if (fault === 'partial')
        for (const share of shares) list.push(spec(profile, fault, FAULT_DEAD[profile], { share, deadBacklog: true }));
      else list.push(spec(profile, fault, FAULT_DEAD[profile], { deadBacklog: true }));
    }
  }
  return list;
}

interface Flags {
  profile?: ProfileName;
  fault?: FaultName;
  share?: number;
  dead?: number;
  durationMs?: number;
  seed?: number;
  deadBacklog?: boolean;
  tokenLifeMs?: number;
  json: boolean;
  check: boolean;
  jobs: number;
}

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`--duration: "${text}" is not like 90m, 24h or 7d`);
  return Number(match[1]) * { m: 60_000, h: HOUR_MS, d: DAY_MS }[match[2] as 'm' | 'h' | 'd'];
}

function percent(name: string, text: string): number {
  const value = Number(text.replace(/%$/, ''));
  if (!Number.isFinite(value) || value < 0 || value > 100)
    throw new Error(`--${name}: "${text}" is not a percentage from 0 to 100`);
  return value / 100;
}

export function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = { json: false, check: false, jobs: Math.max(1, Math.min(availableParallelism(), 4)) };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--profile': {
        const v = value();
        if (!(PROFILE_NAMES as readonly string[]).includes(v))
          throw new Error(`--profile: one of ${PROFILE_NAMES.join(', ')}`);
        flags.profile = v as ProfileName;
        break;
      }
      case '--fault': {
        const v = value();
        if (!(FAULTS as readonly string[]).includes(v)) throw new Error(`--fault: one of ${FAULTS.join(', ')}`);
        flags.fault = v as FaultName;
        break;
      }
      case '--share':
        flags.share = percent('share', value());
        break;
      case '--dead':
        flags.dead = percent('dead', value());
        break;
      case '--duration':
        flags.durationMs = parseDuration(value());
        break;
      case '--seed':
        flags.seed = Number(value()) >>> 0;
        break;
      case '--jobs':
        flags.jobs = Math.max(1, Number(value()) | 0);
        break;
      case '--token-life':
        flags.tokenLifeMs = parseDuration(value());
        break;
      case '--dead-backlog':
        flags.deadBacklog = true;
        break;
      case '--no-dead-backlog':
        flags.deadBacklog = false;
        break;
      case '--json':
        flags.json = true;
        break;
      case '--check':
        flags.check = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(
          'npm run simulate -- [--profile one-user|household|small|busy|million] [--fault none|wrong-secret|wrong-key|partial|rotated-key|clock-behind|stale-jwks] [--share 50] [--dead 1] [--duration 24h] [--seed 1] [--token-life 1h] [--dead-backlog|--no-dead-backlog] [--json] [--check] [--jobs 2]\n',
        );
        process.exit(0);
      default:
        throw new Error(`unknown flag ${name} (see --help)`);
    }
  }
  return flags;
}

/** The scenarios the flags ask for: one, if any scenario flag is given, else every default one. */
export function scenariosOf(flags: Flags): ScenarioSpec[] {
  const single =
    flags.profile ??
    flags.fault ??
    flags.share ??
    flags.dead ??
    flags.durationMs ??
    flags.seed ??
    flags.deadBacklog ??
    flags.tokenLifeMs;
  if (single === undefined) return defaultScenarios();
  const profile = flags.profile ?? 'busy';
  const fault = flags.fault ?? 'none';
  const base = spec(profile, fault, flags.dead ?? (fault === 'none' ? 0.01 : FAULT_DEAD[profile]), {
    ...(flags.share !== undefined ? { share: flags.share } : {}),
    // The backlog by default with a fault (a steady usual level), not without (dead links from the start, as briefed).
    ...((flags.deadBacklog ?? fault !== 'none') ? { deadBacklog: true } : {}),
  });
  return [
    {
      ...base,
      ...(flags.durationMs !== undefined ? { durationMs: flags.durationMs } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.tokenLifeMs !== undefined ? { tokenLifeMs: flags.tokenLifeMs } : {}),
    },
  ];
}

/** Runs the scenarios, `jobs` at a time in child processes (each its own clock and globals), in the given order. */
async function runAll(
  specs: readonly ScenarioSpec[],
  jobs: number,
  progress: (done: number, result: ScenarioResult) => void,
): Promise<ScenarioResult[]> {
  if (jobs <= 1 || specs.length === 1) {
    const results: ScenarioResult[] = [];
    for (const s of specs) {
      const result = await runScenario(s);
      results.push(result);
      progress(results.length, result);
    }
    return results;
  }
  const results: ScenarioResult[] = new Array(specs.length);
  // Longest first (million), so that the pool ends together.
  const order = specs.map((_s, i) => i).sort((a, b) => weight(specs[b]!) - weight(specs[a]!));
  let next = 0;
  let done = 0;
  const worker = () =>
    new Promise<void>((resolve, reject) => {
      const child = fork(__filename, ['--worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const give = () => {
        if (next >= order.length) {
          child.disconnect();
          return;
        }
        const index = order[next++]!;
        child.send({ index, spec: specs[index] });
      };
      child.on('message', (message: { index: number; result: ScenarioResult }) => {
        results[message.index] = message.result;
        progress(++done, message.result);
        give();
      });
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`a simulation worker exited with ${code}`)),
      );
      child.on('error', reject);
      give();
    });
  await Promise.all(Array.from({ length: Math.min(jobs, specs.length) }, worker));
  return results;
}

function weight(s: ScenarioSpec): number {
  return s.profile === 'million'
    ? 1e9 + s.durationMs
    : s.profile === 'busy'
      ? 1e6 + s.durationMs / 1000
      : s.durationMs / 1e6;
}

async function main(): Promise<void> {
  if (process.argv.includes('--worker')) {
    process.on('message', (message: { index: number; spec: ScenarioSpec }) => {
      runScenario(message.spec).then(
        (result) => process.send!({ index: message.index, result }),
        (error: unknown) => {
          process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
          process.exit(1);
        },
      );
    });
    return;
  }
  let flags: Flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const specs = scenariosOf(flags);
  const started = process.hrtime.bigint();
  const results = await runAll(specs, flags.jobs, (done, result) => {
    if (!flags.json)
      process.stderr.write(
        `  [${done}/${specs.length}] ${result.label}${result.spec.deadBacklog ? ' backlog' : ''}: ${(result.wallMs / 1000).toFixed(1)} s\n`,
      );
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const checked = goals(results);
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ assumptions: assumptions(), wallSeconds, results, goals: checked }, null, 2)}\n`,
    );
  } else {
    const out = [
      'Unlinking policy simulation: the real gates (directive skill, JwtVerifier, UnlinkingPolicy on one shared MemoryUnlinkLedger) on a virtual clock.',
      '',
      'Assumptions:',
      ...assumptions().map((line) => `  - ${line}`),
      '',
      table(results),
      '',
      'Notes per scenario:',
      ...notes(results).map((line) => `  ${line}`),
      '',
      'Goals:',
      ...goalLines(checked).map((line) => `  ${line}`),
      '',
      `${results.length} scenarios, ${results.reduce((n, r) => n + r.gateRequests, 0)} requests through the gates, wall time ${wallSeconds.toFixed(1)} s (${flags.jobs} processes).`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  }
  if (flags.check && checked.some((g) => !g.met)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
