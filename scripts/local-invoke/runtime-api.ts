/**
 * The Lambda Runtime API (2018-06-01) on 127.0.0.1, and the AWS Lambda runtime client
 * (aws-lambda-ric) it drives: the client asks for the next invocation, and posts its reply or error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toLambdaError, type InvokeResult, type LambdaError } from './runtime';
import type { LambdaFunction } from './template';

/** One invocation handed to the runtime client. */
export interface QueuedInvocation {
  requestId: string;
  event: unknown;
  deadlineMs: number;
}

export interface RuntimeApi {
  port: number;
  /** Hands an invocation to the client: at once if it is waiting for the next one, else when it asks. */
  send(invocation: QueuedInvocation): void;
  close(): void;
}

export interface RuntimeApiListener {
  /** The client's reply or error for one invocation. */
  reply(requestId: string, result: InvokeResult): void;
  /** The client could not load the handler. */
  initError(error: LambdaError): void;
}

/** Serves the Runtime API for one function: invocations in the order sent, each reply to `listener`. */
export async function startRuntimeApi(fn: LambdaFunction, listener: RuntimeApiListener): Promise<RuntimeApi> {
  const queue: QueuedInvocation[] = [];
  const waiting: ServerResponse[] = [];
  const serve = (res: ServerResponse, next: QueuedInvocation) => {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': next.requestId,
      'Lambda-Runtime-Deadline-Ms': String(next.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': `arn:aws:lambda:us-east-1:123456789012:function:${fn.logicalId}`,
      'Lambda-Runtime-Trace-Id': `Root=1-${Date.now().toString(16)}-${next.requestId.replace(/-/g, '').slice(0, 24)};Sampled=0`,
    });
    res.end(JSON.stringify(next.event));
  };
  const server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '';
      const body = await readBody(req);
      if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
        // with nothing queued, the client waits (a one-shot run's process is ended after its reply)
        const next = queue.shift();
        if (next) serve(res, next);
        else waiting.push(res);
        return;
      }
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end('{"status":"OK"}');
      const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      if (req.method === 'POST' && match) {
        const runtime = 'aws-lambda-ric';
        listener.reply(
          match[1],
          match[2] === 'response'
            ? { ok: true, runtime, response: parseJson(body) }
            : { ok: false, runtime, error: toLambdaError(parseJson(body)) },
        );
      } else if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
        listener.initError(toLambdaError(parseJson(body)));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    send(invocation) {
      const res = waiting.shift();
      if (res) serve(res, invocation);
      else queue.push(invocation);
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Starts aws-lambda-ric (`ricBin`) on a function's handler, in its artifact directory, against the Runtime API on `port`. */
export function spawnRuntimeClient(
  ricBin: string,
  fn: LambdaFunction,
  artifactDir: string,
  lambdaEnv: Record<string, string>,
  port: number,
): ChildProcess {
  return spawn(process.execPath, [ricBin, fn.handler], {
    cwd: artifactDir,
    env: { ...lambdaEnv, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
