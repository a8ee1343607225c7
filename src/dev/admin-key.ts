import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBase62 } from '../ids';

/** The admin key `npm start` uses when ADMIN_API_KEY is unset: generated once, kept in the data directory. */
export function loadOrCreateAdminKey(dataDir: string): { key: string; source: string } {
  const file = path.join(dataDir, 'admin-api-key');
  try {
    const key = readFileSync(file, 'utf8').trim();
    if (key) return { key, source: `generated earlier, kept in ${file}` };
  } catch {
    // No key yet: generate one below.
  }
  const key = 'admin_' + randomBase62(40);
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return { key, source: `ADMIN_API_KEY is unset, so one was generated and saved in ${file}` };
}
