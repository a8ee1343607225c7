import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildTemporalCli, cachedCliDir, findTemporalCli, TemporalCliMissingError } from '../../src/dev/temporal-cli';

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

describe('buildTemporalCli', () => {
  it('builds with go install into the cache, saying so and showing its progress on a terminal', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'home-'));
    const goDir = mkdtempSync(path.join(os.tmpdir(), 'go-'));
    // A stand-in for Go: "installs" an executable into GOBIN.
    writeFileSync(path.join(goDir, 'go'), '#!/bin/sh\nprintf "#!/bin/sh\\n" > "$GOBIN/temporal"\nchmod 755 "$GOBIN/temporal"\n');
    chmodSync(path.join(goDir, 'go'), 0o755);
    const lines: string[] = [];
    const progress: string[] = [];
    const built = await buildTemporalCli((line) => lines.push(line), { HOME: home, PATH: [goDir, '/usr/bin', '/bin'].join(path.delimiter) }, {
      isTTY: true,
      write: (text) => progress.push(text),
    });
    expect(built).toBe(path.join(cachedCliDir({ HOME: home }), 'temporal'));
    expect(lines[0]).toMatch(/^Building the Temporal CLI v1\.5\.1 with Go into .* \(this takes a few minutes, once\)\.\.\.$/);
    expect(lines[1]).toBe(`Built ${built}`);
    expect(progress[0]).toBe('\r  building with go install: 0:00');
    expect(progress[progress.length - 1]).toMatch(/\n$/);
  });
});
