#!/usr/bin/env node
/*
 * The project's tslab kernel: tslab 1.0.22 with one-send-at-a-time zeromq sockets.
 *
 * Why: zeromq 6 allows one send in flight per socket and rejects a second with EBUSY ("Socket is busy writing; only
 * one send operation may be in progress at any time", zeromq/zeromq.js#427). tslab calls socket.send without awaiting
 * it, so when a send has to wait (Jupyter reads the iopub stream slowly on a loaded machine) and the kernel sends
 * again (a cell's printed progress, the next request's "busy" status) the rejection is unhandled and the kernel dies
 * mid-cell. serialiseSends makes every send on a socket start after the previous one settled, which is what tslab
 * assumes; the messages and their order are unchanged. scripts/setup.sh registers this file as the kernel's binary.
 */
'use strict';
const path = require('path');

/**
 * Replaces SocketClass.prototype.send by a version that queues each send behind the previous send on the same
 * socket. The returned promise settles as that send does; a failed send does not block the ones behind it.
 */
function serialiseSends(SocketClass) {
  const nativeSend = SocketClass.prototype.send;
  if (nativeSend.serialised) return;
  const lastSend = new WeakMap();
  const send = function (message) {
    const previous = lastSend.get(this) || Promise.resolve();
    const sent = previous.then(() => nativeSend.call(this, message));
    lastSend.set(this, sent.catch(() => undefined));
    return sent;
  };
  send.serialised = true;
  // the native method is read-only but configurable
  Object.defineProperty(SocketClass.prototype, 'send', { value: send, writable: false, enumerable: false, configurable: true });
}

/** The zeromq module tslab itself loads (resolved from tslab's own directory, so the patch reaches its sockets). */
function tslabZeromq() {
  const tslabDir = path.dirname(require.resolve('tslab/package.json'));
  return require(require.resolve('zeromq', { paths: [tslabDir] }));
}

module.exports = { serialiseSends, tslabZeromq };

if (require.main === module) {
  serialiseSends(tslabZeromq().Socket);
  require('tslab/dist/main.js').main();
}
