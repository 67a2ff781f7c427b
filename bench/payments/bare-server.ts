// The baseline the payments bench measures beside the hub: a bare Fastify JSON route in its own process,
// driven by the same load generator, so the ratio says what the hub's work costs beyond HTTP and JSON.
import Fastify from 'fastify';

const port = Number(process.argv[2]);
const app = Fastify({ logger: false });
let counter = 0;
app.post('/v1/:what', async (request, reply) => {
  counter += 1;
  return reply.code(201).send({ id: `bare_${counter}`, received: request.body });
});
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`listening on ${port}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
