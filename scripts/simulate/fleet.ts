/** The Lambda fleet: containers started cold, kept warm, reaped when idle and recycled after hours, each a fresh skill on the shared ledger. */
import {
  directiveSkillBuilder,
  JwtVerifier,
  withAccountLinking,
  type AlexaEvent,
  type DirectiveEnvelope,
  type GateMetrics,
  type Logger,
  type UnlinkLedger,
} from '../../lib';
import { AUDIENCE, ISSUER, JWKS_URI } from './authorization-server';
import type { VerifierConfig } from './faults';
import { settingsHash, unlinkingGateOption, verifierConfigurationVersion } from './policy-adapter';
import type { Random } from './random';

/** An idle container is reaped after an idle time drawn uniformly in this range (ms). */
export const IDLE_REAP_MS: [number, number] = [5 * 60_000, 15 * 60_000];
/** A container is recycled this long after it started, drawn uniformly (ms). */
export const RECYCLE_MS: [number, number] = [2 * 3_600_000, 6 * 3_600_000];
/** How long a request keeps its container busy, drawn uniformly (ms). */
export const REQUEST_MS: [number, number] = [40, 60];
/** What the Lambda context's getRemainingTimeInMillis answers. */
export const REMAINING_TIME_MS = 8000;

/** The JwtVerifier of a configuration, as a container builds it at its cold start. */
export function makeVerifier(config: VerifierConfig): JwtVerifier {
  const common = { issuer: ISSUER, audience: AUDIENCE } as const;
  switch (config.kind) {
    case 'secret':
      return new JwtVerifier({ ...common, secret: config.key.secret!, algorithms: ['HS256'] });
    case 'public-key':
      return new JwtVerifier({ ...common, publicKey: config.key.publicPem!, algorithms: ['ES256'] });
    case 'jwks':
      return new JwtVerifier({ ...common, jwksUri: JWKS_URI, algorithms: ['ES256'] });
  }
}

function configSettings(config: VerifierConfig): unknown {
  const key = config.kind === 'jwks' ? JWKS_URI : (config.key.secret ?? config.key.publicPem);
  return { kind: config.kind, key, issuer: ISSUER, audience: AUDIENCE };
}

interface Container {
  id: number;
  invoke: (event: unknown, context?: unknown) => Promise<AlexaEvent>;
  startedAt: number;
  recycleAt: number;
  /** When its last request ends (ms); it is busy until then. */
  busyUntil: number;
  /** How long it may stay idle after its last request before it is reaped. */
  idleLimitMs: number;
  requests: number;
}

export interface FleetOptions {
  ledger: UnlinkLedger;
  logger: Logger;
  metrics: GateMetrics;
  rng: Random;
}

/** The containers of one Lambda function, all on the configuration deployed last. */
export class Fleet {
  #config: VerifierConfig;
  #containers: Container[] = [];
  readonly #options: FleetOptions;
  readonly #context = { getRemainingTimeInMillis: () => REMAINING_TIME_MS };
  /** Containers started (cold starts), in all. */
  coldStarts = 0;
  /** The most containers alive at once. */
  peakContainers = 0;
  /** Whether the verifiers had no configuration version of their own (the simulation supplied one). */
  suppliedVersion = false;
  /** The configuration version the last container started under. */
  configurationVersion: string | undefined;

  constructor(config: VerifierConfig, options: FleetOptions) {
    this.#config = config;
    this.#options = options;
  }

  /** A deploy of `config`: every container is replaced (new requests start new ones). */
  deploy(config: VerifierConfig): void {
    this.#config = config;
    this.#containers = [];
  }

  get containers(): number {
    return this.#containers.length;
  }

  /** Handles one request arriving at `now` (the clock reads `now` while it runs). */
  async handle(now: number, envelope: DirectiveEnvelope): Promise<AlexaEvent> {
    const container = this.#route(now);
    const { rng } = this.#options;
    container.busyUntil = now + rng.uniform(REQUEST_MS[0], REQUEST_MS[1]);
    container.idleLimitMs = rng.uniform(IDLE_REAP_MS[0], IDLE_REAP_MS[1]);
    container.requests++;
    return container.invoke(envelope, this.#context);
  }

  /** An idle warm container (the most recently used), else a new one; reaped and recycled ones are gone first. */
  #route(now: number): Container {
    let best: Container | undefined;
    const alive: Container[] = [];
    for (const container of this.#containers) {
      const busy = container.busyUntil > now;
      if (!busy && (now >= container.recycleAt || now - container.busyUntil >= container.idleLimitMs)) continue;
      alive.push(container);
      if (!busy && (!best || container.busyUntil > best.busyUntil)) best = container;
    }
    this.#containers = alive;
    if (best) return best;
    const started = this.#start(now);
    alive.push(started);
    this.peakContainers = Math.max(this.peakContainers, alive.length);
    return started;
  }

  #start(now: number): Container {
    const { ledger, logger, metrics, rng } = this.#options;
    const verifier = makeVerifier(this.#config);
    const fallback = settingsHash(configSettings(this.#config));
    this.configurationVersion = verifierConfigurationVersion(verifier) ?? fallback;
    if (verifierConfigurationVersion(verifier) === undefined) this.suppliedVersion = true;
    const skill = withAccountLinking(directiveSkillBuilder().withLogger(logger), {
      verifier,
      logger,
      metrics,
      ...unlinkingGateOption(ledger, verifier, fallback),
    })
      .addDirectiveHandler('Alexa.PowerController', undefined, (input) => input.reply.response())
      .create();
    this.coldStarts++;
    return {
      id: this.coldStarts,
      invoke: (event, context) => skill.invoke(event, context),
      startedAt: now,
      recycleAt: now + rng.uniform(RECYCLE_MS[0], RECYCLE_MS[1]),
      busyUntil: now,
      idleLimitMs: IDLE_REAP_MS[1],
      requests: 0,
    };
  }
}
