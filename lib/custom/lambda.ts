/**
 * The Lambda entry point of a custom skill, `export const handler = customSkillHandler(skill)`: an
 * async handler (nodejs24.x refuses callback-style ones) that refuses what is not a custom-skill
 * envelope with a {@link MalformedRequestError} before it reaches the SDK.
 */
import type { RequestEnvelope, ResponseEnvelope } from 'ask-sdk-model';
import { MalformedRequestError } from '../errors';
import { createJsonLogger, type Logger } from '../logging';
import { customRequestType } from './resolve';

/**
 * The parts of the Lambda context object the toolkit passes on, owned here so the package's types
 * need nothing from `@types/aws-lambda`. `Context` from `@types/aws-lambda` is assignable to it.
 */
export interface LambdaContext {
  /** The request ID of this invocation. */
  readonly awsRequestId?: string | undefined;
  /** The name of the Lambda function. */
  readonly functionName?: string | undefined;
  /** The version of the function being run. */
  readonly functionVersion?: string | undefined;
  /** The ARN used to invoke the function, with its alias or version if any. */
  readonly invokedFunctionArn?: string | undefined;
  /** The memory configured for the function, in MB, as a string (as Lambda gives it). */
  readonly memoryLimitInMB?: string | undefined;
  /** The CloudWatch Logs group of the function. */
  readonly logGroupName?: string | undefined;
  /** The CloudWatch Logs stream of this execution environment. */
  readonly logStreamName?: string | undefined;
  /** Milliseconds left before Lambda times the invocation out. */
  getRemainingTimeInMillis?(): number;
}

/** A custom skill's Lambda entry point: `async (event, context) => ResponseEnvelope`. */
export type CustomSkillLambdaHandler = (event: unknown, context?: LambdaContext) => Promise<ResponseEnvelope>;

/**
 * Wraps a custom skill (from `SkillBuilders.custom()...create()`) as an async Lambda handler that
 * refuses events that are not custom-skill request envelopes before they reach the SDK.
 *
 * @param skill - The skill to invoke.
 * @param options - `logger`: where the refusal of a malformed event is logged. Default: the JSON logger
 *   of {@link createJsonLogger} (one JSON line per entry on stdout, which Lambda sends to CloudWatch).
 */
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
