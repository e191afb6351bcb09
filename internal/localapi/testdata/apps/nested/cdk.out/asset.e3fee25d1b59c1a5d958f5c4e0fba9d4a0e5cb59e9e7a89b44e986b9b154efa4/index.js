exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ message: `${process.env.GREETING} from the nested stack`, path: event.path }),
});
