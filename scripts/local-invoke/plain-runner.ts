/**
 * The plain runner, for machines without aws-lambda-ric: a forked Node process (node-runtime.cjs)
 * that loads the bundle and calls the handler with a Lambda context, once per message.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { toLambdaError, type InvokeResult } from './runtime';

/** Starts the plain runner in a function's artifact directory, with Lambda's environment. */
export function forkPlainRunner(artifactDir: string, lambdaEnv: Record<string, string>): ChildProcess {
  return fork(path.join(__dirname, 'node-runtime.cjs'), [], {
    cwd: artifactDir,
    env: lambdaEnv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
}

/** Calls `listener` with each reply or error the runner sends, and the request it answers. */
export function onPlainRunnerReply(
  child: ChildProcess,
  listener: (requestId: string, result: InvokeResult) => void,
): void {
  child.on('message', (message: any) =>
    listener(
      message.requestId,
      message.ok
        ? { ok: true, runtime: 'node', response: message.response }
        : { ok: false, runtime: 'node', error: toLambdaError(message.error) },
    ),
  );
}
