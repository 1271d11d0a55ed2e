/**
 * For any music request and any verifier behaviour, the reply validates against the music schema;
 * the two unlinking codes only follow an affirmative verdict or a missing token; the domain handler
 * runs only on a valid verdict (or, with allowUnlinked, no token); no token text leaks.
 */
import fc from 'fast-check';
import { musicSkillBuilder, withAccountLinking } from '../../lib';
import { musicRequest, verifierDouble } from '../../lib/testing';
import { recordingLogger } from '../support/fixtures';
import '../support/music-schema';
import { AFFIRMATIVE, behaviour, garbage, RUNS, script, token } from './arbitraries';

const requests = fc.constantFrom(
  ['Alexa.Media.Search', 'GetPlayableContent'],
  ['Alexa.Media.Playback', 'Initiate'],
  ['Alexa.Audio.PlayQueue', 'GetNextItem'],
  ['Alexa.Audio.PlayQueue', 'GetPreviousItem'],
  ['Alexa.Media.PlayQueue', 'GetItem'],
  ['Alexa.Media.PlayQueue', 'GetView'],
  ['Alexa.Media.PlayQueue', 'SetShuffle'],
  ['Alexa.Media.PlayQueue', 'SetLoop'],
);

describe('music skills, for any request and any verifier', () => {
  it(`answer as the table says (${RUNS} generated cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        requests,
        token,
        behaviour,
        garbage,
        fc.boolean(),
        async ([namespace, name], tokenCase, b, junk, allowUnlinked) => {
          const logger = recordingLogger();
          let ran = false;
          const skill = withAccountLinking(musicSkillBuilder().withLogger(logger), {
            verifier: verifierDouble().otherwise(script(b, junk)),
            verificationTimeoutMs: 2,
            allowUnlinked,
            unlinking: false,
          })
            .addRequestHandlers({
              canHandle: () => true,
              handle: (input) => {
                ran = true;
                return input.reply.response({});
              },
            })
            .create();
          const request: any = musicRequest(namespace, name);
          if (tokenCase.kind !== 'absent') request.payload.requestContext.user.accessToken = tokenCase.value;

          const reply: any = await skill.invoke(request);
          const hasToken = tokenCase.kind === 'token';
          const type: string | undefined = reply.payload.type;
          expect(reply).toMatchMusicSchema();
          expect(ran).toBe((hasToken && b === 'valid') || (tokenCase.kind === 'absent' && allowUnlinked));
          if (type === 'INVALID_AUTHORIZATION_CREDENTIAL' || type === 'EXPIRED_AUTHORIZATION_CREDENTIAL') {
            expect((tokenCase.kind === 'absent' && !allowUnlinked) || (hasToken && AFFIRMATIVE.includes(b))).toBe(true);
          }
          if (hasToken && !['valid', 'invalid', 'expired'].includes(b))
            expect(reply).toBeMusicErrorResponse('INTERNAL_ERROR');
          if (tokenCase.kind === 'odd') expect(type).toBe('INVALID_DIRECTIVE');
          if (hasToken) expect(JSON.stringify(reply) + logger.text()).not.toContain(tokenCase.value);
        },
      ),
      { numRuns: RUNS },
    );
    console.info(`property: music skills, ${RUNS} generated cases passed`);
  });
});
