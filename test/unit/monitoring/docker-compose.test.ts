import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../../../src/config/load-config.js';
import { ROLES, SETTINGS } from '../../../src/config/settings.js';

// docker-compose.yml cannot run here (no Docker engine): this holds it against the app's config.
interface Service {
  image?: string;
  build?: string;
  env_file?: string;
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  command?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  secrets?: string[];
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  secrets?: Record<string, { file?: string }>;
};
const dotenv = parseEnv(readFileSync('.env', 'utf8'));
const APP_SERVICES = { api: 'api', worker: 'worker', scheduler: 'scheduler', 'mock-api': 'mock-api' } as const;
// The image's environment (Dockerfile ENV), and the compose secret as the container would see it.
const imageEnv = Object.fromEntries([...readFileSync('Dockerfile', 'utf8').matchAll(/^ENV (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
const secretDir = mkdtempSync(join(tmpdir(), 'moovitamix-compose-'));
const secretFile = join(secretDir, 'admin_token');
writeFileSync(secretFile, 'Zk3q9VvR2pLx8TnW0cYb6HsJ4mGd1fQe7aUiN5oPrKt\n');
const containerEnv = (name: string) => {
  const env = { ...imageEnv, ...dotenv, ...compose.services[name]!.environment } as Record<string, string>;
  if (env.ADMIN_TOKEN_FILE === '/run/secrets/admin_token') env.ADMIN_TOKEN_FILE = secretFile;
  return env;
};
const settingsOf = (name: string) => loadConfig(containerEnv(name));
/** A compose value with its `${VAR:-default}` interpolations at their defaults. */
const withDefaults = (v: string) => v.replace(/\$\{(\w+):-([^}]*)\}/g, (_, _name: string, def: string) => def);
const containerPort = (mapping: string) => Number(mapping.split(':').at(-1));

describe('docker-compose.yml', () => {
  afterAll(() => rmSync(secretDir, { recursive: true, force: true }));

  it('publishes ports on 127.0.0.1 only, unless PUBLISH_ADDRESS opts out', () => {
    const published = Object.entries(compose.services).flatMap(([name, svc]) => (svc.ports ?? []).map((p) => [name, p] as const));
    expect(published.length).toBeGreaterThanOrEqual(3);
    for (const [name, mapping] of published) {
      expect(mapping, name).toMatch(/^\$\{PUBLISH_ADDRESS:-127\.0\.0\.1\}:\d+:\d+$/);
      expect(withDefaults(mapping).split(':')[0], name).toBe('127.0.0.1');
    }
  });

  it('gives every app service the admin token as a compose secret from a file that is not committed', () => {
    expect(imageEnv.NODE_ENV).toBe('production');
    const file = withDefaults(compose.secrets!.admin_token!.file!);
    expect(file).toBe('./secrets/admin_token');
    // git check-ignore exits 0 when the path is ignored.
    expect(() => execFileSync('git', ['check-ignore', '-q', file])).not.toThrow();
    const tracked = execFileSync('git', ['ls-files', 'secrets']).toString().trim();
    expect(tracked).toBe('');
    for (const name of Object.keys(APP_SERVICES)) {
      expect(compose.services[name]!.secrets, name).toEqual(['admin_token']);
      expect(compose.services[name]!.environment!.ADMIN_TOKEN_FILE, name).toBe('/run/secrets/admin_token');
      expect(settingsOf(name).ADMIN_TOKEN, name).toBe('Zk3q9VvR2pLx8TnW0cYb6HsJ4mGd1fQe7aUiN5oPrKt');
    }
  });

  it('would refuse to start a container on the development token of .env', () => {
    const env = containerEnv('api');
    delete env.ADMIN_TOKEN_FILE;
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/development token committed in \.env/);
  });

  it('has MongoDB 7, Redis 7, the app once per role, Prometheus and Grafana, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'api',
      'grafana',
      'mock-api',
      'mongo',
      'prometheus',
      'redis',
      'scheduler',
      'worker',
    ]);
    expect(compose.services.mongo!.image).toBe('mongo:7');
    expect(compose.services.redis!.image).toBe('redis:7');
    for (const [name, svc] of Object.entries(compose.services)) expect(svc.healthcheck?.test.length, name).toBeGreaterThan(0);
  });

  it('builds every app service from the Dockerfile, with its settings from .env', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20\b/m);
    expect(dockerfile).toContain('npm ci');
    expect(dockerfile).toContain('npm run build');
    expect(dockerfile).toMatch(/CMD \["node", "dist\/main\.js"\]/);
    for (const name of Object.keys(APP_SERVICES)) {
      const svc = compose.services[name]!;
      expect(svc.build, name).toBe('.');
      expect(svc.env_file, name).toBe('.env');
      expect(existsSync(svc.env_file!)).toBe(true);
    }
  });

  it('names only variables the app declares, in .env and in every service', () => {
    for (const key of Object.keys(dotenv)) expect(SETTINGS, `.env: ${key}`).toHaveProperty(key);
    for (const name of Object.keys(APP_SERVICES)) {
      for (const key of Object.keys(compose.services[name]!.environment ?? {})) expect(SETTINGS, `${name}: ${key}`).toHaveProperty(key);
    }
  });

  it('runs each role once, with connection URLs on the service names and servers on 0.0.0.0', () => {
    const roles = Object.keys(APP_SERVICES).map((name) => settingsOf(name).APP_ROLE);
    expect(roles.sort()).toEqual(ROLES.filter((r) => r !== 'all').sort());
    const mockPort = settingsOf('mock-api').MOCK_PORT;
    for (const [name, role] of Object.entries(APP_SERVICES)) {
      const s = settingsOf(name);
      expect(s.APP_ROLE, name).toBe(role);
      expect(s.HTTP_HOST, name).toBe('0.0.0.0');
      const mongo = new URL(s.MONGODB_URI.replace(/^mongodb:/, 'http:'));
      expect(mongo.hostname, name).toBe('mongo');
      expect(Number(mongo.port || 27017), name).toBe(27017);
      expect(new URL(s.REDIS_URL).hostname, name).toBe('redis');
      const mockUrl = new URL(s.MOCK_API_URL);
      expect(mockUrl.hostname, name).toBe('mock-api');
      expect(Number(mockUrl.port), name).toBe(mockPort);
    }
  });

  it('publishes and checks each role on the port its settings give', () => {
    const api = settingsOf('api');
    expect(compose.services.api!.ports!.map(containerPort)).toEqual([api.HTTP_PORT]);
    expect(compose.services.api!.healthcheck!.test.join(' ')).toContain(`:${api.HTTP_PORT}/health/ready`);
    const mock = settingsOf('mock-api');
    expect(compose.services['mock-api']!.ports!.map(containerPort)).toEqual([mock.MOCK_PORT]);
    expect(compose.services['mock-api']!.healthcheck!.test.join(' ')).toContain(`:${mock.MOCK_PORT}/tracks`);
    for (const name of ['worker', 'scheduler']) {
      const s = settingsOf(name);
      expect(compose.services[name]!.expose!.map(Number), name).toEqual([s.METRICS_PORT]);
      expect(compose.services[name]!.healthcheck!.test.join(' '), name).toContain(`:${s.METRICS_PORT}/health/ready`);
    }
  });

  it('waits for healthy MongoDB and Redis before the pipeline roles, and declares every named volume', () => {
    for (const name of ['api', 'worker', 'scheduler']) {
      const deps = compose.services[name]!.depends_on as Record<string, { condition: string }>;
      expect(deps.mongo?.condition, name).toBe('service_healthy');
      expect(deps.redis?.condition, name).toBe('service_healthy');
    }
    const named = Object.values(compose.services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0]!)
      .filter((src) => !src.startsWith('.') && !src.startsWith('/'));
    expect(named.length).toBeGreaterThanOrEqual(3);
    for (const v of named) expect(compose.volumes, v).toHaveProperty(v);
  });

  it('gives Prometheus the repo config, whose targets are the app services on their ports, and its rule files', () => {
    const prom = compose.services.prometheus!;
    expect(prom.volumes).toContain('./prometheus:/etc/prometheus:ro');
    expect(prom.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const config = parse(readFileSync('prometheus/prometheus.yml', 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[]; labels?: Record<string, string> }> }>;
    };
    for (const file of config.rule_files) expect(existsSync(`prometheus/${file}`), file).toBe(true);
    const app = config.scrape_configs.find((j) => j.job_name === 'moovitamix')!;
    const targets = Object.fromEntries(app.static_configs.map((c) => [c.labels!.role!, c.targets]));
    expect(targets).toEqual({
      api: [`api:${settingsOf('api').HTTP_PORT}`],
      worker: [`worker:${settingsOf('worker').METRICS_PORT}`],
      scheduler: [`scheduler:${settingsOf('scheduler').METRICS_PORT}`],
    });
  });
});
