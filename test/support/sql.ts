import { Client } from 'pg';
import { newApiKey } from '../../src/api-keys/api-key-format';

/** One short-lived connection: for tests and the bench that talk to a database the app owns. */
export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A key for the manager with `email`, inserted the way the service stores it
 * (hash and last four only), for apps running in another process.
 */
export async function insertApiKey(db: Client, email: string, name: string): Promise<{ id: string; key: string }> {
  const { plaintext, keyHash, lastFour } = newApiKey();
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO api_keys (owner_id, name, key_hash, last_four)
     SELECT id, $4, $1, $2 FROM managers WHERE email = $3 RETURNING id`,
    [keyHash, lastFour, email, name],
  );
  if (rows.length !== 1) throw new Error(`no manager ${email} to own the key`);
  return { id: rows[0].id, key: plaintext };
}
