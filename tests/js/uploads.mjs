// urql, with its default fetchExchange, uploading files as front-ends do: a File in the
// variables, which urql sends as a GraphQL multipart request. Prints what urql handed the
// application, as JSON; the Rust test (tests/tests/e2e/clients.rs) judges it.
// Usage: node uploads.mjs GRAPHQL_URL TOKEN DOCUMENT_ID
import { Client, fetchExchange, gql } from '@urql/core';

const [url, token, documentId] = process.argv.slice(2);

const ATTACH = gql`
  mutation Attach($input: AttachmentAddInput!) {
    attachmentAdd(input: $input) {
      attachment { id fileName mediaType byteSize sha256 downloadUrl }
      userErrors { field code message }
    }
  }`;

const sent = [];
const client = new Client({
  url,
  exchanges: [fetchExchange],
  fetchOptions: { headers: { authorization: `Bearer ${token}` } },
  fetch: (input, init = {}) => {
    sent.push({ method: init.method ?? 'GET', multipart: init.body instanceof FormData });
    return fetch(input, init);
  },
});

const pdf = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const accepted = await client
  .mutation(ATTACH, { input: { documentId, file: new File([pdf], 'Structure chart.pdf', { type: 'application/pdf' }) } })
  .toPromise();
// A page a browser would run, whatever the type the client claims.
const refused = await client
  .mutation(ATTACH, { input: { documentId, file: new File(['<script>alert(1)</script>'], 'chart.pdf', { type: 'application/pdf' }) } })
  .toPromise();

let downloaded = null;
const a = accepted.data?.attachmentAdd?.attachment;
if (a) {
  const resp = await fetch(a.downloadUrl, { headers: { authorization: `Bearer ${token}` } });
  const bytes = new Uint8Array(await resp.arrayBuffer());
  downloaded = { status: resp.status, same: bytes.length === pdf.length && bytes.every((b, i) => b === pdf[i]) };
}
process.stdout.write(JSON.stringify({
  accepted: accepted.error ? { error: accepted.error.message } : accepted.data.attachmentAdd,
  refused: refused.error ? { error: refused.error.message } : refused.data.attachmentAdd,
  downloaded,
  sent,
}));
