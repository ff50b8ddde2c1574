// The runtime's ceiling, run as its own process: the same JSON as
// GET /api/v1/me; a body streamed to a file and fsynced (durable, like EDS);
// a file streamed back; and small files the way EDS takes them in two
// requests (POST answers an id, PUT writes the bytes and fsyncs them) or in
// one (POST /small-one writes the body, fsyncs it, then answers the id, as a
// tus creation-with-upload of the whole file does).
const http = require('node:http');
const fs = require('node:fs');
const { randomUUID } = require('node:crypto');
const { pipeline } = require('node:stream');
const [port, dir] = [Number(process.argv[2]), process.argv[3]];
const me = JSON.stringify({ keyId: '00000000-0000-4000-8000-000000000000', name: 'bench', owner: { id: '00000000-0000-4000-8000-000000000001', email: 'bench@example.com' }, createdAt: new Date(0).toISOString(), scopes: ['files:read', 'files:write', 'files:delete'], expiresAt: null });
fs.mkdirSync(`${dir}/bare-small`, { recursive: true });
const json = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/small') {
    req.resume();
    req.on('end', () => json(res, 201, { id: randomUUID(), status: 'pending' }));
  } else if (req.method === 'POST' && req.url === '/small-one') {
    const id = randomUUID();
    pipeline(req, fs.createWriteStream(`${dir}/bare-small/${id}`, { flush: true }), (err) => json(res, err ? 500 : 201, { id, status: 'ready' }));
  } else if (req.method === 'PUT' && req.url.startsWith('/small/')) {
    const id = req.url.slice('/small/'.length);
    pipeline(req, fs.createWriteStream(`${dir}/bare-small/${id}`, { flush: true }), (err) => json(res, err ? 500 : 200, { id, status: 'ready' }));
  } else if (req.method === 'PUT') {
    pipeline(req, fs.createWriteStream(`${dir}/bare-upload`, { flush: true }), (err) => res.end(err ? 'error' : 'ok'));
  } else if (req.url === '/download') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': fs.statSync(`${dir}/bare-upload`).size });
    pipeline(fs.createReadStream(`${dir}/bare-upload`, { highWaterMark: 1024 * 1024 }), res, () => undefined);
  } else {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(me);
  }
}).listen(port, '127.0.0.1', () => process.send?.('ready'));
