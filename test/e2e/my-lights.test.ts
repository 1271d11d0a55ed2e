/**
 * The built My Lights Lambda, run through `npm run invoke` with each file in events/my-lights,
 * answers as the README's reply table says, and every reply validates against Amazon's smart home schema.
 */
import { mintAccessToken } from '../../lib/testing';
import { invokeCli, localEnvironment } from '../support/invoke-cli';
import { describeWithSmartHomeSchema } from '../support/smart-home-schema';

const ENV = localEnvironment('MyLightsFunction');
const invoke = (event: string, ...args: string[]) =>
  invokeCli('MyLightsFunction', `events/my-lights/${event}.json`, ...args);
const token = mintAccessToken({
  key: ENV.JWT_SECRET,
  issuer: ENV.JWT_ISSUER,
  audience: ENV.JWT_AUDIENCE,
  subject: 'home-owner-1',
});
const linked = ['--env-vars', 'events/env.local.json', '--token', token];
const placeholder = ['--env-vars', 'events/env.local.json'];

describeWithSmartHomeSchema('npm run invoke MyLightsFunction, linked', () => {
  it("discovers the linked user's lights", async () => {
    const { code, reply, logs } = await invoke('discover', ...linked);
    expect(code).toBe(0);
    expect(reply.event.payload.endpoints.map((e: any) => e.endpointId)).toEqual(['light-living-room', 'light-kitchen']);
    expect(reply).toMatchSmartHomeSchema();
    expect(logs + JSON.stringify(reply)).not.toContain(token);
  });

  it.each([
    ['turn-on', 'ON'],
    ['turn-off', 'OFF'],
  ])('answers %s with Alexa.Response and the new powerState', async (event, value) => {
    const { reply } = await invoke(event, ...linked);
    expect(reply.event.header).toMatchObject({
      namespace: 'Alexa',
      name: 'Response',
      correlationToken: expect.any(String),
    });
    expect(reply.event.endpoint).toEqual({ endpointId: 'light-living-room' });
    expect(reply.context.properties[0]).toMatchObject({
      namespace: 'Alexa.PowerController',
      name: 'powerState',
      value,
    });
    expect(reply).toMatchSmartHomeSchema();
  });

  it('answers report-state with a StateReport', async () => {
    const { reply } = await invoke('report-state', ...linked);
    expect(reply.event.header.name).toBe('StateReport');
    expect(reply).toMatchSmartHomeSchema();
  });

  it('answers accept-grant with AcceptGrant.Response', async () => {
    const { reply } = await invoke('accept-grant', ...linked);
    expect(reply.event.header).toMatchObject({ namespace: 'Alexa.Authorization', name: 'AcceptGrant.Response' });
    expect(reply).toMatchSmartHomeSchema();
  });

  it.each(['video-search-and-play', 'meetings-join'])(
    'answers %s, which My Lights does not handle, with INVALID_DIRECTIVE',
    async (event) => {
      const { reply } = await invoke(event, ...linked);
      expect(reply.event.payload.type).toBe('INVALID_DIRECTIVE');
      expect(reply).toMatchSmartHomeSchema();
    },
  );
});

describeWithSmartHomeSchema('npm run invoke MyLightsFunction, not linked', () => {
  it.each(['turn-on', 'report-state', 'video-search-and-play', 'meetings-join'])(
    'answers %s with INVALID_AUTHORIZATION_CREDENTIAL',
    async (event) => {
      const { code, reply } = await invoke(event, ...placeholder);
      expect(code).toBe(0);
      expect(reply.event.payload.type).toBe('INVALID_AUTHORIZATION_CREDENTIAL');
      expect(reply).toMatchSmartHomeSchema();
    },
  );

  it('answers an expired token with EXPIRED_AUTHORIZATION_CREDENTIAL', async () => {
    const { reply } = await invoke('turn-on', ...placeholder, '--mint-token', '--expires-in=-600');
    expect(reply.event.payload.type).toBe('EXPIRED_AUTHORIZATION_CREDENTIAL');
    expect(reply).toMatchSmartHomeSchema();
  });

  it('answers discover with an empty endpoint list', async () => {
    const { reply } = await invoke('discover', ...placeholder);
    expect(reply.event.payload.endpoints).toEqual([]);
    expect(reply).toMatchSmartHomeSchema();
  });

  it('answers accept-grant with ACCEPT_GRANT_FAILED', async () => {
    const { reply } = await invoke('accept-grant', ...placeholder);
    expect(reply.event.payload.type).toBe('ACCEPT_GRANT_FAILED');
    expect(reply).toMatchSmartHomeSchema();
  });
});
