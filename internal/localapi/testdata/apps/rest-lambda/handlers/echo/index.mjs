// ANY /echo/{proxy+}: answers with the proxy event it received, and a cookie in two headers.
export const handler = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
  body: JSON.stringify(event),
});
