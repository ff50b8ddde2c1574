// The other end of the app's stdout, in its own process, as a container
// runtime or journald would be: reads every byte, counts lines, and reports
// (over IPC) the lines its parent asks for by pattern, e.g. the embedded
// DATABASE_URL. Nothing is kept beyond what a pattern needs.
const watched = [];
let lines = 0;
let bytes = 0;
let tail = '';
process.on('message', (msg) => {
  if (msg.type === 'watch') {
    watched.push({ id: msg.id, pattern: new RegExp(msg.pattern) });
    scan(tail);
  } else if (msg.type === 'count') {
    process.send({ type: 'count', id: msg.id, lines, bytes });
  }
});
function scan(text) {
  for (let i = watched.length - 1; i >= 0; i--) {
    const match = watched[i].pattern.exec(text);
    if (match) {
      process.send({ type: 'match', id: watched[i].id, match: match[1] ?? match[0] });
      watched.splice(i, 1);
    }
  }
}
process.stdin.on('data', (chunk) => {
  bytes += chunk.length;
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
  if (watched.length > 0) {
    // Patterns are looked for only while someone waits for one.
    const text = tail + chunk.toString('utf8');
    scan(text);
    tail = text.slice(-4096);
  }
});
process.stdin.on('end', () => process.send?.({ type: 'end', lines, bytes }));
