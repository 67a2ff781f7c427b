// Preloaded (node --require) into software that listens on every interface, such as the Mojaloop SDK in
// the tests: every server it starts listens on 127.0.0.1 instead, so nothing a test starts is reachable
// from outside the machine.
'use strict';
const net = require('node:net');

const loopback = '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first] = args;
  if (first !== null && typeof first === 'object' && 'port' in first) {
    args[0] = { ...first, host: loopback };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const rest = args.slice(1);
    if (typeof rest[0] === 'string') rest.shift();
    args = [first, loopback, ...rest];
  }
  return listen.apply(this, args);
};
