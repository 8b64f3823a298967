import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// swc keeps decorator metadata, which NestJS dependency injection needs; esbuild drops it.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites share one MongoDB-compatible server and one Redis: run files one at a time.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: '.data/test-report.json' },
  },
});
