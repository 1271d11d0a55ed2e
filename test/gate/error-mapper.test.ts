/**
 * gateErrorsFirst: every error goes to the gate's error handler first, then to the skill's own
 * mapper, so no catch-all of the skill can swallow a gate reply, whatever the registration order.
 */
import type { ErrorHandler, ErrorMapper } from 'ask-sdk-runtime';
import { GateShortCircuitError } from '../../lib';
import { gateErrorsFirst } from '../../lib/gate/error-mapper';

type Input = { name: string };
const handler = (
  name: string,
  canHandle: (error: Error) => boolean | Promise<boolean>,
): ErrorHandler<Input, string> & { name: string } => ({
  name,
  canHandle: (_input: Input, error: Error) => canHandle(error),
  handle: () => name,
});
const gate = handler('gate', (error) => error instanceof GateShortCircuitError);
const catchAll = handler('catch-all', () => true);
const skillErrors: ErrorMapper<Input, string> = {
  getErrorHandler: async (input, error) => ((await catchAll.canHandle(input, error)) ? catchAll : null) as never,
};
const input = { name: 'input' };

describe('gateErrorsFirst', () => {
  it("hands a gate error to the gate's handler, even when the skill has a catch-all", async () => {
    const shortCircuit = new GateShortCircuitError('custom', 'LaunchRequest', { outcome: 'missing' });
    expect(await gateErrorsFirst(gate, skillErrors).getErrorHandler(input, shortCircuit)).toBe(gate);
  });

  it("hands any other error to the skill's mapper", async () => {
    expect(await gateErrorsFirst(gate, skillErrors).getErrorHandler(input, new Error('domain'))).toBe(catchAll);
  });

  it('awaits a gate handler whose canHandle is asynchronous', async () => {
    const asyncGate = handler('async-gate', async () => true);
    expect(await gateErrorsFirst(asyncGate, skillErrors).getErrorHandler(input, new Error('x'))).toBe(asyncGate);
  });

  it('answers null, so that the dispatcher rethrows, when the skill has no mapper or its mapper has no handler', async () => {
    expect(await gateErrorsFirst(gate, undefined).getErrorHandler(input, new Error('domain'))).toBeNull();
    const none: ErrorMapper<Input, string> = { getErrorHandler: async () => null as never };
    expect(await gateErrorsFirst(gate, none).getErrorHandler(input, new Error('domain'))).toBeNull();
  });
});
