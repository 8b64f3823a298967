import { describe, expect, it } from 'vitest';
import { Progress } from '../../../src/cli/support/progress.js';

function stream(isTTY: boolean, columns = 60) {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (text: string) => writes.push(text) };
}

describe('Progress', () => {
  it('on a terminal redraws one line in place, with a bar when the share done is known', () => {
    const out = stream(true, 100);
    const p = new Progress(out);
    p.update('ingestion run x: tracks, 1 pages (0 s)');
    p.update('recommendation run y: 3 of 12 batches', 0.25);
    expect(out.writes).toHaveLength(2);
    for (const w of out.writes) {
      expect(w.startsWith('\r')).toBe(true);
      expect(w).not.toContain('\n');
      expect(w.length).toBe(1 + 99); // padded to the width: a shorter line leaves nothing of the longer one before it
    }
    expect(out.writes[1]).toContain('[#######.....................] recommendation run y: 3 of 12 batches');
  });

  it('on a terminal cuts a line longer than the terminal, and clears the line before a note and at the end', () => {
    const out = stream(true, 30);
    const p = new Progress(out);
    p.update('x'.repeat(100));
    expect(out.writes[0]).toBe(`\r${'x'.repeat(26)}...`);
    p.note('enqueued');
    expect(out.writes.slice(1)).toEqual([`\r${' '.repeat(29)}\r`, 'enqueued\n']);
    p.clear();
    expect(out.writes).toHaveLength(3); // nothing drawn since the note: nothing to clear
  });

  it('elsewhere writes plain lines, one per change, with no carriage returns', () => {
    const out = stream(false);
    const p = new Progress(out);
    p.update('training run t: training (1 s)');
    p.update('training run t: training (1 s)');
    p.update('batches', 0.5);
    p.note('done');
    p.clear();
    expect(out.writes).toEqual(['training run t: training (1 s)\n', '[##############..............] batches\n', 'done\n']);
    expect(out.writes.join('')).not.toContain('\r');
  });
});
