/**
 * The memory benchmark, in a process of its own (as a Lambda container would be): a gated custom
 * skill with a capped verdict cache, invoked over many distinct tokens. Prints one JSON line.
 */
import { SkillBuilders } from 'ask-sdk-core';
import { CachingVerifier, createJsonLogger, withAccountLinking, type TokenVerifier } from '../lib';
import { launchRequest } from '../lib/testing';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const invocations = quick ? 100_000 : 1_000_000;
  const distinct = quick ? 10_000 : 100_000;
  const maxEntries = 10_000;
  const stub: TokenVerifier<unknown> = {
    verify: async (token) => ({
      outcome: 'valid',
      principal: { subject: token.slice(-6) },
      expiresAt: new Date(Date.now() + 3_600_000),
    }),
  };
  const cache = new CachingVerifier(stub, { maxEntries });
  const skill = withAccountLinking(SkillBuilders.custom(), {
    verifier: cache,
    logger: createJsonLogger({ level: 'silent' }),
  })
    .addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.getResponse() })
    .create();
  const envelope = launchRequest({ accessToken: 'x' }) as any;
  await skill.invoke(envelope);
  global.gc?.();
  const before = process.memoryUsage();
  const started = performance.now();
  for (let i = 0; i < invocations; i++) {
    envelope.context.System.user.accessToken = `token-${(i * 7919) % distinct}`;
    await skill.invoke(envelope);
  }
  const seconds = (performance.now() - started) / 1000;
  global.gc?.();
  const after = process.memoryUsage();
  console.log(
    JSON.stringify({
      invocations,
      distinct,
      maxEntries,
      entries: cache.size,
      before,
      after,
      perSecond: invocations / seconds,
      gc: !!global.gc,
    }),
  );
}

void main();
