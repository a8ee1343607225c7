import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedCliDir, findTemporalCli, TemporalCliMissingError } from '../../src/dev/temporal-cli';

function fakeExecutable(dir: string, name = 'temporal'): string {
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

describe('findTemporalCli', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  const onPathDir = mkdtempSync(path.join(os.tmpdir(), 'path-'));
  const configured = fakeExecutable(dir, 'my-temporal');
  const onPath = fakeExecutable(onPathDir);

  it('prefers TEMPORAL_CLI_PATH', () => {
    expect(findTemporalCli({ TEMPORAL_CLI_PATH: configured, PATH: onPathDir })).toBe(configured);
  });

  it('then `temporal` on PATH', () => {
    expect(findTemporalCli({ PATH: [dir, onPathDir].join(path.delimiter) })).toBe(onPath);
  });

  it('then the build cached under ~/.cache, else nothing', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'home-'));
    expect(findTemporalCli({ PATH: dir, HOME: home })).toBeUndefined();
    const cacheDir = cachedCliDir({ HOME: home });
    expect(cacheDir).toBe(path.join(home, '.cache', 'webhook-delivery', 'temporal-cli-1.5.1'));
    mkdirSync(cacheDir, { recursive: true });
    const cached = fakeExecutable(cacheDir);
    expect(findTemporalCli({ PATH: dir, HOME: home })).toBe(cached);
    expect(findTemporalCli({ PATH: onPathDir, HOME: home })).toBe(onPath);
  });

  it('fails clearly when TEMPORAL_CLI_PATH names no executable', () => {
    const missing = path.join(dir, 'nope');
    expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: missing })).toThrow(TemporalCliMissingError);
    expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: missing })).toThrow(/go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1/);
  });
});
