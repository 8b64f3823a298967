import { existsSync, readFileSync } from 'node:fs';
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
  env = withSecretFiles(env, problems);
  for (const [name, spec] of Object.entries(SETTINGS)) {
    if (name === 'ADMIN_TOKEN' && env[name] === SECRET_FILE_UNREADABLE) continue;
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

const SECRET_FILE_UNREADABLE = '\u0000unreadable';

/** ADMIN_TOKEN_FILE (a Docker or Kubernetes secret) wins over ADMIN_TOKEN: the file's content, trimmed. */
function withSecretFiles(env: Record<string, string | undefined>, problems: string[]): Record<string, string | undefined> {
  const path = env.ADMIN_TOKEN_FILE;
  if (!path) return env;
  try {
    return { ...env, ADMIN_TOKEN: readFileSync(path, 'utf8').trim() };
  } catch (err) {
    problems.push(
      `ADMIN_TOKEN_FILE=${JSON.stringify(path)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): it must name the file holding the admin token`,
    );
    return { ...env, ADMIN_TOKEN: SECRET_FILE_UNREADABLE };
  }
}

/** Tokens committed to the repository (.env); a test keeps this list in step with .env. */
export const DEVELOPMENT_ADMIN_TOKENS: readonly string[] = ['local-dev-admin-token-change-me'];
export const PRODUCTION_TOKEN_MIN_LENGTH = 32;
export const PRODUCTION_TOKEN_MIN_BITS = 100;

/** Length times the Shannon entropy of the token's own character distribution: a rough, conservative strength. */
export function estimatedTokenBits(token: string): number {
  const counts = new Map<string, number>();
  for (const ch of token) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const n = [...token].length;
  let perChar = 0;
  for (const c of counts.values()) perChar -= (c / n) * Math.log2(c / n);
  return n * perChar;
}

/** Why a token must not guard a production deployment, or null when it may. */
export function adminTokenWeakness(token: string): string | null {
  if (DEVELOPMENT_ADMIN_TOKENS.includes(token)) return 'is the development token committed in .env';
  if (/change-?me|example|placeholder|password|secret/i.test(token)) return 'looks like a placeholder';
  if (token.length < PRODUCTION_TOKEN_MIN_LENGTH)
    return `has ${token.length} characters; production needs at least ${PRODUCTION_TOKEN_MIN_LENGTH}`;
  const bits = estimatedTokenBits(token);
  if (bits < PRODUCTION_TOKEN_MIN_BITS)
    return `is too regular (about ${Math.floor(bits)} bits; production needs ${PRODUCTION_TOKEN_MIN_BITS})`;
  return null;
}

function crossChecks(s: Settings): string[] {
  const problems: string[] = [];
  if (s.NODE_ENV === 'production') {
    const weakness = adminTokenWeakness(s.ADMIN_TOKEN);
    if (weakness) {
      problems.push(
        `ADMIN_TOKEN (hidden) ${weakness}: NODE_ENV=production refuses to start with it; generate one with \`openssl rand -base64 48\` and pass it as a secret file (ADMIN_TOKEN_FILE)`,
      );
    }
  }
  if (s.VALIDATION_DAYS >= s.TRAINING_WINDOW_DAYS) {
    problems.push(`VALIDATION_DAYS=${s.VALIDATION_DAYS} must be smaller than TRAINING_WINDOW_DAYS=${s.TRAINING_WINDOW_DAYS}`);
  }
  if (s.INGESTION_RETRY_BASE_MS > s.INGESTION_RETRY_MAX_MS) {
    problems.push(
      `INGESTION_RETRY_BASE_MS=${s.INGESTION_RETRY_BASE_MS} must not exceed INGESTION_RETRY_MAX_MS=${s.INGESTION_RETRY_MAX_MS}`,
    );
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
