// lambdalocal's Node.js runtime interface client: the part of Lambda's nodejsN.x runtime that
// loads the function's handler and runs the Runtime API loop. It follows the behaviour of
// aws-lambda-nodejs-runtime-interface-client (handler resolution, the callback and promise
// programming models, the context object, error documents, log lines) with Node's standard
// library only. lambdalocal writes it to LAMBDA_RUNTIME_DIR and starts it with
// the machine's node, in LAMBDA_TASK_ROOT, with _HANDLER and AWS_LAMBDA_RUNTIME_API set.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import util from 'node:util';

const require = createRequire(import.meta.url);
const env = process.env;
const nodeMajor = Number((/nodejs(\d+)/.exec(env.AWS_EXECUTION_ENV || '') || [])[1] || 0);
// Node.js 24 and later runtimes dropped callback handlers and the context's callback methods.
const callbacksRemoved = nodeMajor >= 24;

// ---- Errors -------------------------------------------------------------------------------

function runtimeErrorClass(name) {
  const RuntimeError = class extends Error {};
  Object.defineProperty(RuntimeError, 'name', { value: name });
  RuntimeError.prototype.name = 'Runtime.' + name;
  return RuntimeError;
}

const ImportModuleError = runtimeErrorClass('ImportModuleError');
const HandlerNotFound = runtimeErrorClass('HandlerNotFound');
const MalformedHandlerName = runtimeErrorClass('MalformedHandlerName');
const UserCodeSyntaxError = runtimeErrorClass('UserCodeSyntaxError');
const CallbackHandlerDeprecated = runtimeErrorClass('CallbackHandlerDeprecated');
const NodeJsExit = runtimeErrorClass('NodeJsExit');
const UnhandledPromiseRejection = runtimeErrorClass('UnhandledPromiseRejection');

const nodeJsExitMessage =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes';
const callbackDeprecatedMessage =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';
const callbackWarning =
  'AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.';

function looksLikeError(v) {
  return Boolean(v && typeof v.name === 'string' && typeof v.message === 'string' && typeof v.stack === 'string' &&
    v.name && v.message && v.stack);
}

// errorDocument is what the runtime posts for an error: {errorType, errorMessage, trace}. A
// thrown value that is not an Error is reported by its type ("string", "object"…).
function errorDocument(err) {
  const escape = (s) => s?.replaceAll('\x7F', '%7F');
  try {
    if (util.types.isNativeError(err) || looksLikeError(err)) {
      return { errorType: escape(err.name), errorMessage: escape(err.message), trace: escape(err.stack).split('\n') };
    }
    return { errorType: typeof err, errorMessage: err.toString(), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

const intoError = (err) => (err instanceof Error ? err : new Error(err));

// The error as the runtime logs it: its enumerable properties too, after a tab.
function formattedError(err) {
  const withFields = (_key, v) => {
    if (!(v instanceof Error)) return v;
    const out = Object.assign({ errorType: v.name, errorMessage: v.message, code: v.code }, v);
    if (typeof v.stack === 'string') out.stack = v.stack.split('\n');
    return out;
  };
  try {
    return '\t' + JSON.stringify(err, withFields);
  } catch {
    return '\t' + JSON.stringify(errorDocument(err));
  }
}

// ---- Logs ---------------------------------------------------------------------------------

// The request ID in log lines; "undefined" until the first invocation, as in Lambda.
let currentRequestId;
const jsonLogs = (env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';

function jsonLogLine(time, level, params) {
  const entry = { timestamp: time, level, requestId: currentRequestId };
  if (params.length === 1) {
    entry.message = params[0];
    try {
      return JSON.stringify(entry, (_key, v) =>
        v instanceof Error
          ? Object.assign({ errorType: v.constructor?.name ?? 'UnknownError', errorMessage: v.message, stackTrace: typeof v.stack === 'string' ? v.stack.split('\n') : v.stack }, v)
          : v);
    } catch {
      entry.message = util.format(entry.message);
      return JSON.stringify(entry);
    }
  }
  entry.message = util.format(...params);
  const err = params.find((p) => p instanceof Error);
  if (err) {
    Object.assign(entry, { errorType: err.constructor?.name ?? 'UnknownError', errorMessage: err.message, stackTrace: typeof err.stack === 'string' ? err.stack.split('\n') : [] });
  }
  return JSON.stringify(entry);
}

// One line per call, newlines folded into carriage returns so that a multi-line message stays
// one log event: "<ISO time>\t<request ID>\t<LEVEL>\t<message>".
function writeLog(level, params) {
  const time = new Date().toISOString();
  const line = jsonLogs ? jsonLogLine(time, level, params) : `${time}\t${currentRequestId}\t${level}\t${util.format(...params)}`;
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

function patchConsole() {
  const levels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  const min = Math.max(0, levels.indexOf((env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()));
  const logger = (level) => (levels.indexOf(level) >= min ? (msg, ...params) => writeLog(level, [msg, ...params]) : () => {});
  console.trace = logger('TRACE');
  console.debug = logger('DEBUG');
  console.info = logger('INFO');
  console.log = console.info;
  console.warn = logger('WARN');
  console.error = logger('ERROR');
  console.fatal = logger('FATAL');
}

function logError(what, err) {
  if (jsonLogs) console.error(intoError(err));
  else console.error(what, formattedError(intoError(err)));
}

// ---- Runtime API --------------------------------------------------------------------------

const [apiHost, apiPort] = (env.AWS_LAMBDA_RUNTIME_API || '').split(':');
const apiPrefix = '/2018-06-01/runtime/';

// RuntimeConnection is a keep-alive HTTP/1.1 connection to the Runtime API, one request at a
// time. It is written against the socket rather than with node:http, whose client costs about
// as much per request as the rest of an invocation: the endpoint always answers with a
// Content-Length, which keeps this small. The socket holds the event loop only while a request
// is in flight, so that an empty event loop still means the function's own work is done.
class RuntimeConnection {
  constructor() {
    this.socket = null;
    this.buffered = null;
    this.waiting = null; // {resolve, reject} of the request in flight
    this.queue = Promise.resolve();
  }

  request(method, apiPath, body, headers) {
    const run = () => this.send(method, apiPath, body, headers);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  send(method, apiPath, body, headers) {
    if (this.socket === null) this.connect();
    let head = `${method} ${apiPrefix}${apiPath} HTTP/1.1\r\nHost: ${apiHost}\r\n`;
    if (body !== undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
    for (const [name, value] of Object.entries(headers || {})) head += `${name}: ${String(value).replace(/[\r\n]/g, ' ')}\r\n`;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.ref();
      this.socket.write(head + '\r\n' + (body ?? ''));
    });
  }

  connect() {
    const socket = net.connect({ host: apiHost, port: Number(apiPort) });
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.received(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('the Runtime API closed the connection')));
    this.socket = socket;
    this.buffered = null;
  }

  fail(err) {
    this.socket = null;
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) waiting.reject(err);
  }

  received(chunk) {
    const data = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
    const headEnd = data.indexOf('\r\n\r\n');
    if (headEnd < 0) {
      this.buffered = data;
      return;
    }
    const lines = data.toString('latin1', 0, headEnd).split('\r\n');
    const headers = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] || 0);
    if (data.length < headEnd + 4 + length) {
      this.buffered = data;
      return;
    }
    this.buffered = null;
    const waiting = this.waiting;
    this.waiting = null;
    this.socket.unref();
    waiting?.resolve({ status: Number(lines[0].split(' ')[1]), headers, body: data.toString('utf8', headEnd + 4, headEnd + 4 + length) });
  }
}

// Two connections: one waits in /next while the other can still report an error that happens
// meanwhile (an exception thrown from a timer after the answer).
const nextConnection = new RuntimeConnection();
const postConnection = new RuntimeConnection();

function callAPI(method, apiPath, body, headers) {
  return (method === 'GET' ? nextConnection : postConnection).request(method, apiPath, body, headers);
}

function postJSON(apiPath, doc, headers) {
  return callAPI('POST', apiPath, JSON.stringify(doc === undefined ? null : doc), { 'Content-Type': 'application/json', ...headers });
}

function serializeResponse(result) {
  try {
    return JSON.stringify(result === undefined ? null : result);
  } catch {
    throw new Error('Unable to stringify response body');
  }
}

const client = {
  next: () => callAPI('GET', 'invocation/next'),
  postResponse(id, result) {
    const body = serializeResponse(result); // throws before anything is sent, as Lambda's does
    return callAPI('POST', `invocation/${encodeURIComponent(id)}/response`, body, { 'Content-Type': 'application/json' });
  },
  postError(id, err) {
    const doc = errorDocument(err);
    return postJSON(`invocation/${encodeURIComponent(id)}/error`, doc, { 'Lambda-Runtime-Function-Error-Type': doc.errorType });
  },
  postInitError(err) {
    const doc = errorDocument(err);
    return postJSON('init/error', doc, { 'Lambda-Runtime-Function-Error-Type': doc.errorType });
  },
};

// ---- Loading the handler ------------------------------------------------------------------

// nearestPackageIsModule reports whether the package.json nearest to dir says "type": "module".
function nearestPackageIsModule(dir) {
  for (;;) {
    if (dir.endsWith('/node_modules')) return false;
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, 'utf8'))?.type === 'module';
      } catch (e) {
        console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

const requireIfExists = (file) => (fs.existsSync(file) ? require(file) : undefined);
const importIfExists = async (file) => (fs.existsSync(file) ? import(file) : undefined);

// loadModule finds the module as Lambda does: the path itself, then .js (CommonJS unless the
// nearest package.json says "type": "module"), .mjs and .cjs, then Node's own resolution from
// the task root.
async function loadModule(taskRoot, moduleRoot, name) {
  const base = path.resolve(taskRoot, moduleRoot, name);
  const extensionless = requireIfExists(base);
  if (extensionless) return extensionless;
  const jsIsModule = fs.existsSync(base + '.js') && nearestPackageIsModule(path.dirname(base + '.js'));
  if (!jsIsModule) {
    const cjs = requireIfExists(base + '.js');
    if (cjs) return cjs;
  }
  const loaded = (jsIsModule && (await importIfExists(base + '.js'))) || (await importIfExists(base + '.mjs')) || requireIfExists(base + '.cjs');
  if (loaded) return loaded;
  return require(require.resolve(name, { paths: [taskRoot, moduleRoot] }));
}

async function loadHandler(taskRoot, handlerString) {
  if (handlerString.includes('..')) {
    throw new MalformedHandlerName(`'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const moduleAndHandler = path.basename(handlerString);
  const moduleRoot = handlerString.substring(0, handlerString.indexOf(moduleAndHandler));
  const match = /^([^.]*)\.(.*)$/.exec(moduleAndHandler);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const [, moduleName, handlerPath] = match;

  let userModule;
  try {
    userModule = await loadModule(taskRoot, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e?.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(e);
    throw e;
  }
  const handler = handlerPath.split('.').reduce((obj, key) => obj && obj[key], userModule);
  if (!handler) throw new HandlerNotFound(`${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${handlerString} is not a function`);
  return handler;
}

// ---- Invocations --------------------------------------------------------------------------

// What runs when the event loop empties: how a callback handler that waits for an empty event
// loop finishes, and how an invocation that never answers is ended.
let onEmptyEventLoop = () => {};
process.on('beforeExit', () => onEmptyEventLoop());

// The invocation whose errors an uncaught exception is reported against; null during init.
let currentInvocation = null;

function fatal(err, exitCode) {
  const exit = () => process.exit(exitCode);
  setTimeout(exit, 1000).unref(); // should the Runtime API not answer
  const post = currentInvocation === null ? client.postInitError(err) : client.postError(currentInvocation, err);
  post.then(exit, exit);
}

process.on('uncaughtException', (err) => {
  logError('Uncaught Exception', err);
  fatal(err, 129);
});
process.on('unhandledRejection', (reason) => {
  const err = new UnhandledPromiseRejection(reason);
  logError('Unhandled Promise Rejection', err);
  fatal(err, 128);
});

function parseHeaderJSON(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

// invocationContext builds the handler's callback and context for one invocation. Only the
// first of callback, succeed, fail and done counts.
function invocationContext(id, headers, scheduleNext) {
  let reported = false; // a response or error went to the Runtime API
  let finished = false; // one of the completion functions was called
  let waitForEmptyEventLoop = true;
  const postError = (err) => {
    logError('Invoke Error', err);
    client.postError(id, err).then(scheduleNext, crash);
  };
  const complete = (result) => {
    if (reported) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    reported = true;
    client.postResponse(id, result).then(scheduleNext, crash);
  };
  const once = (fn) => (...args) => {
    if (!finished) {
      fn(...args);
      finished = true;
    }
  };
  const done = (err, result) => {
    onEmptyEventLoop = () => {};
    if (err !== undefined && err !== null) postError(err);
    else complete(result);
  };
  const callback = once((err, result) => {
    onEmptyEventLoop = () => {};
    if (err !== undefined && err !== null) postError(err);
    else if (!waitForEmptyEventLoop) complete(result);
    else onEmptyEventLoop = () => setImmediate(() => complete(result));
  });
  const succeed = once((result) => done(null, result));
  const fail = once((err) => (err === undefined || err === null ? done('handled') : done(err, null)));

  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const context = {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseHeaderJSON(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseHeaderJSON(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: id,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  if (!callbacksRemoved) {
    Object.defineProperty(context, 'callbackWaitsForEmptyEventLoop', {
      get: () => waitForEmptyEventLoop,
      set: (v) => { waitForEmptyEventLoop = v; },
      enumerable: true,
    });
    Object.assign(context, { succeed, fail, done: once(done) });
  }
  const markReported = () => { reported = true; };
  return { callback, context, succeed, fail, markReported };
}

function crash(err) {
  console.log(`Unexpected Top Level Error: ${err}`);
  process.exit(1);
}

function isPromise(v) {
  return Boolean(v && typeof v.then === 'function');
}

function runLoop(handler) {
  const isAsync = handler.constructor?.name === 'AsyncFunction';
  const scheduleNext = () => setImmediate(() => invokeOnce().catch(crash));
  async function invokeOnce() {
    const inv = await client.next();
    const id = inv.headers['lambda-runtime-aws-request-id'];
    currentRequestId = id;
    currentInvocation = id;
    const trace = inv.headers['lambda-runtime-trace-id'];
    if (trace) env._X_AMZN_TRACE_ID = trace;
    else delete env._X_AMZN_TRACE_ID;

    let ic;
    try {
      ic = invocationContext(id, inv.headers, scheduleNext);
    } catch (err) {
      // A context header that is not JSON.
      logError('Invoke Error', err);
      client.postError(id, err).then(scheduleNext, crash);
      return;
    }
    // The event loop emptied without an answer: an async handler's promise never settled, or
    // a synchronous handler never called back (which Lambda answers with null).
    onEmptyEventLoop = () => {
      ic.markReported();
      onEmptyEventLoop = () => {};
      if (isAsync) {
        const err = new NodeJsExit(nodeJsExitMessage);
        logError('Invoke Error', err);
        client.postError(id, err).then(scheduleNext, crash);
      } else {
        client.postResponse(id, null).then(scheduleNext, crash);
      }
    };
    try {
      const result = handler(JSON.parse(inv.body), ic.context, ic.callback);
      if (isPromise(result)) result.then(ic.succeed, ic.fail).catch(ic.fail);
    } catch (err) {
      ic.callback(err);
    }
  }
  scheduleNext();
}

// Lambda's global for response streaming. Streaming handlers are marked, and refused at init:
// lambdalocal has no streaming Invoke.
const streamingHandler = Symbol.for('aws.lambda.runtime.handler.streaming');
globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[streamingHandler] = 'response';
    return handler;
  },
};
const StreamingNotSupported = runtimeErrorClass('StreamingNotSupported');

async function main() {
  patchConsole();
  const handler = await loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), env._HANDLER || '');
  if (handler[streamingHandler]) {
    throw new StreamingNotSupported(`${env._HANDLER} streams its response (awslambda.streamifyResponse), which lambdalocal does not support`);
  }
  const usesCallback = handler.length === 3 && handler.constructor?.name !== 'AsyncFunction';
  if (usesCallback && callbacksRemoved) throw new CallbackHandlerDeprecated(callbackDeprecatedMessage);
  if (usesCallback && env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined) console.warn(callbackWarning);
  runLoop(handler);
}

// An init failure surfaces as an uncaught exception, which posts it to /init/error.
await main();
