import type { Knex } from 'knex';

export interface Integration {
  id: string;
  name: string;
  createdAt: Date;
}

interface IntegrationRow {
  id: string;
  name: string;
  created_at: Date;
}

const toIntegration = (row: IntegrationRow): Integration => ({ id: row.id, name: row.name, createdAt: row.created_at });

export function createIntegrationRepository(db: Knex) {
  return {
    async insert(integration: { id: string; name: string }, trx: Knex = db): Promise<Integration> {
      const [row] = await trx<IntegrationRow>('integrations').insert(integration).returning('*');
      return toIntegration(row);
    },

    async list(): Promise<Integration[]> {
      const rows = await db<IntegrationRow>('integrations').orderBy([{ column: 'created_at' }, { column: 'id' }]);
      return rows.map(toIntegration);
    },

    async find(id: string): Promise<Integration | undefined> {
      const row = await db<IntegrationRow>('integrations').where({ id }).first();
      return row && toIntegration(row);
    },
  };
}

export type IntegrationRepository = ReturnType<typeof createIntegrationRepository>;
