// The greeting function of lambda/greeting, in JavaScript: the same answers, for the benchmarks.
export const handler = async (event) => {
  if (event.greeter === undefined || event.greeter === null) {
    throw new Error('Missing the required greeter parameter.');
  }
  const body = event.greeter === '' ? 'Hello, World' : `Hello, ${event.greeter}!`;
  return { statusCode: 200, headers: { 'Content-Type': '*/*' }, body };
};
