// A CommonJS module of handlers, one per behaviour the tests name in the Handler string.
'use strict';

exports.echo = async (event, context) => ({
  event,
  requestId: context.awsRequestId,
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn,
  memoryLimitInMB: context.memoryLimitInMB,
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  remainingMs: context.getRemainingTimeInMillis(),
  pid: process.pid,
  cwd: process.cwd(),
  env: event.env ? process.env : undefined,
});

exports.logs = async (event) => {
  console.log('hello from', 'node', { n: 1 });
  console.error('line one\nline two');
  return 'logged';
};

exports.throwsError = async () => {
  throw new Error('boom');
};

exports.throwsTypeError = async () => {
  null.property;
};

exports.throwsString = async () => {
  throw 'a plain string';
};

exports.syncThrows = () => {
  throw new RangeError('out of range');
};

exports.sleeps = (event) => new Promise((resolve) => setTimeout(() => resolve('woke'), event.ms));

exports.neverSettles = async () => new Promise(() => {});

exports.syncNeverSettles = () => new Promise(() => {});

exports.notAFunction = 42;

exports.nested = { handler: async () => 'nested' };

exports.unserializable = async () => {
  const loop = {};
  loop.self = loop;
  return loop;
};

exports.crashesLater = async () => {
  setTimeout(() => { throw new Error('thrown from a timer'); }, 10);
  return 'answered first';
};

const held = [];
exports.hungry = async (event) => {
  for (let i = 0; i < event.mb; i++) held.push(Buffer.alloc(1 << 20, 1));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  return held.length;
};

exports.big = async (event) => 'x'.repeat(event.bytes);

exports.streams = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.end('streamed');
});
