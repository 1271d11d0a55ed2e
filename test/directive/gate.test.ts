import type { RequestHandler } from 'ask-sdk-runtime';
import {
  ConfigurationError,
  directiveSkillBuilder,
  getLinkedUser,
  withAccountLinking,
  type AlexaEvent,
  type DirectiveEnvelope,
  type DirectiveGateOptions,
  type DirectiveHandlerInput,
  type TokenVerifier,
} from '../../lib';
import {
  acceptGrantDirective,
  discoverDirective,
  endpointDirective,
  powerControllerDirective,
  reportStateDirective,
} from '../../lib/testing';
import { jwtVerifier, throwingVerifier } from '../custom/harness';
import { hsToken, recordingLogger } from '../support/fixtures';
import { describeWithSmartHomeSchema } from '../support/smart-home-schema';

function gatedSkill(options: Partial<DirectiveGateOptions<unknown>> & { verifier?: TokenVerifier<unknown> } = {}) {
  const ran: string[] = [];
  const logger = recordingLogger();
  const domain: RequestHandler<DirectiveHandlerInput, AlexaEvent> = {
    canHandle: () => true,
    handle(input) {
      ran.push(`${input.directive.header.namespace}.${input.directive.header.name}`);
      return input.reply.response();
    },
  };
  const skill = withAccountLinking(
    directiveSkillBuilder()
      .withLogger(logger)
      .addErrorHandlers({
        canHandle: () => true,
        handle: (input) => input.reply.error('ENDPOINT_UNREACHABLE', 'catch-all'),
      }),
    { verifier: jwtVerifier, unlinking: false, ...options },
  )
    .addRequestHandlers(domain)
    .create();
  return {
    ran,
    logger,
    invoke: (event: unknown, context?: unknown) => skill.invoke(event, context) as Promise<AlexaEvent<any>>,
  };
}

type Build = (token?: string) => DirectiveEnvelope;
const at =
  (namespace: string, name: string): Build =>
  (accessToken) =>
    endpointDirective(namespace, name, { accessToken });

const controllers: Array<[string, Build]> = [
  ['Alexa.PowerController.TurnOn', (t) => powerControllerDirective('TurnOn', { accessToken: t })],
  ['Alexa.ReportState', (t) => reportStateDirective({ accessToken: t })],
  ['Alexa.BrightnessController.SetBrightness', at('Alexa.BrightnessController', 'SetBrightness')],
  ['video: Alexa.RemoteVideoPlayer.SearchAndPlay', at('Alexa.RemoteVideoPlayer', 'SearchAndPlay')],
  ['video: Alexa.VideoContentProvider.GetPlayableItems', at('Alexa.VideoContentProvider', 'GetPlayableItems')],
  ['video: Alexa.ChannelController.ChangeChannel', at('Alexa.ChannelController', 'ChangeChannel')],
  ['video: Alexa.PlaybackController.Pause', at('Alexa.PlaybackController', 'Pause')],
  ['video: Alexa.SeekController.AdjustSeekPosition', at('Alexa.SeekController', 'AdjustSeekPosition')],
  ['video: Alexa.Launcher.LaunchTarget', at('Alexa.Launcher', 'LaunchTarget')],
  ['meetings: Alexa.MeetingClientController.JoinMeeting', at('Alexa.MeetingClientController', 'JoinMeeting')],
];

const tokens = {
  missing: () => undefined,
  invalid: () => hsToken({ key: 'another-secret-that-is-long-enough-for-hs256' }), // a forged signature: proof
  expired: () => hsToken({ expiresInSeconds: -300 }),
  valid: () => hsToken(),
};

const UNLINKING = ['INVALID_AUTHORIZATION_CREDENTIAL', 'EXPIRED_AUTHORIZATION_CREDENTIAL'];

describeWithSmartHomeSchema('the directive gate, on controller, video and meetings directives', () => {
  describe.each(controllers)('%s', (_name, build) => {
    it.each([
      ['there is no access token', tokens.missing, 'INVALID_AUTHORIZATION_CREDENTIAL'],
      ['the verifier says invalid', tokens.invalid, 'INVALID_AUTHORIZATION_CREDENTIAL'],
      ['the verifier says expired', tokens.expired, 'EXPIRED_AUTHORIZATION_CREDENTIAL'],
    ])('answers an Alexa ErrorResponse %s when %s', async (_case, token, type) => {
      const { invoke, ran } = gatedSkill();
      const reply = await invoke(build(token()));
      expect(reply.event.header).toMatchObject({ namespace: 'Alexa', name: 'ErrorResponse', payloadVersion: '3' });
      expect(reply.event.payload).toEqual({ type, message: expect.any(String) });
      expect(reply).toMatchSmartHomeSchema();
      expect(ran).toEqual([]);
    });

    it('answers INTERNAL_ERROR, never an unlinking code, when the verifier could not decide', async () => {
      const { invoke, ran } = gatedSkill({ verifier: throwingVerifier });
      const reply = await invoke(build(tokens.valid()));
      expect(reply.event.payload.type).toBe('INTERNAL_ERROR');
      expect(UNLINKING).not.toContain(reply.event.payload.type);
      expect(reply).toMatchSmartHomeSchema();
      expect(ran).toEqual([]);
    });

    it('runs the domain handler with the linked user when the verifier says valid', async () => {
      const { invoke, ran } = gatedSkill();
      const reply = await invoke(build(tokens.valid()));
      expect(reply.event.header.name).toBe('Response');
      expect(ran).toHaveLength(1);
    });
  });
});

describeWithSmartHomeSchema('the directive gate, on Discover', () => {
  it.each([
    ['no access token', tokens.missing],
    ['an invalid token', tokens.invalid],
    ['an expired token', tokens.expired],
  ])('answers an empty Discover.Response for %s', async (_case, token) => {
    const { invoke, ran } = gatedSkill();
    const reply = await invoke(discoverDirective(token()));
    expect(reply.event).toMatchObject({
      header: { namespace: 'Alexa.Discovery', name: 'Discover.Response' },
      payload: { endpoints: [] },
    });
    expect(reply).toMatchSmartHomeSchema();
    expect(ran).toEqual([]);
  });

  it('answers an ErrorResponse, never an empty list, when the verifier could not decide', async () => {
    const { invoke } = gatedSkill({ verifier: throwingVerifier });
    const reply = await invoke(discoverDirective(tokens.valid()));
    expect(reply.event.header.name).toBe('ErrorResponse');
    expect(reply.event.payload.type).toBe('INTERNAL_ERROR');
    expect(reply.event.payload).not.toHaveProperty('endpoints');
    expect(reply).toMatchSmartHomeSchema();
  });

  it('answers the credential ErrorResponse instead, with discoverRejection: error-response', async () => {
    const { invoke } = gatedSkill({ discoverRejection: 'error-response' });
    const expired = await invoke(discoverDirective(tokens.expired()));
    expect(expired.event.payload.type).toBe('EXPIRED_AUTHORIZATION_CREDENTIAL');
    expect(expired).toMatchSmartHomeSchema();
  });

  it('reads the token from payload.scope, not from an endpoint', async () => {
    const { invoke, ran, logger } = gatedSkill();
    await invoke(discoverDirective(tokens.valid()));
    expect(ran).toEqual(['Alexa.Discovery.Discover']);
    expect(logger.text()).toContain('"tokenPath":"directive.payload.scope.token"');
  });
});

describeWithSmartHomeSchema('the directive gate, on AcceptGrant', () => {
  it.each([
    ['no grantee token', tokens.missing, undefined],
    ['an invalid grantee token', tokens.invalid, undefined],
    ['an expired grantee token', tokens.expired, undefined],
    ['a verifier that could not decide', tokens.valid, throwingVerifier],
  ])('answers Alexa.Authorization ACCEPT_GRANT_FAILED for %s', async (_case, token, verifier) => {
    const { invoke, ran } = gatedSkill(verifier ? { verifier } : {});
    const reply = await invoke(acceptGrantDirective(token()));
    expect(reply.event.header).toMatchObject({ namespace: 'Alexa.Authorization', name: 'ErrorResponse' });
    expect(reply.event.payload.type).toBe('ACCEPT_GRANT_FAILED');
    expect(reply).toMatchSmartHomeSchema();
    expect(ran).toEqual([]);
  });

  it('reads the token from payload.grantee', async () => {
    const { invoke, ran, logger } = gatedSkill();
    await invoke(acceptGrantDirective(tokens.valid()));
    expect(ran).toEqual(['Alexa.Authorization.AcceptGrant']);
    expect(logger.text()).toContain('"tokenPath":"directive.payload.grantee.token"');
  });
});

describeWithSmartHomeSchema("the directive gate's options", () => {
  it('answers BRIDGE_UNREACHABLE for an outage with outageErrorType', async () => {
    const { invoke } = gatedSkill({ verifier: throwingVerifier, outageErrorType: 'BRIDGE_UNREACHABLE' });
    const reply = await invoke(powerControllerDirective('TurnOn', { accessToken: tokens.valid() }));
    expect(reply.event.payload.type).toBe('BRIDGE_UNREACHABLE');
    expect(reply).toMatchSmartHomeSchema();
  });

  it('sends credential errors under Alexa.Video with credentialErrorNamespace (a namespace the schema does not model)', async () => {
    const { invoke } = gatedSkill({ credentialErrorNamespace: 'Alexa.Video' });
    const reply = await invoke(
      endpointDirective('Alexa.RemoteVideoPlayer', 'SearchAndPlay', { accessToken: tokens.invalid() }),
    );
    expect(reply.event.header).toMatchObject({ namespace: 'Alexa.Video', name: 'ErrorResponse', payloadVersion: '3' });
    expect(reply.event.payload).toEqual({ type: 'INVALID_AUTHORIZATION_CREDENTIAL', message: expect.any(String) });
  });

  it('lets public directives through without a linked user', async () => {
    const { invoke, ran } = gatedSkill({ publicDirectives: ['Alexa.SceneController.*'] });
    await invoke(endpointDirective('Alexa.SceneController', 'Activate'));
    expect(ran).toEqual(['Alexa.SceneController.Activate']);
  });
});

describe("the echo rules of the gate's ErrorResponse", () => {
  it('echo the correlation token and endpointId (with cookie), never the scope, with a fresh messageId and no context', async () => {
    const { invoke } = gatedSkill();
    const directive = endpointDirective('Alexa.PowerController', 'TurnOn', {
      accessToken: tokens.invalid(),
      endpointId: 'lamp-1',
      cookie: { room: 'hall' },
      correlationToken: 'corr-42',
    });
    const reply = await invoke(directive);
    expect(reply.event.header.correlationToken).toBe('corr-42');
    expect(reply.event.header.messageId).not.toBe(directive.directive.header.messageId);
    expect(reply.event.header.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.event.endpoint).toEqual({ endpointId: 'lamp-1', cookie: { room: 'hall' } });
    expect(reply).not.toHaveProperty('context');
    expect(JSON.stringify(reply)).not.toContain(directive.directive.endpoint!.scope!.token);
  });

  it('leave out a correlation token the directive did not have, rather than sending null', async () => {
    const { invoke } = gatedSkill();
    const reply = await invoke(endpointDirective('Alexa.PowerController', 'TurnOn', { correlationToken: null }));
    expect(reply.event.header).not.toHaveProperty('correlationToken');
  });
});

describe('the directive gate and the linked user', () => {
  it('hands handlers the linked user', async () => {
    const seen: unknown[] = [];
    const skill = withAccountLinking(directiveSkillBuilder().withLogger(recordingLogger()), {
      verifier: jwtVerifier,
      unlinking: false,
    })
      .addDirectiveHandler('Alexa.PowerController', undefined, (input) => {
        seen.push(getLinkedUser(input));
        return input.reply.response();
      })
      .create();
    await skill.invoke(powerControllerDirective('TurnOff', { accessToken: tokens.valid() }));
    expect(seen).toMatchObject([{ subject: 'rider-42' }]);
  });

  it('refuses to be installed twice', () => {
    const builder = withAccountLinking(directiveSkillBuilder(), { verifier: jwtVerifier });
    expect(() => withAccountLinking(builder, { verifier: jwtVerifier })).toThrow(ConfigurationError);
  });
});
