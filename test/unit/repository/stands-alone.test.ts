import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// A clone of this repository must build, test and read on its own: every relative link in the docs
// resolves inside it, and no code, test or script reaches for a folder beside it.
const ROOT = process.cwd();

function files(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

/** Relative link targets of a Markdown page: `[text](target)` outside code spans and fences. */
export function markdownLinks(markdown: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*```/.test(text)) fenced = !fenced;
    if (fenced) return;
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
      links.push({ target, line: i + 1 });
    }
  });
  return links;
}

describe('the repository stands alone', () => {
  const pages = [join(ROOT, 'README.md'), ...files(join(ROOT, 'docs'), (p) => p.endsWith('.md'))];

  it('finds the links it checks (the walker is not blind)', () => {
    expect(markdownLinks('see [a](docs/a.md#x) and `[b](no.md)` or [c](https://x.org) [d](#top)\n```\n[e](e.md)\n```')).toEqual([
      { target: 'docs/a.md#x', line: 1 },
    ]);
    expect(pages.length).toBeGreaterThan(5);
  });

  it('has no dead relative link in the README or docs/', () => {
    const dead: string[] = [];
    let checked = 0;
    for (const page of pages) {
      for (const { target, line } of markdownLinks(readFileSync(page, 'utf8'))) {
        const path = resolve(dirname(page), decodeURIComponent(target.split('#')[0]));
        checked++;
        if (!existsSync(path)) dead.push(`${relative(ROOT, page)}:${line} -> ${target}`);
        else if (relative(ROOT, path).startsWith('..')) dead.push(`${relative(ROOT, page)}:${line} -> ${target} (outside the repository)`);
      }
    }
    expect(dead).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });

  it('names only docs pages that exist, in source comments and tests', () => {
    const self = relative(ROOT, new URL(import.meta.url).pathname);
    const sources = files(join(ROOT, 'src'), (p) => p.endsWith('.ts')).concat(
      files(join(ROOT, 'test'), (p) => p.endsWith('.ts') && relative(ROOT, p) !== self),
    );
    const dead: string[] = [];
    for (const p of sources) {
      for (const m of readFileSync(p, 'utf8').matchAll(/\bdocs\/([\w.-]+\.md)\b/g)) {
        if (!existsSync(join(ROOT, 'docs', m[1]))) dead.push(`${relative(ROOT, p)} -> docs/${m[1]}`);
      }
    }
    expect(dead).toEqual([]);
  });

  it('reads no file beside the repository from code, tests, scripts or docs', () => {
    const sources = files(
      ROOT,
      (p) => /\.(ts|mjs|js|sh|md|json|ya?ml)$/.test(p) && !p.includes(`${join('test', 'fixtures')}`) && !p.endsWith('package-lock.json'),
    );
    const self = relative(ROOT, new URL(import.meta.url).pathname);
    const outside = /\.\.\/shared\b|'\.\.',\s*'shared'|\/work\/shared/;
    const offenders = sources
      .filter((p) => relative(ROOT, p) !== self && outside.test(readFileSync(p, 'utf8')))
      .map((p) => relative(ROOT, p));
    expect(offenders).toEqual([]);
  });
});
