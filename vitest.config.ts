import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The integration and end-to-end projects run on the real servers: one global setup for both (services
// up, build, and a teardown that fails the run if a test database or Redis key is left), each file's
// test data removed after it, and one file at a time, since they share one MongoDB-compatible server and one Redis.
const onServers = {
  globalSetup: ['test/support/global-setup.ts'],
  setupFiles: ['test/support/drop-after-file.ts'],
  fileParallelism: false,
};

// swc keeps decorator metadata, which NestJS dependency injection needs; esbuild drops it.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.data/test-report.json' },
    // `vitest run` runs the projects in groupOrder: unit (no server, nothing built, files in parallel), then integration, then end to end.
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], ...onServers, sequence: { groupOrder: 1 } },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...onServers, sequence: { groupOrder: 2 } } },
    ],
  },
});
