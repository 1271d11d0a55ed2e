/**
 * musicSkillBuilder: a RuntimeSkillBuilder for the Music Skill API. addMusicHandler routes by
 * namespace and name; a malformed request or one nobody handles is INVALID_DIRECTIVE, a handler
 * that fails INTERNAL_ERROR; a handler's input.reply answers its own request.
 */
import { MusicSkillBuilder, musicSkillBuilder, type MusicResponse } from '../../lib';
import { getPlayableContentRequest, initiateRequest, musicRequest } from '../../lib/testing';
import { recordingLogger } from '../support/fixtures';
import '../support/music-schema';

const skillOf = (builder: MusicSkillBuilder) => {
  const skill = builder.withLogger(recordingLogger()).create();
  return (event: unknown) => skill.invoke(event) as Promise<MusicResponse<any>>;
};

describe('musicSkillBuilder', () => {
  it('routes by namespace and name, or by namespace alone when no name is given', async () => {
    const invoke = skillOf(
      musicSkillBuilder()
        .addMusicHandler('Alexa.Media.Playback', 'Initiate', (input) => input.reply.response({ handler: 'initiate' }))
        .addMusicHandler('Alexa.Media.PlayQueue', undefined, (input) =>
          input.reply.response({ handler: 'play queue' }),
        ),
    );
    expect((await invoke(initiateRequest('c'))).payload).toEqual({ handler: 'initiate' });
    expect((await invoke(musicRequest('Alexa.Media.PlayQueue', 'SetShuffle'))).payload).toEqual({
      handler: 'play queue',
    });
    expect((await invoke(musicRequest('Alexa.Media.Playback', 'Stop'))).payload.type).toBe('INVALID_DIRECTIVE');
  });

  it('hands a handler the request and replies that answer it', async () => {
    const invoke = skillOf(
      musicSkillBuilder().addMusicHandler('Alexa.Media.Search', 'GetPlayableContent', (input) =>
        input.reply.response({ id: input.request.header.name }),
      ),
    );
    const reply = await invoke(getPlayableContentRequest([]));
    expect(reply.header).toMatchObject({ namespace: 'Alexa.Media.Search', name: 'GetPlayableContent.Response' });
    expect(reply.payload).toEqual({ id: 'GetPlayableContent' });
  });

  it('answers a request nobody handles, and a malformed one, with INVALID_DIRECTIVE saying why', async () => {
    const invoke = skillOf(musicSkillBuilder());
    expect((await invoke(initiateRequest('c'))).payload).toEqual({
      type: 'INVALID_DIRECTIVE',
      message: 'Invalid request: this skill does not handle Alexa.Media.Playback.Initiate',
    });
    const malformed = await invoke({ header: { namespace: 'Alexa.Media.Search', name: 'GetPlayableContent' } });
    expect(malformed.payload).toEqual({
      type: 'INVALID_DIRECTIVE',
      message: 'Invalid request: the request has no "payload" object',
    });
    expect(malformed).toMatchMusicSchema();
  });

  it('answers a handler that fails with INTERNAL_ERROR', async () => {
    const invoke = skillOf(
      musicSkillBuilder().addMusicHandler('Alexa.Media.Playback', 'Initiate', () => {
        throw new Error('catalogue down');
      }),
    );
    const reply = await invoke(initiateRequest('c'));
    expect(reply.payload).toEqual({ type: 'INTERNAL_ERROR', message: 'The skill failed to handle the request.' });
    expect(reply).toMatchMusicSchema();
  });
});
