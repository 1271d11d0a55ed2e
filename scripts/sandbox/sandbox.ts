/**
 * The local account-linking sandbox: the embedded authorization server (oidc-provider, in memory),
 * the three example skills behind a local HTTP endpoint, configured against it through the same
 * environment variables as in Lambda, and Jukebox's demo resource server.
 */
import { createJsonLogger, customSkillHandler, verifierFromEnvironment, type Environment, type Logger } from '../../lib';
import { createJukeboxSkill } from '../../lambda/jukebox/skill';
import { ResourceServerSubscriptions } from '../../lambda/jukebox/subscriptions';
import { createMyLightsSkill } from '../../lambda/my-lights/skill';
import { createRideHailerSkill } from '../../lambda/ride-hailer/skill';
import { startResourceServer, type ResourceServer } from '../resource-server';
import { AUDIENCE, CLIENTS, signingKey, startAuthorizationServer, type AuthorizationServer } from './authorization-server';
import { startEndpoint, type Endpoint } from './endpoint';

export interface Sandbox {
  authorizationServer: AuthorizationServer;
  endpoint: Endpoint;
  resourceServer: ResourceServer;
  /** The environment the skills were configured from, as a Lambda function would be. */
  environment: Environment;
  /** Sends an Alexa request to a skill through the local endpoint; answers the HTTP status and the reply. */
  send(skill: string, event: unknown): Promise<{ status: number; reply: any }>;
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** The endpoint's port; 0 picks a free one. */
  port?: number;
  /** The authorization server's port; 0 picks a free one. */
  authorizationServerPort?: number;
  /** Where the skills log. Default: nowhere. */
  logger?: Logger;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const server = await startEndpoint(options.port ?? 0);
  const authorizationServer = await startAuthorizationServer({
    port: options.authorizationServerPort ?? 0,
    signingKeys: [signingKey('sandbox-key-1')],
    redirectUris: [server.callbackUrl],
  });
  // The same variables a Lambda function of template.yaml would have: opaque tokens, introspection.
  const environment: Environment = {
    TOKEN_VERIFIER: 'introspection',
    INTROSPECTION_URL: authorizationServer.introspectionUrl,
    INTROSPECTION_CLIENT_ID: CLIENTS.introspection.id,
    INTROSPECTION_CLIENT_SECRET: CLIENTS.introspection.secret,
    INTROSPECTION_AUDIENCE: AUDIENCE,
    VERIFY_CACHE_TTL_SECONDS: '0',
  };
  const logger = options.logger ?? createJsonLogger({ level: 'silent' });
  const verifier = verifierFromEnvironment(environment);
  const resourceServer = await startResourceServer(verifier);
  const endpoint = server.serve({
    skills: {
      'ride-hailer': customSkillHandler(createRideHailerSkill({ verifier, logger }), { logger }),
      'my-lights': createMyLightsSkill({ verifier, logger }).lambda(),
      jukebox: createJukeboxSkill({ verifier, logger, subscriptions: new ResourceServerSubscriptions(resourceServer.url) }).lambda(),
    },
    authorizationUrl: (redirectUri, state) => authorizationServer.authorizationUrl('opaque', redirectUri, state),
    exchange: (code, redirectUri) => authorizationServer.exchange(code, redirectUri, 'opaque'),
  });

  return {
    authorizationServer,
    endpoint,
    resourceServer,
    environment,
    async send(skill, event) {
      const response = await fetch(`${endpoint.url}/skills/${skill}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event) });
      return { status: response.status, reply: await response.json() };
    },
    async close() {
      await Promise.all([endpoint.close(), resourceServer.close(), authorizationServer.stop()]);
    },
  };
}
