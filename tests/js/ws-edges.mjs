// The edges of the WebSocket endpoint that a well-behaved client never reaches, driven with the
// plain `ws` package (what graphql-ws runs on in Node). Reads one JSON object on stdin:
//   { "url": "ws://...", "origin": "http://127.0.0.1:PORT", "cookie": "pci_session=pcis_...",
//     "token": "pcip_...", "engagement": ID, "elsewhere": ID, "query": "subscription ..." }
// and prints one JSON line per case as it ends: {"case": ..., ...what happened}.
// The Rust test (tests/tests/e2e/subscriptions.rs) judges them.
import WebSocket from 'ws';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const input = JSON.parse(Buffer.concat(chunks).toString());
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');

// Opens a socket; resolves with it once open, or with the HTTP status of a refused upgrade.
const open = (headers) =>
  new Promise((resolve) => {
    const ws = new WebSocket(input.url, 'graphql-transport-ws', { headers });
    ws.on('open', () => resolve({ ws }));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.on('error', (e) => resolve({ error: String(e.message) }));
  });
const closed = (ws) => new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
// The messages a socket receives, in order, as a queue to wait on.
const inbox = (ws) => {
  const seen = [];
  const waiting = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    const w = waiting.findIndex((x) => x.pred(m));
    if (w >= 0) waiting.splice(w, 1)[0].resolve(m);
    else seen.push(m);
  });
  return (pred) => {
    const i = seen.findIndex(pred);
    if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0]);
    return new Promise((resolve) => waiting.push({ pred, resolve }));
  };
};
const subscribe = (ws, id, engagement) =>
  ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: input.query, variables: { id: engagement } } }));

const cases = {
  // Never says connection_init: the server gives up after its init timeout.
  async silent() {
    const { ws, status } = await open({});
    if (!ws) return { status };
    return { closed: (await closed(ws)).code };
  },
  // The session cookie from a page on another site: refused before the upgrade.
  async foreignCookie() {
    const { ws, status } = await open({ Cookie: input.cookie, Origin: 'https://elsewhere.example' });
    ws?.close();
    return { status: status ?? 101 };
  },
  // The session cookie from our own origin signs the socket in: an engagement the person is not
  // in is NOT_FOUND (an anonymous socket gets UNAUTHENTICATED).
  async ownCookie() {
    const { ws, status } = await open({ Cookie: input.cookie, Origin: input.origin });
    if (!ws) return { status };
    const next = inbox(ws);
    ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    const ack = await next(() => true);
    subscribe(ws, 'elsewhere', input.elsewhere);
    const answer = await next((m) => m.id === 'elsewhere');
    ws.close();
    return { ack: ack.type, code: answer.payload?.errors?.[0]?.extensions?.code ?? answer.payload?.[0]?.extensions?.code ?? null };
  },
  // One connection asks for more subscriptions than it may hold: the one too many is refused,
  // the others stay open.
  async tooMany() {
    const { ws, status } = await open({});
    if (!ws) return { status };
    const next = inbox(ws);
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${input.token}` } }));
    await next((m) => m.type === 'connection_ack');
    for (let i = 1; i <= 21; i++) subscribe(ws, String(i), input.engagement);
    const refused = await next((m) => m.type === 'next' || m.type === 'error');
    const ended = await next((m) => m.type === 'complete');
    ws.close();
    return { refusedId: refused.id, code: refused.payload?.errors?.[0]?.extensions?.code ?? null, completedId: ended.id };
  },
};

await Promise.all(
  Object.entries(cases).map(async ([name, run]) => {
    try {
      print({ case: name, ...(await run()) });
    } catch (e) {
      print({ case: name, error: String(e?.stack ?? e) });
    }
  }),
);
process.exit(0);
