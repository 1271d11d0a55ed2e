/**
 * For any custom-skill request and any verifier behaviour, the reply is a well-formed custom
 * response; a LinkAccount card only follows an affirmative verdict or a missing token; the domain
 * handler runs only on a valid verdict; no token text is in any reply or log line.
 */
import fc from 'fast-check';
import { SkillBuilders } from 'ask-sdk-core';
import { CUSTOM_SKILL_LOCALES, withAccountLinking, MalformedRequestError, VOICE_LINKING_TOKEN_PREFIX } from '../../lib';
import { customEnvelope, verifierDouble } from '../../lib/testing';
import { recordingLogger } from '../support/fixtures';
import { AFFIRMATIVE, behaviour, garbage, RUNS, script, token } from './arbitraries';

const PUBLIC = new Set(['SessionEndedRequest', 'AlexaSkillEvent.SkillEnabled']);
const requests = fc.oneof(
  fc
    .constantFrom(
      'LaunchRequest',
      'SessionEndedRequest',
      'CanFulfillIntentRequest',
      'AudioPlayer.PlaybackStarted',
      'PlaybackController.NextCommandIssued',
      'System.ExceptionEncountered',
      'AlexaSkillEvent.SkillAccountLinked',
      'AlexaSkillEvent.SkillEnabled',
      'Connections.Response',
      'Alexa.Presentation.APL.UserEvent',
      'SessionResumedRequest',
    )
    .map((type) => ({ type, intent: undefined as string | undefined })),
  fc
    .constantFrom('OrderRideIntent', 'AMAZON.HelpIntent', 'AMAZON.StopIntent', 'SomeOtherIntent')
    .map((intent) => ({ type: 'IntentRequest', intent })),
);

describe('custom skills, for any request and any verifier', () => {
  it(`answer as the table says (${RUNS} generated cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        requests,
        fc.boolean(),
        token,
        behaviour,
        garbage,
        fc.constantFrom(...CUSTOM_SKILL_LOCALES, 'sv-SE'),
        fc.boolean(),
        fc.constantFrom('LINKED', 'DENIED', 'USER_REQUIREMENTS_NOT_MET'),
        async (request, session, tokenCase, b, junk, locale, voiceLinking, resumedStatus) => {
          const logger = recordingLogger();
          let ran = false;
          const verifier = verifierDouble().otherwise(script(b, junk));
          const skill = withAccountLinking(SkillBuilders.custom(), {
            verifier,
            logger,
            verificationTimeoutMs: 2,
            voiceLinking,
            unlinking: false,
          })
            .addRequestHandlers({
              canHandle: () => true,
              handle: (input) => {
                ran = true;
                return input.responseBuilder.getResponse();
              },
            })
            .create();
          const body =
            request.type === 'AlexaSkillEvent.SkillAccountLinked'
              ? { body: {} }
              : request.type === 'SessionResumedRequest'
                ? {
                    cause: {
                      type: 'ConnectionCompleted',
                      token: `${VOICE_LINKING_TOKEN_PREFIX}LaunchRequest`,
                      status: { code: '200' },
                      result: { status: resumedStatus },
                    },
                  }
                : {};
          const envelope = customEnvelope(
            { type: request.type, ...(request.intent ? { intent: { name: request.intent } } : {}), ...body },
            { session, locale },
          ) as any;
          const holder =
            request.type === 'AlexaSkillEvent.SkillAccountLinked'
              ? envelope.request.body
              : envelope.context.System.user;
          if (tokenCase.kind !== 'absent') holder.accessToken = tokenCase.value;

          const isPublic =
            PUBLIC.has(request.type) || ['AMAZON.HelpIntent', 'AMAZON.StopIntent'].includes(request.intent ?? '');
          const hasToken = tokenCase.kind === 'token';
          const malformed = tokenCase.kind === 'odd' && tokenCase.value !== '';
          let reply: any;
          try {
            reply = await skill.invoke(envelope);
          } catch (error) {
            // only a malformed token of a gated request may refuse the invocation, and then with a clear error
            expect(error).toBeInstanceOf(MalformedRequestError);
            expect(malformed && !isPublic).toBe(true);
            expect(ran).toBe(false);
            return;
          }
          expect(reply).toMatchObject({ version: '1.0', response: expect.any(Object) });
          expect(ran).toBe(isPublic || (hasToken && b === 'valid'));
          if (!isPublic && reply.response.card) {
            expect(reply).toBeLinkAccountResponse();
            expect(!hasToken || AFFIRMATIVE.includes(b)).toBe(true);
          }
          const startsVoiceLinking = (reply.response.directives ?? []).some(
            (d: any) => d.type === 'Connections.StartConnection',
          );
          if (startsVoiceLinking) {
            // voice linking only for a live Launch or Intent request without any token, and never with a card
            const noToken = tokenCase.kind === 'absent' || (tokenCase.kind === 'odd' && tokenCase.value === '');
            expect(
              voiceLinking &&
                session &&
                !isPublic &&
                noToken &&
                ['LaunchRequest', 'IntentRequest'].includes(request.type),
            ).toBe(true);
            expect(reply.response.card).toBeUndefined();
          }
          if (
            !isPublic &&
            request.type === 'SessionResumedRequest' &&
            resumedStatus === 'LINKED' &&
            reply.response.card
          ) {
            // Alexa said LINKED: only an affirmative verdict on a token it sent may bring the card
            expect(hasToken && AFFIRMATIVE.includes(b)).toBe(true);
          }
          if (!isPublic && hasToken && !['valid', 'invalid', 'expired'].includes(b)) {
            expect(reply.response.card).toBeUndefined();
            if (request.type === 'CanFulfillIntentRequest')
              expect(reply.response.canFulfillIntent).toEqual({ canFulfill: 'MAYBE' });
          }
          if (hasToken) expect(JSON.stringify(reply) + logger.text()).not.toContain(tokenCase.value);
        },
      ),
      { numRuns: RUNS },
    );
    console.info(`property: custom skills, ${RUNS} generated cases passed`);
  });
});
