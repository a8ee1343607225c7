/** Parses a 32-byte key given as base64 (44 characters) or hex (64 characters). */
export function parseEncryptionKey(text: string): Buffer | undefined {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  return key.length === 32 && (text.length === 64 || key.toString('base64') === text) ? key : undefined;
}
