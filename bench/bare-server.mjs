// The baseline: a bare Fastify endpoint answering JSON of the same size as Keyward's answer.
import Fastify from 'fastify';

const size = Number(process.argv[2] ?? 512);
const answer = { grant: 'x'.repeat(Math.max(0, size - 12)) };
const app = Fastify({ logger: false });
app.post('/bare', async () => answer);
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${app.server.address().port}` })}\n`);
// An exit of its own on SIGTERM, so that a --cpu-prof run writes its profile.
process.once('SIGTERM', () => process.exit(0));
