// The runtime's ceiling, run as its own process: the same JSON as
// GET /api/v1/me; a body streamed to a file and fsynced (durable, like EDS);
// a file streamed back; and small files the way EDS takes them in two
// requests (POST answers an id, PUT writes the bytes and fsyncs them) or in
// one (POST /small-one writes the body, fsyncs it, then answers the id, as a
// tus creation-with-upload of the whole file does).
//
// Given a database URL as well, it is the floor: the same routes, each also
// making one durable PostgreSQL statement (through a pool of 10, as EDS's)
// before it answers, as any design that records its files there must. The
// POST inserts a pending row, the PUT marks it ready, POST /small-one inserts
// a ready row; and PATCH /chunks/{id} appends a body at its Upload-Offset,
// fsyncs it and records the new offset (the least a resumable upload's
// PATCH does). No framework, no auth, no log, no hash: between this and the
// bare server is the database's own cost.
const http = require('node:http');
const fs = require('node:fs');
const { randomUUID } = require('node:crypto');
const { pipeline } = require('node:stream');
const [port, dir, databaseUrl] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const me = JSON.stringify({ keyId: '00000000-0000-4000-8000-000000000000', name: 'bench', owner: { id: '00000000-0000-4000-8000-000000000001', email: 'bench@example.com' }, createdAt: new Date(0).toISOString(), scopes: ['files:read', 'files:write', 'files:delete'], expiresAt: null });
const smallDir = `${dir}/${databaseUrl ? 'floor' : 'bare'}-small`;
fs.mkdirSync(smallDir, { recursive: true });
const json = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));

/** The floor's rows: null for the bare server. Each method is one statement, committed before it resolves. */
function floorDatabase(url) {
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString: url, max: 10 });
  const owner = randomUUID();
  const file = (id, status) => pool.query({ name: `file-${status}`, text: 'INSERT INTO floor_files (id, owner_id, filename, size, status) VALUES ($1, $2, $3, $4, $5)', values: [id, owner, 'small.bin', 4096, status] });
  return {
    ready: () =>
      pool.query(`CREATE TABLE floor_files (id uuid PRIMARY KEY, owner_id uuid NOT NULL, filename text NOT NULL, size bigint NOT NULL, status text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(), uploaded_at timestamptz);
                  CREATE INDEX floor_files_owner_created ON floor_files (owner_id, created_at DESC, id DESC);
                  CREATE TABLE floor_uploads (id uuid PRIMARY KEY, upload_offset bigint NOT NULL);`),
    insertPending: (id) => file(id, 'pending'),
    insertReady: (id) => file(id, 'ready'),
    markReady: (id) => pool.query({ name: 'mark-ready', text: "UPDATE floor_files SET status = 'ready', uploaded_at = now() WHERE id = $1 AND status = 'pending'", values: [id] }),
    insertUpload: (id) => pool.query({ name: 'upload', text: 'INSERT INTO floor_uploads (id, upload_offset) VALUES ($1, 0)', values: [id] }),
    advance: (id, from, to) => pool.query({ name: 'advance', text: 'UPDATE floor_uploads SET upload_offset = $3 WHERE id = $1 AND upload_offset = $2', values: [id, from, to] }),
  };
}
const db = databaseUrl ? floorDatabase(databaseUrl) : null;

http.createServer((req, res) => {
  const fail = (err) => json(res, 500, { message: err.message });
  if (req.method === 'POST' && req.url === '/small') {
    req.resume();
    const id = randomUUID();
    const answer = () => json(res, 201, { id, status: 'pending' });
    req.on('end', () => (db ? db.insertPending(id).then(answer, fail) : answer()));
  } else if (req.method === 'POST' && req.url === '/small-one') {
    const id = randomUUID();
    const answer = () => json(res, 201, { id, status: 'ready' });
    pipeline(req, fs.createWriteStream(`${smallDir}/${id}`, { flush: true }), (err) => (err ? fail(err) : db ? db.insertReady(id).then(answer, fail) : answer()));
  } else if (req.method === 'PUT' && req.url.startsWith('/small/')) {
    const id = req.url.slice('/small/'.length);
    const answer = () => json(res, 200, { id, status: 'ready' });
    pipeline(req, fs.createWriteStream(`${smallDir}/${id}`, { flush: true }), (err) => (err ? fail(err) : db ? db.markReady(id).then(answer, fail) : answer()));
  } else if (db && req.method === 'POST' && req.url === '/chunks') {
    req.resume();
    const id = randomUUID();
    req.on('end', () => db.insertUpload(id).then(() => res.writeHead(201, { location: `/chunks/${id}` }).end(), fail));
  } else if (db && req.method === 'PATCH' && req.url.startsWith('/chunks/')) {
    const id = req.url.slice('/chunks/'.length);
    const [offset, length] = [Number(req.headers['upload-offset']), Number(req.headers['content-length'])];
    const out = fs.createWriteStream(`${dir}/floor-upload-${id}`, { flags: offset === 0 ? 'w' : 'r+', start: offset, flush: true });
    pipeline(req, out, (err) =>
      err ? fail(err) : db.advance(id, offset, offset + length).then((r) => (r.rowCount === 1 ? res.writeHead(204, { 'upload-offset': String(offset + length) }).end() : json(res, 409, {})), fail),
    );
  } else if (req.method === 'PUT') {
    pipeline(req, fs.createWriteStream(`${dir}/bare-upload`, { flush: true }), (err) => res.end(err ? 'error' : 'ok'));
  } else if (req.url === '/download') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': fs.statSync(`${dir}/bare-upload`).size });
    pipeline(fs.createReadStream(`${dir}/bare-upload`, { highWaterMark: 1024 * 1024 }), res, () => undefined);
  } else {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(me);
  }
}).listen(port, '127.0.0.1', () => (db ? db.ready() : Promise.resolve()).then(() => process.send?.('ready')));
