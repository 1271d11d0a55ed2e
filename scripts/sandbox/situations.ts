/**
 * The sandbox's situations, one exchange at a time: {@link Situations.exchange} sets a situation
 * (situation.ts) up on the authorization server, the accounts and the skills' deployment, sends one
 * Alexa request, and answers what Alexa would receive with what the gate logged (exchange.ts).
 * Each skill keeps one {@link MemoryUnlinkLedger} across deploys, as a fleet shares its table. The
 * guided run (`npm start`) and the console page (`npm start -- --serve`) both use it.
 */
import { MemoryUnlinkLedger, type Environment, type LinkedUser, type Logger, type TokenVerifier } from '../../lib';
import { withAccessToken, withoutAccessToken } from '../../lib/testing';
import { Accounts, CLIENT_OF } from './accounts';
import type { AuthorizationServer, CLIENTS, Tokens } from './authorization-server';
import { breakerDemo } from './breaker-demo';
import { confirmationDemo } from './confirmation-demo';
import { deploySkills, environmentFor, verifierFor, type Deployment, type DeploySkillsOptions } from './deployment';
import { toExchange, type Exchange } from './exchange';
import { crowdRequest, fleetTally, type CrowdRequest } from './fleet';
import { parseDecision } from './gate-log';
import type { PolicyDemo, Stage } from './policy-demo';
import { assessReply, type Heard } from './replies';
import {
  DEFAULT_SITUATION,
  describeDeploy,
  SERVER_SITUATIONS,
  type Deploy,
  type PolicyScenario,
  type Situation,
  type TokenSituation,
  type Verification,
} from './situation';
import { readEvent, type SkillHandler, type SkillName, type Target } from './skills';
import type { StagingServer } from './staging-server';

/** The token situations the verifier rejects. */
const REJECTIONS = new Set<TokenSituation>(['expired', 'revoked', 'forged', 'none']);

/** The log and metric lines of the request under way. */
interface Capture {
  log: string[];
  metrics: string[];
}

export interface SituationsOptions {
  authorizationServer: AuthorizationServer;
  staging: StagingServer;
  /** The subscription endpoint of Jukebox's resource server. */
  subscriptionsUrl: string;
  /** Where the skills' log lines go besides the exchange's record (e.g. stderr with --verbose). */
  logger?: Logger | undefined;
}

export class Situations {
  readonly #server: AuthorizationServer;
  readonly #staging: StagingServer;
  readonly #subscriptionsUrl: string;
  readonly #logger: Logger | undefined;
  #deployment: Deployment;
  #capture: Capture = { log: [], metrics: [] };
  /** One exchange at a time: the log lines and metrics captured belong to it. */
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * Each skill's unlinking ledger: shared by every deploy and container of the skill, as a deployed
   * fleet shares its DynamoDB table (first rejections, proven configurations, counts per reason class).
   */
  readonly ledgers: Record<SkillName, MemoryUnlinkLedger> = {
    'ride-hailer': new MemoryUnlinkLedger(),
    'my-lights': new MemoryUnlinkLedger(),
    jukebox: new MemoryUnlinkLedger(),
  };

  readonly #accounts: Accounts;
  /** What the policy's demonstrations drive. */
  readonly #stage: Stage;

  constructor(options: SituationsOptions) {
    this.#server = options.authorizationServer;
    this.#staging = options.staging;
    this.#subscriptionsUrl = options.subscriptionsUrl;
    this.#logger = options.logger;
    this.#accounts = new Accounts(this.#server);
    this.#stage = {
      server: this.#server,
      accounts: this.#accounts,
      deployFor: (situation, steps) => this.#deployFor(situation, steps),
      redeploy: () => {
        this.#deployment = this.#deploy(this.#deployment.verification, this.#deployment.deploy);
      },
      hear: (skill, event, tokenSent) => this.#hear(skill, event, tokenSent),
    };
    this.#deployment = this.#deploy(DEFAULT_SITUATION.verification, DEFAULT_SITUATION.deploy);
  }

  /** The verifier of the service itself (its resource server), always configured correctly for the current verification. */
  readonly serviceVerifier: TokenVerifier<LinkedUser> = {
    verify: (token, context) => this.#serviceVerifiers[this.#deployment.verification].verify(token, context),
  };

  get #serviceVerifiers(): Record<Verification, TokenVerifier<LinkedUser>> {
    return (this.#serviceVerifierCache ??= {
      jwt: verifierFor(environmentFor(this.#server, this.#staging, 'jwt', 'correct')),
      introspection: verifierFor(environmentFor(this.#server, this.#staging, 'introspection', 'correct')),
    });
  }
  #serviceVerifierCache?: Record<Verification, TokenVerifier<LinkedUser>>;

  /** The skills as deployed now: what `POST /skills/<skill>` answers with. */
  get skills(): Record<SkillName, SkillHandler> {
    return this.#deployment.skills;
  }

  /** The environment the skills are deployed with now. */
  get environment(): Environment {
    return this.#deployment.environment;
  }

  get situation(): Pick<Situation, 'verification' | 'deploy' | 'server'> {
    return {
      verification: this.#deployment.verification,
      deploy: this.#deployment.deploy,
      server: this.#server.availability,
    };
  }

  /** The linked user's login. */
  get login(): string {
    return this.#accounts.login;
  }

  /** Fingerprints of the linked user's tokens, per verification (never the tokens). */
  get linked(): { login: string; linkedBy: string; fingerprints: Partial<Record<Verification, string>> } {
    return this.#accounts.linked;
  }

  /** Records an account linked outside the situations (in a browser, by the guided run): from now on its tokens are the linked user's. */
  adoptLink(login: string, verification: Verification, tokens: Tokens, by: 'sandbox' | 'browser'): void {
    this.#accounts.adoptLink(login, verification, tokens, by);
  }

  /** The client whose tokens the skills expect now (the browser link flow links it). */
  get client(): keyof typeof CLIENTS {
    return CLIENT_OF[this.#deployment.verification].linked;
  }

  /** Sends one request of `skill` in `situation`; one exchange at a time. */
  exchange(skill: SkillName, request: string, situation: Situation): Promise<Exchange> {
    return this.#enqueue(() => this.#exchange(skill, request, situation));
  }

  /** The confirmation demonstration on each target (confirmation-demo.ts). */
  confirmationDemo(targets: Target[], verification: Verification): Promise<PolicyDemo[]> {
    return this.#enqueue(() => confirmationDemo(this.#stage, targets, verification));
  }

  /** The breaker demonstration on each target (breaker-demo.ts). */
  breakerDemo(targets: Target[]): Promise<PolicyDemo[]> {
    return this.#enqueue(() => breakerDemo(this.#stage, targets));
  }

  /** One of the policy's demonstrations, on one skill (the console's scenarios). */
  async demo(scenario: PolicyScenario, target: Target, verification: Verification): Promise<PolicyDemo> {
    const [demo] =
      scenario === 'confirm' ? await this.confirmationDemo([target], verification) : await this.breakerDemo([target]);
    return demo;
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #exchange(skill: SkillName, request: string, situation: Situation): Promise<Exchange> {
    const event = readEvent(skill, request);
    const steps: string[] = [];
    this.#deployFor(situation, steps);

    // Tokens are linked, revoked and refreshed on a server that answers; then it goes down or hangs if asked.
    if (this.#server.availability !== 'up') await this.#server.setAvailability('up');
    const { token, user } = await this.#accounts.tokenFor(situation, steps);
    const crowdTokens =
      situation.deploy === 'correct' ? [] : await this.#accounts.crowdTokens(situation.verification, steps);
    // In production most requests carry genuine tokens: before a rejection in a correct deploy, another
    // user's accepted request goes first, so that the configuration is proven (a token accepted under
    // it in the fleet), as it would be, and the unlinking policy judges the rejection itself.
    const genuine =
      situation.deploy === 'correct' && situation.server === 'up' && REJECTIONS.has(situation.token)
        ? (await this.#accounts.crowdTokens(situation.verification, steps))[0]
        : undefined;
    if (situation.server !== this.#server.availability) {
      await this.#server.setAvailability(situation.server);
      steps.push(`The authorization server is ${SERVER_SITUATIONS[situation.server]}.`);
    }

    if (genuine) {
      const heard = await this.#hear(skill, withAccessToken(event, genuine[1]));
      steps.push(
        `${genuine[0]}'s request went first (${heard.decision?.outcome ?? 'no verdict'}): in production most requests carry genuine tokens.`,
      );
    }
    const crowd: CrowdRequest[] = [];
    const crowdLog: string[] = [];
    const crowdMetrics: string[] = [];
    for (const [other, otherToken] of crowdTokens) {
      const heard = await this.#hear(skill, withAccessToken(event, otherToken));
      crowdLog.push(...heard.log);
      crowdMetrics.push(...heard.metrics);
      crowd.push(crowdRequest(other, otherToken, heard));
    }
    const envelope = token === undefined ? withoutAccessToken(event) : withAccessToken(event, token);
    const heard = await this.#hear(skill, envelope, token !== undefined);
    const fleet =
      crowdTokens.length > 0
        ? fleetTally([...crowd, { unlinks: heard.unlinks, held: heard.decision?.held }])
        : undefined;
    return toExchange({
      skill,
      request,
      situation,
      user,
      token,
      envelope,
      heard,
      steps,
      crowd,
      crowdLog,
      crowdMetrics,
      fleet,
    });
  }

  /** Deploys the skills for `situation` if they are deployed otherwise: fresh containers, the same ledgers. */
  #deployFor(situation: Situation, steps: string[]): void {
    if (situation.verification === this.#deployment.verification && situation.deploy === this.#deployment.deploy)
      return;
    this.#deployment = this.#deploy(situation.verification, situation.deploy);
    steps.push(
      `Deployed the skills with ${situation.verification === 'jwt' ? 'TOKEN_VERIFIER=jwt (JWKS)' : 'TOKEN_VERIFIER=introspection'}, ${describeDeploy(situation.verification, situation.deploy)}: fresh containers, each skill's ledger kept.`,
    );
  }

  #deploy(verification: Verification, deploy: Deploy): Deployment {
    const options: DeploySkillsOptions = {
      server: this.#server,
      staging: this.#staging,
      subscriptionsUrl: this.#subscriptionsUrl,
      logger: this.#logger,
      ledgers: this.ledgers,
      output: {
        log: (line) => void this.#capture.log.push(line),
        metric: (line) => void this.#capture.metrics.push(line),
      },
    };
    return deploySkills(options, verification, deploy);
  }

  async #hear(skill: SkillName, event: unknown, tokenSent = true): Promise<Heard> {
    this.#capture = { log: [], metrics: [] };
    const capture = this.#capture;
    let status = 200;
    let reply: unknown;
    try {
      reply = await this.#deployment.skills[skill](event);
    } catch (error) {
      status = 400;
      reply = { error: (error as Error).message };
    }
    await new Promise((resolve) => setImmediate(resolve)); // log lines written as the reply settles
    const decision = parseDecision(capture.log);
    return {
      status,
      reply,
      log: capture.log,
      metrics: capture.metrics,
      ...assessReply(reply, tokenSent, decision),
      decision,
    };
  }
}
