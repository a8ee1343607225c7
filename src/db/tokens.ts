import type { Knex } from 'knex';

export interface ApiToken {
  id: string;
  integrationId: string;
  createdAt: Date;
}

interface TokenRow {
  id: string;
  integration_id: string;
  token_hash: string;
  created_at: Date;
  revoked_at: Date | null;
}

const toToken = (row: TokenRow): ApiToken => ({ id: row.id, integrationId: row.integration_id, createdAt: row.created_at });

export function createTokenRepository(db: Knex) {
  return {
    async insert(token: { id: string; integrationId: string; tokenHash: string }, trx: Knex = db): Promise<ApiToken> {
      const [row] = await trx<TokenRow>('api_tokens')
        .insert({ id: token.id, integration_id: token.integrationId, token_hash: token.tokenHash })
        .returning('*');
      return toToken(row);
    },

    /** The live (unrevoked) token with this hash, if any. */
    async findActiveByHash(tokenHash: string): Promise<ApiToken | undefined> {
      const row = await db<TokenRow>('api_tokens').where({ token_hash: tokenHash }).whereNull('revoked_at').first();
      return row && toToken(row);
    },

    /** Revokes a live token of this integration; false when there is none. */
    async revoke(integrationId: string, tokenId: string): Promise<boolean> {
      const count = await db<TokenRow>('api_tokens')
        .where({ id: tokenId, integration_id: integrationId })
        .whereNull('revoked_at')
        .update({ revoked_at: db.fn.now() });
      return count > 0;
    },
  };
}

export type TokenRepository = ReturnType<typeof createTokenRepository>;
