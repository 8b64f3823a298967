import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Install scripts run on every user's machine at `npm ci`: the production tree may hold only those
// we know, and the one that reports installs (Scarf, under swagger-ui-dist) is switched off.
const KNOWN: Record<string, string> = {
  'node_modules/msgpackr-extract': 'prebuilt native MessagePack decoding for BullMQ (no network)',
  'node_modules/@scarf/scarf':
    'install telemetry of swagger-ui-dist: disabled by scarfSettings in package.json and SCARF_ANALYTICS=false in the Dockerfile',
};

describe('install scripts of the production tree', () => {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean; dev?: boolean }>;
  };
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scarfSettings?: { enabled?: boolean } };

  it('are only the known ones', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript && !p.dev)
      .map(([name]) => name);
    expect(withScripts.filter((n) => !(n in KNOWN))).toEqual([]);
  });

  it('switch the install telemetry off', () => {
    if ('node_modules/@scarf/scarf' in lock.packages) expect(pkg.scarfSettings?.enabled).toBe(false);
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(/ENV SCARF_ANALYTICS=false/);
  });
});
