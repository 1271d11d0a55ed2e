/**
 * The situations of the sandbox: what a request carries (a linked token, an expired, revoked or
 * forged one, none, one refreshed after a key rotation), how the authorization server is (up, down,
 * hanging), and how the skills are deployed (JWT with the JWKS or introspection; correctly, or with
 * a wrong audience, secret or server). One {@link Situations.exchange} sets the situation up on the
 * embedded authorization server and the skills' configuration, sends one Alexa request, and
 * answers what Alexa would receive with what the gate logged — token fingerprints only.
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
  fingerprint,
  jwtVerifierFromEnvironment,
  redact,
  verifierFromEnvironment,
  type Environment,
  type LinkedUser,
  type Logger,
  type TokenVerifier,
} from '../../lib';
import { withAccessToken, withoutAccessToken } from '../../lib/testing';
import { createJukeboxSkill } from '../../lambda/jukebox/skill';
import { ResourceServerSubscriptions } from '../../lambda/jukebox/subscriptions';
import { createMyLightsSkill } from '../../lambda/my-lights/skill';
import { createRideHailerSkill } from '../../lambda/ride-hailer/skill';
import { explainReply, type ReplyKind } from '../summary';
import { AUDIENCE, CLIENTS, type AuthorizationServer, type Tokens } from './authorization-server';
import type { SkillHandler } from './endpoint';
import { gateExtras, GUARD_ERROR_PREFIX } from './gate-extras';
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

/** The gate's verdict on one request, as its log line says it. */
export interface LoggedDecision {
  outcome: 'linked' | 'missing' | 'invalid' | 'expired' | 'undecided';
  reason?: string;
  /** The verdict was held by the unlink guard. */
  held: boolean;
}

/** One request of another user of the skill, sent in a bad deploy before the user's own. */
export interface CrowdRequest {
  user: string;
  tokenFingerprint: string;
  summary: string;
  unlinks: boolean;
  held: boolean;
}

/** One Alexa request in one situation, and what came of it. */
export interface Exchange {
  skill: SkillName;
  request: string;
  situation: Situation;
  /** How the skills were deployed, in a few words: `TOKEN_VERIFIER=jwt, a wrong JWT_AUDIENCE`. */
  deployment: string;
  /** The login whose token was sent (none with no token). */
  user?: string;
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
  unlinks: boolean;
  /** The gate's verdict, from its log line. */
  decision?: LoggedDecision;
  /** One line: why this answer is the right one. */
  why: string;
  /** The log lines of this request (JSON, as the Lambda would log them): fingerprints, never tokens. */
  log: string[];
  /** The EMF metric lines of this request (with a gate that emits them). */
  metrics: string[];
  /** What the sandbox did to set the situation up. */
  steps: string[];
  /** In a bad deploy: the same request of other users, sent first (the guard counts distinct tokens). */
  crowd: CrowdRequest[];
  /** The log lines of the other users' requests (where the guard's one ERROR line may be). */
  crowdLog: string[];
  /** The metric lines of the other users' requests. */
  crowdMetrics: string[];
}

/** The token situations the verifier rejects. */
const REJECTIONS = new Set<TokenSituation>(['expired', 'revoked', 'forged', 'none']);

/** Logins of the other users of a skill, whose requests a bad deploy receives too. */
const CROWD = ['grace', 'alan', 'edsger', 'barbara'];

/** Milliseconds after issue when a short-lived token is past its expiry (and, for a JWT, the 1 s clock tolerance). */
const EXPIRED_AFTER_MS = 2200;

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

export interface SituationsOptions {
  authorizationServer: AuthorizationServer;
  staging: StagingServer;
  /** The subscription endpoint of Jukebox's resource server. */
  subscriptionsUrl: string;
  /** Where the skills' log lines go besides the exchange's record (e.g. stderr with --verbose). */
  logger?: Logger;
}

/** The environment a Lambda function of template.yaml would have, for a verification and a deploy. */
export function environmentFor(server: AuthorizationServer, staging: StagingServer, verification: Verification, deploy: Deploy): Environment {
  if (verification === 'jwt') {
    const environment: Environment = {
      TOKEN_VERIFIER: 'jwt',
      JWKS_URI: deploy === 'wrong-server' ? staging.jwksUri : server.jwksUri,
      JWT_ISSUER: server.issuer,
      JWT_AUDIENCE: deploy === 'wrong-audience' ? 'another-skill' : AUDIENCE,
      // 1 s instead of the default 5, so that the sandbox's 1 s tokens are "expired" 2 s after issue
      JWT_CLOCK_TOLERANCE_SECONDS: '1',
      VERIFY_CACHE_TTL_SECONDS: '0',
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
  readonly #logger?: Logger;
  #deployment: Deployment;
  #capture: Capture = { log: [], metrics: [] };
  /** One exchange at a time: the log lines and metrics captured belong to it. */
  #queue: Promise<unknown> = Promise.resolve();

  /** The linked user: the login and the tokens Alexa keeps, per verification. */
  login = 'ada';
  linkedBy: 'sandbox' | 'browser' = 'sandbox';
  readonly #tokens: Partial<Record<Verification, Tokens>> = {};
  readonly #expired: Partial<Record<Verification, { token: string; usableAt: number; login: string }>> = {};
  readonly #revoked: Partial<Record<Verification, { token: string; login: string }>> = {};
  readonly #crowd: Partial<Record<Verification, Record<string, string>>> = {};
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
      for (const kept of [this.#tokens, this.#expired, this.#revoked]) for (const key of Object.keys(kept)) delete kept[key as Verification];
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
    const next = this.#queue.then(() => this.#exchange(skill, request, situation));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #exchange(skill: SkillName, request: string, situation: Situation): Promise<Exchange> {
    const definition = (SKILLS[skill]?.requests as Record<string, { event: string }> | undefined)?.[request];
    if (!definition) throw new RangeError(`no request "${request}" for skill "${skill}"`);
    const steps: string[] = [];
    if (situation.verification !== this.#deployment.verification || situation.deploy !== this.#deployment.deploy) {
      this.#deployment = this.#deploy(situation.verification, situation.deploy);
      steps.push(`Deployed the skills with ${situation.verification === 'jwt' ? 'TOKEN_VERIFIER=jwt (JWKS)' : 'TOKEN_VERIFIER=introspection'}, ${describeDeploy(situation.verification, situation.deploy)}: fresh containers.`);
    }

    // Tokens are linked, revoked and refreshed on a server that answers; then it goes down or hangs if asked.
    if (this.#server.availability !== 'up') await this.#server.setAvailability('up');
    const { token, user } = await this.#tokenFor(situation, steps);
    const crowdTokens = situation.deploy === 'correct' ? [] : await this.#crowdTokens(situation.verification, steps);
    // In production most requests carry genuine tokens: before a rejection in a correct deploy, another
    // user's accepted request goes first, so that the unlink guard (which holds rejections that come
    // with no acceptance in between) sees a container that works, as it would.
    const genuine = situation.deploy === 'correct' && situation.server === 'up' && REJECTIONS.has(situation.token)
      ? (await this.#crowdTokens(situation.verification, steps))[0]
      : undefined;
    if (situation.server !== this.#server.availability) {
      await this.#server.setAvailability(situation.server);
      steps.push(`The authorization server is ${SERVER_SITUATIONS[situation.server]}.`);
    }

    const event = JSON.parse(readFileSync(path.join(ROOT, definition.event), 'utf8'));
    if (genuine) {
      const sent = await this.#send(skill, withAccessToken(event, genuine[1]));
      steps.push(`${genuine[0]}'s request went first (${parseDecision(sent.log)?.outcome ?? 'no verdict'}): in production most requests carry genuine tokens.`);
    }
    const crowd: CrowdRequest[] = [];
    const crowdLog: string[] = [];
    const crowdMetrics: string[] = [];
    for (const [other, otherToken] of crowdTokens) {
      const sent = await this.#send(skill, withAccessToken(event, otherToken));
      crowdLog.push(...sent.log);
      crowdMetrics.push(...sent.metrics);
      const explained = explainReply(sent.reply);
      crowd.push({ user: other, tokenFingerprint: fingerprint(otherToken), summary: explained.summary, unlinks: explained.unlinks, held: parseDecision(sent.log)?.held ?? false });
    }
    const envelope = token === undefined ? withoutAccessToken(event) : withAccessToken(event, token);
    const sent = await this.#send(skill, envelope);
    const explained = explainReply(sent.reply);
    const decision = parseDecision(sent.log);
    return {
      skill,
      request,
      situation,
      deployment: `TOKEN_VERIFIER=${situation.verification}, ${describeDeploy(situation.verification, situation.deploy)}`,
      user,
      tokenFingerprint: token === undefined ? null : fingerprint(token),
      requestJson: redactToken(envelope, token),
      status: sent.status,
      reply: sent.reply,
      ...explained,
      decision,
      why: why(situation, decision, explained.kind, skill),
      log: sent.log,
      metrics: sent.metrics,
      steps,
      crowd,
      crowdLog,
      crowdMetrics,
    };
  }

  async #send(skill: SkillName, event: unknown): Promise<{ status: number; reply: unknown; log: string[]; metrics: string[] }> {
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
    return { status, reply, log: capture.log, metrics: capture.metrics };
  }

  async #tokenFor(situation: Situation, steps: string[]): Promise<{ token?: string; user?: string }> {
    const { verification } = situation;
    const clients = CLIENT_OF[verification];
    const linked = async () => {
      if (!this.#tokens[verification]) {
        this.#tokens[verification] = await this.#server.link(this.login, clients.linked);
        steps.push(`Linked ${this.login} as Alexa does (client ${CLIENTS[clients.linked].id}): ${verification === 'jwt' ? 'a JWT' : 'an opaque'} access token.`);
      }
      return this.#tokens[verification]!;
    };
    switch (situation.token) {
      case 'none':
        return {};
      case 'linked':
        return { token: (await linked()).access_token, user: this.login };
      case 'rotated': {
        const tokens = await linked();
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
          await new Promise((resolve) => setTimeout(resolve, wait));
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
        // Opaque tokens cannot be forged, only guessed: a random one, as long as the server's.
        if (verification === 'introspection') return { token: randomBytes(32).toString('base64url'), user: `${this.login} (forged)` };
        // A JWT claiming to be the linked user, with the server's own kid, signed with another key.
        const forged = jwt.sign({ sub: this.login, scope: 'rides', client_id: CLIENTS.jwt.id }, this.#forger, {
          algorithm: 'RS256',
          keyid: this.#server.signingKids[0],
          issuer: this.#server.issuer,
          audience: AUDIENCE,
          expiresIn: 3600,
        });
        return { token: forged, user: `${this.login} (forged)` };
      }
    }
  }

  async #crowdTokens(verification: Verification, steps: string[]): Promise<Array<[string, string]>> {
    const crowd = (this.#crowd[verification] ??= {});
    const linked: string[] = [];
    for (const login of CROWD) {
      if (crowd[login]) continue;
      crowd[login] = (await this.#server.link(login, CLIENT_OF[verification].linked)).access_token;
      linked.push(login);
    }
    if (linked.length > 0) steps.push(`Linked ${linked.join(', ')}: other users of the skills.`);
    return Object.entries(crowd);
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
    const options = { verifier, logger, ...extras };
    return {
      verification,
      deploy,
      environment,
      skills: {
        'ride-hailer': customSkillHandler(createRideHailerSkill(options), { logger }),
        'my-lights': createMyLightsSkill(options).lambda(),
        jukebox: createJukeboxSkill({ ...options, subscriptions: new ResourceServerSubscriptions(this.#subscriptionsUrl) }).lambda(),
      },
    };
  }
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

/** The gate's decision for one request, read from its log line. */
export function parseDecision(log: string[]): LoggedDecision | undefined {
  for (const line of log) {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof entry.outcome !== 'string' || !String(entry.message).startsWith('account linking:')) continue;
    return {
      outcome: entry.outcome as LoggedDecision['outcome'],
      ...(typeof entry.reason === 'string' ? { reason: entry.reason } : {}),
      held: entry.heldByGuard === true,
    };
  }
  return undefined;
}

/** Whether a log line is the unlink guard's ERROR. */
export const isGuardError = (line: string): boolean => line.includes(`"message":"${GUARD_ERROR_PREFIX}`);

/** One line: why the answer is the right one, from the gate's verdict and the situation. */
export function why(situation: Situation, decision: LoggedDecision | undefined, kind: ReplyKind, skill: SkillName): string {
  const jwtMode = situation.verification === 'jwt';
  if (!decision) {
    return kind === 'answered' ? 'The gate let the request through (it needs no linked user).' : 'The request never reached a verdict (see the reply).';
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
        ? 'No token: the user has not linked. Discover answers an empty list, nothing to unlink.'
        : 'No token at all: the user never linked. Asking them to link is right.';
    case 'expired':
      return 'The token\'s exp is past, beyond the clock tolerance: proof about this very token, so the unlinking reply is right.';
    case 'invalid': {
      if (situation.deploy !== 'correct') return `Rejected (${decision.reason ?? 'invalid'}) by a wrongly configured skill: every user gets this — the bad deploy unlinks them. The unlink guard exists to stop this.`;
      if (situation.token === 'expired') return 'Introspection answers "active": false for an expired token as for a revoked one: proof that it is no good, so invalid.';
      if (situation.token === 'revoked') return 'The authorization server says the token is inactive: proof about this token, the link goes.';
      if (situation.token === 'forged') {
        return jwtMode
          ? `The signature fails against the server's keys, fetched fresh (${decision.reason ?? 'invalid'}): a forged token is refused.`
          : 'The authorization server knows no such token ("active": false): a guessed token is refused.';
      }
      return `The verifier proved the token bad (${decision.reason ?? 'invalid'}).`;
    }
    case 'undecided':
      if (decision.held) return 'The unlink guard held this rejection: distinct tokens rejected and none accepted in this container point at the configuration, not the users. The link is kept; the ERROR line and the metric tell the operator.';
      if (situation.server === 'down') return 'The authorization server is unreachable: the verifier cannot decide, and an outage is no proof. The link is kept.';
      if (situation.server === 'hang') return 'The verifier ran out of time (the server never answered): no proof, so the link is kept.';
      if (situation.deploy !== 'correct') return 'A setting of ours is wrong (see the ERROR line): "could not decide", never an unlink.';
      return 'The verifier could not decide (see the log line): that is about us, not the token, so the link is kept.';
  }
}
