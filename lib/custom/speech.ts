/**
 * What the custom-skill gate says, in every locale Alexa custom skills support: SSML without the
 * `<speak>` wrapper and nothing to escape, in the register Alexa uses there; found by
 * {@link speechFor} (locale, else language, else English). See docs/custom-skills.md.
 */

/** What the gate says, as SSML (without the `<speak>` wrapper). */
export interface GateSpeech {
  /** No token, or a token the verifier rejected: sent with a LinkAccount card. */
  linkAccount: string;
  /** The verifier said the token expired: sent with a LinkAccount card. */
  relinkAccount: string;
  /** The verifier could not decide (outage, timeout): no card, since the link is fine. */
  tryLater: string;
}

/** Speech per locale (`en-US`) or language (`en`); a locale's texts fall back to its language's, then to English. */
export type SpeechByLocale = Record<string, { [K in keyof GateSpeech]?: GateSpeech[K] | undefined }>;

/** The locales Alexa custom skills can be published in. */
export const CUSTOM_SKILL_LOCALES = [
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
] as const;

/** A locale Alexa custom skills can be published in (one of {@link CUSTOM_SKILL_LOCALES}), e.g. `de-DE`. */
export type CustomSkillLocale = (typeof CUSTOM_SKILL_LOCALES)[number];

/** English: the last fallback, for a locale or language the gate has no texts for. */
export const DEFAULT_SPEECH: GateSpeech = {
  linkAccount: "To continue, please link your account in the Alexa app. I've sent a card there to help you.",
  relinkAccount:
    "Your account link has expired. Please link your account again in the Alexa app. I've sent a card there to help you.",
  tryLater: "Sorry, I can't reach your account right now. Please try again in a little while.",
};

const ENGLISH = DEFAULT_SPEECH;

/** Castilian Spanish (tú, "la app de Alexa", "ha caducado"). */
const SPANISH: GateSpeech = {
  linkAccount: 'Para continuar, vincula tu cuenta en la app de Alexa. Te he enviado allí una tarjeta para ayudarte.',
  relinkAccount:
    'La vinculación de tu cuenta ha caducado. Vuelve a vincular tu cuenta en la app de Alexa. Te he enviado allí una tarjeta para ayudarte.',
  tryLater: 'Lo siento, ahora mismo no puedo acceder a tu cuenta. Inténtalo de nuevo dentro de un rato.',
};

/** Latin American and US Spanish ("la aplicación de Alexa", preterite, "expiró"). */
const SPANISH_AMERICAS: GateSpeech = {
  linkAccount: 'Para continuar, vincula tu cuenta en la aplicación de Alexa. Te envié una tarjeta ahí para ayudarte.',
  relinkAccount:
    'La vinculación de tu cuenta expiró. Vuelve a vincular tu cuenta en la aplicación de Alexa. Te envié una tarjeta ahí para ayudarte.',
  tryLater: 'Lo siento, en este momento no puedo acceder a tu cuenta. Intenta de nuevo en un rato.',
};

/** French of France (vous; Alexa speaks of herself in the feminine). */
const FRENCH: GateSpeech = {
  linkAccount:
    "Pour continuer, veuillez associer votre compte dans l'application Alexa. Je vous y ai envoyé une carte pour vous aider.",
  relinkAccount:
    "L'association de votre compte a expiré. Veuillez associer à nouveau votre compte dans l'application Alexa. Je vous y ai envoyé une carte pour vous aider.",
  tryLater: 'Désolée, je ne peux pas accéder à votre compte pour le moment. Veuillez réessayer un peu plus tard.',
};

/** Canadian French: the same, with "pour l'instant" and "dans quelques instants". */
const FRENCH_CANADA: GateSpeech = {
  ...FRENCH,
  tryLater:
    "Désolée, je n'arrive pas à accéder à votre compte pour l'instant. Veuillez réessayer dans quelques instants.",
};

/** The built-in texts of every locale Alexa custom skills support. */
export const GATE_SPEECH: Readonly<Record<CustomSkillLocale, GateSpeech>> = {
  'en-AU': ENGLISH,
  'en-CA': ENGLISH,
  'en-GB': ENGLISH,
  'en-IN': ENGLISH,
  'en-US': ENGLISH,
  'es-ES': SPANISH,
  'es-MX': SPANISH_AMERICAS,
  'es-US': SPANISH_AMERICAS,
  'fr-FR': FRENCH,
  'fr-CA': FRENCH_CANADA,
  'ar-SA': {
    linkAccount: 'للمتابعة، يُرجى ربط حسابك في تطبيق Alexa. لقد أرسلتُ إليك بطاقة هناك لمساعدتك.',
    relinkAccount:
      'انتهت صلاحية ربط حسابك. يُرجى ربط حسابك مرة أخرى في تطبيق Alexa. لقد أرسلتُ إليك بطاقة هناك لمساعدتك.',
    tryLater: 'عذرًا، لا يمكنني الوصول إلى حسابك الآن. يُرجى المحاولة مرة أخرى بعد قليل.',
  },
  'de-DE': {
    linkAccount:
      'Um fortzufahren, verknüpfe bitte dein Konto in der Alexa App. Ich habe dir dort eine Karte geschickt, die dir dabei hilft.',
    relinkAccount:
      'Die Verknüpfung mit deinem Konto ist abgelaufen. Bitte verknüpfe dein Konto in der Alexa App erneut. Ich habe dir dort eine Karte geschickt, die dir dabei hilft.',
    tryLater: 'Entschuldigung, ich kann dein Konto gerade nicht erreichen. Bitte versuche es gleich noch einmal.',
  },
  'hi-IN': {
    linkAccount: 'आगे बढ़ने के लिए, कृपया Alexa ऐप में अपना अकाउंट लिंक करें। मदद के लिए मैंने वहाँ एक कार्ड भेजा है।',
    relinkAccount:
      'आपके अकाउंट का लिंक एक्सपायर हो गया है। कृपया Alexa ऐप में अपना अकाउंट फिर से लिंक करें। मदद के लिए मैंने वहाँ एक कार्ड भेजा है।',
    tryLater: 'माफ़ कीजिए, मैं अभी आपके अकाउंट तक नहीं पहुँच पा रही हूँ। कृपया थोड़ी देर बाद फिर से कोशिश करें।',
  },
  'it-IT': {
    linkAccount: "Per continuare, collega il tuo account nell'app Alexa: ti ho inviato una scheda per aiutarti.",
    relinkAccount:
      "Il collegamento del tuo account è scaduto. Collega di nuovo il tuo account nell'app Alexa: ti ho inviato una scheda per aiutarti.",
    tryLater: 'Mi dispiace, al momento non riesco ad accedere al tuo account. Riprova tra poco.',
  },
  'ja-JP': {
    linkAccount:
      '続けるには、Alexaアプリでアカウントをリンクしてください。詳しくは、Alexaアプリに送ったカードをご覧ください。',
    relinkAccount:
      'アカウントリンクの有効期限が切れました。Alexaアプリでもう一度アカウントをリンクしてください。詳しくは、Alexaアプリに送ったカードをご覧ください。',
    tryLater: 'すみません、今はアカウントに接続できません。しばらくしてから、もう一度お試しください。',
  },
  'nl-NL': {
    linkAccount:
      'Koppel je account in de Alexa-app om verder te gaan. Ik heb je daar een kaart gestuurd die je op weg helpt.',
    relinkAccount:
      'De koppeling met je account is verlopen. Koppel je account opnieuw in de Alexa-app. Ik heb je daar een kaart gestuurd die je op weg helpt.',
    tryLater: 'Sorry, ik kan je account nu niet bereiken. Probeer het straks nog een keer.',
  },
  'pt-BR': {
    linkAccount: 'Para continuar, vincule sua conta no app Alexa. Enviei um cartão lá para te ajudar.',
    relinkAccount:
      'A vinculação da sua conta expirou. Vincule sua conta de novo no app Alexa. Enviei um cartão lá para te ajudar.',
    tryLater: 'Desculpe, não consigo acessar sua conta agora. Tente de novo daqui a pouco.',
  },
};

/**
 * A language's texts, for a locale of it the gate has none for (`de-AT`, `es-AR`, `fr-BE`):
 * those of its main locale.
 */
const LANGUAGE_SPEECH: Readonly<Record<string, GateSpeech>> = {
  ar: GATE_SPEECH['ar-SA'],
  de: GATE_SPEECH['de-DE'],
  en: ENGLISH,
  es: SPANISH,
  fr: FRENCH,
  hi: GATE_SPEECH['hi-IN'],
  it: GATE_SPEECH['it-IT'],
  ja: GATE_SPEECH['ja-JP'],
  nl: GATE_SPEECH['nl-NL'],
  pt: GATE_SPEECH['pt-BR'],
};

const builtIn = GATE_SPEECH as Readonly<Record<string, GateSpeech | undefined>>;

/**
 * The gate's texts for a locale: the built-in texts of the locale, else of its language, else
 * English; then the `overrides` of its language, then of the locale itself, one message at a
 * time (an override of `tryLater` for `de` keeps the German `linkAccount`).
 */
export function speechFor(locale: string | undefined, overrides: SpeechByLocale = {}): GateSpeech {
  const language = locale?.split('-')[0];
  return {
    ...DEFAULT_SPEECH,
    ...(own(builtIn, locale) ?? own(LANGUAGE_SPEECH, language)),
    ...texts(own(overrides, language)),
    ...texts(own(overrides, locale)),
  };
}

/** The messages of an override that are texts: an `undefined` (or non-string) one keeps the text beneath it. */
function texts(override: SpeechByLocale[string] | undefined): Partial<GateSpeech> {
  if (override === undefined || override === null) return {};
  const kept: Partial<GateSpeech> = {};
  for (const key of ['linkAccount', 'relinkAccount', 'tryLater'] as const) {
    const text = override[key];
    if (typeof text === 'string' && text.trim() !== '') kept[key] = text;
  }
  return kept;
}

/** `table[key]`, for own keys only (a locale of `constructor` finds nothing). */
function own<T>(table: Readonly<Record<string, T | undefined>>, key: string | undefined): T | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}
