/**
 * The Lambda entry point of Ride Hailer. Configuration comes from environment variables (set by
 * template.yaml from its Parameters); a missing or contradictory one fails the cold start with a
 * message that names it.
 */
import { ConfigurationError, createJsonLogger, customSkillHandler, verifierFromEnvironment } from '../../lib';
import { gateOptionsFromEnvironment, replyFirst } from '../environment';
import { createRideHailerSkill } from './skill';

const logger = createJsonLogger();

/** `VOICE_LINKING`: `true` turns on voice-forward account linking (Login with Amazon only); default off. */
function voiceLinkingFromEnvironment(raw = process.env.VOICE_LINKING?.trim().toLowerCase()): boolean {
  if (!raw || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigurationError('VOICE_LINKING must be "true" or "false"');
}

export const handler = replyFirst(
  customSkillHandler(
    createRideHailerSkill({
      verifier: verifierFromEnvironment(),
      logger,
      skillId: process.env.SKILL_ID || undefined,
      voiceLinking: voiceLinkingFromEnvironment(),
      ...gateOptionsFromEnvironment(),
    }),
    { logger },
  ),
);
