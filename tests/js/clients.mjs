// Apollo Client and urql, with their default settings, against a running PCI Hub: a paginated
// list, a mutation and a 401. Prints what each client handed the application, as JSON; the
// Rust test (tests/tests/e2e/clients.rs) judges it. Usage: node clients.mjs GRAPHQL_URL TOKEN
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Client, fetchExchange, gql as ugql } from '@urql/core';

const [url, token] = process.argv.slice(2);

const LIST = `
  query EngagementList($first: Int!, $after: String) {
    engagements(first: $first, after: $after, orderBy: { field: TITLE, direction: ASC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id title hostCouncil { id name } } }
    }
  }`;
const CREATE = `
  mutation CreateOrganisation($input: OrganisationCreateInput!) {
    organisationCreate(input: $input) {
      organisation { id name slug }
      userErrors { field code message }
    }
  }`;
const ME = `query Me { viewer { person { id name } } }`;

// The requests each client really sends, recorded on the way out.
function recording(log) {
  return (input, init = {}) => {
    log.push({ method: init.method ?? 'GET', accept: new Headers(init.headers).get('accept') });
    return fetch(input, init);
  };
}

function describe(error) {
  if (!error) return null;
  return {
    name: error.name ?? error.constructor?.name,
    message: error.message,
    statusCode: error.statusCode ?? error.networkError?.statusCode ?? error.response?.status ?? null,
    codes: (error.errors ?? error.graphQLErrors ?? []).map((e) => e.extensions?.code ?? null),
  };
}

async function apollo() {
  const sent = [];
  const client = (t) => new ApolloClient({
    link: new HttpLink({ uri: url, headers: { authorization: `Bearer ${t}` }, fetch: recording(sent) }),
    cache: new InMemoryCache(),
  });
  const c = client(token);
  const pages = [];
  let after = null;
  for (let i = 0; i < 10; i++) {
    const { data } = await c.query({ query: gql(LIST), variables: { first: 2, after }, fetchPolicy: 'network-only' });
    pages.push(data.engagements.edges.map((e) => e.node.title));
    if (!data.engagements.pageInfo.hasNextPage) break;
    after = data.engagements.pageInfo.endCursor;
  }
  const created = await c.mutate({ mutation: gql(CREATE), variables: { input: { kind: 'COUNCIL', name: 'Apollo Council' } } });
  const refused = await c.mutate({ mutation: gql(CREATE), variables: { input: { kind: 'COUNCIL', name: 'Apollo Council' } } });
  let unauthorised = null;
  try {
    await client('pcis_forged').query({ query: gql(ME) });
  } catch (e) {
    unauthorised = describe(e);
  }
  return {
    pages,
    created: created.data.organisationCreate,
    refused: refused.data.organisationCreate.userErrors,
    unauthorised,
    sent,
  };
}

async function urql() {
  const sent = [];
  const client = (t) => new Client({
    url,
    exchanges: [fetchExchange],
    fetchOptions: { headers: { authorization: `Bearer ${t}` } },
    fetch: recording(sent),
  });
  const c = client(token);
  const pages = [];
  let after = null;
  for (let i = 0; i < 10; i++) {
    const r = await c.query(ugql(LIST), { first: 2, after }, { requestPolicy: 'network-only' }).toPromise();
    if (r.error) return { error: describe(r.error) };
    pages.push(r.data.engagements.edges.map((e) => e.node.title));
    if (!r.data.engagements.pageInfo.hasNextPage) break;
    after = r.data.engagements.pageInfo.endCursor;
  }
  const created = await c.mutation(ugql(CREATE), { input: { kind: 'COUNCIL', name: 'Urql Council' } }).toPromise();
  const unauthorised = await client('pcis_forged').query(ugql(ME), {}).toPromise();
  return {
    pages,
    created: created.error ? describe(created.error) : created.data.organisationCreate,
    unauthorised: { ...describe(unauthorised.error), data: unauthorised.data ?? null },
    sent,
  };
}

const out = {};
for (const [name, run] of [['apollo', apollo], ['urql', urql]]) {
  try {
    out[name] = await run();
  } catch (e) {
    out[name] = { error: describe(e), stack: String(e.stack) };
  }
}
process.stdout.write(JSON.stringify(out));
