// The $default route: whatever no other route matches.
exports.handler = async (event) => ({
  statusCode: 404,
  headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': 'https://ignored.example.com' },
  body: JSON.stringify({ message: `nothing at ${event.rawPath}`, routeKey: event.routeKey }),
});
