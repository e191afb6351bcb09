// GET /hello/{name}: returns an object without statusCode, which a payload 2.0 integration
// answers as a 200 JSON body.
export const handler = async (event) => ({ message: `hello, ${event.pathParameters.name}`, routeKey: event.routeKey });
