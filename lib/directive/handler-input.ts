/** What a smart home, video or meetings skill's handlers get, and what they return. */
import type { RuntimeHandlerInput } from '../runtime-skill';
import type { AlexaEvent, Directive, DirectiveEnvelope } from './envelope';
import type { DirectiveReplies } from './events';

/** What every handler, interceptor and error handler of a {@link DirectiveSkillBuilder} skill gets. */
export interface DirectiveHandlerInput extends RuntimeHandlerInput<DirectiveEnvelope> {
  /** `requestEnvelope.directive`. */
  readonly directive: Directive;
  /** The events that answer this directive, with the echo rules applied. */
  readonly reply: DirectiveReplies;
}

/** A directive handler, for {@link DirectiveSkillBuilder.addDirectiveHandler}: the event that answers the directive (build it with `input.reply`). */
export type DirectiveExecutor = (input: DirectiveHandlerInput) => AlexaEvent | Promise<AlexaEvent>;
