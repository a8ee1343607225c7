/** Where a progress line goes: a terminal gets one line updated in place, anything else a line now and then. */
export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** "0:07", "2:31". */
const elapsed = (ms: number) => {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};

/**
 * Runs `work` while showing that it is under way, with the time it has taken: on a terminal one
 * line that counts up every second, elsewhere (a log file) a line every half minute.
 */
export async function withProgress<T>(label: string, work: () => Promise<T>, out: ProgressOutput = process.stdout): Promise<T> {
  const started = Date.now();
  const line = () => `${label} ${elapsed(Date.now() - started)}`;
  const terminal = out.isTTY === true;
  const show = () => out.write(terminal ? `\r${line()}` : `${line()}\n`);
  if (terminal) show();
  const timer = setInterval(show, terminal ? 1000 : 30_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    if (terminal) out.write(`\r${line()}\n`);
  }
}
