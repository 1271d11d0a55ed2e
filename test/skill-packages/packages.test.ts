/**
 * The examples' skill packages say what the example code does: Ride Hailer's interaction model
 * has every intent its handlers take, in every locale its speech covers, and nothing its handlers
 * would answer with the catch-all; My Lights is a smart home skill allowed to send Alexa events
 * (AcceptGrant); Jukebox is a music skill that declares the requests it handles; every endpoint
 * is the SAM output of its function.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { v1 } from 'ask-smapi-model';
import { yamlParse } from 'yaml-cfn';
import { CUSTOM_SKILL_LOCALES, type CustomSkillLocale } from '../../lib';
import { intentRequest, launchRequest } from '../../lib/testing';
import { createRideHailerSkill } from '../../lambda/ride-hailer/skill';
import { examples, placeholdersIn, readPackage } from '../../scripts/skill-package';
import { jwtVerifier } from '../custom/harness';
import { hsToken, recordingLogger } from '../support/fixtures';

const ROOT = path.resolve(__dirname, '../..');
const template = yamlParse(readFileSync(path.join(ROOT, 'template.yaml'), 'utf8')) as {
  Outputs: Record<string, { Value: unknown }>;
};
const source = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

type Envelope = v1.skill.Manifest.SkillManifestEnvelope;
type Model = v1.skill.interactionModel.InteractionModelData;

const packages = new Map(examples().map((example) => [example, readPackage(example)]));
const manifestOf = (example: string) => packages.get(example)!.get('skill-package/skill.json') as Envelope;
const modelsOf = (example: string) =>
  new Map(
    [...packages.get(example)!]
      .filter(([file]) => file.startsWith('skill-package/interactionModels/custom/'))
      .map(([file, json]) => [path.basename(file, '.json'), json as Model]),
  );

/** The function whose ARN a placeholder names: `${RideHailerFunctionArn}` is the output of RideHailerFunction. */
const FUNCTION_OF_EXAMPLE: Record<string, string> = {
  'ride-hailer': 'RideHailerFunction',
  'my-lights': 'MyLightsFunction',
  jukebox: 'JukeboxFunction',
};

describe('every example package', () => {
  it.each(examples())('%s: an ASK CLI project whose skill package is ./skill-package', (example) => {
    expect(packages.get(example)!.get('ask-resources.json')).toEqual({
      askcliResourcesVersion: '2020-03-31',
      profiles: { default: { skillMetadata: { src: './skill-package' } } },
    });
  });

  it.each(examples())('%s: every endpoint is the ARN output of its own function in template.yaml', (example) => {
    const fn = FUNCTION_OF_EXAMPLE[example]!;
    const output = Object.entries(template.Outputs).find(
      ([, out]) => JSON.stringify(out.Value) === JSON.stringify({ 'Fn::GetAtt': [fn, 'Arn'] }),
    )?.[0];
    expect(output).toBeDefined();
    const uris: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'endpoint') uris.push((value as { uri: string }).uri);
          else collect(value);
        }
      }
    };
    collect(manifestOf(example));
    expect(uris.length).toBeGreaterThan(0);
    expect(new Set(uris)).toEqual(new Set([`\${${output}}`]));
  });

  it.each(examples())(
    '%s: account linking by authorization code grant, every OAuth setting a placeholder filled at deploy (no secret in git)',
    (example) => {
      const linking = packages
        .get(example)!
        .get('account-linking.json') as v1.skill.accountLinking.AccountLinkingRequest;
      const request = linking.accountLinkingRequest!;
      expect(request).toMatchObject({
        type: 'AUTH_CODE',
        accessTokenScheme: 'HTTP_BASIC',
        authorizationUrl: '${ACCOUNT_LINKING_AUTHORIZATION_URL}',
        accessTokenUrl: '${ACCOUNT_LINKING_ACCESS_TOKEN_URL}',
        clientId: '${ACCOUNT_LINKING_CLIENT_ID}',
        clientSecret: '${ACCOUNT_LINKING_CLIENT_SECRET}',
        scopes: ['${ACCOUNT_LINKING_SCOPES}'],
        domains: ['${ACCOUNT_LINKING_DOMAINS}'],
      });
      expect(request.defaultTokenExpirationInSeconds).toBeGreaterThan(0);
    },
  );

  it('leave nothing but the endpoints and the OAuth settings to fill', () => {
    const names = new Set([...packages.values()].flatMap((files) => [...files.values()].flatMap(placeholdersIn)));
    expect([...names].sort()).toEqual(
      [
        'ACCOUNT_LINKING_ACCESS_TOKEN_URL',
        'ACCOUNT_LINKING_AUTHORIZATION_URL',
        'ACCOUNT_LINKING_CLIENT_ID',
        'ACCOUNT_LINKING_CLIENT_SECRET',
        'ACCOUNT_LINKING_DOMAINS',
        'ACCOUNT_LINKING_SCOPES',
        ...Object.keys(template.Outputs),
      ].sort(),
    );
  });
});

describe('Ride Hailer: a custom skill', () => {
  const manifest = manifestOf('ride-hailer').manifest!;
  const models = modelsOf('ride-hailer');
  const linked = (locale: string) => ({ locale, accessToken: hsToken({ claims: { name: 'Ada' } }) });

  function rideHailer() {
    const logger = recordingLogger();
    const skill = createRideHailerSkill({ verifier: jwtVerifier, logger, unlinking: false });
    return { logger, invoke: (envelope: Parameters<typeof skill.invoke>[0]) => skill.invoke(envelope) };
  }

  /** The intents Ride Hailer's handlers name, read from its code. */
  const handledIntents = [
    ...new Set(
      [...source('lambda/ride-hailer/skill.ts').matchAll(/'((?:AMAZON\.)?[A-Za-z]+Intent)'/g)].map(
        (match) => match[1]!,
      ),
    ),
  ].sort();

  /** The custom-skill locales Ride Hailer speaks: English (its handlers' language), and any whose launch greeting is not the English one. */
  let spokenLocales: CustomSkillLocale[];
  beforeAll(async () => {
    const { invoke } = rideHailer();
    const greeting = async (locale: string) =>
      JSON.stringify((await invoke(launchRequest(linked(locale)))).response.outputSpeech);
    const english = await greeting('en-US');
    spokenLocales = [];
    for (const locale of CUSTOM_SKILL_LOCALES) {
      if (locale.startsWith('en-') || (await greeting(locale)) !== english) spokenLocales.push(locale);
    }
  });

  it('declares the custom API, and the account-linked event its silent handler takes', () => {
    expect(Object.keys(manifest.apis!)).toEqual(['custom']);
    expect(manifest.events?.subscriptions).toEqual([{ eventName: 'SKILL_ACCOUNT_LINKED' }]);
  });

  it('has an interaction model in every locale its speech covers, and those are the locales it is published in', () => {
    expect(spokenLocales).toEqual(['en-AU', 'en-CA', 'en-GB', 'en-IN', 'en-US']);
    expect([...models.keys()].sort()).toEqual(spokenLocales);
    expect(Object.keys(manifest.publishingInformation!.locales!).sort()).toEqual(spokenLocales);
  });

  it('reads the intents from its handlers: OrderRideIntent and the built-ins they take', () => {
    expect(handledIntents).toEqual([
      'AMAZON.CancelIntent',
      'AMAZON.HelpIntent',
      'AMAZON.NavigateHomeIntent',
      'AMAZON.StopIntent',
      'OrderRideIntent',
    ]);
  });

  it.each([...models.keys()])(
    '%s: the model has exactly the intents the handlers take, the same as every other locale',
    (locale) => {
      const model = models.get(locale)!.interactionModel.languageModel;
      expect(model.intents.map((intent) => intent.name).sort()).toEqual(handledIntents);
      expect(model).toEqual(models.get('en-US')!.interactionModel.languageModel);
      expect(model.invocationName).toBe('ride hailer');
    },
  );

  it('gives OrderRideIntent the destination slot its handler reads, of a type the model defines', () => {
    const model = models.get('en-US')!.interactionModel.languageModel;
    const order = model.intents.find((intent) => intent.name === 'OrderRideIntent')!;
    expect(source('lambda/ride-hailer/skill.ts')).toContain("getSlotValue(input.requestEnvelope, 'destination')");
    expect(order.slots).toEqual([{ name: 'destination', type: 'Destination' }]);
    expect(model.types?.map((type) => type.name)).toEqual(['Destination']);
    // Every sample's slots are the intent's; the manifest's example phrases come from the samples.
    for (const sample of order.samples!)
      for (const [, slot] of sample.matchAll(/\{(\w+)\}/g)) expect(slot).toBe('destination');
    expect(order.samples).toEqual(
      expect.arrayContaining(['order a ride to {destination}', 'for a ride to {destination}']),
    );
  });

  it.each(handledIntents)("a linked user's %s reaches a handler, not the catch-all", async (intent) => {
    const { invoke, logger } = rideHailer();
    const reply = await invoke(
      intentRequest(intent, intent === 'OrderRideIntent' ? { destination: 'the airport' } : {}, linked('en-GB')),
    );
    expect(logger.text()).not.toContain('unhandled error');
    expect(JSON.stringify(reply.response.outputSpeech)).not.toContain('something went wrong');
  });

  it('(an intent its handlers do not take, such as AMAZON.FallbackIntent, would reach the catch-all: so the model leaves it out)', async () => {
    const { invoke, logger } = rideHailer();
    await invoke(intentRequest('AMAZON.FallbackIntent', {}, linked('en-US')));
    expect(logger.text()).toContain('unhandled error');
  });

  it('example phrases that the model can hear', () => {
    const samples = models
      .get('en-US')!
      .interactionModel.languageModel.intents.flatMap((intent) => intent.samples ?? []);
    const heard = (phrase: string) => {
      const open = /^Alexa, open ride hailer$/.exec(phrase);
      const ask = /^Alexa, ask ride hailer (?:to )?(.+)$/.exec(phrase);
      if (open) return true;
      if (!ask) return false;
      return samples.some((sample) => new RegExp(`^${sample.replace(/\{destination\}/g, '.+')}$`).test(ask[1]!));
    };
    for (const locale of Object.values(manifest.publishingInformation!.locales!)) {
      for (const phrase of locale.examplePhrases!) expect([phrase, heard(phrase)]).toEqual([phrase, true]);
    }
  });
});

describe('My Lights: a smart home skill', () => {
  const manifest = manifestOf('my-lights').manifest!;

  it('declares the smart home API, payload version 3, and no interaction model', () => {
    expect(Object.keys(manifest.apis!)).toEqual(['smartHome']);
    expect(manifest.apis!.smartHome!.protocolVersion).toBe('3');
    expect(modelsOf('my-lights').size).toBe(0);
  });

  it('asks for the Alexa events permission, which AcceptGrant and ChangeReports need', () => {
    expect(source('lambda/my-lights/skill.ts')).toMatch(/'Alexa\.Authorization',\s*'AcceptGrant'/);
    expect(manifest.permissions).toEqual([{ name: 'alexa::async_event:write' }]);
  });
});

describe('Jukebox: a music skill', () => {
  const manifest = manifestOf('jukebox').manifest!;

  it('declares the music API, and no interaction model', () => {
    expect(Object.keys(manifest.apis!)).toEqual(['music']);
    expect(modelsOf('jukebox').size).toBe(0);
  });

  it('declares exactly the requests its handlers take, read from its code', () => {
    const handled = [...source('lambda/jukebox/skill.ts').matchAll(/addMusicHandler\('([\w.]+)', '(\w+)'/g)]
      .map((match) => `${match[1]}.${match[2]}`)
      .sort();
    expect(handled.length).toBeGreaterThan(0);
    const declared = manifest
      .apis!.music!.interfaces!.flatMap((item) =>
        (item.requests ?? []).map((request) => `${item.namespace}.${request.name}`),
      )
      .sort();
    expect(declared).toEqual(handled);
    expect(new Set(manifest.apis!.music!.interfaces!.map((item) => item.version))).toEqual(new Set(['1.0']));
  });

  it('names itself in every locale it is published in', () => {
    const music = manifest.apis!.music!;
    expect(Object.keys(music.locales!)).toEqual(Object.keys(manifest.publishingInformation!.locales!));
    expect(music.locales!['en-US']).toEqual({ promptName: 'Jukebox' });
    expect(music.contentTypes).toEqual([{ name: 'ON_DEMAND' }]);
  });
});
