/**
 * The README as an entry page, and the docs as one web of pages: every relative link of README.md
 * and docs/*.md points to a file (or directory) of the repository and, with a `#anchor` into a
 * Markdown file, to one of its headings (GitHub's anchors); every docs page links the API reference;
 * the README stays at most 15 KB. Links into docs/api are not followed: `npm run docs` builds it
 * (git-ignored), after `npm test` in CI.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const DOCS = path.join(ROOT, 'docs');
const API = path.join(DOCS, 'api');
const PAGES = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => `docs/${name}`);
const DOCUMENTS = ['README.md', ...PAGES];
/** The most the README may weigh, in bytes: an entry page, the rest in docs/. */
const README_MAX_BYTES = 15_000;

/** The lines of `markdown` outside fenced code blocks, with their numbers (from 1). */
function proseLines(markdown: string): Array<{ line: number; text: string }> {
  const lines: Array<{ line: number; text: string }> = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence === undefined && opening) fence = opening;
    else if (fence !== undefined && text.trim().startsWith(fence)) fence = undefined;
    else if (fence === undefined) lines.push({ line: index + 1, text });
  });
  return lines;
}

/** GitHub's anchor of a heading: lower case, markup and punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const anchorCache = new Map<string, Set<string>>();
/** The anchors of a Markdown file's headings; a repeated heading gets `-1`, `-2`, ... as on GitHub. */
function anchorsOf(file: string): Set<string> {
  const cached = anchorCache.get(file);
  if (cached) return cached;
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(readFileSync(file, 'utf8'))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  anchorCache.set(file, anchors);
  return anchors;
}

interface Link {
  document: string;
  line: number;
  target: string;
}

/** The relative links (and images) of a document, outside code blocks and code spans. */
function relativeLinks(document: string): Link[] {
  const links: Link[] = [];
  for (const { line, text } of proseLines(readFileSync(path.join(ROOT, document), 'utf8'))) {
    const prose = text.replace(/(`+)[^`]*?\1/g, '');
    for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, ...
      links.push({ document, line, target });
    }
  }
  return links;
}

/** What is wrong with a link, or undefined when it resolves. */
function problemOf(link: Link): string | undefined {
  const [pathPart, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const file =
    pathPart === ''
      ? path.join(ROOT, link.document)
      : path.resolve(path.dirname(path.join(ROOT, link.document)), decodeURI(pathPart));
  if (!file.startsWith(ROOT + path.sep) && file !== ROOT) return 'points outside the repository';
  if (file === API || file.startsWith(API + path.sep)) return undefined; // built by npm run docs
  if (!existsSync(file)) return `no such file: ${path.relative(ROOT, file)}`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md'))
    return `an anchor into ${path.relative(ROOT, file)}, which has no headings`;
  return anchorsOf(file).has(anchor)
    ? undefined
    : `no heading with the anchor #${anchor} in ${path.relative(ROOT, file)}`;
}

const links = DOCUMENTS.flatMap(relativeLinks);

describe('the README and the docs pages', () => {
  it('have relative links to check', () => {
    expect(links.some((link) => link.document === 'README.md')).toBe(true);
    expect(links.some((link) => link.document.startsWith('docs/'))).toBe(true);
  });

  it('link only to files and headings that exist', () => {
    const broken = links.flatMap((link) => {
      const problem = problemOf(link);
      return problem ? [`${link.document}:${link.line}: (${link.target}) ${problem}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it.each(PAGES)('%s links the API reference (api/index.html)', (page) => {
    expect(relativeLinks(page).map((link) => link.target)).toContain('api/index.html');
  });

  it('the README links every docs page', () => {
    const linked = new Set(relativeLinks('README.md').map((link) => link.target.split('#')[0]));
    expect(PAGES.filter((page) => !linked.has(page))).toEqual([]);
  });

  it(`the README is an entry page: at most ${README_MAX_BYTES} bytes`, () => {
    expect(statSync(path.join(ROOT, 'README.md')).size).toBeLessThanOrEqual(README_MAX_BYTES);
  });
});
