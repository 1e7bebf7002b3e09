// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
// Fails (exit 1) when any MUST or SHOULD audit is not ok; MAY audits are reported only.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

let failed = 0;
const counts = {};
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  const level = audit.name.split(' ')[0];
  const required = level === 'MUST' || level === 'SHOULD';
  const mark = result.status === 'ok' ? 'ok  ' : required ? 'FAIL' : 'may ';
  if (result.status !== 'ok') {
    if (required) failed += 1;
    console.log(`${mark} ${audit.id} ${audit.name}: ${result.reason}`);
  } else {
    console.log(`${mark} ${audit.id} ${audit.name}`);
  }
}
const summary = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ');
console.log(`\ngraphql-http audit: ${summary}; ${failed} MUST/SHOULD not met`);
process.exit(failed ? 1 : 0);
