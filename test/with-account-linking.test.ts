/**
 * withAccountLinking and accountLinking: one function installs the gate on any family's skill
 * builder (a custom one from ask-sdk-core, a directive or a music one), an AccountLinking's
 * accessors read the linked user, and the directive and music subpaths' withAccountLinking
 * refuses a custom skill builder and keeps the custom family out of their bundles. How the custom
 * family's gate is installed: test/custom/install.test.ts.
 */
import { SkillBuilders } from 'ask-sdk-core';
import {
  accountLinking,
  ConfigurationError,
  directiveSkillBuilder,
  musicSkillBuilder,
  NoLinkedUserError,
  withAccountLinking,
} from '../lib';
import { withAccountLinking as withDirectiveFamily } from '../lib/directive';
import { withAccountLinking as withMusicFamily } from '../lib/music';
import {
  discoverDirective,
  getPlayableContentRequest,
  intentRequest,
  launchRequest,
  powerControllerDirective,
} from '../lib/testing';
import { build } from 'esbuild';
import path from 'node:path';
import { hsToken, recordingLogger } from './support/fixtures';
import { jwtVerifier } from './custom/harness';

const logger = recordingLogger();
const ROOT = path.resolve(__dirname, '..');

describe('accountLinking and the one withAccountLinking', () => {
  it('installs an AccountLinking on a custom skill builder, and its accessors read the linked user', async () => {
    const linking = accountLinking({ verifier: jwtVerifier, logger });
    const seen: unknown[] = [];
    const token = hsToken();
    const skill = withAccountLinking(SkillBuilders.custom(), linking)
      .addRequestHandlers({
        canHandle: () => true,
        handle(input) {
          seen.push(
            linking.getLinkedUser(input).subject,
            linking.findLinkedAccount(input)?.tokenPath,
            linking.getLinkedAccessToken(input) === token,
          );
          return input.responseBuilder.getResponse();
        },
      })
      .create();
    await skill.invoke(launchRequest({ accessToken: token }));
    expect(seen).toEqual(['rider-42', 'context.System.user.accessToken', true]);
  });

  it('gives accessors that work as plain functions, and say when there is no linked user', async () => {
    const { getLinkedUser: rider, findLinkedUser: maybeRider } = accountLinking({ verifier: jwtVerifier, logger });
    const seen: unknown[] = [];
    const skill = withAccountLinking(SkillBuilders.custom(), { verifier: jwtVerifier, logger })
      .addRequestHandlers({
        canHandle: () => true,
        handle(input) {
          seen.push(maybeRider(input));
          seen.push(rider.bind(undefined)(input).subject);
          return input.responseBuilder.getResponse();
        },
      })
      .addErrorHandlers({
        canHandle: () => true,
        handle: (input, error) => (seen.push(error), input.responseBuilder.getResponse()),
      })
      .create();
    await skill.invoke(launchRequest({ accessToken: hsToken() }));
    await skill.invoke(intentRequest('AMAZON.HelpIntent'));
    expect(seen.slice(0, 2)).toMatchObject([{ subject: 'rider-42' }, 'rider-42']);
    expect(seen[2]).toBeUndefined();
    expect(seen[3]).toBeInstanceOf(NoLinkedUserError);
  });

  it('refuses a gate without a verifier at once', () => {
    expect(() => accountLinking({} as never)).toThrow(ConfigurationError);
  });

  it.each([
    ['directive', () => directiveSkillBuilder().withLogger(logger), () => discoverDirective()],
    ['music', () => musicSkillBuilder().withLogger(logger), () => getPlayableContentRequest([])],
  ] as const)(
    'installs the same way on a %s skill builder: first, whatever was added before',
    async (_family, builder, request) => {
      const linking = accountLinking({ verifier: jwtVerifier, logger });
      const order: string[] = [];
      const withParts = builder()
        .addRequestInterceptors(() => void order.push('interceptor added before'))
        .addErrorHandlers({
          canHandle: () => true,
          handle: () => {
            order.push('catch-all');
            throw new Error('catch-all ran');
          },
        });
      const skill = (withAccountLinking(withParts as never, linking) as typeof withParts)
        .addRequestHandlers({
          canHandle: () => true,
          handle: () => {
            throw new Error('no domain handler may run');
          },
        })
        .create();
      const reply: any = await skill.invoke(request());
      expect(order).toEqual([]);
      expect(JSON.stringify(reply)).toMatch(/INVALID_AUTHORIZATION_CREDENTIAL|Discover\.Response/);
      expect(() => withAccountLinking(withParts as never, linking)).toThrow(/already called/);
    },
  );
});

describe('withAccountLinking as the directive and music subpaths export it', () => {
  it.each([
    [
      'directive',
      withDirectiveFamily,
      () => directiveSkillBuilder().withLogger(logger),
      () => powerControllerDirective('TurnOn'),
    ],
    ['music', withMusicFamily, () => musicSkillBuilder().withLogger(logger), () => getPlayableContentRequest([])],
  ] as const)(
    "installs the gate on a %s skill builder, as the root's does, and refuses a custom skill builder",
    async (_family, typed, builder, request) => {
      const install = typed as unknown as (
        builder: unknown,
        gate: unknown,
      ) => { create(): { invoke(event: unknown): Promise<unknown> } };
      const skill = install(builder(), accountLinking({ verifier: jwtVerifier, logger, unlinking: false })).create();
      expect(JSON.stringify(await skill.invoke(request()))).toMatch(/INVALID_AUTHORIZATION_CREDENTIAL/);
      expect(() => install(SkillBuilders.custom(), { verifier: jwtVerifier })).toThrow(ConfigurationError);
      expect(() => install(SkillBuilders.custom(), { verifier: jwtVerifier })).toThrow(
        /import withAccountLinking from 'ask-sdk-account-linking'/,
      );
    },
  );

  it.each(['directive', 'music'])(
    "keeps the custom family's gate and speech out of a bundle of a %s skill that imports it from the subpath",
    async (family) => {
      const result = await build({
        stdin: {
          contents: `import { withAccountLinking, ${family}SkillBuilder } from './lib/${family}'; export const skill = withAccountLinking(${family}SkillBuilder(), { verifier: { verify: async () => ({ outcome: 'invalid', reason: 'x' }) } });`,
          resolveDir: ROOT,
          loader: 'ts',
        },
        bundle: true,
        platform: 'node',
        format: 'cjs',
        write: false,
        metafile: true,
        external: ['ask-sdk-core', 'ask-sdk-runtime', '@aws-sdk/*'],
      });
      const inputs = Object.keys(Object.values(result.metafile.outputs)[0].inputs);
      expect(inputs).toContain(`lib/${family}/gate.ts`);
      expect(inputs.filter((file) => file.startsWith('lib/custom/'))).toEqual([]);
    },
  );
});
