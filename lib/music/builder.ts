/**
 * The skill builder of music, radio and podcast skills ({@link musicSkillBuilder}), on
 * ask-sdk-runtime: whatever happens, Alexa gets a well-formed reply (`INVALID_DIRECTIVE`,
 * `INTERNAL_ERROR`), never a rejection. See docs/music.md.
 */
import type { MalformedRequestError } from '../errors';
import { RuntimeSkillBuilder, type RuntimeFamily } from '../runtime-skill';
import { musicRequestType, parseMusicRequest, type MusicRequest, type MusicResponse } from './envelope';
import { musicErrorResponse, musicReplies } from './events';
import { createMusicGate, type MusicGateOptions } from './gate';
import type { MusicExecutor, MusicHandlerInput } from './handler-input';
import { invalidMusicRequestResponse } from './respond';

const musicFamily: RuntimeFamily<MusicRequest, MusicResponse, MusicHandlerInput> = {
  family: 'music',
  parse: parseMusicRequest,
  createInput: (request, context, attributesManager) => ({
    requestEnvelope: request,
    request,
    context,
    attributesManager,
    reply: musicReplies(request),
  }),
  requestType: musicRequestType,
  malformedReply: (_event: unknown, error: MalformedRequestError) => invalidMusicRequestResponse(error.reason),
  unmatchedReply: (input) =>
    invalidMusicRequestResponse(`this skill does not handle ${musicRequestType(input.request)}`),
  failureReply: () => musicErrorResponse('INTERNAL_ERROR', 'The skill failed to handle the request.'),
  createGate: (options, builderLogger) => createMusicGate(options as MusicGateOptions<unknown>, builderLogger),
};

/**
 * The builder of a music, radio or podcast skill: handlers by Music Skill API namespace and name,
 * and the music gate with `withAccountLinking`. See the module documentation for an example.
 */
export class MusicSkillBuilder extends RuntimeSkillBuilder<MusicRequest, MusicResponse, MusicHandlerInput> {
  constructor() {
    super(musicFamily);
  }

  /** Handles the requests of `namespace` — of one `name` in it, if given. */
  addMusicHandler(namespace: string, name: string | undefined, executor: MusicExecutor): this {
    return this.addRequestHandler(
      ({ request }) => request.header.namespace === namespace && (name === undefined || request.header.name === name),
      executor,
    );
  }
}

/**
 * A new {@link MusicSkillBuilder}, as `SkillBuilders.custom()` is for custom skills.
 *
 * @example
 * ```ts
 * const skill = withAccountLinking(musicSkillBuilder(), { verifier })
 *   .addMusicHandler('Alexa.Media.Search', 'GetPlayableContent', search)
 *   .create();
 * export const handler = async (event: unknown, context: unknown) => skill.invoke(event, context);
 * ```
 */
export function musicSkillBuilder(): MusicSkillBuilder {
  return new MusicSkillBuilder();
}
