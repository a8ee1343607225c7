import type { Knex } from 'knex';

export interface StoredEvent {
  id: string;
  integrationId: string;
  type: string;
  body: string;
  timestamp: string;
}

interface EventRow {
  id: string;
  integration_id: string;
  type: string;
  body: string;
  timestamp: string;
  created_at: Date;
}

const toEvent = (row: EventRow): StoredEvent => ({
  id: row.id,
  integrationId: row.integration_id,
  type: row.type,
  body: row.body,
  timestamp: row.timestamp,
});

export function createEventRepository(db: Knex) {
  return {
    /**
     * Records an event once per integration and id; a second call with the same integration and id
     * keeps (and returns) the first. Another integration's event with that id is another event.
     */
    async insertOnce(event: StoredEvent): Promise<StoredEvent> {
      await db<EventRow>('events')
        .insert({ id: event.id, integration_id: event.integrationId, type: event.type, body: event.body, timestamp: event.timestamp })
        .onConflict(['integration_id', 'id'])
        .ignore();
      const row = await db<EventRow>('events').where({ integration_id: event.integrationId, id: event.id }).first();
      return toEvent(row!);
    },

    async find(integrationId: string, id: string): Promise<StoredEvent | undefined> {
      const row = await db<EventRow>('events').where({ integration_id: integrationId, id }).first();
      return row && toEvent(row);
    },
  };
}

export type EventRepository = ReturnType<typeof createEventRepository>;
