// Callback handlers: the result goes out once the event loop is empty, unless the function
// says not to wait for it.
'use strict';

let timerFired = 0;

exports.waits = (event, context, callback) => {
  setTimeout(() => { timerFired++; }, 150);
  callback(null, { timerFired });
};

exports.doesNotWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => { timerFired++; }, 150);
  callback(null, { timerFired });
};

exports.fails = (event, context, callback) => {
  callback(new Error('callback failure'));
};

exports.succeeds = (event, context) => {
  context.succeed({ via: 'succeed' });
};

exports.neverCallsBack = (event, context, callback) => {};

exports.counter = (event, context, callback) => callback(null, timerFired);
