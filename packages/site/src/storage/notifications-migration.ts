import type { Kysely, Migration } from 'kysely';

/** The site's settings (expiration task, notifications) and the outbox of its notifications. */
export const notificationsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('site_settings')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('site_notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('hook_state', 'text', (c) => c.notNull())
      .addColumn('hook_exit_code', 'integer')
      .addColumn('hook_signal', 'text')
      .addColumn('hook_stderr', 'text')
      .addColumn('hook_error', 'text')
      .addColumn('hook_ran_at', 'text')
      .execute();
    // The hooks still to run are found without reading the history.
    await db.schema
      .createIndex('site_notifications_hook')
      .on('site_notifications')
      .columns(['hook_state', 'created_at'])
      .execute();
    await db.schema
      .createTable('notification_deliveries')
      .addColumn('notification_id', 'text', (c) =>
        c.notNull().references('site_notifications.id').onDelete('cascade'),
      )
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('sent_at', 'text')
      .addPrimaryKeyConstraint('notification_deliveries_pk', ['notification_id', 'channel'])
      .execute();
    await db.schema
      .createIndex('notification_deliveries_due')
      .on('notification_deliveries')
      .columns(['state', 'next_attempt_at'])
      .execute();
  },
};
