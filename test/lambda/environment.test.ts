/**
 * The example skills' gate options: read from the environment by their Lambda entry points, and
 * passed through by their factories to the gate (the unlink guard and the metrics included).
 */
import type { GateMetricEvent, LinkedUser, TokenVerifier } from '../../lib';
import { getPlayableContentRequest, launchRequest, powerControllerDirective } from '../../lib/testing';
import { gateOptionsFromEnvironment } from '../../lambda/environment';
import { createJukeboxSkill } from '../../lambda/jukebox/skill';
import { createMyLightsSkill } from '../../lambda/my-lights/skill';
import { createRideHailerSkill } from '../../lambda/ride-hailer/skill';
import { recordingLogger } from '../support/fixtures';

describe('gateOptionsFromEnvironment', () => {
  it('leaves every option to its default when nothing is set', () => {
    expect(gateOptionsFromEnvironment({})).toEqual({});
  });

  it('turns the unlink guard off with UNLINK_GUARD_THRESHOLD=off', () => {
    expect(gateOptionsFromEnvironment({ UNLINK_GUARD_THRESHOLD: 'OFF ' })).toEqual({ unlinkGuard: false });
  });

  it('reads the threshold and the cool-off (seconds) of the unlink guard', () => {
    expect(gateOptionsFromEnvironment({ UNLINK_GUARD_THRESHOLD: '3', UNLINK_GUARD_COOL_OFF_SECONDS: '120', VERIFICATION_TIMEOUT_MS: '2000' }))
      .toEqual({ verificationTimeoutMs: 2000, unlinkGuard: { threshold: 3, coolOffMs: 120_000 } });
  });

  it.each([
    [{ UNLINK_GUARD_THRESHOLD: '4' }, /UNLINK_GUARD_THRESHOLD must be 1, 2, 3 or off/],
    [{ UNLINK_GUARD_THRESHOLD: 'on' }, /UNLINK_GUARD_THRESHOLD/],
    [{ UNLINK_GUARD_COOL_OFF_SECONDS: '0' }, /UNLINK_GUARD_COOL_OFF_SECONDS/],
    [{ UNLINK_GUARD_COOL_OFF_SECONDS: '1.5' }, /UNLINK_GUARD_COOL_OFF_SECONDS/],
    [{ VERIFICATION_TIMEOUT_MS: '9000' }, /VERIFICATION_TIMEOUT_MS/],
  ])('refuses %p, naming the variable', (env, message) => {
    expect(() => gateOptionsFromEnvironment(env)).toThrow(message);
  });
});

describe('the example skill factories pass unlinkGuard and metrics through to their gate', () => {
  const invalid: TokenVerifier<LinkedUser> = { verify: async () => ({ outcome: 'invalid', reason: 'bad signature' }) };
  const subscriptions = { tierOf: async () => 'free' as const };
  const setups = {
    'Ride Hailer': (options: object) => {
      const skill = createRideHailerSkill({ verifier: invalid, logger: recordingLogger(), ...options });
      return async () => ((await skill.invoke(launchRequest({ accessToken: 'a-token' }))).response.card?.type === 'LinkAccount' ? 'unlinking' : 'held');
    },
    'My Lights': (options: object) => {
      const skill = createMyLightsSkill({ verifier: invalid, logger: recordingLogger(), ...options }).create();
      return async () => ((await skill.invoke(powerControllerDirective('TurnOn', { accessToken: 'a-token' }))) as any).event.payload.type === 'INVALID_AUTHORIZATION_CREDENTIAL' ? 'unlinking' : 'held';
    },
    Jukebox: (options: object) => {
      const skill = createJukeboxSkill({ verifier: invalid, logger: recordingLogger(), subscriptions, ...options }).create();
      return async () => ((await skill.invoke(getPlayableContentRequest([], { accessToken: 'a-token' }))) as any).payload.type === 'INVALID_AUTHORIZATION_CREDENTIAL' ? 'unlinking' : 'held';
    },
  };

  it.each(Object.entries(setups))('%s: the guard holds by default, unlinkGuard: false answers as before, and metrics get every decision', async (_name, setup) => {
    const events: GateMetricEvent[] = [];
    const metrics = { record: (event: GateMetricEvent) => void events.push(event) };
    expect(await setup({ metrics })()).toBe('held');
    expect(await setup({ metrics, unlinkGuard: false })()).toBe('unlinking');
    expect(events.map((e) => [e.outcome, e.heldByGuard])).toEqual([['undecided', true], ['invalid', false]]);
  });
});
