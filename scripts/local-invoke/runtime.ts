/**
 * What runs a function: the runner (aws-lambda-ric where installed, else the plain runner), the
 * environment Lambda gives the function's process, and what an invocation settles with.
 */
import path from 'node:path';
import { PSEUDO_PARAMETERS, type EnvVarsFile, type LambdaFunction } from './template';

export type RuntimeName = 'aws-lambda-ric' | 'node';

export interface InvokeOptions {
  /** Default: template.yaml in the working directory. */
  templatePath?: string;
  logicalId: string;
  event: unknown;
  /** The `--env-vars` file of `sam local invoke`: `{"<LogicalId>": {...}, "Parameters": {...}}`. */
  envVars?: EnvVarsFile | undefined;
  /** `ric`: aws-lambda-ric (fails if absent); `node`: the plain runner; `auto` (default): ric where installed. */
  runtime?: 'auto' | 'ric' | 'node';
  /** Where the function's own output (stdout and stderr) goes. Default: this process's stderr. */
  onLog?: (chunk: string) => void;
}

export interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type InvokeResult =
  { ok: true; response: unknown; runtime: RuntimeName } | { ok: false; error: LambdaError; runtime: RuntimeName };

/** How long a function's last log lines get to arrive after its reply, before its process is ended or the reply handed on. */
export const LOG_DRAIN_MS = 150;

/** The environment Lambda gives a function's process. */
export function lambdaEnvironment(fn: LambdaFunction, artifactDir: string, streamId: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...fn.environment,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/${streamId}`,
    AWS_REGION: PSEUDO_PARAMETERS['AWS::Region'],
    AWS_DEFAULT_REGION: PSEUDO_PARAMETERS['AWS::Region'],
    LAMBDA_TASK_ROOT: artifactDir,
    _HANDLER: fn.handler,
    TZ: 'UTC',
  };
}

/** The runtime `auto` picks on this machine. */
export function runtimeName(): RuntimeName {
  return findRuntimeClient() ? 'aws-lambda-ric' : 'node';
}

/** Which runner `runtime` means on this machine, and why, in one line for the user. */
export function describeRuntimeChoice(runtime: InvokeOptions['runtime'] = 'auto'): {
  runtime: RuntimeName;
  why: string;
} {
  if (runtime === 'node') return { runtime: 'node', why: 'the plain runner, as --runtime node asks' };
  if (findRuntimeClient())
    return { runtime: 'aws-lambda-ric', why: 'the real AWS Lambda runtime client (aws-lambda-ric), as in Lambda' };
  return {
    runtime: 'node',
    why:
      'the plain runner, because aws-lambda-ric is not installed here (it is built from source at npm install and needs ' +
      'autoconf, automake, libtool and cmake; install them and run npm ci again to use it)',
  };
}

/** The aws-lambda-ric executable `runtime` asks for: none for the plain runner; an error if `ric` is asked and absent. */
export function runtimeClientFor(runtime: InvokeOptions['runtime']): string | undefined {
  const ric = runtime === 'node' ? undefined : findRuntimeClient();
  if (runtime === 'ric' && !ric)
    throw new Error(
      'aws-lambda-ric is not installed (npm install builds it; it needs autoconf, automake, libtool, cmake)',
    );
  return ric;
}

function findRuntimeClient(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('aws-lambda-ric/package.json')), 'bin', 'index.mjs');
  } catch {
    return undefined;
  }
}

/** A function's error as Lambda reports it, from whatever the runner sent. */
export function toLambdaError(value: unknown): LambdaError {
  const error = (value ?? {}) as Record<string, unknown>;
  return {
    errorType: typeof error.errorType === 'string' ? error.errorType : 'Error',
    errorMessage: typeof error.errorMessage === 'string' ? error.errorMessage : 'The function failed',
    ...(Array.isArray(error.trace) ? { trace: error.trace.map(String) } : {}),
  };
}
