/**
 * The skill builder of smart home, video and meetings skills ({@link directiveSkillBuilder}), on
 * ask-sdk-runtime: whatever happens, Alexa gets a well-formed event (`INVALID_DIRECTIVE`,
 * `ACCEPT_GRANT_FAILED`, `INTERNAL_ERROR`), never a rejection. See docs/smart-home.md.
 */
import type { MalformedRequestError } from '../errors';
import { RuntimeSkillBuilder, type RuntimeFamily } from '../runtime-skill';
import { isObject } from '../json';
import {
  directiveType,
  parseDirectiveEnvelope,
  type AlexaEvent,
  type Directive,
  type DirectiveEnvelope,
} from './envelope';
import { directiveReplies, errorEvent } from './events';
import { createDirectiveGate, type DirectiveGateOptions } from './gate';
import type { DirectiveExecutor, DirectiveHandlerInput } from './handler-input';
import { invalidDirectiveEvent } from './respond';

const directiveFamily: RuntimeFamily<DirectiveEnvelope, AlexaEvent, DirectiveHandlerInput> = {
  family: 'directive',
  parse: parseDirectiveEnvelope,
  createInput: (requestEnvelope, context, attributesManager) => ({
    requestEnvelope,
    directive: requestEnvelope.directive,
    context,
    attributesManager,
    reply: directiveReplies(requestEnvelope.directive),
  }),
  requestType: (envelope) => directiveType(envelope.directive),
  malformedReply: (event: unknown, error: MalformedRequestError) =>
    invalidDirectiveEvent(
      isObject(event) && isObject(event.directive) ? (event.directive as Directive) : undefined,
      error.reason,
    ),
  unmatchedReply: (input) =>
    invalidDirectiveEvent(input.directive, `this skill does not handle ${directiveType(input.directive)}`),
  failureReply: (input) =>
    input.directive.header.namespace === 'Alexa.Authorization'
      ? input.reply.acceptGrantFailed('The skill failed to handle the directive.')
      : errorEvent(input.directive, 'INTERNAL_ERROR', 'The skill failed to handle the directive.'),
  createGate: (options, builderLogger) => createDirectiveGate(options as DirectiveGateOptions<unknown>, builderLogger),
};

/**
 * The builder of a smart home, video or meetings skill: handlers by directive namespace and name,
 * and the directive gate with `withAccountLinking`. See the module documentation for an example.
 */
export class DirectiveSkillBuilder extends RuntimeSkillBuilder<DirectiveEnvelope, AlexaEvent, DirectiveHandlerInput> {
  constructor() {
    super(directiveFamily);
  }

  /** Handles the directives of `namespace` — of one `name` in it, if given. */
  addDirectiveHandler(namespace: string, name: string | undefined, executor: DirectiveExecutor): this {
    return this.addRequestHandler(
      ({ directive }) =>
        directive.header.namespace === namespace && (name === undefined || directive.header.name === name),
      executor,
    );
  }
}

/**
 * A new {@link DirectiveSkillBuilder}, as `SkillBuilders.custom()` is for custom skills.
 *
 * @example
 * ```ts
 * const skill = withAccountLinking(directiveSkillBuilder(), { verifier })
 *   .addDirectiveHandler('Alexa.PowerController', undefined, (input) => input.reply.response())
 *   .create();
 * export const handler = async (event: unknown, context: unknown) => skill.invoke(event, context);
 * ```
 */
export function directiveSkillBuilder(): DirectiveSkillBuilder {
  return new DirectiveSkillBuilder();
}
