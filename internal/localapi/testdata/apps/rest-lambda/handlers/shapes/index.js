// GET /shapes?shape=NAME returns one of the response shapes a proxy integration may get, well
// formed or not, so that each of API Gateway's answers to them can be checked.
const shapes = {
  'no-body': { statusCode: 200 },
  'status-string': { statusCode: '201' },
  'status-invalid': { statusCode: 'test' },
  'headers-bool': { statusCode: 200, headers: { 'x-flag': true } },
  'headers-null': { statusCode: 200, headers: null },
  'multi-headers': { statusCode: 200, multiValueHeaders: { 'x-multi': ['one', 'two'] }, headers: { 'x-multi': 'solo' } },
  'multi-headers-invalid': { statusCode: 200, multiValueHeaders: { 'x-multi': 'one' } },
  'unknown-field': { statusCode: 200, wrongValue: 'value' },
  'only-headers': { headers: { 'x-only': 'value' } },
  'base64': { statusCode: 200, body: Buffer.from('test-data').toString('base64'), isBase64Encoded: true },
  'string': 'justAString',
  'null': null,
};

exports.handler = async (event) => {
  const name = (event.queryStringParameters || {}).shape;
  if (name === 'throw') {
    throw new Error('the handler failed');
  }
  return shapes[name];
};
