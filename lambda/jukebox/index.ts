/**
 * The Lambda entry point of Jukebox. Configuration comes from environment variables (set by
 * template.yaml from its Parameters); a missing or contradictory one fails the cold start with a
 * message that names it.
 */
import { ConfigurationError, createJsonLogger, verifierFromEnvironment } from '../../lib';
import { gateOptionsFromEnvironment, replyFirst } from '../environment';
import { createJukeboxSkill } from './skill';
import { ResourceServerSubscriptions } from './subscriptions';

const subscriptionUrl = process.env.SUBSCRIPTION_URL?.trim();
if (!subscriptionUrl || !URL.canParse(subscriptionUrl)) {
  throw new ConfigurationError(
    "Set SUBSCRIPTION_URL: the resource server URL that tells a linked user's subscription tier",
  );
}

const skill = createJukeboxSkill({
  verifier: verifierFromEnvironment(),
  subscriptions: new ResourceServerSubscriptions(subscriptionUrl),
  logger: createJsonLogger(),
  ...gateOptionsFromEnvironment(),
}).create();

/** An async (event, context) handler, as nodejs24.x requires; the skill never rejects. */
export const handler = replyFirst(async (event: unknown, context: unknown) => skill.invoke(event, context));
