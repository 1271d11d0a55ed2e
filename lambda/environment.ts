/**
 * Gate options every example skill reads from its environment.
 *
 * - `VERIFICATION_TIMEOUT_MS`: the most the verifier may take (default 3000, capped by the Lambda's remaining time).
 * - `UNLINK_CONFIRM_AFTER_SECONDS`: a suspected rejection is answered with the unlinking reply only
 *   when the same token is rejected again, on fresh knowledge, at least this long after its first
 *   rejection anywhere in the fleet; `0` confirms at the second rejection with no wait. Default: the policy's, 3600.
 * - `UNLINK_LEDGER_TABLE`: the DynamoDB table the fleet shares as its unlinking ledger (the template
 *   sets it to its own). Unset: a ledger in this container's memory, which knows only this container
 *   (a deferred answer to dead tokens, never a false unlink; see `MemoryUnlinkLedger`).
 * - `UNLINKING`: `off` answers every rejection with the unlinking reply at once, with no policy: for
 *   local runs and tests of the replies only (`events/env.local.json` sets it); never in a deployed
 *   function, which is why the template has no Parameter for it.
 * - `METRICS_NAMESPACE`: the CloudWatch namespace of the gate's EMF metrics (read by `emfMetrics`). Default: `AccountLinking`.
 */
import {
  ConfigurationError,
  type CommonGateOptions,
  type Environment,
  type UnlinkingOptions,
  type UnlinkLedger,
} from '../lib';

export function gateOptionsFromEnvironment(
  env: Environment = process.env,
): Pick<CommonGateOptions<unknown>, 'verificationTimeoutMs' | 'unlinking'> {
  const options: Pick<CommonGateOptions<unknown>, 'verificationTimeoutMs' | 'unlinking'> = {};
  const rawTimeout = env.VERIFICATION_TIMEOUT_MS?.trim();
  if (rawTimeout) {
    const verificationTimeoutMs = Number(rawTimeout);
    if (!Number.isInteger(verificationTimeoutMs) || verificationTimeoutMs <= 0 || verificationTimeoutMs > 7000) {
      throw new ConfigurationError('VERIFICATION_TIMEOUT_MS must be a whole number of milliseconds between 1 and 7000');
    }
    options.verificationTimeoutMs = verificationTimeoutMs;
  }

  const off = env.UNLINKING?.trim().toLowerCase();
  if (off === 'off') return { ...options, unlinking: false };
  if (off) throw new ConfigurationError('UNLINKING must be off or unset');
  const unlinking: UnlinkingOptions = {};
  const rawConfirmAfter = env.UNLINK_CONFIRM_AFTER_SECONDS?.trim();
  if (rawConfirmAfter) {
    const seconds = Number(rawConfirmAfter);
    if (!/^\d+$/.test(rawConfirmAfter) || !Number.isSafeInteger(seconds)) {
      throw new ConfigurationError('UNLINK_CONFIRM_AFTER_SECONDS must be a whole number of seconds, 0 or more');
    }
    unlinking.confirmAfterMs = seconds * 1000;
  }
  const table = env.UNLINK_LEDGER_TABLE?.trim();
  if (table) unlinking.ledger = dynamoDbLedger(table);
  if (Object.keys(unlinking).length > 0) options.unlinking = unlinking;
  return options;
}

/** Work waiting for the current invocation's reply to be on its way (see {@link replyFirst}). */
const waitingForReply: Array<() => void> = [];

/** Resolves once the current invocation's reply is on its way, or after a second where no {@link replyFirst} handler runs. */
function afterReply(): Promise<void> {
  return new Promise((resolve) => {
    waitingForReply.push(resolve);
    // The fallback timer is set on the event loop's next turn, not now: off a request's path that replies without I/O (a cold start's first).
    setImmediate(() => setTimeout(resolve, 1000).unref());
  });
}

/**
 * An example function's Lambda handler, with the work it deferred until its reply (the unlinking
 * ledger's first proof, which loads the AWS SDK) let go once the handler has answered — on the next
 * turn of the event loop, when the runtime has sent the reply.
 */
export function replyFirst<E, C, R>(
  handler: (event: E, context: C) => Promise<R>,
): (event: E, context: C) => Promise<R> {
  return async (event, context) => {
    try {
      return await handler(event, context);
    } finally {
      const waiting = waitingForReply.splice(0);
      if (waiting.length > 0) setImmediate(() => waiting.forEach((resolve) => resolve()));
    }
  };
}

/**
 * The DynamoDB ledger, with the AWS SDK loaded on its first use rather than at cold start: a
 * rejection, or the proof a container writes at its first acceptance — which waits until the
 * request's reply is on its way ({@link replyFirst}), so that loading the SDK never delays it.
 */
function dynamoDbLedger(tableName: string): UnlinkLedger {
  let ledger: Promise<UnlinkLedger> | undefined;
  const load = () =>
    (ledger ??= import('../lib/dynamodb').then(({ DynamoDbUnlinkLedger }) => new DynamoDbUnlinkLedger({ tableName })));
  return {
    recordRejection: async (...args) => (await load()).recordRejection(...args),
    getRejection: async (...args) => (await load()).getRejection(...args),
    countRejection: async (...args) => (await load()).countRejection(...args),
    markOpen: async (...args) => (await load()).markOpen(...args),
    prove: async (...args) => {
      if (!ledger) await afterReply();
      return (await load()).prove(...args);
    },
    readFleet: async (...args) => (await load()).readFleet(...args),
  };
}
