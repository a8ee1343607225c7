import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const prefix = 'enc:v1:';

/** Thrown when a stored secret cannot be decrypted (wrong SECRET_ENCRYPTION_KEY or damaged data). */
export class SecretDecryptionError extends Error {
  constructor() {
    super('A stored webhook secret could not be decrypted: is SECRET_ENCRYPTION_KEY the key it was encrypted with?');
    this.name = 'SecretDecryptionError';
  }
}

/**
 * Webhook secrets at rest: AES-256-GCM, a fresh 12-byte IV per value, stored as
 * `enc:v1:<iv>:<tag>:<ciphertext>` (base64 parts). The tag makes tampering fail loudly.
 */
export function createSecretBox(key: Buffer) {
  if (key.length !== 32) throw new Error('the secret encryption key must be 32 bytes');
  return {
    encrypt(plain: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return prefix + [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64')).join(':');
    },

    decrypt(stored: string): string {
      if (!stored.startsWith(prefix)) throw new SecretDecryptionError();
      const [iv, tag, ciphertext] = stored.slice(prefix.length).split(':').map((part) => Buffer.from(part, 'base64'));
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretDecryptionError();
      }
    },
  };
}

export type SecretBox = ReturnType<typeof createSecretBox>;
