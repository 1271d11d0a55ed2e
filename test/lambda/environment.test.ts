/**
 * The example skills' gate options: read from the environment by their Lambda entry points, and
 * passed through by their factories to the gate (the unlinking policy and the metrics included).
 */
import type { GateMetricEvent, LinkedUser, TokenVerifier } from '../../lib';
import { getPlayableContentRequest, launchRequest, powerControllerDirective } from '../../lib/testing';
import { gateOptionsFromEnvironment, replyFirst } from '../../lambda/environment';
import { createJukeboxSkill } from '../../lambda/jukebox/skill';
import { createMyLightsSkill } from '../../lambda/my-lights/skill';
import { createRideHailerSkill } from '../../lambda/ride-hailer/skill';
import { recordingLogger } from '../support/fixtures';

// The DynamoDB ledger the examples load on first use, as a fake: what it was asked to prove.
const proved: Array<{ tableName: string; version: string }> = [];
jest.mock('../../lib/dynamodb', () => ({
  DynamoDbUnlinkLedger: class {
    constructor(readonly options: { tableName: string }) {}
    async prove(version: string): Promise<void> {
      proved.push({ tableName: this.options.tableName, version });
    }
  },
}));

describe('gateOptionsFromEnvironment', () => {
  it('leaves every option to its default when nothing is set', () => {
    expect(gateOptionsFromEnvironment({})).toEqual({});
  });

  it("reads UNLINK_CONFIRM_AFTER_SECONDS as the policy's confirmAfterMs, 0 included", () => {
    expect(
      gateOptionsFromEnvironment({ UNLINK_CONFIRM_AFTER_SECONDS: '120', VERIFICATION_TIMEOUT_MS: '2000' }),
    ).toEqual({ verificationTimeoutMs: 2000, unlinking: { confirmAfterMs: 120_000 } });
    expect(gateOptionsFromEnvironment({ UNLINK_CONFIRM_AFTER_SECONDS: ' 0 ' })).toEqual({
      unlinking: { confirmAfterMs: 0 },
    });
  });

  it("holds the ledger's first proof until the reply is on its way, and sets no timer before the reply", async () => {
    const { unlinking } = gateOptionsFromEnvironment({ UNLINK_LEDGER_TABLE: 'ledger-table' });
    const ledger = (unlinking as { ledger: { prove(version: string, at: number): Promise<void> } }).ledger;
    const timers = jest.spyOn(global, 'setTimeout');
    const events: string[] = [];
    let proving: Promise<unknown> | undefined;
    try {
      const handler = replyFirst(async () => {
        proving = ledger.prove('version', Date.now()).then(() => events.push('proof'));
        await Promise.resolve();
        events.push(timers.mock.calls.length === 0 ? 'no timer before the reply' : 'a timer before the reply');
        return 'reply';
      });
      events.push(await handler(undefined, undefined));
      await proving;
    } finally {
      timers.mockRestore();
    }
    expect(events).toEqual(['no timer before the reply', 'reply', 'proof']);
    expect(proved).toEqual([{ tableName: 'ledger-table', version: 'version' }]);
  });

  it('gives the gate a ledger on the table UNLINK_LEDGER_TABLE names, without loading the AWS SDK until it is used', () => {
    const { unlinking } = gateOptionsFromEnvironment({ UNLINK_LEDGER_TABLE: 'ledger-table' });
    expect(unlinking).toEqual({
      ledger: expect.objectContaining({ recordRejection: expect.any(Function), readFleet: expect.any(Function) }),
    });
  });

  it.each([
    [
      { UNLINK_CONFIRM_AFTER_SECONDS: '-1' },
      /UNLINK_CONFIRM_AFTER_SECONDS must be a whole number of seconds, 0 or more/,
    ],
    [{ UNLINK_CONFIRM_AFTER_SECONDS: '1.5' }, /UNLINK_CONFIRM_AFTER_SECONDS/],
    [{ UNLINK_CONFIRM_AFTER_SECONDS: 'an hour' }, /UNLINK_CONFIRM_AFTER_SECONDS/],
    [{ VERIFICATION_TIMEOUT_MS: '9000' }, /VERIFICATION_TIMEOUT_MS/],
  ])('refuses %p, naming the variable', (env, message) => {
    expect(() => gateOptionsFromEnvironment(env)).toThrow(message);
  });
});

describe('the example skill factories pass unlinking and metrics through to their gate', () => {
  const invalid: TokenVerifier<LinkedUser> = { verify: async () => ({ outcome: 'invalid', reason: 'bad signature' }) };
  const subscriptions = { tierOf: async () => 'free' as const };
  const setups = {
    'Ride Hailer': (options: object) => {
      const skill = createRideHailerSkill({ verifier: invalid, logger: recordingLogger(), ...options });
      return async () =>
        (await skill.invoke(launchRequest({ accessToken: 'a-token' }))).response.card?.type === 'LinkAccount'
          ? 'unlinking'
          : 'held';
    },
    'My Lights': (options: object) => {
      const skill = createMyLightsSkill({ verifier: invalid, logger: recordingLogger(), ...options }).create();
      return async () =>
        ((await skill.invoke(powerControllerDirective('TurnOn', { accessToken: 'a-token' }))) as any).event.payload
          .type === 'INVALID_AUTHORIZATION_CREDENTIAL'
          ? 'unlinking'
          : 'held';
    },
    Jukebox: (options: object) => {
      const skill = createJukeboxSkill({
        verifier: invalid,
        logger: recordingLogger(),
        subscriptions,
        ...options,
      }).create();
      return async () =>
        ((await skill.invoke(getPlayableContentRequest([], { accessToken: 'a-token' }))) as any).payload.type ===
        'INVALID_AUTHORIZATION_CREDENTIAL'
          ? 'unlinking'
          : 'held';
    },
  };

  it.each(Object.entries(setups))(
    '%s: the policy holds by default, unlinking: false answers at once, and metrics get every decision',
    async (_name, setup) => {
      const events: GateMetricEvent[] = [];
      const metrics = { record: (event: GateMetricEvent) => void events.push(event) };
      expect(await setup({ metrics })()).toBe('held');
      expect(await setup({ metrics, unlinking: false })()).toBe('unlinking');
      expect(events.map((e) => [e.outcome, e.rejection?.fate])).toEqual([
        ['undecided', 'held'],
        ['invalid', 'unlinked'],
      ]);
    },
  );
});
