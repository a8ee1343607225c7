import { readFileSync } from 'node:fs';
import path from 'node:path';

export type Entrypoint = 'api' | 'worker';

/** How `npm run api` or `npm run worker` starts its compiled entrypoint, read from package.json. */
export interface EntrypointCommand {
  /** Variables the script sets for the process (`NAME=value node ...`). */
  env: Record<string, string>;
  nodeFlags: string[];
  /** The compiled entrypoint, relative to the project's root. */
  script: string;
}

const root = path.join(__dirname, '..', '..');

/**
 * The npm script's command after its build (`npm run build --silent && ...`), so that the bench and
 * the fault tests run the production entrypoints with exactly the settings users get.
 */
export function entrypointCommand(entrypoint: Entrypoint): EntrypointCommand {
  const npmScript: string = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts[entrypoint];
  const command = /&& ((?:\w+=\S+ )*)node ((?:--\S+ )*)(dist\/\S+\.js)$/.exec(npmScript);
  if (!command) throw new Error(`package.json's "${entrypoint}" script is not "npm run build ... && [NAME=value ...] node [--flag ...] dist/....js"`);
  const words = (text: string) => text.split(' ').filter(Boolean);
  const env = Object.fromEntries(words(command[1]).map((assignment) => assignment.split(/=(.*)/s, 2) as [string, string]));
  return { env, nodeFlags: words(command[2]), script: command[3] };
}
