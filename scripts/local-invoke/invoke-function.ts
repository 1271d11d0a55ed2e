/**
 * `sam local invoke`: builds a function and runs it on one event in a fresh process, with its
 * deadline, through aws-lambda-ric and the Runtime API, or the plain runner.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { buildFunction, buildRootOf } from './build';
import { forkPlainRunner, onPlainRunnerReply } from './plain-runner';
import {
  lambdaEnvironment,
  LOG_DRAIN_MS,
  runtimeClientFor,
  type InvokeOptions,
  type InvokeResult,
  type RuntimeName,
} from './runtime';
import { spawnRuntimeClient, startRuntimeApi } from './runtime-api';
import { loadFunction, type LambdaFunction } from './template';

/** One run of a built function. */
interface Invocation {
  fn: LambdaFunction;
  artifactDir: string;
  event: unknown;
  requestId: string;
  deadlineMs: number;
  lambdaEnv: Record<string, string>;
  onLog: (chunk: string) => void;
}

/** Builds and runs one function on one event, as `sam local invoke` does. */
export async function invokeFunction(options: InvokeOptions): Promise<InvokeResult> {
  const templatePath = path.resolve(options.templatePath ?? 'template.yaml');
  const fn = loadFunction(templatePath, options.logicalId, options.envVars);
  const artifactDir = await buildFunction(fn, buildRootOf(templatePath));
  return runBuiltFunction(fn, artifactDir, options.event, options);
}

/** Runs a function built into `artifactDir` on one event, in a fresh process. */
export function runBuiltFunction(
  fn: LambdaFunction,
  artifactDir: string,
  event: unknown,
  options: Pick<InvokeOptions, 'runtime' | 'onLog'> = {},
): Promise<InvokeResult> {
  const ric = runtimeClientFor(options.runtime);
  const onLog = options.onLog ?? ((chunk: string) => void process.stderr.write(chunk));
  const requestId = randomUUID();
  const deadlineMs = Date.now() + fn.timeoutSeconds * 1000;
  const lambdaEnv = lambdaEnvironment(fn, artifactDir, requestId);
  const invocation = { fn, artifactDir, event, requestId, deadlineMs, lambdaEnv, onLog };
  return ric ? runWithRuntimeClient(ric, invocation) : runWithNode(invocation);
}

/** Settles once, whatever ends first: a reply, an error, the child's exit, or the function's timeout. */
function supervise(
  child: ChildProcess,
  invocation: Invocation,
  runtime: RuntimeName,
  cleanup: () => void,
): { settle: (result: InvokeResult) => void; done: Promise<InvokeResult> } {
  let settle!: (result: InvokeResult) => void;
  const done = new Promise<InvokeResult>((resolve) => {
    let settled = false;
    settle = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // The child may still be writing log lines it wrote before it replied: let them drain first.
      setTimeout(() => {
        child.kill('SIGKILL');
        cleanup();
        resolve(result);
      }, LOG_DRAIN_MS);
    };
    const timer = setTimeout(
      () =>
        settle({
          ok: false,
          runtime,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${invocation.fn.timeoutSeconds}.00 seconds`,
          },
        }),
      invocation.deadlineMs - Date.now(),
    );
    child.stdout?.on('data', (chunk: Buffer) => invocation.onLog(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => invocation.onLog(chunk.toString()));
    child.on('exit', (code, signal) =>
      // give a reply that is still on its way a moment to arrive
      setTimeout(
        () =>
          settle({
            ok: false,
            runtime,
            error: {
              errorType: 'Runtime.ExitError',
              errorMessage: `The runtime exited (code ${code}, signal ${signal}) without a reply`,
            },
          }),
        200,
      ),
    );
  });
  return { settle, done };
}

/** aws-lambda-ric, served the one invocation by a Runtime API of its own. */
async function runWithRuntimeClient(ricBin: string, invocation: Invocation): Promise<InvokeResult> {
  const { fn, event, requestId, deadlineMs } = invocation;
  let onReply: (result: InvokeResult) => void = () => undefined;
  const api = await startRuntimeApi(fn, {
    reply: (id, result) => {
      if (id === requestId) onReply(result);
    },
    initError: (error) => onReply({ ok: false, runtime: 'aws-lambda-ric', error }),
  });
  api.send({ requestId, event, deadlineMs });
  const child = spawnRuntimeClient(ricBin, fn, invocation.artifactDir, invocation.lambdaEnv, api.port);
  const { settle, done } = supervise(child, invocation, 'aws-lambda-ric', () => api.close());
  onReply = settle;
  return done;
}

/** The plain runner, sent the one invocation. */
function runWithNode(invocation: Invocation): Promise<InvokeResult> {
  const child = forkPlainRunner(invocation.artifactDir, invocation.lambdaEnv);
  const { settle, done } = supervise(child, invocation, 'node', () => undefined);
  onPlainRunnerReply(child, (_requestId, result) => settle(result));
  child.send({
    handler: invocation.fn.handler,
    event: invocation.event,
    requestId: invocation.requestId,
    deadlineMs: invocation.deadlineMs,
  });
  return done;
}
