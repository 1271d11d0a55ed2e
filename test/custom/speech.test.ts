import { CUSTOM_SKILL_LOCALES, DEFAULT_SPEECH, GATE_SPEECH, speechFor, type GateSpeech } from '../../lib';
import { launchRequest, intentRequest } from '../../lib/testing';
import { hsToken } from '../support/fixtures';
import { ssmlProblem } from '../support/ssml';
import { gatedSkill, throwingVerifier } from './harness';

const MESSAGES: Array<keyof GateSpeech> = ['linkAccount', 'relinkAccount', 'tryLater'];
const everyText = CUSTOM_SKILL_LOCALES.flatMap((locale) =>
  MESSAGES.map((message) => [locale, message, GATE_SPEECH[locale][message]] as const),
);

describe("the gate's speech in every custom-skill locale", () => {
  it('covers the 17 locales Alexa custom skills support', () => {
    expect([...CUSTOM_SKILL_LOCALES].sort()).toEqual([
      'ar-SA',
      'de-DE',
      'en-AU',
      'en-CA',
      'en-GB',
      'en-IN',
      'en-US',
      'es-ES',
      'es-MX',
      'es-US',
      'fr-CA',
      'fr-FR',
      'hi-IN',
      'it-IT',
      'ja-JP',
      'nl-NL',
      'pt-BR',
    ]);
    expect(Object.keys(GATE_SPEECH).sort()).toEqual([...CUSTOM_SKILL_LOCALES].sort());
  });

  it.each(everyText)('%s has a %s text', (_locale, _message, text) => {
    expect(typeof text).toBe('string');
    expect(text.trim().length).toBeGreaterThan(10);
  });

  it.each(CUSTOM_SKILL_LOCALES.filter((locale) => !locale.startsWith('en-')))(
    '%s speaks its own language, not English',
    (locale) => {
      for (const message of MESSAGES) expect(GATE_SPEECH[locale][message]).not.toBe(DEFAULT_SPEECH[message]);
    },
  );

  it.each(everyText)('%s %s is valid SSML inside <speak>, with no markup of its own', (_locale, _message, text) => {
    expect(ssmlProblem(`<speak>${text}</speak>`)).toBeUndefined();
    expect(text).not.toMatch(/[<>&]/);
  });

  it('has an SSML check that finds what would break a reply', () => {
    expect(ssmlProblem('<speak>Tom & Jerry</speak>')).toMatch(/"&"/);
    expect(ssmlProblem('<speak>1 < 2</speak>')).toMatch(/"<"/);
    expect(ssmlProblem('<speak>a > b</speak>')).toMatch(/">"/);
    expect(ssmlProblem('<speak><emphasis>yes</speak>')).toMatch(/closes nothing/);
    expect(ssmlProblem('<speak><break time=1s/></speak>')).toMatch(/starts no tag/);
    expect(
      ssmlProblem('<speak>Tom &amp; Jerry <break time="1s"/> <say-as interpret-as="digits">42</say-as></speak>'),
    ).toBeUndefined();
  });

  it('names the app as Alexa names it in each language', () => {
    expect(GATE_SPEECH['de-DE'].linkAccount).toContain('Alexa App');
    expect(GATE_SPEECH['fr-FR'].linkAccount).toContain("l'application Alexa");
    expect(GATE_SPEECH['ja-JP'].linkAccount).toContain('Alexaアプリ');
    expect(GATE_SPEECH['es-ES'].linkAccount).toContain('app de Alexa');
    expect(GATE_SPEECH['it-IT'].linkAccount).toContain('app Alexa');
  });
});

describe('speechFor', () => {
  it('gives a locale its own texts', () => {
    expect(speechFor('ja-JP')).toEqual(GATE_SPEECH['ja-JP']);
    expect(speechFor('es-MX')).toEqual(GATE_SPEECH['es-MX']);
    expect(speechFor('es-MX').linkAccount).not.toBe(GATE_SPEECH['es-ES'].linkAccount);
  });

  it('falls back to the language for a locale it has no texts for', () => {
    expect(speechFor('de-AT')).toEqual(GATE_SPEECH['de-DE']);
    expect(speechFor('pt-PT')).toEqual(GATE_SPEECH['pt-BR']);
    expect(speechFor('es-AR')).toEqual(GATE_SPEECH['es-ES']);
    expect(speechFor('en-NZ')).toEqual(DEFAULT_SPEECH);
  });

  it('falls back to English for an unknown language, a missing locale, or a locale that is no key', () => {
    expect(speechFor('sv-SE')).toEqual(DEFAULT_SPEECH);
    expect(speechFor(undefined)).toEqual(DEFAULT_SPEECH);
    expect(speechFor('constructor')).toEqual(DEFAULT_SPEECH);
    expect(speechFor('__proto__')).toEqual(DEFAULT_SPEECH);
  });

  it('keeps the other messages of a locale when one is overridden', () => {
    const speech = speechFor('de-DE', { de: { tryLater: 'Gleich noch mal, bitte.' } });
    expect(speech).toEqual({ ...GATE_SPEECH['de-DE'], tryLater: 'Gleich noch mal, bitte.' });
  });

  it("lets a locale override win over its language's, message by message", () => {
    const speech = speechFor('fr-CA', {
      fr: { linkAccount: 'Langue.', tryLater: 'Langue.' },
      'fr-CA': { tryLater: 'Locale.' },
    });
    expect(speech).toEqual({
      linkAccount: 'Langue.',
      relinkAccount: GATE_SPEECH['fr-CA'].relinkAccount,
      tryLater: 'Locale.',
    });
  });

  it('keeps the built-in text where an override leaves a message undefined or empty (never speaks "undefined")', () => {
    expect(speechFor('en-US', { 'en-US': { tryLater: undefined, linkAccount: '' } })).toEqual(GATE_SPEECH['en-US']);
  });

  it('overrides a locale it has no texts for on top of English', () => {
    expect(speechFor('sv-SE', { sv: { linkAccount: 'Länka ditt konto i Alexa-appen.' } })).toEqual({
      ...DEFAULT_SPEECH,
      linkAccount: 'Länka ditt konto i Alexa-appen.',
    });
  });
});

describe("the gate speaks the request's locale", () => {
  const ssml = (text: string) => ({ type: 'SSML', ssml: `<speak>${text}</speak>` });

  it.each(['de-DE', 'ja-JP', 'pt-BR', 'ar-SA', 'hi-IN'] as const)(
    "in %s: the LinkAccount card with that locale's words",
    async (locale) => {
      const { invoke } = gatedSkill();
      const reply = await invoke(launchRequest({ locale }));
      expect(reply.response).toEqual({
        outputSpeech: ssml(GATE_SPEECH[locale].linkAccount),
        card: { type: 'LinkAccount' },
        shouldEndSession: true,
      });
    },
  );

  it('asks to link again in that locale for an expired token', async () => {
    const { invoke } = gatedSkill();
    const reply = await invoke(
      intentRequest('OrderRideIntent', {}, { locale: 'it-IT', accessToken: hsToken({ expiresInSeconds: -300 }) }),
    );
    expect(reply.response.outputSpeech).toEqual(ssml(GATE_SPEECH['it-IT'].relinkAccount));
  });

  it('apologises in that locale, with no card, when the verifier could not decide', async () => {
    const { invoke } = gatedSkill({ verifier: throwingVerifier });
    const reply = await invoke(launchRequest({ locale: 'nl-NL', accessToken: hsToken() }));
    expect(reply.response).toEqual({ outputSpeech: ssml(GATE_SPEECH['nl-NL'].tryLater), shouldEndSession: true });
  });
});
