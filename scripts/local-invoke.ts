/**
 * `sam local invoke` for machines without SAM CLI or Docker.
 *
 * Reads a function's handler, code location, build properties and environment from template.yaml,
 * builds it with esbuild as `sam build` does (BuildMethod: esbuild), and runs the bundle the way
 * Lambda does: in a fresh process, with a deadline, through the real AWS Lambda runtime client
 * (aws-lambda-ric) talking to a Runtime API served here on 127.0.0.1 — or, where aws-lambda-ric
 * is not installed, through a small runner that calls the handler with a Lambda context.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build, type Format } from 'esbuild';
import { yamlParse } from 'yaml-cfn';

export type EnvVarsFile = Record<string, Record<string, string>>;

export interface LambdaFunction {
  logicalId: string;
  handler: string;
  codeUri: string;
  entryPoints: string[];
  buildProperties: Record<string, unknown>;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memorySize: number;
}

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

export type InvokeResult =
  | { ok: true; response: unknown; runtime: RuntimeName }
  | { ok: false; error: { errorType: string; errorMessage: string; trace?: string[] }; runtime: RuntimeName };

export type RuntimeName = 'aws-lambda-ric' | 'node';

/** How long a function's last log lines get to arrive after its reply, before its process is ended. */
const LOG_DRAIN_MS = 150;

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::StackName': 'local',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Reads one function of a SAM template, its environment resolved as `sam local invoke` resolves it. */
export function loadFunction(templatePath: string, logicalId: string, envVars: EnvVarsFile = {}): LambdaFunction {
  const template = yamlParse(readFileSync(templatePath, 'utf8')) as Record<string, any>;
  const resource = template.Resources?.[logicalId];
  if (!resource) {
    const functions = Object.entries(template.Resources ?? {})
      .filter(([, r]: [string, any]) => r.Type === 'AWS::Serverless::Function')
      .map(([id]) => id);
    throw new Error(`${templatePath} has no resource ${logicalId}; its functions: ${functions.join(', ') || 'none'}`);
  }
  if (resource.Type !== 'AWS::Serverless::Function') throw new Error(`${logicalId} is a ${resource.Type}, not an AWS::Serverless::Function`);

  const globals = template.Globals?.Function ?? {};
  const properties = { ...globals, ...resource.Properties };
  const metadata = resource.Metadata ?? {};
  if (metadata.BuildMethod !== 'esbuild') throw new Error(`${logicalId}: only Metadata.BuildMethod esbuild is supported`);
  const buildProperties: Record<string, unknown> = metadata.BuildProperties ?? {};
  const entryPoints = buildProperties.EntryPoints;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) throw new Error(`${logicalId}: Metadata.BuildProperties.EntryPoints is empty`);
  if (typeof properties.Handler !== 'string') throw new Error(`${logicalId}: Properties.Handler is missing`);
  if (typeof properties.CodeUri !== 'string') throw new Error(`${logicalId}: Properties.CodeUri must be a local path`);

  const parameters = template.Parameters ?? {};
  const overrides = { ...envVars.Parameters, ...envVars[logicalId] };
  const declared = { ...globals.Environment?.Variables, ...resource.Properties?.Environment?.Variables };
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(declared)) {
    environment[name] = name in overrides ? String(overrides[name]) : resolveValue(value, parameters, envVars.Parameters ?? {}, `${logicalId}.${name}`);
  }
  return {
    logicalId,
    handler: properties.Handler,
    codeUri: path.resolve(path.dirname(templatePath), properties.CodeUri),
    entryPoints: entryPoints.map(String),
    buildProperties,
    environment,
    timeoutSeconds: Number(properties.Timeout ?? 3),
    memorySize: Number(properties.MemorySize ?? 128),
  };
}

function resolveValue(value: unknown, parameters: Record<string, any>, parameterOverrides: Record<string, string>, where: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  if (typeof ref === 'string') {
    if (ref in parameterOverrides) return String(parameterOverrides[ref]);
    if (ref in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[ref];
    if (ref in parameters) return parameters[ref].Default === undefined ? '' : String(parameters[ref].Default);
    return ref; // a resource: its logical ID, as sam local invoke does
  }
  process.emitWarning(`${where}: an intrinsic function other than Ref to a parameter is resolved to "" locally`);
  return '';
}

/** Builds a function as `sam build` does with BuildMethod esbuild; returns the artifact directory. */
export async function buildFunction(fn: LambdaFunction, buildRoot = path.join(process.cwd(), '.aws-sam', 'build')): Promise<string> {
  const outdir = path.join(buildRoot, fn.logicalId);
  const props = fn.buildProperties;
  await build({
    entryPoints: fn.entryPoints.map((entry) => path.resolve(fn.codeUri, entry)),
    outdir,
    bundle: true,
    platform: 'node',
    format: (typeof props.Format === 'string' ? props.Format : 'cjs') as Format,
    target: typeof props.Target === 'string' ? props.Target : 'es2020',
    minify: props.Minify === true || props.Minify === 'true',
    sourcemap: props.Sourcemap === true || props.Sourcemap === 'true',
    external: Array.isArray(props.External) ? props.External.map(String) : [],
    logLevel: 'warning',
  });
  return outdir;
}

/** Builds and runs one function on one event, as `sam local invoke` does. */
export async function invokeFunction(options: InvokeOptions): Promise<InvokeResult> {
  const templatePath = path.resolve(options.templatePath ?? 'template.yaml');
  const fn = loadFunction(templatePath, options.logicalId, options.envVars);
  const artifactDir = await buildFunction(fn, path.join(path.dirname(templatePath), '.aws-sam', 'build'));
  return runBuiltFunction(fn, artifactDir, options.event, options);
}

export function runBuiltFunction(
  fn: LambdaFunction,
  artifactDir: string,
  event: unknown,
  options: Pick<InvokeOptions, 'runtime' | 'onLog'> = {},
): Promise<InvokeResult> {
  const ric = options.runtime === 'node' ? undefined : findRuntimeClient();
  if (options.runtime === 'ric' && !ric) throw new Error('aws-lambda-ric is not installed (npm install builds it; it needs autoconf, automake, libtool, cmake)');
  const onLog = options.onLog ?? ((chunk: string) => void process.stderr.write(chunk));
  const requestId = randomUUID();
  const deadlineMs = Date.now() + fn.timeoutSeconds * 1000;
  const lambdaEnv = lambdaEnvironment(fn, artifactDir, requestId);
  const invocation = { fn, artifactDir, event, requestId, deadlineMs, lambdaEnv, onLog };
  return ric ? runWithRuntimeClient(ric, invocation) : runWithNode(invocation);
}

/** The environment Lambda gives a function's process. */
function lambdaEnvironment(fn: LambdaFunction, artifactDir: string, streamId: string): Record<string, string> {
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

interface Invocation {
  fn: LambdaFunction;
  artifactDir: string;
  event: unknown;
  requestId: string;
  deadlineMs: number;
  lambdaEnv: Record<string, string>;
  onLog: (chunk: string) => void;
}

/** The runtime `auto` picks on this machine. */
export function runtimeName(): RuntimeName {
  return findRuntimeClient() ? 'aws-lambda-ric' : 'node';
}

/** Which runner `runtime` means on this machine, and why, in one line for the user. */
export function describeRuntimeChoice(runtime: InvokeOptions['runtime'] = 'auto'): { runtime: RuntimeName; why: string } {
  if (runtime === 'node') return { runtime: 'node', why: 'the plain runner, as --runtime node asks' };
  if (findRuntimeClient()) return { runtime: 'aws-lambda-ric', why: 'the real AWS Lambda runtime client (aws-lambda-ric), as in Lambda' };
  return {
    runtime: 'node',
    why:
      'the plain runner, because aws-lambda-ric is not installed here (it is built from source at npm install and needs ' +
      'autoconf, automake, libtool and cmake; install them and run npm ci again to use it)',
  };
}

function findRuntimeClient(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('aws-lambda-ric/package.json')), 'bin', 'index.mjs');
  } catch {
    return undefined;
  }
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
      () => settle({ ok: false, runtime, error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${invocation.fn.timeoutSeconds}.00 seconds` } }),
      invocation.deadlineMs - Date.now(),
    );
    child.stdout?.on('data', (chunk: Buffer) => invocation.onLog(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => invocation.onLog(chunk.toString()));
    child.on('exit', (code, signal) =>
      // give a reply that is still on its way a moment to arrive
      setTimeout(() => settle({ ok: false, runtime, error: { errorType: 'Runtime.ExitError', errorMessage: `The runtime exited (code ${code}, signal ${signal}) without a reply` } }), 200),
    );
  });
  return { settle, done };
}

/** The Lambda Runtime API (2018-06-01) for one invocation, on 127.0.0.1, driving aws-lambda-ric. */
async function runWithRuntimeClient(ricBin: string, invocation: Invocation): Promise<InvokeResult> {
  const { fn, event, requestId, deadlineMs } = invocation;
  let served = false;
  let onReply: (result: InvokeResult) => void = () => undefined;
  const server = createServer((req, res) => {
    void handleRuntimeApi(req, res);
  });
  async function handleRuntimeApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    const body = await readBody(req);
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      if (served) return; // the next invocation never comes; the process is ended after the reply
      served = true;
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Lambda-Runtime-Aws-Request-Id': requestId,
        'Lambda-Runtime-Deadline-Ms': String(deadlineMs),
        'Lambda-Runtime-Invoked-Function-Arn': `arn:aws:lambda:us-east-1:123456789012:function:${fn.logicalId}`,
        'Lambda-Runtime-Trace-Id': `Root=1-${Date.now().toString(16)}-${requestId.replace(/-/g, '').slice(0, 24)};Sampled=0`,
      });
      res.end(JSON.stringify(event));
      return;
    }
    res.writeHead(202, { 'Content-Type': 'application/json' });
    res.end('{"status":"OK"}');
    if (req.method === 'POST' && url === `/2018-06-01/runtime/invocation/${requestId}/response`) {
      onReply({ ok: true, runtime: 'aws-lambda-ric', response: parseJson(body) });
    } else if (req.method === 'POST' && (url === `/2018-06-01/runtime/invocation/${requestId}/error` || url === '/2018-06-01/runtime/init/error')) {
      onReply({ ok: false, runtime: 'aws-lambda-ric', error: toLambdaError(parseJson(body)) });
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const child = spawn(process.execPath, [ricBin, fn.handler], {
    cwd: invocation.artifactDir,
    env: { ...invocation.lambdaEnv, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { settle, done } = supervise(child, invocation, 'aws-lambda-ric', () => {
    server.closeAllConnections();
    server.close();
  });
  onReply = settle;
  return done;
}

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
  const buildRoot = path.join(path.dirname(templatePath), '.aws-sam', 'build');
  const artifactDir = options.build === false ? path.join(buildRoot, fn.logicalId) : await buildFunction(fn, buildRoot);
  const ric = options.runtime === 'node' ? undefined : findRuntimeClient();
  if (options.runtime === 'ric' && !ric) throw new Error('aws-lambda-ric is not installed (npm install builds it; it needs autoconf, automake, libtool, cmake)');
  let output = '';
  const onLog = (chunk: string) => {
    output += chunk;
    options.onLog?.(chunk);
  };
  const lambdaEnv = lambdaEnvironment(fn, artifactDir, randomUUID());
  const pending = new Map<string, (result: InvokeResult) => void>();
  const runtime: RuntimeName = ric ? 'aws-lambda-ric' : 'node';
  const failAll = (error: InvokeResult & { ok: false }) => {
    for (const [id, settle] of pending) {
      pending.delete(id);
      settle(error);
    }
  };

  let child: ChildProcess;
  let send: (invocation: { requestId: string; event: unknown; deadlineMs: number }) => void;
  let closeServer = () => undefined as void;
  if (ric) {
    const queue: Array<{ requestId: string; event: unknown; deadlineMs: number }> = [];
    const waiting: ServerResponse[] = [];
    const serve = (res: ServerResponse, next: { requestId: string; event: unknown; deadlineMs: number }) => {
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
          const next = queue.shift();
          if (next) serve(res, next);
          else waiting.push(res);
          return;
        }
        res.writeHead(202, { 'Content-Type': 'application/json' });
        res.end('{"status":"OK"}');
        const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
        if (req.method === 'POST' && match) {
          const settle = pending.get(match[1]);
          pending.delete(match[1]);
          settle?.(match[2] === 'response' ? { ok: true, runtime, response: parseJson(body) } : { ok: false, runtime, error: toLambdaError(parseJson(body)) });
        } else if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
          failAll({ ok: false, runtime, error: toLambdaError(parseJson(body)) });
        }
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    child = spawn(process.execPath, [ric, fn.handler], {
      cwd: artifactDir,
      env: { ...lambdaEnv, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    send = (invocation) => {
      const res = waiting.shift();
      if (res) serve(res, invocation);
      else queue.push(invocation);
    };
    closeServer = () => {
      server.closeAllConnections();
      server.close();
    };
  } else {
    child = fork(path.join(__dirname, 'node-runtime.cjs'), [], { cwd: artifactDir, env: lambdaEnv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    child.on('message', (message: any) => {
      const settle = pending.get(message.requestId);
      pending.delete(message.requestId);
      settle?.(message.ok ? { ok: true, runtime, response: message.response } : { ok: false, runtime, error: toLambdaError(message.error) });
    });
    send = (invocation) => child.send({ handler: fn.handler, warm: true, ...invocation });
  }
  child.stdout?.on('data', (chunk: Buffer) => onLog(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => onLog(chunk.toString()));
  let exited = false;
  child.on('exit', (code, signal) => {
    exited = true;
    failAll({ ok: false, runtime, error: { errorType: 'Runtime.ExitError', errorMessage: `The runtime exited (code ${code}, signal ${signal})` } });
  });

  return {
    fn,
    runtime,
    invoke(event) {
      if (exited) return Promise.resolve({ ok: false, runtime, error: { errorType: 'Runtime.ExitError', errorMessage: 'The runtime has exited' } });
      const requestId = randomUUID();
      const deadlineMs = Date.now() + fn.timeoutSeconds * 1000;
      return new Promise<InvokeResult>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(requestId);
          resolve({ ok: false, runtime, error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${fn.timeoutSeconds}.00 seconds` } });
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

/** A fresh Node process that loads the bundle and calls the handler with a Lambda context. */
function runWithNode(invocation: Invocation): Promise<InvokeResult> {
  const child = fork(path.join(__dirname, 'node-runtime.cjs'), [], {
    cwd: invocation.artifactDir,
    env: invocation.lambdaEnv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const { settle, done } = supervise(child, invocation, 'node', () => undefined);
  child.on('message', (message: any) =>
    settle(message.ok ? { ok: true, runtime: 'node', response: message.response } : { ok: false, runtime: 'node', error: toLambdaError(message.error) }),
  );
  child.send({
    handler: invocation.fn.handler,
    event: invocation.event,
    requestId: invocation.requestId,
    deadlineMs: invocation.deadlineMs,
  });
  return done;
}

function toLambdaError(value: unknown): { errorType: string; errorMessage: string; trace?: string[] } {
  const error = (value ?? {}) as Record<string, unknown>;
  return {
    errorType: typeof error.errorType === 'string' ? error.errorType : 'Error',
    errorMessage: typeof error.errorMessage === 'string' ? error.errorMessage : 'The function failed',
    ...(Array.isArray(error.trace) ? { trace: error.trace.map(String) } : {}),
  };
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
