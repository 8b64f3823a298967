import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOCS_END, CONFIG_DOCS_START, renderConfigDocs } from '../../src/config/config-docs.js';
import { SETTINGS } from '../../src/config/settings.js';

describe('configuration reference in the README', () => {
  const readme = readFileSync('README.md', 'utf8');
  it('is the one generated from the settings (run `npm run config:docs` after changing a setting)', () => {
    const start = readme.indexOf(CONFIG_DOCS_START);
    const end = readme.indexOf(CONFIG_DOCS_END) + CONFIG_DOCS_END.length;
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start, end)).toBe(renderConfigDocs());
  });
  it('documents every variable of .env', () => {
    const names = readFileSync('.env', 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    for (const n of names) expect(Object.keys(SETTINGS)).toContain(n);
  });
});
