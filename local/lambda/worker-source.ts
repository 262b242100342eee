/**
 * The Lambda "container" bootstrap, written next to the bundles and run in a worker_threads Worker: it loads the
 * bundle once (module init, like a cold start), then serves invocations one at a time, warm, until terminated.
 * Plain JavaScript on purpose: the worker must not depend on how the emulator itself was loaded (tsx or dist/).
 */
export const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');

// In AWS a function's containers never take CPU from IoT Core's gateway or the control plane they call; here they
// share the machine with the emulator's main thread, which serves both. So the container's thread yields to it: nice
// 10 on Linux, where a thread id (from /proc/thread-self) is a valid target of setpriority. Elsewhere, nothing changes.
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) require('node:os').setPriority(tid, workerData.nice ?? 10);
} catch {}

function serialise(error) {
  if (error instanceof Error) return { errorType: error.name || 'Error', errorMessage: error.message, trace: String(error.stack || '').split('\\n') };
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

const loaded = import(pathToFileURL(workerData.bundle).href).then((mod) => {
  const handler = mod[workerData.exportName] ?? (mod.default && mod.default[workerData.exportName]);
  if (typeof handler !== 'function') {
    const error = new Error(workerData.exportName + ' is not a function exported by the handler module');
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  return handler;
});
// Handled where an invocation awaits it; without this, a module that fails to load would crash the worker first.
loaded.catch(() => {});

function run(handler, event, context) {
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const returned = handler(event, context, (error, value) => (error ? reject(error) : resolve(value)));
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    });
  }
  return Promise.resolve().then(() => handler(event, context));
}

parentPort.on('message', async (message) => {
  const deadline = Date.now() + message.timeoutMs;
  const context = Object.assign({}, message.context, {
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  });
  let handler;
  try {
    handler = await loaded;
  } catch (error) {
    // The module failed to load (Lambda's init phase): the container can never serve, and the runner says so.
    parentPort.postMessage({ id: message.id, ok: false, error: Object.assign(serialise(error), { phase: 'init' }) });
    return;
  }
  try {
    const result = await run(handler, message.event, context);
    parentPort.postMessage({ id: message.id, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, ok: false, error: serialise(error) });
  }
});
`;
