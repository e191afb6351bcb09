// GET /items lists the items, POST /items creates one: a CommonJS async handler.
const items = [{ id: '1', name: 'apple' }, { id: '2', name: 'pear' }];

exports.handler = async (event) => {
  if (event.httpMethod === 'POST') {
    let item;
    try {
      item = JSON.parse(event.body || '');
    } catch (err) {
      return { statusCode: 400, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: 'body is not JSON' }) };
    }
    return { statusCode: 201, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ created: item }) };
  }
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ greeting: process.env.GREETING, items }),
  };
};
