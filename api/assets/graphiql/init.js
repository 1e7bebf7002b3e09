// Starts GraphiQL against this server's /graphql. A file of its own (not an inline script), so
// that the page's Content-Security-Policy can forbid inline scripts.
(function () {
  var endpoint = new URL('/graphql', window.location.origin).toString();
  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    // The session cookie of a signed-in browser goes along; a token goes in the Headers tab.
    fetch: function (url, options) {
      return fetch(url, Object.assign({}, options, { credentials: 'same-origin' }));
    },
  });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true })
  );
})();
