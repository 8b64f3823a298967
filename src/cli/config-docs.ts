import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_DOCS_END, CONFIG_DOCS_START, renderConfigDocs } from '../config/config-docs.js';

// Rewrites the configuration reference between its markers in README.md.
const path = process.argv[2] ?? 'README.md';
const readme = readFileSync(path, 'utf8');
const start = readme.indexOf(CONFIG_DOCS_START);
const end = readme.indexOf(CONFIG_DOCS_END);
if (start < 0 || end < 0) {
  process.stderr.write(`${path}: the markers of the configuration reference are missing\n`);
  process.exit(1);
}
writeFileSync(path, readme.slice(0, start) + renderConfigDocs() + readme.slice(end + CONFIG_DOCS_END.length));
process.stdout.write(`${path}: configuration reference updated\n`);
