/**
 * Ride Hailer, the example custom skill, as Alexa sees it: in several locales, and through the
 * voice-forward account linking round trip (StartConnection out, SessionResumedRequest back).
 */
import type { RequestEnvelope, ResponseEnvelope } from 'ask-sdk-model';
import { GATE_SPEECH, type CustomSkillLocale, type LinkedUser, type TokenVerifier } from '../../lib';
import { createRideHailerSkill } from '../../lambda/ride-hailer/skill';
import { intentRequest, launchRequest, voiceLinkingResumedRequest } from '../../lib/testing';
import { hsToken, recordingLogger } from '../support/fixtures';
import { jwtVerifier, throwingVerifier } from './harness';

/** Ride Hailer as in Lambda, less the unlink guard: each test is one fresh container, where the guard would hold a first rejection. */
function rideHailer(options: { voiceLinking?: boolean; verifier?: TokenVerifier<LinkedUser> } = {}) {
  const logger = recordingLogger();
  const skill = createRideHailerSkill({
    verifier: options.verifier ?? jwtVerifier,
    logger,
    voiceLinking: options.voiceLinking,
    unlinking: false,
  });
  return { logger, invoke: (envelope: RequestEnvelope): Promise<ResponseEnvelope> => skill.invoke(envelope) };
}
const ssml = (text: string) => ({ type: 'SSML', ssml: `<speak>${text}</speak>` });

describe('Ride Hailer in several locales', () => {
  const locales: CustomSkillLocale[] = [
    'en-US',
    'en-GB',
    'de-DE',
    'fr-CA',
    'es-MX',
    'ja-JP',
    'pt-BR',
    'hi-IN',
    'ar-SA',
  ];

  it.each(locales)('asks an unlinked user to link in %s, with the LinkAccount card', async (locale) => {
    const { invoke } = rideHailer();
    const reply = await invoke(intentRequest('OrderRideIntent', { destination: 'the airport' }, { locale }));
    expect(reply.response).toEqual({
      outputSpeech: ssml(GATE_SPEECH[locale].linkAccount),
      card: { type: 'LinkAccount' },
      shouldEndSession: true,
    });
  });

  it.each(['de-DE', 'it-IT', 'nl-NL'] as const)('asks to link again in %s when the token expired', async (locale) => {
    const { invoke } = rideHailer();
    const reply = await invoke(launchRequest({ locale, accessToken: hsToken({ expiresInSeconds: -300 }) }));
    expect(reply.response).toEqual({
      outputSpeech: ssml(GATE_SPEECH[locale].relinkAccount),
      card: { type: 'LinkAccount' },
      shouldEndSession: true,
    });
  });

  it.each(['fr-FR', 'es-ES', 'ja-JP'] as const)(
    'apologises in %s, without a card, when the verifier could not decide',
    async (locale) => {
      const { invoke } = rideHailer({ verifier: throwingVerifier });
      const reply = await invoke(launchRequest({ locale, accessToken: hsToken() }));
      expect(reply.response).toEqual({ outputSpeech: ssml(GATE_SPEECH[locale].tryLater), shouldEndSession: true });
    },
  );

  it('greets a linked user by name, in any locale', async () => {
    const { invoke } = rideHailer();
    const reply = await invoke(launchRequest({ locale: 'de-DE', accessToken: hsToken({ claims: { name: 'Ada' } }) }));
    expect(reply.response.outputSpeech).toEqual(ssml('Welcome to Ride Hailer, Ada. Where would you like to go?'));
  });
});

describe('Ride Hailer and voice-forward account linking', () => {
  it('links by voice: StartConnection out, then the linked user when Alexa resumes the session', async () => {
    const { invoke } = rideHailer({ voiceLinking: true });

    // 1. "Alexa, ask Ride Hailer for a ride to the airport", not linked yet
    const asked = await invoke(intentRequest('OrderRideIntent', { destination: 'the airport' }, { locale: 'en-GB' }));
    expect(asked.response.card).toBeUndefined();
    expect(asked.response.directives).toEqual([
      expect.objectContaining({
        type: 'Connections.StartConnection',
        uri: 'connection://AMAZON.AskForAccountLinking/1',
        onCompletion: 'RESUME_SESSION',
      }),
    ]);
    const token = (asked.response.directives![0] as { token: string }).token;

    // 2. Alexa links the account and resumes the session, with the new access token and our token echoed
    const resumed = voiceLinkingResumedRequest('LINKED', {
      locale: 'en-GB',
      accessToken: hsToken({ claims: { name: 'Grace' } }),
    }) as any;
    resumed.request.cause.token = token;
    const linked = await invoke(resumed);
    expect(linked.response.outputSpeech).toEqual(
      ssml('Your ride account is linked, Grace. Where would you like to go?'),
    );
    expect(linked.response.shouldEndSession).toBe(false);

    // 3. the next request carries the token like any other
    const ride = await invoke(
      intentRequest('OrderRideIntent', { destination: 'the airport' }, { accessToken: hsToken() }),
    );
    expect(ride.response.outputSpeech?.type === 'SSML' && ride.response.outputSpeech.ssml).toContain(
      'a car is on its way to take you to the airport',
    );
  });

  it("falls back to the LinkAccount card, in the user's language, when the user declines", async () => {
    const { invoke } = rideHailer({ voiceLinking: true });
    const asked = await invoke(launchRequest({ locale: 'es-US' }));
    expect(asked.response.directives).toHaveLength(1);
    const declined = await invoke(voiceLinkingResumedRequest('DENIED', { locale: 'es-US' }));
    expect(declined.response).toEqual({
      outputSpeech: ssml(GATE_SPEECH['es-US'].linkAccount),
      card: { type: 'LinkAccount' },
      shouldEndSession: true,
    });
  });

  it('apologises without a card when Alexa says LINKED but sends no token', async () => {
    const { invoke } = rideHailer({ voiceLinking: true });
    const reply = await invoke(voiceLinkingResumedRequest('LINKED', { locale: 'en-US' }));
    expect(reply.response).toEqual({ outputSpeech: ssml(GATE_SPEECH['en-US'].tryLater), shouldEndSession: true });
  });

  it('apologises without a card when the verifier could not decide on the resumed request', async () => {
    const { invoke } = rideHailer({ voiceLinking: true, verifier: throwingVerifier });
    const reply = await invoke(voiceLinkingResumedRequest('LINKED', { locale: 'de-DE', accessToken: hsToken() }));
    expect(reply.response).toEqual({ outputSpeech: ssml(GATE_SPEECH['de-DE'].tryLater), shouldEndSession: true });
  });
});
