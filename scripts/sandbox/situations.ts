/**
 * The situations of the sandbox: what a request carries (a linked token, an expired, revoked or
 * forged one, none, one refreshed after a key rotation), how the authorization server is (up, down,
 * hanging), and how the skills are deployed (JWT with the JWKS or introspection; correctly, or with
 * a wrong audience, secret or server). One {@link Situations.exchange} sets the situation up on the
 * embedded authorization server and the skills' configuration, sends one Alexa request, and
 * answers what Alexa would receive with what the gate logged — token fingerprints only.
 *
 * The skills run the unlinking policy as deployed skills do, through the same environment
 * (`UNLINK_CONFIRM_AFTER_SECONDS`), with one {@link MemoryUnlinkLedger} per skill that every
 * deploy and container of that skill shares, as a deployed fleet shares its table. Only the
 * confirmation delay is short: {@link CONFIRM_AFTER_SECONDS} (a deployed skill waits 1 h by
 * default). {@link Situations.confirmationDemo} and {@link Situations.breakerDemo} walk through the
 * policy: a suspected rejection held, then confirmed; a fault that opens the breaker.
 *
 * The guided run (`npm start`) and the console page (`npm start -- --serve`) both use it.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import {
  createJsonLogger,
  customSkillHandler,
  DEFAULT_CONFIRM_AFTER_MS,
  fingerprint,
  jwtVerifierFromEnvironment,
  MemoryUnlinkLedger,
  redact,
  verifierFromEnvironment,
  type Environment,
  type HoldReason,
  type LinkedUser,
  type Logger,
  type TokenVerifier,
} from '../../lib';
import { withAccessToken, withoutAccessToken } from '../../lib/testing';
import { gateOptionsFromEnvironment } from '../../lambda/environment';
import { createJukeboxSkill } from '../../lambda/jukebox/skill';
import { ResourceServerSubscriptions } from '../../lambda/jukebox/subscriptions';
import { createMyLightsSkill } from '../../lambda/my-lights/skill';
import { createRideHailerSkill } from '../../lambda/ride-hailer/skill';
import { explainReply, type ReplyExplanation, type ReplyKind } from '../summary';
import { AUDIENCE, CLIENTS, type AuthorizationServer, type Tokens } from './authorization-server';
import type { SkillHandler } from './endpoint';
import { gateExtras, UNLINKING_HELD_PREFIX } from './gate-extras';
import type { StagingServer } from './staging-server';

const ROOT = path.resolve(__dirname, '../..');

/** The example skills and the requests Alexa sends them, each from the events/ folder. */
export const SKILLS = {
  'ride-hailer': {
    name: 'Ride Hailer',
    family: 'custom skill',
    requests: {
      launch: { label: 'Launch', event: 'events/ride-hailer/launch-linked.json' },
      'order-ride': { label: 'OrderRideIntent', event: 'events/ride-hailer/order-ride.json' },
    },
  },
  'my-lights': {
    name: 'My Lights',
    family: 'smart home skill',
    requests: {
      'turn-on': { label: 'TurnOn', event: 'events/my-lights/turn-on.json' },
      'report-state': { label: 'ReportState', event: 'events/my-lights/report-state.json' },
      discover: { label: 'Discover', event: 'events/my-lights/discover.json' },
      'accept-grant': { label: 'AcceptGrant', event: 'events/my-lights/accept-grant.json' },
    },
  },
  jukebox: {
    name: 'Jukebox',
    family: 'music skill',
    requests: {
      'get-playable-content': { label: 'GetPlayableContent', event: 'events/jukebox/get-playable-content-free-radio.json' },
      initiate: { label: 'Initiate', event: 'events/jukebox/initiate-free-radio.json' },
    },
  },
} as const;

export type SkillName = keyof typeof SKILLS;

/** How the skills verify access tokens, each with the kind of token the server issues for it. */
export const VERIFICATIONS = {
  jwt: 'JWT access tokens, with the server\'s JWKS',
  introspection: 'opaque access tokens, by introspection',
} as const;
export type Verification = keyof typeof VERIFICATIONS;

/** What the request carries. */
export const TOKEN_SITUATIONS = {
  linked: 'the linked user\'s token',
  expired: 'a token past its expiry',
  revoked: 'a token revoked at the authorization server',
  forged: 'a forged token (signed with somebody else\'s key)',
  none: 'no token (a user who never linked)',
  rotated: 'the signing key rotated, then the token refreshed',
} as const;
export type TokenSituation = keyof typeof TOKEN_SITUATIONS;

/** How the embedded authorization server behaves. */
export const SERVER_SITUATIONS = {
  up: 'up',
  down: 'down (connections refused)',
  hang: 'hanging (accepts, never answers)',
} as const;
export type ServerSituation = keyof typeof SERVER_SITUATIONS;

/** How the skills are deployed: correctly, or with one setting wrong (what exactly: {@link describeDeploy}). */
export const DEPLOYS = {
  correct: 'configured correctly',
  'wrong-audience': 'a wrong audience',
  'wrong-secret': 'a wrong secret',
  'wrong-server': 'a wrong server (staging)',
} as const;
export type Deploy = keyof typeof DEPLOYS;

/** What a deploy means for one verification, in a few words. */
export function describeDeploy(verification: Verification, deploy: Deploy): string {
  const jwt = verification === 'jwt';
  switch (deploy) {
    case 'correct':
      return DEPLOYS.correct;
    case 'wrong-audience':
      return jwt ? 'a wrong JWT_AUDIENCE' : 'a wrong INTROSPECTION_AUDIENCE';
    case 'wrong-secret':
      return jwt ? 'a JWT_SECRET (HS256) while the server signs with RS256 keys' : 'a wrong INTROSPECTION_CLIENT_SECRET';
    case 'wrong-server':
      return jwt ? 'the JWKS_URI of a staging server (other keys)' : 'the INTROSPECTION_URL of a staging server (knows no token)';
  }
}

export interface Situation {
  verification: Verification;
  token: TokenSituation;
  server: ServerSituation;
  deploy: Deploy;
}

export const DEFAULT_SITUATION: Situation = { verification: 'introspection', token: 'linked', server: 'up', deploy: 'correct' };

/**
 * The sandbox's confirmation delay, `UNLINK_CONFIRM_AFTER_SECONDS`: a suspected rejection becomes
 * the unlinking reply when the same token is rejected again at least this long after its first
 * rejection. Short, so that a demonstration can wait for it; a deployed skill waits
 * {@link DEPLOYED_CONFIRM_AFTER_SECONDS} by default.
 */
export const CONFIRM_AFTER_SECONDS = 2;
/** What a deployed skill waits by default (`UNLINK_CONFIRM_AFTER_SECONDS` unset): 1 hour. */
export const DEPLOYED_CONFIRM_AFTER_SECONDS = DEFAULT_CONFIRM_AFTER_MS / 1000;

/** What the console can send: one request in the situation, or one of the policy's demonstrations. */
export const POLICY_SCENARIOS = {
  single: 'one request, in the situation above',
  confirm: `a dead token, sent twice ${CONFIRM_AFTER_SECONDS} s apart: held, then confirmed`,
  breaker: 'a fault rejects five users\' tokens: the breaker holds their confirmations (JWT)',
} as const;
export type PolicyScenario = Exclude<keyof typeof POLICY_SCENARIOS, 'single'>;

/** The gate's verdict on one request, as its log line says it. */
export interface LoggedDecision {
  /** What the gate answered: after the unlinking policy (a held rejection is `undecided`). */
  outcome: 'linked' | 'missing' | 'invalid' | 'expired' | 'undecided';
  reason?: string;
  /** The verifier's own verdict when it rejected the token, before the policy. */
  verdict?: 'invalid' | 'expired';
  /** Whether no fault of ours could produce the rejection (`self-evident`), or one could (`suspected`). */
  rejection?: 'self-evident' | 'suspected';
  /** The rejection's reason class (`signature`, `inactive`, `expired`, ...). */
  reasonClass?: string;
  /** Why the unlinking policy held the rejection (the transient reply instead of the unlinking one). */
  held?: HoldReason;
  /** For a pending rejection: the earliest a rejection of the same token can confirm it (ISO 8601). */
  confirmAt?: string;
}

/**
 * What a reply does to the user, as the console's badge and the guided run's mark say it — read from
 * the reply, with whether the request carried a token and the gate's decision:
 * - `unlinks`: an unlinking reply (a LinkAccount card, INVALID_ or EXPIRED_AUTHORIZATION_CREDENTIAL)
 *   to a request with a token: Alexa deletes that link (the gate's UnlinkingReplies metric is 1);
 * - `not-linked`: the request carried no token: nobody is linked, so nobody is unlinked — a
 *   LinkAccount card or a credential error asks the user to link (UnlinkingReplies is 0);
 * - `devices-vanish`: Discover answered with an empty endpoint list to a request with a token: the
 *   link stays, but the user's devices would vanish from the Alexa app;
 * - `held`: the unlinking policy held a rejection (the transient reply; the link kept);
 * - `undecided`: the verifier could not decide (the transient reply; the link kept);
 * - `refused`: refused without touching the link (AcceptGrant failed, ...);
 * - `kept`: answered, the link kept.
 */
export type Claim = 'unlinks' | 'not-linked' | 'devices-vanish' | 'held' | 'undecided' | 'refused' | 'kept';

/** A reply in plain words, in its context: the summary, what it does to the user, and the badge that says it. */
export interface Assessment extends ReplyExplanation {
  claim: Claim;
  /** The badge: `UNLINKS the user`, `not linked: asks the user to link`, `devices vanish from the Alexa app`, ... */
  badge: string;
}

/** `1 reply`, `2 replies`: a count and its noun, singular or plural. */
export function plural(count: number, singular: string, many = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : many}`;
}

/** The number of endpoints of a Discover.Response, or undefined for any other reply. */
export function discoveredEndpoints(reply: unknown): number | undefined {
  const event = (reply as { event?: { header?: { namespace?: string; name?: string }; payload?: { endpoints?: unknown } } } | undefined)?.event;
  if (event?.header?.namespace !== 'Alexa.Discovery' || event.header.name !== 'Discover.Response') return undefined;
  return Array.isArray(event.payload?.endpoints) ? event.payload.endpoints.length : 0;
}

/** What the gate answers Discover with when it rejects the token (DirectiveReplyOptions.discoverRejection, default `empty-endpoints`). */
const EMPTY_DISCOVER = 'an empty list: Alexa keeps the link, but the user\'s devices would vanish from the Alexa app';

/** What a reply does to the user: {@link explainReply}, with whether the request carried a token and the gate's decision. */
export function assessReply(reply: unknown, tokenSent: boolean, decision: LoggedDecision | undefined): Assessment {
  const explained = explainReply(reply);
  const endpoints = discoveredEndpoints(reply);
  const head = explained.summary.split(' — ')[0];
  const speech = /\("[^]*"\)$/.exec(explained.summary)?.[0];
  if (!tokenSent) {
    // A LinkAccount card or a credential error to a request with no token deletes no link: refused, the (absent) link untouched.
    const kind: ReplyKind = explained.kind === 'unlinks' ? 'refused' : explained.kind;
    const notLinked = (summary: string, badge: string): Assessment => ({ summary, kind, unlinks: false, claim: 'not-linked', badge });
    if (explained.unlinks) return notLinked(`${head} — no token: nobody is linked, Alexa asks the user to link${speech ? ` ${speech}` : ''}`, 'not linked: asks the user to link');
    if (endpoints === 0) return notLinked(`${head} — no token: nobody is linked, no devices to show`, 'not linked: no devices');
    if (explained.kind === 'answered') return notLinked(explained.summary, 'not linked: answered without a user');
    return notLinked(explained.summary, 'not linked: refused');
  }
  if (endpoints === 0) {
    return { summary: `${head} — ${EMPTY_DISCOVER}`, kind: explained.kind, unlinks: false, claim: 'devices-vanish', badge: 'devices vanish from the Alexa app' };
  }
  if (explained.unlinks) return { ...explained, claim: 'unlinks', badge: 'UNLINKS the user' };
  if (explained.kind === 'transient' || explained.kind === 'refused') {
    if (decision?.held) return { ...explained, claim: 'held', badge: `held: ${decision.held} — link kept` };
    if (decision?.outcome === 'undecided') return { ...explained, claim: 'undecided', badge: 'could not decide — link kept' };
    if (explained.kind === 'refused') return { ...explained, claim: 'refused', badge: 'refused — link untouched' };
    return { ...explained, claim: 'undecided', badge: 'try again later — link kept' };
  }
  return { ...explained, claim: 'kept', badge: 'link kept' };
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

/** One Alexa request in one situation, and what came of it. */
export interface Exchange {
  skill: SkillName;
  request: string;
  situation: Situation;
  /** How the skills were deployed, in a few words: `TOKEN_VERIFIER=jwt, a wrong JWT_AUDIENCE`. */
  deployment: string;
  /** The login whose token was sent (none with no token). */
  user?: string | undefined;
  /** SHA-256 fingerprint of the token sent; never the token. */
  tokenFingerprint: string | null;
  /** The request as Alexa sends it, the token replaced by its fingerprint. */
  requestJson: unknown;
  /** The endpoint's HTTP status and the reply, as Alexa receives it. */
  status: number;
  reply: unknown;
  /** The reply for people, read from the reply itself. */
  summary: string;
  kind: ReplyKind;
  /** Whether Alexa deletes the user's link: an unlinking reply to a request that carried a token. */
  unlinks: boolean;
  /** What the reply does to the user ({@link Claim}), and the badge that says it. */
  claim: Claim;
  badge: string;
  /** The gate's verdict, from its log line. */
  decision?: LoggedDecision | undefined;
  /** The gate's verdict in plain words: what the verifier said, and what the unlinking policy made of it. */
  decisionText: string;
  /** One line: why this answer is the right one. */
  why: string;
  /** The log lines of this request (JSON, as the Lambda would log them): fingerprints, never tokens. */
  log: string[];
  /** The EMF metric lines of this request (with a gate that emits them). */
  metrics: string[];
  /** What the sandbox did to set the situation up. */
  steps: string[];
  /** In a bad deploy: the same request of other users, sent first (their rejections are counted fleet-wide). */
  crowd: CrowdRequest[];
  /** What {@link crowd} is, when it is not the other users of a bad deploy. */
  crowdLabel?: string;
  /** The log lines of the requests before this one (the other users'; where the policy's ERROR line may be). */
  crowdLog: string[];
  /** The metric lines of the requests before this one. */
  crowdMetrics: string[];
  /** What the requests before this one were, when not the other users of a bad deploy. */
  earlierLabel?: string;
  /**
   * In a bad deploy: every user it reached, the other users and this one, counted as the guided run
   * counts them (`0 of 5 users unlinked, 5 held: unproven`).
   */
  fleet?: FleetTally;
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
  const heldText = held > 0
    ? Object.entries(holds).map(([hold, count]) => `${count} held: ${hold}`).join(', ')
    : 'none held (the verifier could not decide: no rejection to hold)';
  return { users: requests.length, unlinked, held, holds, text: `${unlinked} of ${plural(requests.length, 'user')} unlinked, ${heldText}` };
}

/** One request of a policy demonstration. */
export interface PolicyStep {
  /** Which request of the story: `a genuine request first`, `first rejection`, `again, after the delay`, `after the fix`. */
  label: string;
  user: string;
  tokenFingerprint: string;
  summary: string;
  kind: ReplyKind;
  unlinks: boolean;
  claim: Claim;
  badge: string;
  decision?: LoggedDecision;
  decisionText: string;
}

/** A demonstration of the unlinking policy on one skill: what happened, in plain words, and each request. */
export interface PolicyDemo {
  scenario: PolicyScenario;
  skill: SkillName;
  request: string;
  title: string;
  /** What happened, in plain words, a line each (the console shows it above the JSON). */
  story: string[];
  /** Every request, in order. */
  steps: PolicyStep[];
  /** The unlinking policy's ERROR lines logged on the way (JSON log lines). */
  errors: string[];
  /** The request the console shows in full (reply, log and metric lines), the earlier ones' lines with it. */
  exchange: Exchange;
}

/** The token situations the verifier rejects. */
const REJECTIONS = new Set<TokenSituation>(['expired', 'revoked', 'forged', 'none']);

/** Logins of the other users of a skill, whose requests a bad deploy receives too: the first {@link CROWD_SIZE} that are not the linked user. */
const CROWD = ['grace', 'alan', 'edsger', 'barbara', 'margaret'];
const CROWD_SIZE = 4;

/** The label of a demonstration's request sent again once it could be confirmed. */
const AGAIN_LABEL = 'again, after the delay';

/** The user of the breaker demonstration whose token is dead for another reason (it expired). */
const OTHER_USER = 'hedy';

/** Milliseconds after issue when a short-lived token is past its expiry (and, for a JWT, the 1 s clock tolerance). */
const EXPIRED_AFTER_MS = 2200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface Deployment {
  verification: Verification;
  deploy: Deploy;
  environment: Environment;
  skills: Record<SkillName, SkillHandler>;
}

interface Capture {
  log: string[];
  metrics: string[];
}

/** One request sent to a skill, and what came of it. */
interface Heard extends Assessment {
  status: number;
  reply: unknown;
  log: string[];
  metrics: string[];
  decision?: LoggedDecision | undefined;
}

/** A skill and one of its requests: where a demonstration sends its requests. */
export interface Target {
  skill: SkillName;
  request: string;
}

export interface SituationsOptions {
  authorizationServer: AuthorizationServer;
  staging: StagingServer;
  /** The subscription endpoint of Jukebox's resource server. */
  subscriptionsUrl: string;
  /** Where the skills' log lines go besides the exchange's record (e.g. stderr with --verbose). */
  logger?: Logger | undefined;
}

/** The environment a Lambda function of template.yaml would have, for a verification and a deploy. */
export function environmentFor(server: AuthorizationServer, staging: StagingServer, verification: Verification, deploy: Deploy): Environment {
  // The policy as deployed, but for the delay (UNLINK_LEDGER_TABLE unset: the sandbox gives each skill a ledger in memory).
  const policy: Environment = { UNLINK_CONFIRM_AFTER_SECONDS: String(CONFIRM_AFTER_SECONDS) };
  if (verification === 'jwt') {
    const environment: Environment = {
      TOKEN_VERIFIER: 'jwt',
      JWKS_URI: deploy === 'wrong-server' ? staging.jwksUri : server.jwksUri,
      JWT_ISSUER: server.issuer,
      JWT_AUDIENCE: deploy === 'wrong-audience' ? 'another-skill' : AUDIENCE,
      // 1 s instead of the default 5, so that the sandbox's 1 s tokens are "expired" 2 s after issue
      JWT_CLOCK_TOLERANCE_SECONDS: '1',
      VERIFY_CACHE_TTL_SECONDS: '0',
      ...policy,
    };
    if (deploy === 'wrong-secret') {
      delete environment.JWKS_URI;
      environment.JWT_SECRET = 'the-hs256-secret-of-another-environment-0123456789';
    }
    return environment;
  }
  return {
    TOKEN_VERIFIER: 'introspection',
    INTROSPECTION_URL: deploy === 'wrong-server' ? staging.introspectionUrl : server.introspectionUrl,
    INTROSPECTION_CLIENT_ID: CLIENTS.introspection.id,
    INTROSPECTION_CLIENT_SECRET: deploy === 'wrong-secret' ? 'the-client-secret-of-another-environment' : CLIENTS.introspection.secret,
    INTROSPECTION_AUDIENCE: deploy === 'wrong-audience' ? 'another-skill' : AUDIENCE,
    VERIFY_CACHE_TTL_SECONDS: '0',
    ...policy,
  };
}

/**
 * A verifier from the environment, as the Lambda builds it; for a JWKS, with a 1 ms refetch cooldown
 * (Lambda default: a burst of 3, then 30 s) so that each request of the walk-through is decided on
 * keys fetched after its token was seen: a rotated key is found at once, a forged token is proven
 * forged at once, however many the sandbox sends. (In Lambda, forged tokens past the burst are "could
 * not decide" until the cooldown ends: they cost no more fetches, and still get nobody in.)
 */
function verifierFor(environment: Environment): TokenVerifier<LinkedUser> {
  if (environment.TOKEN_VERIFIER === 'jwt' && environment.JWKS_URI) return jwtVerifierFromEnvironment(environment, { jwksCooldownMs: 1 });
  return verifierFromEnvironment(environment);
}

const CLIENT_OF: Record<Verification, { linked: keyof typeof CLIENTS; shortLived: keyof typeof CLIENTS }> = {
  jwt: { linked: 'jwt', shortLived: 'shortLivedJwt' },
  introspection: { linked: 'opaque', shortLived: 'shortLived' },
};

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

  /** The linked user: the login and the tokens Alexa keeps, per verification. */
  login = 'ada';
  linkedBy: 'sandbox' | 'browser' = 'sandbox';
  readonly #tokens: Partial<Record<Verification, Tokens>> = {};
  readonly #expired: Partial<Record<Verification, { token: string; usableAt: number; login: string }>> = {};
  readonly #revoked: Partial<Record<Verification, { token: string; login: string }>> = {};
  /** The forged token of each verification: the same one each time, as a replayed token would be. */
  readonly #forged: Partial<Record<Verification, { token: string; login: string }>> = {};
  readonly #crowd: Partial<Record<Verification, Record<string, Tokens>>> = {};
  readonly #forger: KeyObject = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  constructor(options: SituationsOptions) {
    this.#server = options.authorizationServer;
    this.#staging = options.staging;
    this.#subscriptionsUrl = options.subscriptionsUrl;
    this.#logger = options.logger;
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
    return { verification: this.#deployment.verification, deploy: this.#deployment.deploy, server: this.#server.availability };
  }

  /** Fingerprints of the linked user's tokens, per verification (never the tokens). */
  get linked(): { login: string; linkedBy: string; fingerprints: Partial<Record<Verification, string>> } {
    const fingerprints: Partial<Record<Verification, string>> = {};
    for (const [verification, tokens] of Object.entries(this.#tokens)) fingerprints[verification as Verification] = fingerprint(tokens.access_token);
    return { login: this.login, linkedBy: this.linkedBy, fingerprints };
  }

  /** Records an account linked outside the situations (in a browser, by the guided run): from now on its tokens are the linked user's. */
  adoptLink(login: string, verification: Verification, tokens: Tokens, by: 'sandbox' | 'browser'): void {
    if (login !== this.login) {
      for (const kept of [this.#tokens, this.#expired, this.#revoked, this.#forged]) for (const key of Object.keys(kept)) delete kept[key as Verification];
    }
    this.login = login;
    this.linkedBy = by;
    this.#tokens[verification] = tokens;
  }

  /** The client whose tokens the skills expect now (the browser link flow links it). */
  get client(): keyof typeof CLIENTS {
    return CLIENT_OF[this.#deployment.verification].linked;
  }

  /** Sends one request of `skill` in `situation`; one exchange at a time. */
  exchange(skill: SkillName, request: string, situation: Situation): Promise<Exchange> {
    return this.#enqueue(() => this.#exchange(skill, request, situation));
  }

  /**
   * The policy's first rule, on each target: a genuine request first (the configuration is
   * proven), then a dead token of the linked user (revoked with introspection, expired with JWTs):
   * its first rejection is held (`pending`: the transient reply, the link kept); the same token
   * again once {@link CONFIRM_AFTER_SECONDS} have passed is confirmed: the unlinking reply.
   */
  confirmationDemo(targets: Target[], verification: Verification): Promise<PolicyDemo[]> {
    return this.#enqueue(() => this.#confirmationDemo(targets, verification));
  }

  /**
   * The breaker, on each target (JWT): the authorization server signs with a key it does not
   * publish; five users' refreshed tokens fail the signature check. Their first rejections are
   * held; their confirmations too, once the fleet has counted them (`breaker`), with the policy's
   * ERROR line; a user whose token expired (another reason class) is still answered. Then the
   * server publishes its key and the five are accepted again: nobody was unlinked.
   */
  breakerDemo(targets: Target[]): Promise<PolicyDemo[]> {
    return this.#enqueue(() => this.#breakerDemo(targets));
  }

  /** One of the policy's demonstrations, on one skill (the console's scenarios). */
  async demo(scenario: PolicyScenario, target: Target, verification: Verification): Promise<PolicyDemo> {
    const [demo] = scenario === 'confirm' ? await this.confirmationDemo([target], verification) : await this.breakerDemo([target]);
    return demo;
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #exchange(skill: SkillName, request: string, situation: Situation): Promise<Exchange> {
    const event = this.#event(skill, request);
    const steps: string[] = [];
    this.#deployFor(situation, steps);

    // Tokens are linked, revoked and refreshed on a server that answers; then it goes down or hangs if asked.
    if (this.#server.availability !== 'up') await this.#server.setAvailability('up');
    const { token, user } = await this.#tokenFor(situation, steps);
    const crowdTokens = situation.deploy === 'correct' ? [] : await this.#crowdTokens(situation.verification, steps);
    // In production most requests carry genuine tokens: before a rejection in a correct deploy, another
    // user's accepted request goes first, so that the configuration is proven (a token accepted under
    // it in the fleet), as it would be, and the unlinking policy judges the rejection itself.
    const genuine = situation.deploy === 'correct' && situation.server === 'up' && REJECTIONS.has(situation.token)
      ? (await this.#crowdTokens(situation.verification, steps))[0]
      : undefined;
    if (situation.server !== this.#server.availability) {
      await this.#server.setAvailability(situation.server);
      steps.push(`The authorization server is ${SERVER_SITUATIONS[situation.server]}.`);
    }

    if (genuine) {
      const heard = await this.#hear(skill, withAccessToken(event, genuine[1]));
      steps.push(`${genuine[0]}'s request went first (${heard.decision?.outcome ?? 'no verdict'}): in production most requests carry genuine tokens.`);
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
    const fleet = crowdTokens.length > 0
      ? fleetTally([...crowd, { unlinks: heard.unlinks, held: heard.decision?.held }])
      : undefined;
    return this.#toExchange({ skill, request, situation, user, token, envelope, heard, steps, crowd, crowdLog, crowdMetrics, fleet });
  }

  async #confirmationDemo(targets: Target[], verification: Verification): Promise<PolicyDemo[]> {
    const steps: string[] = [];
    const situation: Situation = { verification, token: verification === 'jwt' ? 'expired' : 'revoked', server: 'up', deploy: 'correct' };
    this.#deployFor(situation, steps);
    if (this.#server.availability !== 'up') await this.#server.setAvailability('up');
    const genuine = (await this.#linkedTokens(verification, steps)).access_token;
    // A dead token of the linked user, new: its first rejection is this demonstration's own.
    let dead: string;
    if (verification === 'jwt') {
      const tokens = await this.#server.link(this.login, CLIENT_OF.jwt.shortLived);
      steps.push(`Linked ${this.login} with a client whose JWTs live ${tokens.expires_in} s, and waited ${EXPIRED_AFTER_MS / 1000} s: a token past its expiry (Alexa could not refresh it).`);
      await sleep(EXPIRED_AFTER_MS);
      dead = tokens.access_token;
    } else {
      const tokens = await this.#server.link(this.login, CLIENT_OF.introspection.linked);
      await this.#server.revoke(tokens.access_token, CLIENT_OF.introspection.linked);
      steps.push(`Linked ${this.login} again and revoked that token at the revocation endpoint: a dead token.`);
      dead = tokens.access_token;
    }
    const runs = targets.map((target) => ({ ...target, event: this.#event(target.skill, target.request), steps: [] as PolicyStep[], earlier: { log: [] as string[], metrics: [] as string[] } }));
    for (const run of runs) {
      const heard = await this.#hear(run.skill, withAccessToken(run.event, genuine));
      run.earlier.log.push(...heard.log);
      run.earlier.metrics.push(...heard.metrics);
      run.steps.push(policyStep('a genuine request first', this.login, genuine, heard));
    }
    for (const run of runs) {
      const heard = await this.#hear(run.skill, withAccessToken(run.event, dead));
      run.earlier.log.push(...heard.log);
      run.earlier.metrics.push(...heard.metrics);
      run.steps.push(policyStep('first rejection', this.login, dead, heard));
    }
    const waited = await this.#waitForConfirmations(runs.flatMap((run) => run.steps), steps);
    const demos: PolicyDemo[] = [];
    for (const run of runs) {
      const envelope = withAccessToken(run.event, dead);
      const heard = await this.#hear(run.skill, envelope);
      const again = policyStep(AGAIN_LABEL, this.login, dead, heard);
      run.steps.push(again);
      const exchange = this.#toExchange({
        skill: run.skill, request: run.request, situation, user: this.login, token: dead, envelope, heard, steps,
        crowdLog: run.earlier.log, crowdMetrics: run.earlier.metrics, earlierLabel: 'the requests before: a genuine one, then this token\'s first rejection',
      });
      const [, first] = run.steps;
      const errors = [...run.earlier.log, ...heard.log].filter(isPolicyError);
      demos.push({
        scenario: 'confirm',
        skill: run.skill,
        request: run.request,
        title: `A suspected rejection, held then confirmed: ${SKILLS[run.skill].name}, ${verification === 'jwt' ? `${this.login}'s JWT past its expiry` : `${this.login}'s token revoked at the authorization server`}`,
        story: [
          `${this.login}'s token is dead: ${verification === 'jwt' ? 'it expired, and Alexa could not refresh it' : 'it was revoked at the authorization server'}. ` +
            `A genuine request went first, so this configuration is proven (${describeDecision(run.steps[0].decision)}).`,
          `First request with the dead token: ${storyOf(first, this.login)}`,
          `The same token ${waited} s later: ${storyOf(again, this.login)}`,
          `The delay is ${CONFIRM_AFTER_SECONDS} s in the sandbox (UNLINK_CONFIRM_AFTER_SECONDS=${CONFIRM_AFTER_SECONDS}); a deployed skill waits ${DEPLOYED_CONFIRM_AFTER_SECONDS / 3600} h by default, ` +
            'long enough for a fault of ours to show itself, and about the life of a token Alexa refreshes before it sends it.',
        ],
        steps: run.steps,
        errors,
        exchange,
      });
    }
    return demos;
  }

  async #breakerDemo(targets: Target[]): Promise<PolicyDemo[]> {
    const steps: string[] = [];
    const situation: Situation = { verification: 'jwt', token: 'linked', server: 'up', deploy: 'correct' };
    this.#deployFor(situation, steps);
    if (this.#server.availability !== 'up') await this.#server.setAvailability('up');
    const linked = await this.#linkedTokens('jwt', steps);
    const crowd = await this.#crowdGrants('jwt', steps);
    // Another user's token, signed with a published key before the fault, and left to expire: a dead token of another reason class.
    const other = await this.#server.link(OTHER_USER, CLIENT_OF.jwt.shortLived);
    const otherUsableAt = Date.now() + EXPIRED_AFTER_MS;
    steps.push(`Linked ${OTHER_USER} with a client whose JWTs live ${other.expires_in} s: her token expires (another reason class, expired).`);

    const runs = targets.map((target) => ({ ...target, event: this.#event(target.skill, target.request), steps: [] as PolicyStep[], earlier: { log: [] as string[], metrics: [] as string[] } }));
    const send = async (run: (typeof runs)[number], label: string, user: string, token: string) => {
      const heard = await this.#hear(run.skill, withAccessToken(run.event, token));
      run.earlier.log.push(...heard.log);
      run.earlier.metrics.push(...heard.metrics);
      const step = policyStep(label, user, token, heard);
      run.steps.push(step);
      return { heard, step };
    };
    for (const run of runs) await send(run, 'a genuine request first', this.login, linked.access_token);

    await this.#server.rotateSigningKey({ publish: false });
    const kid = this.#server.unpublishedKids[0] ?? this.#server.signingKids[0];
    steps.push(`The fault: the authorization server signs with a new key, ${kid}, and does not publish it at its JWKS URL.`);
    const users: Array<{ login: string; token: string }> = [];
    const featured: Array<{ heard: Heard; envelope: unknown; token: string; run: (typeof runs)[number]; log: string[]; metrics: string[] }> = [];
    const others: Array<Array<{ login: string; token: string; heard: Heard }>> = runs.map(() => []);
    let waited = 0;
    try {
      // Alexa refreshes each user's token before it sends it: every new one is signed with the key nobody can find.
      for (const [login, tokens] of Object.entries(crowd)) {
        const refreshed = await this.#server.refresh(tokens.refresh_token!, CLIENT_OF.jwt.linked);
        crowd[login] = this.#crowd.jwt![login] = { ...refreshed, refresh_token: refreshed.refresh_token ?? tokens.refresh_token };
        users.push({ login, token: refreshed.access_token });
      }
      const refreshed = await this.#server.refresh(linked.refresh_token!, CLIENT_OF.jwt.linked);
      this.#tokens.jwt = { ...refreshed, refresh_token: refreshed.refresh_token ?? linked.refresh_token };
      users.push({ login: this.login, token: refreshed.access_token });
      steps.push(`Alexa refreshed the tokens of ${users.map((user) => user.login).join(', ')}: each is signed with ${kid}.`);

      for (const run of runs) for (const user of users) await send(run, 'first rejection', user.login, user.token);
      await sleep(otherUsableAt - Date.now());
      for (const run of runs) await send(run, 'first rejection', OTHER_USER, other.access_token);

      waited = await this.#waitForConfirmations(runs.flatMap((run) => run.steps), steps);
      this.#deployment = this.#deploy('jwt', 'correct');
      steps.push('New containers took the next requests: a container reads the fleet\'s ledger at most once a minute (new ones at once); the sandbox compresses that minute as it does the hour.');
      for (const [index, run] of runs.entries()) {
        for (const user of users.slice(0, -1)) others[index].push({ login: user.login, token: user.token, heard: (await send(run, AGAIN_LABEL, user.login, user.token)).heard });
        others[index].push({ login: OTHER_USER, token: other.access_token, heard: (await send(run, AGAIN_LABEL, OTHER_USER, other.access_token)).heard });
      }
      for (const run of runs) {
        const token = users.at(-1)!.token;
        const envelope = withAccessToken(run.event, token);
        const heard = await this.#hear(run.skill, envelope);
        run.steps.push(policyStep(AGAIN_LABEL, this.login, token, heard));
        featured.push({ heard, envelope, token, run, log: [...run.earlier.log], metrics: [...run.earlier.metrics] });
        run.earlier.log.push(...heard.log);
        run.earlier.metrics.push(...heard.metrics);
      }
    } finally {
      await this.#server.publishSigningKeys();
    }
    steps.push(`The fix: the authorization server publishes ${kid}.`);
    const accepted: number[] = [];
    for (const run of runs) {
      let count = 0;
      for (const user of users) if ((await send(run, 'after the fix', user.login, user.token)).heard.decision?.outcome === 'linked') count++;
      accepted.push(count);
    }

    const faulted = new Set(users.map((user) => fingerprint(user.token)));
    return featured.map(({ heard, envelope, token, run, log, metrics }, index) => {
      const exchange = this.#toExchange({
        skill: run.skill, request: run.request, situation, user: this.login, token, envelope, heard, steps,
        crowd: others[index].map(({ login, token: otherToken, heard: otherHeard }) => crowdRequest(login, otherToken, otherHeard)),
        crowdLabel: `The other users, again ${waited} s later`,
        crowdLog: log, crowdMetrics: metrics,
        earlierLabel: 'the requests before: a genuine one, the first rejections, the other users again',
      });
      const first = run.steps.filter((step) => step.label === 'first rejection');
      const again = run.steps.filter((step) => step.label === AGAIN_LABEL);
      const firstFault = first.filter((step) => faulted.has(step.tokenFingerprint));
      const againFault = again.filter((step) => faulted.has(step.tokenFingerprint));
      const otherFirst = first.find((step) => step.user === OTHER_USER);
      const otherAgain = again.find((step) => step.user === OTHER_USER);
      const errors = run.earlier.log.filter(isPolicyError);
      const breakerError = errors.map(parseLine).find((entry) => entry?.hold === 'breaker');
      return {
        scenario: 'breaker' as const,
        skill: run.skill,
        request: run.request,
        title: `A fault opens the breaker: ${SKILLS[run.skill].name}, five users' tokens signed with a key the skill cannot find`,
        story: [
          `The fault: the authorization server signs with a new key (${kid}) that it has not published. Every refreshed token fails the signature check: ` +
            `${plural(users.length, 'user')}' tokens rejected for one reason (signature) — a fault to fix, not ${plural(users.length, 'dead token')}.`,
          `Their first requests: ${tally(firstFault)}.${firstFault.some((step) => step.unlinks) ? '' : ' Each user gets the "try again later" reply and keeps the link.'}`,
          `The same tokens ${waited} s later, when they could be confirmed: ${tally(againFault)}` +
            (breakerError
              ? ` — the fleet counted ${plural(Number(breakerError.recentTokens), 'token')} first rejected for ${breakerError.reasonClass} in the last 30 min, against a usual ${breakerError.usualTokens}: the breaker is open for ${breakerError.reasonClass}, and their confirmations wait.`
              : '.'),
          breakerError
            ? `The policy's ERROR line, once per container, tells the operator what to check: "${String(breakerError.message).slice(UNLINKING_HELD_PREFIX.length).trim()}"`
            : 'The policy logged no breaker ERROR line here.',
          `${OTHER_USER}'s token is dead for another reason (expired): the breaker does not hold it. ` +
            `First: ${otherFirst ? heldOrAnswered(otherFirst) : 'not sent'}; ${waited} s later: ${otherAgain ? heldOrAnswered(otherAgain) : 'not sent'}.`,
          `The fix: the server publishes ${kid}, and the same ${plural(users.length, 'token')} ${users.length === 1 ? 'is' : 'are'} accepted: ${accepted[index]} of ${users.length} linked. ` +
            faultUnlinked(firstFault, againFault),
        ],
        steps: run.steps,
        errors,
        exchange,
      };
    });
  }

  /** Waits until every pending step can be confirmed (at least the delay); answers how long it waited, in whole seconds. */
  async #waitForConfirmations(steps: PolicyStep[], record: string[]): Promise<number> {
    const started = Date.now();
    const until = Math.max(started + CONFIRM_AFTER_SECONDS * 1000, ...steps.map((step) => (step.decision?.confirmAt ? Date.parse(step.decision.confirmAt) : 0)));
    await sleep(until - Date.now() + 100);
    const waited = Math.round((Date.now() - started) / 100) / 10;
    record.push(`Waited ${waited} s: the confirmation delay (UNLINK_CONFIRM_AFTER_SECONDS=${CONFIRM_AFTER_SECONDS} here; ${DEPLOYED_CONFIRM_AFTER_SECONDS / 3600} h by default in a deployed skill).`);
    return waited;
  }

  /** Deploys the skills for `situation` if they are deployed otherwise: fresh containers, the same ledgers. */
  #deployFor(situation: Situation, steps: string[]): void {
    if (situation.verification === this.#deployment.verification && situation.deploy === this.#deployment.deploy) return;
    this.#deployment = this.#deploy(situation.verification, situation.deploy);
    steps.push(`Deployed the skills with ${situation.verification === 'jwt' ? 'TOKEN_VERIFIER=jwt (JWKS)' : 'TOKEN_VERIFIER=introspection'}, ${describeDeploy(situation.verification, situation.deploy)}: fresh containers, each skill's ledger kept.`);
  }

  #event(skill: SkillName, request: string): unknown {
    const definition = (SKILLS[skill]?.requests as Record<string, { event: string }> | undefined)?.[request];
    if (!definition) throw new RangeError(`no request "${request}" for skill "${skill}"`);
    return JSON.parse(readFileSync(path.join(ROOT, definition.event), 'utf8'));
  }

  #toExchange(args: {
    skill: SkillName;
    request: string;
    situation: Situation;
    user?: string | undefined;
    token?: string | undefined;
    envelope: unknown;
    heard: Heard;
    steps: string[];
    crowd?: CrowdRequest[];
    crowdLabel?: string;
    crowdLog?: string[];
    crowdMetrics?: string[];
    earlierLabel?: string;
    fleet?: FleetTally | undefined;
  }): Exchange {
    const { skill, request, situation, user, token, envelope, heard, steps } = args;
    const { status, reply, summary, kind, unlinks, claim, badge, decision, log, metrics } = heard;
    return {
      skill,
      request,
      situation,
      deployment: `TOKEN_VERIFIER=${situation.verification}, ${describeDeploy(situation.verification, situation.deploy)}`,
      user,
      tokenFingerprint: token === undefined ? null : fingerprint(token),
      requestJson: redactToken(envelope, token),
      status,
      reply,
      summary,
      kind,
      unlinks,
      claim,
      badge,
      decision,
      decisionText: describeDecision(decision, claim),
      why: why(situation, decision, kind, skill, claim),
      log,
      metrics,
      steps,
      crowd: args.crowd ?? [],
      ...(args.crowdLabel ? { crowdLabel: args.crowdLabel } : {}),
      crowdLog: args.crowdLog ?? [],
      crowdMetrics: args.crowdMetrics ?? [],
      ...(args.earlierLabel ? { earlierLabel: args.earlierLabel } : {}),
      ...(args.fleet ? { fleet: args.fleet } : {}),
    };
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
    return { status, reply, log: capture.log, metrics: capture.metrics, ...assessReply(reply, tokenSent, decision), decision };
  }

  /** The linked user's tokens for `verification`, linked as Alexa does if there are none yet. */
  async #linkedTokens(verification: Verification, steps: string[]): Promise<Tokens> {
    const client = CLIENT_OF[verification].linked;
    if (!this.#tokens[verification]) {
      this.#tokens[verification] = await this.#server.link(this.login, client);
      steps.push(`Linked ${this.login} as Alexa does (client ${CLIENTS[client].id}): ${verification === 'jwt' ? 'a JWT' : 'an opaque'} access token.`);
    }
    return this.#tokens[verification]!;
  }

  async #tokenFor(situation: Situation, steps: string[]): Promise<{ token?: string; user?: string }> {
    const { verification } = situation;
    const clients = CLIENT_OF[verification];
    switch (situation.token) {
      case 'none':
        return {};
      case 'linked':
        return { token: (await this.#linkedTokens(verification, steps)).access_token, user: this.login };
      case 'rotated': {
        const tokens = await this.#linkedTokens(verification, steps);
        await this.#server.rotateSigningKey();
        const [signing, previous] = this.#server.signingKids;
        steps.push(`Rotated the signing key: ${signing} signs from now on${previous ? `, ${previous} is still published` : ''}.`);
        const refreshed = await this.#server.refresh(tokens.refresh_token!, clients.linked);
        this.#tokens[verification] = { ...refreshed, refresh_token: refreshed.refresh_token ?? tokens.refresh_token };
        const kid = keyIdOf(refreshed.access_token);
        steps.push(`Alexa refreshed ${this.login}'s token: ${kid ? `a JWT signed by ${kid}` : 'a new opaque token'}.`);
        return { token: refreshed.access_token, user: this.login };
      }
      case 'expired': {
        let expired = this.#expired[verification];
        if (!expired || expired.login !== this.login) {
          const tokens = await this.#server.link(this.login, clients.shortLived);
          expired = this.#expired[verification] = { token: tokens.access_token, usableAt: Date.now() + EXPIRED_AFTER_MS, login: this.login };
          steps.push(`Linked ${this.login} with a client whose tokens live ${tokens.expires_in} s.`);
        }
        const wait = expired.usableAt - Date.now();
        if (wait > 0) {
          steps.push(`Waited ${(wait / 1000).toFixed(1)} s for the token to expire.`);
          await sleep(wait);
        }
        return { token: expired.token, user: this.login };
      }
      case 'revoked': {
        let revoked = this.#revoked[verification];
        if (!revoked || revoked.login !== this.login) {
          const tokens = await this.#server.link(this.login, clients.linked);
          if (verification === 'jwt') {
            // oidc-provider revokes no JWT access token by itself: revoking the refresh token revokes the grant.
            await this.#server.revoke(tokens.refresh_token!, clients.linked, 'refresh_token');
            steps.push(`Linked ${this.login} again and revoked that grant at the revocation endpoint (its refresh token).`);
          } else {
            await this.#server.revoke(tokens.access_token, clients.linked);
            steps.push(`Linked ${this.login} again and revoked that token at the revocation endpoint.`);
          }
          revoked = this.#revoked[verification] = { token: tokens.access_token, login: this.login };
        }
        return { token: revoked.token, user: this.login };
      }
      case 'forged': {
        let forged = this.#forged[verification];
        if (!forged || forged.login !== this.login) {
          // Opaque tokens cannot be forged, only guessed: a random one, as long as the server's.
          // A JWT claims to be the linked user, with the server's own kid, signed with another key.
          const token = verification === 'introspection'
            ? randomBytes(32).toString('base64url')
            : jwt.sign({ sub: this.login, scope: 'rides', client_id: CLIENTS.jwt.id }, this.#forger, {
              algorithm: 'RS256',
              keyid: this.#server.signingKids[0],
              issuer: this.#server.issuer,
              audience: AUDIENCE,
              expiresIn: 3600,
            });
          forged = this.#forged[verification] = { token, login: this.login };
          steps.push(verification === 'introspection' ? 'Guessed a token: random, as long as the server\'s.' : `Forged a JWT for ${this.login}, with the server's kid, signed with another key.`);
        }
        return { token: forged.token, user: `${this.login} (forged)` };
      }
    }
  }

  /** The other users' grants (linked on first use), per login: never the linked user's own (a browser may link grace). */
  async #crowdGrants(verification: Verification, steps: string[]): Promise<Record<string, Tokens>> {
    const grants = (this.#crowd[verification] ??= {});
    const others = CROWD.filter((login) => login !== this.login && login !== OTHER_USER).slice(0, CROWD_SIZE);
    const linked: string[] = [];
    const crowd: Record<string, Tokens> = {};
    for (const login of others) {
      if (!grants[login]) {
        grants[login] = await this.#server.link(login, CLIENT_OF[verification].linked);
        linked.push(login);
      }
      crowd[login] = grants[login];
    }
    if (linked.length > 0) steps.push(`Linked ${linked.join(', ')}: other users of the skills.`);
    return crowd;
  }

  async #crowdTokens(verification: Verification, steps: string[]): Promise<Array<[string, string]>> {
    return Object.entries(await this.#crowdGrants(verification, steps)).map(([login, tokens]) => [login, tokens.access_token]);
  }

  #deploy(verification: Verification, deploy: Deploy): Deployment {
    const environment = environmentFor(this.#server, this.#staging, verification, deploy);
    const verifier = verifierFor(environment);
    const tee = this.#logger;
    const logger = createJsonLogger({
      level: 'info',
      write: (line) => {
        this.#capture.log.push(line.trimEnd());
        if (tee) tee.info('sandbox: skill log', { line: line.trimEnd() });
      },
    });
    const extras = gateExtras((line) => void this.#capture.metrics.push(line.trimEnd()));
    // The gate options every example Lambda reads from its environment (UNLINK_CONFIRM_AFTER_SECONDS, ...),
    // with the skill's own ledger where a deployed function has UNLINK_LEDGER_TABLE.
    const gate = gateOptionsFromEnvironment(environment);
    const options = (skill: SkillName) => ({
      verifier,
      logger,
      ...extras,
      ...gate,
      unlinking: gate.unlinking === false ? (false as const) : { ...gate.unlinking, ledger: this.ledgers[skill] },
    });
    return {
      verification,
      deploy,
      environment,
      skills: {
        'ride-hailer': customSkillHandler(createRideHailerSkill(options('ride-hailer')), { logger }),
        'my-lights': createMyLightsSkill(options('my-lights')).lambda(),
        jukebox: createJukeboxSkill({ ...options('jukebox'), subscriptions: new ResourceServerSubscriptions(this.#subscriptionsUrl) }).lambda(),
      },
    };
  }
}

function crowdRequest(user: string, token: string, heard: Heard): CrowdRequest {
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

function policyStep(label: string, user: string, token: string, heard: Heard): PolicyStep {
  return {
    label,
    user,
    tokenFingerprint: fingerprint(token),
    summary: heard.summary,
    kind: heard.kind,
    unlinks: heard.unlinks,
    claim: heard.claim,
    badge: heard.badge,
    ...(heard.decision ? { decision: heard.decision } : {}),
    decisionText: describeDecision(heard.decision, heard.claim),
  };
}

/** How a set of requests went, in a few words: `5 held: pending`, `0 unlinked, 5 held: breaker`. */
function tally(steps: PolicyStep[]): string {
  const unlinked = steps.filter((step) => step.unlinks).length;
  const holds = new Map<string, number>();
  for (const step of steps) if (step.decision?.held) holds.set(step.decision.held, (holds.get(step.decision.held) ?? 0) + 1);
  const accepted = steps.filter((step) => step.decision?.outcome === 'linked').length;
  return [
    `${unlinked} of ${steps.length} unlinked`,
    ...[...holds].map(([hold, count]) => `${count} held: ${hold}`),
    ...(accepted ? [`${accepted} accepted`] : []),
  ].join(', ');
}

/** Whom the breaker demonstration's fault unlinked: nobody, or how many unlinking replies. */
function faultUnlinked(first: PolicyStep[], again: PolicyStep[]): string {
  const replies = [...first, ...again].filter((step) => step.unlinks).length;
  return replies === 0
    ? 'Nobody was unlinked by the fault (0 unlinking replies).'
    : `The fault unlinked users: ${plural(replies, 'unlinking reply', 'unlinking replies')}.`;
}

/** One request of a story, in plain words. */
function heldOrAnswered(step: PolicyStep): string {
  if (step.unlinks) return `answered with the unlinking reply (${step.summary})`;
  if (step.decision?.held) return `held: ${step.decision.held}, the link kept`;
  if (step.claim === 'devices-vanish') return `answered with an empty Discover list (${step.summary})`;
  return step.summary;
}

/** One request of the confirmation story, in plain words. */
function storyOf(step: PolicyStep, user: string): string {
  const decision = step.decision;
  if (decision?.held === 'pending') {
    return `the verifier rejected it (${decision.verdict === 'invalid' ? `invalid, ${decision.reasonClass}` : 'expired'}), but one rejection is no proof: ${faultLike(decision.reasonClass)}. ` +
      `Held: pending — ${user} gets the "try again later" reply (${step.summary}) and keeps the link; ` +
      `the decision line says it can be confirmed from ${clock(decision.confirmAt)}.`;
  }
  if (step.unlinks && decision?.rejection === 'suspected') {
    return `rejected again, on fresh knowledge, after the delay: confirmed. The unlinking reply (${step.summary}): Alexa drops the link and asks ${user} to link again.`;
  }
  if (step.claim === 'devices-vanish' && decision?.rejection === 'suspected') {
    return `rejected again, on fresh knowledge, after the delay: confirmed. Discover's rejection is no unlinking code but an empty endpoint list (${step.summary}).`;
  }
  if (decision?.held === 'breaker') {
    return `held: breaker — this skill's ledger counted too many tokens first rejected for ${decision.reasonClass} in the last 30 min ` +
      `(a bad deploy's rejections count too), so the policy suspects a fault and holds every ${decision.reasonClass} rejection: ${step.summary}. ` +
      'It resumes when the rate is back under its threshold, or when an operator releases the class.';
  }
  return `${describeDecision(decision, step.claim)} Reply: ${step.summary}.`;
}

/** What fault of ours would produce a rejection of this class for genuine tokens, in a few words. */
function faultLike(reasonClass: string | undefined): string {
  switch (reasonClass) {
    case 'inactive':
      return 'an INTROSPECTION_URL of another server would say "active": false of every genuine token too';
    case 'signature':
      return 'a key rotated at the server, or a JWKS_URI of another server, would fail every genuine token too';
    case 'expired':
      return 'a clock some minutes off would make fresh tokens look expired too';
    case 'malformed':
      return 'a verifier that does not fit the server\'s tokens would find every genuine token malformed too';
    case 'claims':
      return 'a client list or audience that misses the server\'s clients would reject every genuine token too';
    default:
      return 'a fault of ours could produce it for genuine tokens too';
  }
}

/** An ISO time as people read it in the sandbox: `12:00:02.345 UTC`. */
function clock(iso: string | undefined): string {
  return iso ? `${iso.slice(11, 23)} UTC` : 'later';
}

function keyIdOf(token: string): string | undefined {
  try {
    return (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { kid?: string }).kid;
  } catch {
    return undefined;
  }
}

/** The request with the token replaced by its fingerprint, wherever it is. */
function redactToken(envelope: unknown, token: string | undefined): unknown {
  const redacted = redact(envelope);
  if (token === undefined) return redacted;
  return JSON.parse(JSON.stringify(redacted).split(token).join(`[redacted sha256:${fingerprint(token)}]`));
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const entry = JSON.parse(line);
    return typeof entry === 'object' && entry !== null ? entry : undefined;
  } catch {
    return undefined;
  }
}

const HOLDS = new Set(['pending', 'unproven', 'breaker', 'paused', 'ledger']);

/** The gate's decision for one request, read from its log line. */
export function parseDecision(log: string[]): LoggedDecision | undefined {
  for (const line of log) {
    const entry = parseLine(line);
    if (!entry || typeof entry.outcome !== 'string' || !String(entry.message).startsWith('account linking:')) continue;
    return {
      outcome: entry.outcome as LoggedDecision['outcome'],
      ...(typeof entry.reason === 'string' ? { reason: entry.reason } : {}),
      ...(entry.verdict === 'invalid' || entry.verdict === 'expired' ? { verdict: entry.verdict } : {}),
      ...(entry.rejection === 'self-evident' || entry.rejection === 'suspected' ? { rejection: entry.rejection } : {}),
      ...(typeof entry.reasonClass === 'string' ? { reasonClass: entry.reasonClass } : {}),
      ...(typeof entry.held === 'string' && HOLDS.has(entry.held) ? { held: entry.held as HoldReason } : {}),
      ...(typeof entry.confirmAt === 'string' ? { confirmAt: entry.confirmAt } : {}),
    };
  }
  return undefined;
}

/** Whether a log line is one of the unlinking policy's ERROR lines (unproven, breaker, paused, ledger). */
export const isPolicyError = (line: string): boolean => line.includes(`"message":"${UNLINKING_HELD_PREFIX}`);

/** A gate decision in plain words: what the verifier said, and what the unlinking policy made of it. */
export function describeDecision(decision: LoggedDecision | undefined, claim?: Claim): string {
  if (!decision) return 'no gate decision: the request needs no linked user';
  const answer = claim === 'devices-vanish' ? `Discover's rejection: ${EMPTY_DISCOVER}.` : claim === 'refused' ? 'Refused: the link is untouched.' : 'The unlinking reply.';
  const verdict = decision.verdict ? `rejected (${decision.verdict === 'invalid' ? `invalid, ${decision.reasonClass}` : 'expired'}; ${decision.rejection ?? 'suspected'})` : '';
  switch (decision.held) {
    case 'pending':
      return `${verdict} — held: pending. A suspected rejection waits for the same token to be rejected again: it can be confirmed from ${clock(decision.confirmAt)} ` +
        `(${CONFIRM_AFTER_SECONDS} s after its first rejection here; ${DEPLOYED_CONFIRM_AFTER_SECONDS / 3600} h in a deployed skill). The link is kept.`;
    case 'unproven':
      return `${verdict} — held: unproven. No token has been accepted under this configuration anywhere in the fleet: no rejection is answered. The link is kept.`;
    case 'breaker':
      return `${verdict} — held: breaker. Too many tokens first rejected for ${decision.reasonClass} across the fleet: a fault is suspected, confirmations wait. The link is kept.`;
    case 'paused':
      return `${verdict} — held: paused. An operator paused every confirmation. The link is kept.`;
    case 'ledger':
      return `${verdict} — held: ledger. The fleet's ledger could not be read: we cannot know. The link is kept.`;
  }
  switch (decision.outcome) {
    case 'linked':
      return 'accepted: the token identifies a linked user';
    case 'missing':
      return 'no token: the user has not linked, so there is no link to delete';
    case 'invalid':
    case 'expired':
      return decision.rejection === 'self-evident'
        ? `${verdict} — answered at once: no fault of ours can produce it, and the configuration is proven. ${answer}`
        : `${verdict} — confirmed: the same token rejected again, on fresh knowledge, after the delay. ${answer}`;
    case 'undecided':
      return `could not decide${decision.reason ? ` (${decision.reason})` : ''}: no proof either way. The link is kept.`;
  }
}

/** One line: why the answer is the right one, from the gate's verdict and the situation. */
export function why(situation: Situation, decision: LoggedDecision | undefined, kind: ReplyKind, skill: SkillName, claim?: Claim): string {
  const jwtMode = situation.verification === 'jwt';
  if (claim === 'devices-vanish' && decision && (decision.outcome === 'invalid' || decision.outcome === 'expired')) {
    return 'The gate rejected the token, and answers Discover with an empty endpoint list (Amazon\'s documented answer; the gate\'s ' +
      'discoverRejection option sends INVALID_AUTHORIZATION_CREDENTIAL instead): no unlinking code, Alexa keeps the link, ' +
      'but an empty list tells it the user has no devices — they would vanish from the Alexa app until a valid token discovers them again.';
  }
  if (!decision) {
    return kind === 'answered' ? 'The gate let the request through (it needs no linked user).' : 'The request never reached a verdict (see the reply).';
  }
  const confirmed = decision.rejection === 'self-evident'
    ? 'No fault of ours can produce this rejection, and this configuration is proven: answered at once. '
    : `Rejected again, on fresh knowledge, at least ${CONFIRM_AFTER_SECONDS} s after its first rejection in the fleet (${DEPLOYED_CONFIRM_AFTER_SECONDS / 3600} h deployed): confirmed. `;
  switch (decision.held) {
    case 'pending':
      return `The verifier rejected it (${decision.reasonClass}), but one rejection is no proof: ${faultLike(decision.reasonClass)}. ` +
        `The unlinking policy holds it until the same token is rejected again from ${clock(decision.confirmAt)}; meanwhile the user hears "try again later" and keeps the link.`;
    case 'unproven':
      return 'No token has been accepted under this configuration anywhere in the fleet: the unlinking policy holds every rejection (held: unproven), so a bad deploy unlinks nobody. Its ERROR line tells the operator what to check.';
    case 'breaker':
      return `The breaker is open for ${decision.reasonClass}: the fleet's first rejections of that class are out of line with their usual level, which points at a fault, not at the users. Confirmations wait; the ERROR line says what to check.`;
    case 'paused':
      return 'An operator paused every confirmation in the ledger\'s control item: rejections get the transient reply until it is resumed.';
    case 'ledger':
      return 'The unlinking ledger could not be read or written in time: no rejection can be confirmed, so the link is kept.';
  }
  switch (decision.outcome) {
    case 'linked': {
      if (kind !== 'answered') return 'The token was accepted; the skill itself answered this way (its own service failed, not the link).';
      if (situation.token === 'revoked' && jwtMode) return 'A JWT is checked locally (signature, exp): a revocation stays unseen until it expires. Keep JWT lifetimes short, or introspect.';
      if (situation.token === 'rotated') return jwtMode ? 'The refreshed token names a new kid: the verifier fetched the JWKS again and found it. The user stays linked.' : 'Opaque tokens carry no kid: the rotation does not touch them. The user stays linked.';
      if (situation.server !== 'up' && jwtMode) return 'The JWKS keys were fetched before: a JWT is verified without the server. The user stays linked.';
      return 'The verifier accepted the token: the domain handler answered.';
    }
    case 'missing':
      return skill === 'my-lights' && kind === 'answered'
        ? 'No token: the user has not linked. Discover answers an empty list: no devices, and no link to delete.'
        : 'No token at all: the user never linked, so nobody is unlinked (UnlinkingReplies 0). Asking them to link is right.';
    case 'expired':
      return `${confirmed}The token's exp is past, beyond the clock tolerance: ${claim === 'refused' ? 'AcceptGrant cannot unlink, so it is refused (ACCEPT_GRANT_FAILED) and the link is untouched' : 'the unlinking reply is right'}.`;
    case 'invalid': {
      if (claim === 'refused') return `${confirmed}AcceptGrant cannot unlink: the gate refuses the grant (ACCEPT_GRANT_FAILED), the link is untouched.`;
      if (situation.deploy !== 'correct') return `${confirmed}Rejected (${decision.reason ?? 'invalid'}) by a wrongly configured skill that had accepted tokens before: this is what the policy is there to stop.`;
      if (situation.token === 'expired') return `${confirmed}Introspection answers "active": false for an expired token as for a revoked one: invalid.`;
      if (situation.token === 'revoked') return `${confirmed}The authorization server says the token is inactive: the link goes.`;
      if (situation.token === 'forged') {
        return confirmed + (jwtMode
          ? `The signature fails against the server's keys, fetched fresh (${decision.reason ?? 'invalid'}): a forged token is refused.`
          : 'The authorization server knows no such token ("active": false): a guessed token is refused.');
      }
      return `${confirmed}The verifier proved the token bad (${decision.reason ?? 'invalid'}).`;
    }
    case 'undecided':
      if (situation.server === 'down') return 'The authorization server is unreachable: the verifier cannot decide, and an outage is no proof. The link is kept.';
      if (situation.server === 'hang') return 'The verifier ran out of time (the server never answered): no proof, so the link is kept.';
      if (situation.deploy !== 'correct') return 'A setting of ours is wrong (see the ERROR line): "could not decide", never an unlink.';
      return 'The verifier could not decide (see the log line): that is about us, not the token, so the link is kept.';
  }
}
