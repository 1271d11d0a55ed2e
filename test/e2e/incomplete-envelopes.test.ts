/**
 * The built example Lambdas refuse an envelope Alexa never sends a linked skill (no context, a
 * System that is an array, no user, no endpoint or scope, no requestContext.user) as malformed,
 * logged, and never with an unlinking reply.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getPlayableContentRequest, launchRequest, mintAccessToken, powerControllerDirective } from '../../lib/testing';
import { describeRuntimeChoice } from '../../scripts/local-invoke/runtime';
import { startWarmFunction, type WarmFunction } from '../../scripts/local-invoke/warm-function';
import { ROOT } from '../support/invoke-cli';
import { describeWithSmartHomeSchema } from '../support/smart-home-schema';
import { templateWithLedgerAccess } from '../support/unlink-ledger';

const LOCAL = JSON.parse(readFileSync(path.join(ROOT, 'events/env.local.json'), 'utf8')) as Record<
  string,
  Record<string, string>
>;
const runtime = describeRuntimeChoice('auto').runtime === 'aws-lambda-ric' ? 'ric' : 'node';
const mint = (logicalId: string) =>
  mintAccessToken({
    key: LOCAL[logicalId].JWT_SECRET,
    algorithm: 'HS256',
    issuer: LOCAL[logicalId].JWT_ISSUER,
    audience: LOCAL[logicalId].JWT_AUDIENCE,
    subject: 'someone-linked',
  });
/** Removes what `strip` names from a copy of `event`. */
const stripped = <E>(event: E, strip: (copy: any) => void): E => {
  const copy = structuredClone(event);
  strip(copy);
  return copy;
};

let template: string;
const functions = new Map<string, WarmFunction>();
beforeAll(async () => {
  // A template copy of its own, so this file's builds never race another file's in .aws-sam/build.
  template = templateWithLedgerAccess(path.join(ROOT, 'template.yaml'), 'incomplete-envelopes');
  for (const logicalId of ['RideHailerFunction', 'MyLightsFunction', 'JukeboxFunction']) {
    functions.set(
      logicalId,
      await startWarmFunction({
        templatePath: template,
        logicalId,
        runtime,
        envVars: { [logicalId]: { ...LOCAL[logicalId], SKILL_ID: '' } },
      }),
    );
  }
});
afterAll(async () => {
  await Promise.all([...functions.values()].map((fn) => fn.stop()));
});

describe('the built Ride Hailer Lambda, given a custom envelope Alexa never sends a linked skill', () => {
  it.each([
    ['no context', (event: any) => void delete event.context, 'no "context" object'],
    [
      'a context.System that is an array',
      (event: any) => void (event.context.System = []),
      '"context.System" is not an object',
    ],
    [
      'no context.System.user',
      (event: any) => void delete event.context.System.user,
      '"context.System.user" is not an object',
    ],
  ])(
    'refuses one with %s as a logged MalformedRequestError, never with the LinkAccount card',
    async (_name, strip, reason) => {
      const fn = functions.get('RideHailerFunction')!;
      const before = fn.logs().length;
      const result = await fn.invoke(stripped(launchRequest({ accessToken: mint('RideHailerFunction') }), strip));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.errorType).toBe('MalformedRequestError');
      expect(result.error.errorMessage).toContain(reason);
      const logged = fn.logs().slice(before);
      const lines = logged
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'ERROR',
          message: 'account linking: malformed request',
          reason: expect.stringContaining(reason),
        }),
      );
      expect(logged).not.toContain('LinkAccount');
    },
  );

  it('still answers a complete envelope after them (the container is not broken)', async () => {
    const result = await functions
      .get('RideHailerFunction')!
      .invoke(launchRequest({ accessToken: mint('RideHailerFunction') }));
    expect(result).toMatchObject({
      ok: true,
      response: { response: { outputSpeech: { ssml: expect.stringContaining('Welcome to Ride Hailer') } } },
    });
  });
});

describeWithSmartHomeSchema('the built My Lights Lambda, given a directive Alexa never sends a linked skill', () => {
  it.each([
    ['no endpoint', (event: any) => void delete event.directive.endpoint],
    ['an endpoint without scope', (event: any) => void delete event.directive.endpoint.scope],
  ])('answers a TurnOn with %s with INVALID_DIRECTIVE, never an unlinking code, and logs it', async (_name, strip) => {
    const fn = functions.get('MyLightsFunction')!;
    const before = fn.logs().length;
    const result = await fn.invoke(
      stripped(
        powerControllerDirective('TurnOn', { accessToken: mint('MyLightsFunction'), endpointId: 'light-kitchen' }),
        strip,
      ),
    );
    if (!result.ok) throw new Error(`the function failed: ${JSON.stringify(result.error)}`);
    const reply = result.response as any;
    expect(reply.event.payload.type).toBe('INVALID_DIRECTIVE');
    expect(reply).toMatchSmartHomeSchema();
    expect(fn.logs().slice(before)).toContain('account linking: malformed request');
  });
});

describe('the built Jukebox Lambda, given a music request Alexa never sends a linked skill', () => {
  it.each([
    ['no requestContext.user', (event: any) => void delete event.payload.requestContext.user],
    ['no requestContext', (event: any) => void delete event.payload.requestContext],
  ])('answers one with %s with INVALID_DIRECTIVE, never an unlinking code, and logs it', async (_name, strip) => {
    const fn = functions.get('JukeboxFunction')!;
    const before = fn.logs().length;
    const request = getPlayableContentRequest([{ type: 'MEDIA_TYPE', value: 'STATION' }], {
      accessToken: mint('JukeboxFunction'),
    });
    const result = await fn.invoke(stripped(request, strip));
    if (!result.ok) throw new Error(`the function failed: ${JSON.stringify(result.error)}`);
    const reply = result.response as any;
    expect(reply.header.name).toBe('ErrorResponse');
    expect(reply.payload.type).toBe('INVALID_DIRECTIVE');
    expect(fn.logs().slice(before)).toContain('account linking: malformed request');
  });
});
