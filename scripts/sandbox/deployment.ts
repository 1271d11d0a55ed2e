/**
 * How the skills are deployed for a verification and a deploy: the environment a Lambda function of
 * template.yaml would have ({@link environmentFor}), the verifier it builds, and the three skills
 * with the gate options every example Lambda reads from its environment ({@link deploySkills}).
 */
import {
  createJsonLogger,
  customSkillHandler,
  jwtVerifierFromEnvironment,
  verifierFromEnvironment,
  type Environment,
  type LinkedUser,
  type Logger,
  type MemoryUnlinkLedger,
  type TokenVerifier,
} from '../../lib';
import { gateOptionsFromEnvironment } from '../../lambda/environment';
import { createJukeboxSkill } from '../../lambda/jukebox/skill';
import { ResourceServerSubscriptions } from '../../lambda/jukebox/subscriptions';
import { createMyLightsSkill } from '../../lambda/my-lights/skill';
import { createRideHailerSkill } from '../../lambda/ride-hailer/skill';
import { AUDIENCE, CLIENTS, type AuthorizationServer } from './authorization-server';
import { gateExtras } from './gate-extras';
import { CONFIRM_AFTER_SECONDS, type Deploy, type Verification } from './situation';
import type { SkillHandler, SkillName } from './skills';
import type { StagingServer } from './staging-server';

/** The skills as deployed: for which verification and deploy, with which environment. */
export interface Deployment {
  verification: Verification;
  deploy: Deploy;
  environment: Environment;
  skills: Record<SkillName, SkillHandler>;
}

export interface DeploySkillsOptions {
  server: AuthorizationServer;
  staging: StagingServer;
  /** The subscription endpoint of Jukebox's resource server. */
  subscriptionsUrl: string;
  /** Where the skills' log lines go besides {@link output} (e.g. stderr with --verbose). */
  logger?: Logger | undefined;
  /** Each skill's unlinking ledger, shared by every deploy and container of the skill. */
  ledgers: Record<SkillName, MemoryUnlinkLedger>;
  /** Where the skills' log and metric lines go, each trimmed: the record of the request under way. */
  output: { log(line: string): void; metric(line: string): void };
}

/** The environment a Lambda function of template.yaml would have, for a verification and a deploy. */
export function environmentFor(
  server: AuthorizationServer,
  staging: StagingServer,
  verification: Verification,
  deploy: Deploy,
): Environment {
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
    INTROSPECTION_CLIENT_SECRET:
      deploy === 'wrong-secret' ? 'the-client-secret-of-another-environment' : CLIENTS.introspection.secret,
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
export function verifierFor(environment: Environment): TokenVerifier<LinkedUser> {
  if (environment.TOKEN_VERIFIER === 'jwt' && environment.JWKS_URI)
    return jwtVerifierFromEnvironment(environment, { jwksCooldownMs: 1 });
  return verifierFromEnvironment(environment);
}

/** Deploys the three skills for `verification` and `deploy`: fresh containers, the ledgers of {@link DeploySkillsOptions.ledgers}. */
export function deploySkills(options: DeploySkillsOptions, verification: Verification, deploy: Deploy): Deployment {
  const environment = environmentFor(options.server, options.staging, verification, deploy);
  const verifier = verifierFor(environment);
  const tee = options.logger;
  const logger = createJsonLogger({
    level: 'info',
    write: (line) => {
      options.output.log(line.trimEnd());
      if (tee) tee.info('sandbox: skill log', { line: line.trimEnd() });
    },
  });
  const extras = gateExtras((line) => options.output.metric(line.trimEnd()));
  // The gate options every example Lambda reads from its environment (UNLINK_CONFIRM_AFTER_SECONDS, ...),
  // with the skill's own ledger where a deployed function has UNLINK_LEDGER_TABLE.
  const gate = gateOptionsFromEnvironment(environment);
  const gateOptions = (skill: SkillName) => ({
    verifier,
    logger,
    ...extras,
    ...gate,
    unlinking: gate.unlinking === false ? (false as const) : { ...gate.unlinking, ledger: options.ledgers[skill] },
  });
  return {
    verification,
    deploy,
    environment,
    skills: {
      'ride-hailer': customSkillHandler(createRideHailerSkill(gateOptions('ride-hailer')), { logger }),
      'my-lights': createMyLightsSkill(gateOptions('my-lights')).lambda(),
      jukebox: createJukeboxSkill({
        ...gateOptions('jukebox'),
        subscriptions: new ResourceServerSubscriptions(options.subscriptionsUrl),
      }).lambda(),
    },
  };
}
