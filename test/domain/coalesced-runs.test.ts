import { coalescedRuns } from '../../src/domain/coalesced-runs';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescedRuns', () => {
  it('folds the requests made during a run into one more run, then calls afterRuns once, and settled() waits for the run in flight', async () => {
    const finishes: Array<() => void> = [];
    let afterRuns = 0;
    const runs = coalescedRuns(
      () => new Promise<void>((resolve) => void finishes.push(resolve)),
      () => void afterRuns++,
    );
    runs.request();
    runs.request();
    runs.request();
    expect(finishes).toHaveLength(1);

    let firstSettled = false;
    void runs.settled().then(() => (firstSettled = true));
    await settle();
    expect(firstSettled).toBe(false);

    finishes[0]();
    await settle();
    expect(firstSettled).toBe(true);
    expect(finishes).toHaveLength(2);
    expect(afterRuns).toBe(0);

    finishes[1]();
    await settle();
    expect(finishes).toHaveLength(2);
    expect(afterRuns).toBe(1);
    await expect(runs.settled()).resolves.toBeUndefined();
  });
});
