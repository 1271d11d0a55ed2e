// The plain runner of scripts/local-invoke (plain-runner.ts), for machines without aws-lambda-ric: loads the
// built bundle in this fresh process and calls its handler with a Lambda context: once, or, for a
// warm function (`warm: true`), once per message, the module staying loaded between them.
'use strict';
const path = require('node:path');

const loaded = new Map();

process.on('message', async ({ handler, event, requestId, deadlineMs, warm }) => {
  const reply = (message) => process.send({ ...message, requestId }, () => (warm ? undefined : process.exit(0)));
  const toError = (error, fallbackType) => ({
    errorType: (error && error.name) || fallbackType,
    errorMessage: (error && error.message) || String(error),
    trace: error && error.stack ? String(error.stack).split('\n') : [],
  });
  const dot = handler.lastIndexOf('.');
  const modulePath = path.resolve(process.cwd(), handler.slice(0, dot));
  const exportName = handler.slice(dot + 1);
  let fn;
  try {
    fn = loaded.get(handler) ?? require(modulePath)[exportName];
    loaded.set(handler, fn);
  } catch (error) {
    return reply({ ok: false, error: toError(error, 'Runtime.ImportModuleError') });
  }
  if (typeof fn !== 'function') {
    return reply({
      ok: false,
      error: { errorType: 'Runtime.HandlerNotFound', errorMessage: `${handler} is undefined or not exported` },
    });
  }
  if (fn.length >= 3) {
    // as the nodejs24.x runtime does: callback-style handlers (ask-sdk-core's .lambda()) are refused
    return reply({
      ok: false,
      error: {
        errorType: 'Runtime.CallbackHandler',
        errorMessage: `${handler} takes a callback; export an async (event, context) handler`,
      },
    });
  }
  const env = process.env;
  const context = {
    awsRequestId: requestId,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    invokedFunctionArn: `arn:aws:lambda:${env.AWS_REGION}:123456789012:function:${env.AWS_LAMBDA_FUNCTION_NAME}`,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
  };
  try {
    const response = await fn(event, context);
    reply({ ok: true, response: response === undefined ? null : response });
  } catch (error) {
    reply({ ok: false, error: toError(error, 'Error') });
  }
});
