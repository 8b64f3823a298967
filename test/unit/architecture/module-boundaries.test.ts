import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTIONS } from '../../../src/catalog/catalog.schemas.js';
import { INGESTION_COLLECTIONS } from '../../../src/ingestion/ingestion.schemas.js';
import { RECOMMENDATION_COLLECTIONS } from '../../../src/recommendations/recommendation.schemas.js';
import { TRAINING_COLLECTIONS } from '../../../src/training/registry/registry.schemas.js';

/**
 * Keeps docs/architecture.md#modules true: only infrastructure is global, and each collection is
 * reached only through the module that owns it (its name declared once, there).
 */
const SRC = join(import.meta.dirname, '../../../src');

/** The only modules that may be global: configuration, MongoDB, Redis, the queue registry (logging has no module). */
const GLOBAL_ALLOWED = ['config/config.module.ts', 'database/database.module.ts', 'redis/redis.module.ts', 'queues/queues.module.ts'];

/** Each owner's folder and the collections it declares. */
const OWNERS: Record<string, readonly string[]> = {
  catalog: Object.values(COLLECTIONS),
  ingestion: Object.values(INGESTION_COLLECTIONS),
  recommendations: Object.values(RECOMMENDATION_COLLECTIONS),
  training: Object.values(TRAINING_COLLECTIONS),
};

/** Names that are also the source API's endpoints (the mirror is named after them): not checked as bare strings. */
const ENDPOINT_NAMES = new Set(['tracks', 'users', 'listen_history']);

/**
 * Command-line scripts and their tools: they run outside the module graph on a database of their
 * own (benchmarks seed and read it directly), so they are not held to the module boundaries.
 */
const OUTSIDE_THE_APP = ['cli/', 'tools/'];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const sources = files(SRC)
  .map((abs) => ({ path: relative(SRC, abs).split('\\').join('/'), text: readFileSync(abs, 'utf8') }))
  .filter((f) => !OUTSIDE_THE_APP.some((p) => f.path.startsWith(p)));

const ownerOf = (path: string) => path.split('/')[0]!;
/** Source without comments, so that a doc comment naming a collection is not a use of it. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

describe('module boundaries', () => {
  it('has no global module but the infrastructure ones', () => {
    const global = sources
      .filter((f) => f.path.endsWith('.module.ts') && /@Global\(\)|\bglobal:\s*true/.test(code(f.text)))
      .map((f) => f.path);
    expect(
      global.filter((p) => !GLOBAL_ALLOWED.includes(p)),
      'global feature modules (import the module instead)',
    ).toEqual([]);
  });

  it('reaches collections only through Mongoose models, and those only in the module that owns them', () => {
    const offenders = sources.flatMap((f) => {
      const text = code(f.text);
      // By name on the raw connection: nowhere (an owner has its models).
      const raw = [...text.matchAll(/\.collection\(|\bconn(?:ection)?\.db\b/g)].map((m) => `${f.path}: ${m[0]}`);
      const models =
        ownerOf(f.path) in OWNERS ? [] : [...text.matchAll(/@InjectModel\(|MongooseModule\.forFeature/g)].map((m) => `${f.path}: ${m[0]}`);
      return [...raw, ...models];
    });
    expect(offenders, "reads or writes a collection by name, or another module's model: use the owner's exported repository").toEqual([]);
  });

  it('names each collection once, in its owner', () => {
    const offenders: string[] = [];
    for (const [owner, names] of Object.entries(OWNERS)) {
      for (const name of names) {
        if (ENDPOINT_NAMES.has(name)) continue;
        const quoted = new RegExp(`['"\`]${name}['"\`]`);
        const found = sources.filter((f) => quoted.test(code(f.text))).map((f) => f.path);
        for (const path of found) if (ownerOf(path) !== owner) offenders.push(`${path}: '${name}' belongs to ${owner}`);
        if (found.filter((p) => ownerOf(p) === owner).length > 1)
          offenders.push(`'${name}' is declared in ${found.join(', ')}: once is enough`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("keeps each module's collection constants and Mongoose models to itself", () => {
    const offenders = sources.flatMap((f) =>
      [...code(f.text).matchAll(/import\s*{([^}]*)}\s*from\s*'([^']+)'/g)]
        .filter((m) => /\b\w*(COLLECTIONS|MODEL_NAMES)\b/.test(m[1]!) && /schemas\.js$/.test(m[2]!))
        .filter((m) => ownerOf(posix.join(posix.dirname(f.path), m[2]!)) !== ownerOf(f.path))
        .map((m) => `${f.path} imports ${m[1]!.trim()} from ${m[2]}`),
    );
    const exportsModels = sources
      .filter(
        (f) =>
          f.path.endsWith('.module.ts') && !GLOBAL_ALLOWED.includes(f.path) && /exports:\s*\[[^\]]*\bMongooseModule\b/.test(code(f.text)),
      )
      .map((f) => `${f.path} exports its Mongoose models`);
    expect([...offenders, ...exportsModels]).toEqual([]);
  });
});
