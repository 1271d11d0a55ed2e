/** The build of one function, as `sam build` does it with `Metadata.BuildMethod: esbuild`. */
import path from 'node:path';
import { build, type Format } from 'esbuild';
import type { LambdaFunction } from './template';

/** The directory `sam build` builds into, next to the template: `.aws-sam/build`. */
export function buildRootOf(templatePath: string): string {
  return path.join(path.dirname(templatePath), '.aws-sam', 'build');
}

/** Builds a function as `sam build` does with BuildMethod esbuild; returns the artifact directory. */
export async function buildFunction(
  fn: LambdaFunction,
  buildRoot = path.join(process.cwd(), '.aws-sam', 'build'),
): Promise<string> {
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
