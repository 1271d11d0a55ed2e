/**
 * The local account-linking sandbox: the embedded authorization server (oidc-provider, in memory),
 * the three example skills behind a local HTTP endpoint, configured against it through the same
 * environment variables as in Lambda, Jukebox's demo resource server, and the situations the
 * console page and the guided run put the skills in (see situations.ts).
 */
import type { Environment, Logger } from '../../lib';
import { startResourceServer, type ResourceServer } from '../resource-server';
import { CLIENTS, signingKey, startAuthorizationServer, type AuthorizationServer } from './authorization-server';
import { consolePage } from './console-page';
import { startEndpoint, type Endpoint } from './endpoint';
import { Situations } from './situations';
import { startStagingServer, type StagingServer } from './staging-server';

export interface Sandbox {
  authorizationServer: AuthorizationServer;
  endpoint: Endpoint;
  resourceServer: ResourceServer;
  /** The wrong server of a bad deploy. */
  staging: StagingServer;
  /** The situations: the skills' deployment, the linked user, one exchange at a time. */
  situations: Situations;
  /** The environment the skills are deployed with now, as a Lambda function's would be. */
  readonly environment: Environment;
  /** Sends an Alexa request to a skill through the local endpoint; answers the HTTP status and the reply. */
  send(skill: string, event: unknown): Promise<{ status: number; reply: any }>;
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** The endpoint's port; 0 picks a free one. */
  port?: number;
  /** The authorization server's port; 0 picks a free one. */
  authorizationServerPort?: number;
  /** Where the skills' log lines go too. Default: nowhere but the console's record of each request. */
  logger?: Logger | undefined;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const server = await startEndpoint(options.port ?? 0);
  const authorizationServer = await startAuthorizationServer({
    port: options.authorizationServerPort ?? 0,
    signingKeys: [signingKey('sandbox-key-1')],
    redirectUris: [server.callbackUrl],
  });
  const staging = await startStagingServer();
  // The resource server is the service's own: it verifies tokens correctly whatever the skills' deploy.
  let situations: Situations | undefined;
  const resourceServer = await startResourceServer({
    verify: (token, context) => situations!.serviceVerifier.verify(token, context),
  });
  situations = new Situations({
    authorizationServer,
    staging,
    subscriptionsUrl: resourceServer.url,
    logger: options.logger,
  });
  const current = situations;

  const endpoint = server.serve({
    skills: {
      'ride-hailer': (event) => current.skills['ride-hailer'](event),
      'my-lights': (event) => current.skills['my-lights'](event),
      jukebox: (event) => current.skills.jukebox(event),
    },
    authorizationUrl: (redirectUri, state) => authorizationServer.authorizationUrl(current.client, redirectUri, state),
    exchange: async (code, redirectUri) => {
      const verification = current.situation.verification;
      const tokens = await authorizationServer.exchange(code, redirectUri, current.client);
      current.adoptLink(
        subjectOf(tokens.access_token) ?? (await introspectedSubject(authorizationServer, tokens.access_token)),
        verification,
        tokens,
        'browser',
      );
      return tokens;
    },
    console: { page: consolePage, situations: current },
  });

  return {
    authorizationServer,
    endpoint,
    resourceServer,
    staging,
    situations: current,
    get environment() {
      return current.environment;
    },
    async send(skill, event) {
      const response = await fetch(`${endpoint.url}/skills/${skill}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(event),
      });
      return { status: response.status, reply: await response.json() };
    },
    async close() {
      await Promise.all([endpoint.close(), resourceServer.close(), authorizationServer.stop(), staging.close()]);
    },
  };
}

/** The `sub` of a JWT access token, unverified (the token came straight from the token endpoint). */
function subjectOf(token: string): string | undefined {
  const [, payload] = token.split('.');
  if (!payload) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** The `sub` of an opaque access token, asked of the introspection endpoint. */
async function introspectedSubject(server: AuthorizationServer, token: string): Promise<string> {
  const response = await fetch(server.introspectionUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${CLIENTS.introspection.id}:${CLIENTS.introspection.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ token }),
  });
  const body = (await response.json()) as { sub?: unknown };
  return typeof body.sub === 'string' ? body.sub : 'someone';
}
