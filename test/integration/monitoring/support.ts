export { openDb, startPipeline, type RunningApp } from '../../support/pipeline-app.js';

/** The value of one sample in a Prometheus text exposition, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const lm of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) got[lm[1]!] = lm[2]!;
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return undefined;
}

export const authHeaders = {
  bearer: (token: string) => ({ authorization: `Bearer ${token}` }),
  basic: (token: string) => ({ authorization: `Basic ${Buffer.from(`admin:${token}`).toString('base64')}` }),
};
