export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __EDS_PG__?: { stop(): Promise<void> } }).__EDS_PG__;
  await pg?.stop();
}
