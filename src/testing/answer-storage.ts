import { sql } from 'kysely';
import type { TestHub } from './hub.ts';
import { testEngine } from './database.ts';

/**
 * Makes the database refuse to store any idempotent answer, as a disk or a
 * connection failing at that moment would: the state a retry then meets is
 * the state a process killed between the commit and the answer leaves (the
 * effect committed, no stored answer). A trigger, not a mock: the hub's own
 * statement fails in the real engine. Returns how to lift it.
 */
export async function failAnswerStorage(hub: TestHub): Promise<() => Promise<void>> {
  const db = hub.ctx.db.kysely;
  if (testEngine() === 'sqlite') {
    await sql`create trigger fail_answer_storage before update of response_body on idempotency_keys
      when new.status = 'done' begin select raise(abort, 'answer storage fails'); end`.execute(db);
    return async () => {
      await sql`drop trigger fail_answer_storage`.execute(db);
    };
  }
  await sql`create or replace function fail_answer_storage() returns trigger language plpgsql as $$
    begin if new.status = 'done' then raise exception 'answer storage fails'; end if; return new; end $$`.execute(db);
  await sql`create trigger fail_answer_storage before update on idempotency_keys
    for each row execute function fail_answer_storage()`.execute(db);
  return async () => {
    await sql`drop trigger fail_answer_storage on idempotency_keys`.execute(db);
  };
}
