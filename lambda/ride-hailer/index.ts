/**
 * The Lambda entry point of Ride Hailer. Configuration comes from environment variables (set by
 * template.yaml from its Parameters); a missing or contradictory one fails the cold start with a
 * message that names it.
 */
import { createJsonLogger, customSkillHandler, verifierFromEnvironment } from '../../lib';
import { gateOptionsFromEnvironment } from '../environment';
import { createRideHailerSkill } from './skill';

const logger = createJsonLogger();

export const handler = customSkillHandler(
  createRideHailerSkill({
    verifier: verifierFromEnvironment(),
    logger,
    skillId: process.env.SKILL_ID || undefined,
    ...gateOptionsFromEnvironment(),
  }),
  { logger },
);
