/**
 * `sam local invoke` for machines without SAM CLI or Docker, one concern a module: the template
 * (template.ts), the esbuild build (build.ts), the runner and Lambda's environment (runtime.ts),
 * the Runtime API driving aws-lambda-ric (runtime-api.ts), the plain runner where aws-lambda-ric
 * is not installed (plain-runner.ts, node-runtime.cjs), one invocation in a fresh process
 * (invoke-function.ts), and a warm function that serves many (warm-function.ts).
 */
export { buildFunction } from './build';
export { invokeFunction, runBuiltFunction } from './invoke-function';
export { describeRuntimeChoice, runtimeName, type InvokeOptions, type InvokeResult, type RuntimeName } from './runtime';
export { loadFunction, type EnvVarsFile, type LambdaFunction } from './template';
export { startWarmFunction, type WarmFunction, type WarmFunctionOptions } from './warm-function';
