// Preloaded (node --require) into software that listens on every interface, such as the Mojaloop SDK in
// the tests: every server it starts listens on 127.0.0.1 instead, so nothing a test starts is reachable
// from outside the machine. LOOPBACK_PORT_MAP ("5050=41234,...") moves a port the software fixes in its
// code (the testing toolkit's admin API is always 5050) to one the test chose, so runs never collide.
'use strict';
const net = require('node:net');

const loopback = '127.0.0.1';
const listen = net.Server.prototype.listen;
const moved = new Map(
  (process.env.LOOPBACK_PORT_MAP ?? '')
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => pair.split('=').map(Number)),
);
const portOf = (port) => moved.get(Number(port)) ?? port;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first] = args;
  if (first !== null && typeof first === 'object' && 'port' in first) {
    args[0] = { ...first, port: portOf(first.port), host: loopback };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const rest = args.slice(1);
    if (typeof rest[0] === 'string') rest.shift();
    args = [portOf(first), loopback, ...rest];
  }
  return listen.apply(this, args);
};
