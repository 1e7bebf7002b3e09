// Subscriptions through the npm graphql-ws client (the one Apollo Client's GraphQLWsLink and
// urql's subscription exchange use), as a front end opens them. Reads a JSON list on stdin:
//   [{ "label": "lead", "url": "ws://127.0.0.1:PORT/graphql", "token": "pcis_..." | null,
//      "query": "subscription ...", "variables": {...} }]
// and prints one JSON line per thing the client hands the application:
//   {"label", "next": {...}} | {"label", "error": [...]} | {"label", "complete": true}
//   | {"label", "closed": CODE, "reason": "..."}
// Runs until its stdin closes. The Rust test (tests/tests/e2e/subscriptions.rs) judges it.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createInterface } from 'node:readline';

const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');

const lines = createInterface({ input: process.stdin });
const [first] = await new Promise((resolve) => lines.once('line', (l) => resolve([l])));
const specs = JSON.parse(first);

const clients = specs.map(({ label, url, token, query, variables }) => {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {}, // reported through `on.closed` instead
    on: { closed: (e) => print({ label, closed: e.code, reason: e.reason }) },
  });
  client.subscribe({ query, variables }, {
    next: (value) => print({ label, next: value }),
    error: (error) => print({
      label,
      error: Array.isArray(error) ? error : { message: String(error?.message ?? error), code: error?.code ?? null },
    }),
    complete: () => print({ label, complete: true }),
  });
  return client;
});
print({ started: specs.length });

// Stdin closing (the test finishing) ends the run.
lines.on('close', async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  process.exit(0);
});
