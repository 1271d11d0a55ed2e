/**
 * The Lambda entry point of a custom skill: `export const handler = customSkillHandler(skill)`.
 *
 * An async `(event, context)` handler, as the nodejs24.x runtime requires (it rejects the
 * callback-style handler that ask-sdk-core's builders make). An event that is not a custom-skill
 * request envelope is refused with a {@link MalformedRequestError} and a logged reason before
 * it reaches the SDK, where it would end as a TypeError.
 */
import type { RequestEnvelope, ResponseEnvelope } from 'ask-sdk-model';
import type { Context } from 'aws-lambda';
import { MalformedRequestError } from '../errors';
import { createJsonLogger, type Logger } from '../logging';
import { customRequestType } from './resolve';

export type CustomSkillLambdaHandler = (event: unknown, context?: Context) => Promise<ResponseEnvelope>;

export function customSkillHandler(
  skill: { invoke(event: RequestEnvelope, context?: unknown): Promise<ResponseEnvelope> },
  options: { logger?: Logger } = {},
): CustomSkillLambdaHandler {
  const logger = options.logger ?? createJsonLogger();
  return async (event, context) => {
    try {
      customRequestType(event);
    } catch (error) {
      if (error instanceof MalformedRequestError) {
        logger.error('account linking: malformed request', { family: 'custom', reason: error.reason });
      }
      throw error;
    }
    return skill.invoke(event as RequestEnvelope, context);
  };
}
