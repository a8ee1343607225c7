import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';

/**
 * Requires `module` in a fresh Node process (TypeScript through tsx's require hook) and returns
 * the files that requiring it loaded, relative to the repository: the process's own loader is
 * already in require.cache before, so it is not counted.
 */
function modulesLoadedBy(module: string): string[] {
  const probe = `
    const before = new Set(Object.keys(require.cache));
    require(${JSON.stringify(module)});
    const loaded = Object.keys(require.cache).filter((file) => !before.has(file));
    process.stdout.write(JSON.stringify(loaded));
  `;
  const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', probe], { encoding: 'utf8' });
  return (JSON.parse(out) as string[]).map((file) => path.relative(process.cwd(), file).split(path.sep).join('/'));
}

const serviceLibraries = /node_modules\/(@temporalio|knex|express|pg|@electric-sql)\//;

describe("the receiver's entry", () => {
  it('verifyWebhookSignature loads without Temporal, knex, express or pg: only itself and the signing it shares with the sender', () => {
    const loaded = modulesLoadedBy('./src/client/verify-signature');
    expect(loaded.filter((file) => serviceLibraries.test(file))).toEqual([]);
    expect(loaded.sort()).toEqual(['src/client/verify-signature.ts', 'src/domain/signing.ts']);
  });

  it("the probe sees a module's libraries: the publisher's entry loads the Temporal client", () => {
    expect(modulesLoadedBy('./src/client').some((file) => file.startsWith('node_modules/@temporalio/client/'))).toBe(true);
  });

  it('is a subpath of the package, the compiled form of that module', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, string> };
    expect(pkg.exports['./verify-signature']).toBe('./dist/client/verify-signature.js');
    expect(pkg.exports['.']).toBe('./dist/client/index.js');
  });
});
