import { execFileSync } from 'node:child_process';

/**
 * Once per test run: the real services (Redis, and MongoDB or FerretDB) up, and the build fresh,
 * since end-to-end tests start `node dist/main.js` as a real process.
 */
export default function setup(): void {
  const opts = { stdio: 'inherit' as const, cwd: process.cwd() };
  execFileSync('bash', ['scripts/services.sh', 'up'], opts);
  if (process.env.SKIP_BUILD !== '1') execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], opts);
}
