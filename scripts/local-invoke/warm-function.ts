/**
 * A warm function: one runtime process that serves invocation after invocation, as a Lambda
 * container does, so module state (caches, key sets, the unlink guard) lives on between them.
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
import { spawnRuntimeClient, startRuntimeApi, type QueuedInvocation } from './runtime-api';
import { loadFunction, type LambdaFunction } from './template';

/** A function kept warm: one runtime process that serves invocation after invocation, as a Lambda container does. */
export interface WarmFunction {
  readonly fn: LambdaFunction;
  readonly runtime: RuntimeName;
  /** One invocation, with a fresh request ID and the function's full timeout; settles with its reply or error. */
  invoke(event: unknown): Promise<InvokeResult>;
  /** Everything the function wrote to stdout and stderr so far. */
  logs(): string;
  /** Ends the runtime process (the container goes away). */
  stop(): Promise<void>;
}

export interface WarmFunctionOptions extends Omit<InvokeOptions, 'event'> {
  /** Build again even when `.aws-sam/build/<LogicalId>` exists. Default: true. */
  build?: boolean;
}

/**
 * Builds a function as `sam build` does and starts one "container" for it: a runtime process that
 * serves invocation after invocation (through aws-lambda-ric and a Runtime API on 127.0.0.1, or the
 * plain runner), so module state — caches, key sets, the unlink guard — lives on between them.
 */
export async function startWarmFunction(options: WarmFunctionOptions): Promise<WarmFunction> {
  const templatePath = path.resolve(options.templatePath ?? 'template.yaml');
  const fn = loadFunction(templatePath, options.logicalId, options.envVars);
  const buildRoot = buildRootOf(templatePath);
  const artifactDir = options.build === false ? path.join(buildRoot, fn.logicalId) : await buildFunction(fn, buildRoot);
  const ric = runtimeClientFor(options.runtime);
  let output = '';
  const onLog = (chunk: string) => {
    output += chunk;
    options.onLog?.(chunk);
  };
  const lambdaEnv = lambdaEnvironment(fn, artifactDir, randomUUID());
  const pending = new Map<string, (result: InvokeResult) => void>();
  const runtime: RuntimeName = ric ? 'aws-lambda-ric' : 'node';
  const settleOne = (requestId: string, result: InvokeResult) => {
    const settle = pending.get(requestId);
    pending.delete(requestId);
    settle?.(result);
  };
  const failAll = (error: InvokeResult & { ok: false }) => {
    for (const [id, settle] of pending) {
      pending.delete(id);
      settle(error);
    }
  };

  let child: ChildProcess;
  let send: (invocation: QueuedInvocation) => void;
  let closeServer = () => undefined as void;
  if (ric) {
    const api = await startRuntimeApi(fn, {
      reply: settleOne,
      initError: (error) => failAll({ ok: false, runtime, error }),
    });
    child = spawnRuntimeClient(ric, fn, artifactDir, lambdaEnv, api.port);
    send = (invocation) => api.send(invocation);
    closeServer = () => api.close();
  } else {
    child = forkPlainRunner(artifactDir, lambdaEnv);
    onPlainRunnerReply(child, settleOne);
    send = (invocation) => child.send({ handler: fn.handler, warm: true, ...invocation });
  }
  child.stdout?.on('data', (chunk: Buffer) => onLog(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => onLog(chunk.toString()));
  let exited = false;
  child.on('exit', (code, signal) => {
    exited = true;
    failAll({
      ok: false,
      runtime,
      error: { errorType: 'Runtime.ExitError', errorMessage: `The runtime exited (code ${code}, signal ${signal})` },
    });
  });

  return {
    fn,
    runtime,
    invoke(event) {
      if (exited)
        return Promise.resolve({
          ok: false,
          runtime,
          error: { errorType: 'Runtime.ExitError', errorMessage: 'The runtime has exited' },
        });
      const requestId = randomUUID();
      const deadlineMs = Date.now() + fn.timeoutSeconds * 1000;
      return new Promise<InvokeResult>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(requestId);
          resolve({
            ok: false,
            runtime,
            error: {
              errorType: 'Sandbox.Timedout',
              errorMessage: `Task timed out after ${fn.timeoutSeconds}.00 seconds`,
            },
          });
        }, deadlineMs - Date.now());
        pending.set(requestId, (result) => {
          clearTimeout(timer);
          // let the log lines written before the reply arrive first
          setTimeout(() => resolve(result), LOG_DRAIN_MS);
        });
        send({ requestId, event, deadlineMs });
      });
    },
    logs: () => output,
    async stop() {
      if (!exited) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await gone;
      }
      closeServer();
    },
  };
}
