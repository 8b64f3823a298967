import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A compiled worker_threads script: `file` beside the calling module in dist/; under vitest the
 * sources are .ts with no .js beside them, so the compiled copy under the package's dist/`distDir`.
 * Throws with `hint` (what to do) when neither exists.
 */
export function compiledWorkerUrl(moduleUrl: string, file: string, distDir: string, hint: string): URL {
  const sibling = new URL(`./${file}`, moduleUrl);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      const compiled = join(dir, 'dist', distDir, file);
      if (existsSync(compiled)) return pathToFileURL(compiled);
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`${file} not found beside ${fileURLToPath(moduleUrl)} nor under dist/${distDir}/: ${hint}`);
}
