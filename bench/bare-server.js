// The runtime's ceiling, run as its own process: the same JSON as
// GET /api/v1/me; a body streamed to a file and fsynced (durable, like EDS);
// a file streamed back.
const http = require('node:http');
const fs = require('node:fs');
const { pipeline } = require('node:stream');
const [port, dir] = [Number(process.argv[2]), process.argv[3]];
const me = JSON.stringify({ keyId: '00000000-0000-4000-8000-000000000000', name: 'bench', owner: { id: '00000000-0000-4000-8000-000000000001', email: 'bench@example.com' }, createdAt: new Date(0).toISOString(), scopes: ['files:read', 'files:write', 'files:delete'], expiresAt: null });
http.createServer((req, res) => {
  if (req.method === 'PUT') {
    pipeline(req, fs.createWriteStream(`${dir}/bare-upload`, { flush: true }), (err) => res.end(err ? 'error' : 'ok'));
  } else if (req.url === '/download') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': fs.statSync(`${dir}/bare-upload`).size });
    pipeline(fs.createReadStream(`${dir}/bare-upload`, { highWaterMark: 1024 * 1024 }), res, () => undefined);
  } else {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(me);
  }
}).listen(port, '127.0.0.1', () => process.send?.('ready'));
