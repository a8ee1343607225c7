import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBase62 } from '../domain/ids';

export interface GeneratedSecret<T> {
  value: T;
  /** Where it came from, for the start-up banner. */
  source: string;
}

/** Reads a secret kept in the data directory, or generates and keeps one (readable by its owner only). */
function keptInDataDir(dataDir: string, name: string, generate: () => string): GeneratedSecret<string> {
  const file = path.join(dataDir, name);
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value) return { value, source: `generated earlier, kept in ${file}` };
  } catch {
    // Not there yet: generate it below.
  }
  const value = generate();
  writeFileSync(file, value + '\n', { mode: 0o600 });
  return { value, source: `generated and saved in ${file}` };
}

/** The admin key `npm start` uses when ADMIN_API_KEY is unset. */
export function loadOrCreateAdminKey(dataDir: string): GeneratedSecret<string> {
  const kept = keptInDataDir(dataDir, 'admin-api-key', () => 'admin_' + randomBase62(40));
  return { value: kept.value, source: kept.source.replace(/^generated and/, 'ADMIN_API_KEY is unset, so one was generated and') };
}

/** The key `npm start` encrypts webhook secrets with when SECRET_ENCRYPTION_KEY is unset. */
export function loadOrCreateEncryptionKey(dataDir: string): GeneratedSecret<Buffer> {
  const kept = keptInDataDir(dataDir, 'secret-encryption-key', () => randomBytes(32).toString('base64'));
  return { value: Buffer.from(kept.value, 'base64'), source: kept.source };
}
