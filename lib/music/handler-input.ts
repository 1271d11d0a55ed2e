/** What a music, radio or podcast skill's handlers get, and what they return. */
import type { RuntimeHandlerInput } from '../runtime-skill';
import type { MusicRequest, MusicResponse } from './envelope';
import type { MusicReplies } from './events';

/** What every handler, interceptor and error handler of a {@link MusicSkillBuilder} skill gets. */
export interface MusicHandlerInput extends RuntimeHandlerInput<MusicRequest> {
  /** `requestEnvelope`, by its name in the Music Skill API. */
  readonly request: MusicRequest;
  /** The replies to this request, with the Music Skill API's rules applied. */
  readonly reply: MusicReplies;
}

/** A music request handler, for {@link MusicSkillBuilder.addMusicHandler}: the response to the request (build it with `input.reply`). */
export type MusicExecutor = (input: MusicHandlerInput) => MusicResponse | Promise<MusicResponse>;
