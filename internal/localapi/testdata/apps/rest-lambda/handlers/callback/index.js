// GET /callback: a callback-style handler, as older Node.js examples write them.
exports.handler = (event, context, callback) => {
  callback(null, {
    statusCode: 200,
    headers: { 'Content-Type': 'text/plain' },
    body: `called back by ${context.functionName}`,
  });
};
