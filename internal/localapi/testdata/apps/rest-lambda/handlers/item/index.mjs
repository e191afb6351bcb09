// GET /items/{id}: an ES module handler.
const items = { 1: { id: '1', name: 'apple' }, 2: { id: '2', name: 'pear' } };

export const handler = async (event) => {
  const item = items[event.pathParameters.id];
  if (!item) {
    return { statusCode: 404, body: JSON.stringify({ message: `no item ${event.pathParameters.id}` }) };
  }
  return { statusCode: 200, body: JSON.stringify(item) };
};
