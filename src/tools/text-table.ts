/**
 * The one plain-text table of the command-line tools: the first column left-aligned, the others
 * right-aligned, two spaces between columns.
 */
export function textTable(head: readonly string[], rows: readonly (readonly (string | undefined)[])[], options: { rule?: boolean } = {}): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const fmt = (r: readonly (string | undefined)[]) => r.map((v, c) => (c === 0 ? (v ?? '').padEnd(widths[c]!) : (v ?? '').padStart(widths[c]!))).join('  ');
  // The rule of dashes under the head; the ingestion summary has always been printed without it.
  const rule = options.rule === false ? [] : [widths.map((w) => '-'.repeat(w)).join('  ')];
  return [fmt(head), ...rule, ...rows.map(fmt)].join('\n');
}

/** Name and value pairs, one a line, the values aligned. */
export function fieldLines(rows: readonly (readonly [string, string])[], indent = ''): string {
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`).join('\n');
}
