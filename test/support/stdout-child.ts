/**
 * A process for test/stdout.test.ts: writes lines to its stdout through lib/stdout.ts while the
 * test holds the pipe full, and reports on stderr what the writer met (EAGAIN, hand-overs, writes).
 *
 * Bundled and run by plain node (as in Lambda): node stdout-child.js <mode> [count] [bytes] [stream-first]
 *   lines   count lines of about `bytes` bytes through writeStdout; `stream-first` also writes one
 *           line through process.stdout before, which makes the pipe non-blocking (as any stream
 *           on it does), so a full pipe answers EAGAIN
 *   gate    count requests through a gated custom skill with its defaults in a Lambda function:
 *           each writes a decision line and an EMF line, then the child its own `{"request":i}`
 *   batch   two lines in one batchStdout
 *   mixed   as gate, with a logger of the skill's own that writes through process.stdout (as
 *           Powertools' Logger does): the gate's EMF line must never land inside its decision line
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

/** Counts what goes through process.stdout, from when something makes it (making it here would make the pipe non-blocking). */
function countHandOvers(): void {
  const own = Object.getOwnPropertyDescriptor(process, 'stdout')!;
  let counted: NodeJS.WriteStream | undefined;
  Object.defineProperty(process, 'stdout', {
    ...own,
    get() {
      const stream = own.get!.call(process) as NodeJS.WriteStream;
      if (counted !== stream) {
        counted = stream;
        const write = stream.write.bind(stream);
        stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
          seen.handedOver++;
          return write(chunk, ...rest);
        }) as typeof stream.write;
      }
      return stream;
    },
  });
}

async function main(): Promise<void> {
  countHandOvers();
  const { writeStdout, batchStdout } = await import('../../lib/stdout');
  if (first === 'stream-first') {
    process.stdout.write(`${JSON.stringify({ seq: -1, via: 'stream' })}\n`);
    seen.handedOver = 0; // that line was the child's own
  }
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
  } else if (mode === 'gate' || mode === 'mixed') {
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
    // A logger of the skill's own, writing through process.stdout (mixed), or the gate's default (gate).
    const streamLogger = {
      line: (level: string, message: string, fields?: Record<string, unknown>) =>
        void process.stdout.write(`${JSON.stringify({ level, message, ...fields, pad: 'p'.repeat(3000) })}\n`),
      debug(message: string, fields?: Record<string, unknown>) {
        this.line('DEBUG', message, fields);
      },
      info(message: string, fields?: Record<string, unknown>) {
        this.line('INFO', message, fields);
      },
      warn(message: string, fields?: Record<string, unknown>) {
        this.line('WARN', message, fields);
      },
      error(message: string, fields?: Record<string, unknown>) {
        this.line('ERROR', message, fields);
      },
    };
    const skill = withAccountLinking(SkillBuilders.custom(), {
      verifier,
      ...(mode === 'mixed' ? { logger: streamLogger } : {}),
    })
      .addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.getResponse() })
      .create();
    if (mode === 'mixed') {
      // A megabyte the stream cannot write at once (the test holds the pipe): it queues, and so does
      // every line after it through the stream, while the event loop waits for the pipe.
      process.stdout.write(`${JSON.stringify({ seq: -2, pad: 'q'.repeat(1 << 20) })}\n`);
    }
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
