/**
 * One function of a SAM template, read as `sam local invoke` reads it: its handler, code location,
 * esbuild build properties, and its environment with Refs resolved (parameters, overrides from an
 * `--env-vars` file, pseudo parameters).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
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

export const PSEUDO_PARAMETERS: Record<string, string> = {
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
  if (resource.Type !== 'AWS::Serverless::Function')
    throw new Error(`${logicalId} is a ${resource.Type}, not an AWS::Serverless::Function`);

  const globals = template.Globals?.Function ?? {};
  const properties = { ...globals, ...resource.Properties };
  const metadata = resource.Metadata ?? {};
  if (metadata.BuildMethod !== 'esbuild')
    throw new Error(`${logicalId}: only Metadata.BuildMethod esbuild is supported`);
  const buildProperties: Record<string, unknown> = metadata.BuildProperties ?? {};
  const entryPoints = buildProperties.EntryPoints;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0)
    throw new Error(`${logicalId}: Metadata.BuildProperties.EntryPoints is empty`);
  if (typeof properties.Handler !== 'string') throw new Error(`${logicalId}: Properties.Handler is missing`);
  if (typeof properties.CodeUri !== 'string') throw new Error(`${logicalId}: Properties.CodeUri must be a local path`);

  const parameters = template.Parameters ?? {};
  const overrides = { ...envVars.Parameters, ...envVars[logicalId] };
  const declared = { ...globals.Environment?.Variables, ...resource.Properties?.Environment?.Variables };
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(declared)) {
    environment[name] =
      name in overrides
        ? String(overrides[name])
        : resolveValue(value, parameters, envVars.Parameters ?? {}, `${logicalId}.${name}`);
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

function resolveValue(
  value: unknown,
  parameters: Record<string, any>,
  parameterOverrides: Record<string, string>,
  where: string,
): string {
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
