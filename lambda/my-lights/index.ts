/**
 * The Lambda entry point of My Lights. Configuration comes from environment variables (set by
 * template.yaml from its Parameters); a missing or contradictory one fails the cold start with a
 * message that names it.
 */
import { createJsonLogger, verifierFromEnvironment } from '../../lib';
import { gateOptionsFromEnvironment } from '../environment';
import { createMyLightsSkill } from './skill';

export const handler = createMyLightsSkill({
  verifier: verifierFromEnvironment(),
  logger: createJsonLogger(),
  ...gateOptionsFromEnvironment(),
}).lambda();
