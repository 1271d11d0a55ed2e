/**
 * Music, radio and podcast skills (the Music Skill API): the request and response types, the
 * replies, and the skill builder.
 *
 * @module ask-sdk-account-linking/music
 */
export {
  parseMusicRequest,
  musicRequestType,
  type MusicHeader,
  type MusicRequest,
  type MusicRequestContext,
  type MusicRequestLocation,
  type MusicRequestUser,
  type MusicResponse,
} from './envelope';
export * from './events';
export { resolveMusicAccessToken, MUSIC_TOKEN_PATH } from './resolve';
export { musicRejectionResponse, invalidMusicRequestResponse } from './respond';
export { type MusicGateOptions } from './gate';
export { MusicSkillBuilder, musicSkillBuilder } from './builder';
export type { MusicHandlerInput, MusicExecutor } from './handler-input';
export { withMusicAccountLinking as withAccountLinking } from '../with-account-linking';
