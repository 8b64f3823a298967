import { existsSync } from 'node:fs';
import { SETTINGS, type SettingName, type Settings } from './settings.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Reads the settings from `env` (the process environment by default, after `.env` has been loaded
 * into it without overriding what is set) and validates every one. Throws a ConfigError naming each
 * bad variable, its value and what was expected.
 */
export function loadConfig(env: Record<string, string | undefined> = processEnvWithDotenv()): Settings {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS)) {
    const raw = env[name] === '' ? undefined : (env[name] ?? spec.default);
    if (raw === undefined && !spec.schema.safeParse(undefined).success) {
      problems.push(`${name} is not set: ${spec.doc}`);
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) {
      out[name] = parsed.data;
    } else {
      const shown = spec.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push(`${name}=${shown} is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
  }
  if (problems.length === 0) problems.push(...crossChecks(out as Settings));
  if (problems.length > 0) throw new ConfigError(problems);
  return out as Settings;
}

function crossChecks(s: Settings): string[] {
  const problems: string[] = [];
  if (s.VALIDATION_DAYS >= s.TRAINING_WINDOW_DAYS) {
    problems.push(`VALIDATION_DAYS=${s.VALIDATION_DAYS} must be smaller than TRAINING_WINDOW_DAYS=${s.TRAINING_WINDOW_DAYS}`);
  }
  if (s.INGESTION_RETRY_BASE_MS > s.INGESTION_RETRY_MAX_MS) {
    problems.push(`INGESTION_RETRY_BASE_MS=${s.INGESTION_RETRY_BASE_MS} must not exceed INGESTION_RETRY_MAX_MS=${s.INGESTION_RETRY_MAX_MS}`);
  }
  if (s.MOCK_MODE === 'replay' && !s.MOCK_REPLAY_DIR) {
    problems.push('MOCK_REPLAY_DIR is not set: MOCK_MODE=replay serves the data set in that folder');
  }
  if (s.MOCK_REPLAY_DIR && s.MOCK_MODE === 'replay' && !existsSync(s.MOCK_REPLAY_DIR)) {
    problems.push(`MOCK_REPLAY_DIR=${JSON.stringify(s.MOCK_REPLAY_DIR)} does not exist`);
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: s.TZ_CRON });
  } catch {
    problems.push(`TZ_CRON=${JSON.stringify(s.TZ_CRON)} is not an IANA time zone (e.g. UTC, Europe/Paris)`);
  }
  return problems;
}

/** The process environment, with `.env` (if present) filling in what is not set. */
export function processEnvWithDotenv(path = '.env'): Record<string, string | undefined> {
  if (existsSync(path)) process.loadEnvFile(path);
  return process.env;
}

/** The effective settings for printing at start, secrets masked. */
export function describeConfig(s: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    out[name] = SETTINGS[name].secret ? maskSecret(String(s[name] ?? '')) : s[name];
  }
  return out;
}

function maskSecret(v: string): string {
  try {
    const u = new URL(v);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return v ? '***' : '';
  }
}
