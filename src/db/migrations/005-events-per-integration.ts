import type { Knex } from 'knex';

// A producer may choose its own event id, so ids are unique only within one integration: the
// same id published by two integrations is two events. Deliveries point at (integration, event).
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('deliveries', (t) => t.dropForeign(['event_id']));
  await db.schema.alterTable('events', (t) => {
    t.dropPrimary();
    t.primary(['integration_id', 'id']);
  });
  await db.schema.alterTable('deliveries', (t) => {
    t.foreign(['integration_id', 'event_id']).references(['integration_id', 'id']).inTable('events');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('deliveries', (t) => t.dropForeign(['integration_id', 'event_id']));
  await db.schema.alterTable('events', (t) => {
    t.dropPrimary();
    t.primary(['id']);
  });
  await db.schema.alterTable('deliveries', (t) => t.foreign('event_id').references('events.id'));
}
