/**
 * The Lambda entry point of My Lights. Configuration comes from environment variables (set by
 * template.yaml from its Parameters); a missing or contradictory one fails the cold start with a
 * message that names it.
 *
 * AcceptGrant: with `ALEXA_CLIENT_ID` set (the skill's LWA client, for Alexa events), the grant code
 * is exchanged and the tokens kept in the DynamoDB table `ALEXA_GRANTS_TABLE`; then
 * `ALEXA_CLIENT_SECRET` and `ALEXA_GRANTS_TABLE` are required too.
 */
import {
  ConfigurationError,
  createJsonLogger,
  verifierFromEnvironment,
  type AlexaGrant,
  type AlexaGrantStore,
  type AlexaGrantVersion,
} from '../../lib';
import type { DynamoDbAlexaGrantStore } from '../../lib/dynamodb';
import { gateOptionsFromEnvironment, replyFirst } from '../environment';
import { createMyLightsSkill } from './skill';

const logger = createJsonLogger();

/**
 * The DynamoDB grant store, loaded on its first use (an AcceptGrant, a ChangeReport's token) rather
 * than at init: the AWS SDK's DynamoDB client costs tens of milliseconds to load, and most cold
 * starts (every directive but AcceptGrant) never touch the store.
 */
class LazyDynamoDbAlexaGrantStore implements AlexaGrantStore {
  #store: Promise<DynamoDbAlexaGrantStore> | undefined;

  constructor(private readonly tableName: string) {}

  async get(userId: string): Promise<AlexaGrant | undefined> {
    return (await this.#load()).get(userId);
  }

  async putIfNewer(userId: string, grant: AlexaGrant): Promise<boolean> {
    return (await this.#load()).putIfNewer(userId, grant);
  }

  async putIfUnchanged(userId: string, grant: AlexaGrant, expected: AlexaGrantVersion): Promise<boolean> {
    return (await this.#load()).putIfUnchanged(userId, grant, expected);
  }

  #load(): Promise<DynamoDbAlexaGrantStore> {
    // A failed load (a broken deployment) is not remembered: the next request tries again.
    return (this.#store ??= import('../../lib/dynamodb').then(
      ({ DynamoDbAlexaGrantStore }) => new DynamoDbAlexaGrantStore({ tableName: this.tableName }),
      (error: unknown) => {
        this.#store = undefined;
        throw error;
      },
    ));
  }
}

function acceptGrantFromEnvironment(env = process.env) {
  const clientId = env.ALEXA_CLIENT_ID?.trim();
  if (!clientId) {
    logger.warn(
      'my lights: ALEXA_CLIENT_ID is not set: AcceptGrant is acknowledged without exchanging the grant code, so no ChangeReports can be sent',
    );
    return undefined;
  }
  const clientSecret = env.ALEXA_CLIENT_SECRET?.trim();
  const tableName = env.ALEXA_GRANTS_TABLE?.trim();
  if (!clientSecret)
    throw new ConfigurationError('Set ALEXA_CLIENT_SECRET: the LWA client secret that goes with ALEXA_CLIENT_ID');
  if (!tableName)
    throw new ConfigurationError('Set ALEXA_GRANTS_TABLE: the DynamoDB table that keeps the Alexa grants');
  const tokenUrl = env.LWA_TOKEN_URL?.trim() || undefined;
  return { credentials: { clientId, clientSecret, tokenUrl }, store: new LazyDynamoDbAlexaGrantStore(tableName) };
}

const skill = createMyLightsSkill({
  verifier: verifierFromEnvironment(),
  logger,
  acceptGrant: acceptGrantFromEnvironment(),
  ...gateOptionsFromEnvironment(),
}).create();

/** An async (event, context) handler, as nodejs24.x requires; the skill never rejects. */
export const handler = replyFirst(async (event: unknown, context: unknown) => skill.invoke(event, context));
