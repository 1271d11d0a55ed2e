/**
 * A process for test/stdout.test.ts: writes lines to its stdout through lib/stdout.ts while the
 * test holds the pipe full, and reports on stderr what the writer met (EAGAIN, hand-overs, writes).
 *
 * node --import tsx test/support/stdout-child.ts <mode> [count] [bytes]
 *   lines   count lines of about `bytes` bytes through writeStdout; `stream-first` also writes one
 *           line through process.stdout before, which makes the pipe non-blocking (as any stream
 *           on it does), so a full pipe answers EAGAIN
 *   gate    count requests through a gated custom skill with its defaults in a Lambda function:
 *           each writes a decision line and an EMF line, then the child its own `{"request":i}`
 *   batch   two lines in one batchStdout
 */
import fs from 'node:fs';

const [mode = 'lines', count = '1000', bytes = '800', first = ''] = process.argv.slice(2);
const seen = { eagain: 0, writes: 0, handedOver: 0 };
const realWriteSync = fs.writeSync;
(fs as { writeSync: unknown }).writeSync = (fd: number, ...rest: unknown[]) => {
  if (fd !== 1) return (realWriteSync as (...args: unknown[]) => number)(fd, ...rest);
  seen.writes++;
  try {
    return (realWriteSync as (...args: unknown[]) => number)(fd, ...rest);
  } catch (error) {
    if ((error as { code?: string }).code === 'EAGAIN') seen.eagain++;
    throw error;
  }
};

function countHandOvers(): void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    seen.handedOver++;
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
}

async function main(): Promise<void> {
  const { writeStdout, batchStdout } = await import('../../lib/stdout');
  if (first === 'stream-first') {
    process.stdout.write(`${JSON.stringify({ seq: -1, via: 'stream' })}\n`);
  }
  countHandOvers();
  const ready = () => process.stderr.write('@@ready\n'); // the test starts holding the pipe now
  if (mode === 'lines') {
    ready();
    const pad = 'x'.repeat(Math.max(0, Number(bytes) - 40));
    for (let seq = 0; seq < Number(count); seq++) writeStdout(`${JSON.stringify({ seq, pad, é: 'ü' })}\n`);
  } else if (mode === 'batch') {
    ready();
    const before = seen.writes;
    batchStdout(() => {
      writeStdout('{"seq":0}\n');
      writeStdout('{"seq":1}\n');
    });
    process.stderr.write(`writes in the batch: ${seen.writes - before}\n`);
  } else if (mode === 'gate') {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'stdout-test';
    const { generateKeyPairSync } = await import('node:crypto');
    const { SkillBuilders } = await import('ask-sdk-core');
    const { JwtVerifier, withAccountLinking } = await import('../../lib');
    const { launchRequest, mintAccessToken } = await import('../../lib/testing');
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const verifier = new JwtVerifier({
      publicKey: key.publicKey,
      algorithms: ['RS256'],
      issuer: 'https://auth.test/',
      audience: 'skill',
    });
    const skill = withAccountLinking(SkillBuilders.custom(), { verifier })
      .addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.getResponse() })
      .create();
    ready();
    for (let i = 0; i < Number(count); i++) {
      const accessToken = mintAccessToken({
        key: key.privateKey,
        algorithm: 'RS256',
        issuer: 'https://auth.test/',
        audience: 'skill',
        subject: `user-${i}`,
      });
      await skill.invoke(launchRequest({ accessToken }));
      writeStdout(`${JSON.stringify({ request: i })}\n`); // the skill's own line after the gate's two
    }
  }
  process.stderr.write(`@@seen ${JSON.stringify(seen)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${String(error?.stack ?? error)}\n`);
  process.exit(1);
});
