import { withProgress } from '../../src/dev/progress';

/** An output that records what it was given and says when it was first written to. */
function recordingOutput(isTTY: boolean) {
  const written: string[] = [];
  let firstWrite!: () => void;
  const wroteOnce = new Promise<void>((resolve) => (firstWrite = resolve));
  return {
    out: { isTTY, write: (text: string) => (written.push(text), firstWrite()) },
    written,
    wroteOnce,
  };
}

describe('withProgress', () => {
  it('on a terminal, shows one line with the time taken, updated in place, and ends it', async () => {
    const { out, written, wroteOnce } = recordingOutput(true);
    const result = await withProgress('  building:', async () => {
      await wroteOnce;
      return 'built';
    }, out);
    expect(result).toBe('built');
    expect(written[0]).toBe('\r  building: 0:00');
    expect(written[written.length - 1]).toMatch(/^\r {2}building: \d+:\d\d\n$/);
    expect(written.slice(0, -1).every((text) => text.startsWith('\r') && !text.includes('\n'))).toBe(true);
  });

  it('elsewhere, writes nothing for short work, and passes failures on', async () => {
    const { out, written } = recordingOutput(false);
    await expect(withProgress('  building:', () => Promise.reject(new Error('go failed')), out)).rejects.toThrow('go failed');
    expect(written).toEqual([]);
  });
});
