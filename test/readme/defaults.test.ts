/**
 * Defaults are written in one place: each option's `@defaultValue` names an exported constant, the
 * value the doc comment shows is that constant's, and every "`option` (value)" the docs give is one
 * of the constants of that option's name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as root from '../../lib';
import * as cliConfig from '../../lib/cli/server-check-config';
import * as dynamodb from '../../lib/dynamodb';
import * as testing from '../../lib/testing';

const ROOT = path.resolve(__dirname, '../..');
// The package's exports, and the command's own settings (lib/cli is the command, not the API).
const EXPORTS: Record<string, unknown> = { ...cliConfig, ...testing, ...dynamodb, ...root };

interface Documented {
  file: string;
  option: string;
  constant: string;
  shown?: string;
}

function libFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? libFiles(path.join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [path.join(dir, entry.name)]
        : [],
  );
}

/** Every option whose `@defaultValue` names a constant, with what its doc comment shows in brackets. */
const DOCUMENTED: Documented[] = libFiles(path.join(ROOT, 'lib')).flatMap((file) => {
  const text = readFileSync(file, 'utf8');
  const found: Documented[] = [];
  const pattern = /@defaultValue \{@link (\w+)\}(?: \(([^)\n]*)\))?[^]*?\*\/\s*(?:readonly\s+)?(\w+)\??:/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const [, constant, shown, option] = match;
    found.push({ file: path.relative(ROOT, file), option: option!, constant: constant!, ...(shown ? { shown } : {}) });
  }
  return found;
});

/** A number as the docs write it ("30 s", "5 minutes", "8192", "10,000"), in the unit of `constant` (ms for `_MS`, s for `_SECONDS`). */
function inUnitOf(constant: string, text: string): number | undefined {
  const match = /^([\d,.]+)\s*(ms|s|seconds?|minutes?|min|h|hours?|days?)?\b/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]!.replace(/,/g, ''));
  const seconds: Record<string, number> = {
    s: 1,
    second: 1,
    seconds: 1,
    min: 60,
    minute: 60,
    minutes: 60,
    h: 3600,
    hour: 3600,
    hours: 3600,
    day: 86_400,
    days: 86_400,
  };
  const unit = match[2];
  if (constant.endsWith('_MS')) return unit === undefined || unit === 'ms' ? value : value * seconds[unit]! * 1000;
  if (constant.endsWith('_SECONDS'))
    return unit === undefined ? value : unit === 'ms' ? value / 1000 : value * seconds[unit]!;
  return unit === undefined ? value : undefined;
}

describe('option defaults', () => {
  it('are found: options name their default by an exported constant', () => {
    expect(DOCUMENTED.length).toBeGreaterThan(20);
    expect(
      DOCUMENTED.filter(({ constant }) => !(constant in EXPORTS)).map(
        ({ file, option, constant }) => `${file} ${option}: ${constant} is not exported`,
      ),
    ).toEqual([]);
  });

  it('show, in their doc comment, the value their constant holds', () => {
    const wrong = DOCUMENTED.filter(({ constant, shown }) => {
      const value = EXPORTS[constant];
      if (shown === undefined || typeof value !== 'number') return false;
      return inUnitOf(constant, shown) !== value;
    });
    expect(
      wrong.map(
        ({ file, option, constant, shown }) =>
          `${file} ${option}: (${shown}) but ${constant} is ${String(EXPORTS[constant])}`,
      ),
    ).toEqual([]);
  });

  it("are given in the docs as one of the constants of that option's name", () => {
    const byOption = new Map<string, { constant: string; value: number }[]>();
    for (const { option, constant } of DOCUMENTED) {
      const value = EXPORTS[constant];
      if (typeof value === 'number') byOption.set(option, [...(byOption.get(option) ?? []), { constant, value }]);
    }
    const pages = [
      'README.md',
      ...readdirSync(path.join(ROOT, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`),
    ];
    const wrong: string[] = [];
    let checked = 0;
    for (const page of pages) {
      const text = readFileSync(path.join(ROOT, page), 'utf8');
      for (const [option, constants] of byOption) {
        const pattern = new RegExp(`\`${option}\`\\s*(?:\\(default:?\\s*|\\()([^)\\n]+)\\)`, 'g');
        for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
          const values = constants.map(({ constant }) => inUnitOf(constant, match![1]!));
          if (values.every((value) => value === undefined)) continue; // not a number (a description, a type)
          checked += 1;
          if (!constants.some(({ value }, i) => values[i] === value))
            wrong.push(
              `${page}: \`${option}\` (${match[1]}) is none of ${constants.map(({ constant, value }) => `${constant} = ${value}`).join(', ')}`,
            );
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(5);
  });
});
