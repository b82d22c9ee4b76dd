// The floor under the online check: what any signed answer costs on this stack. Fastify parses
// the same request body, the serial is read from the signed request's payload, one prepared
// SQLite select finds its license with policy and binding (the check's own query shape), and
// one Ed25519 signature covers an answer of the same size. Everything Keyward does above this
// is what the check's ratio to the floor measures.
import { generateKeyPairSync, sign } from 'node:crypto';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';

const [databaseFile, size = '1024'] = process.argv.slice(2);
const db = new SQLite(databaseFile, { readonly: true });
const select = db.prepare(
  `select l.*, p.*, pr.code, c.sequence, c.contents, b.*
     from licenses l
     join policies p on p.id = l.policy_id
     join products pr on pr.id = l.product_id
     join license_contents c on c.license_id = l.id
     left join bindings b on b.license_id = l.id
    where l.serial = ?`,
);
const { privateKey } = generateKeyPairSync('ed25519');
// The answer's signed payload is base64url inside a JSON envelope, about 0.6 of the answer.
const padding = 'x'.repeat(Math.max(0, Math.round(Number(size) * 0.6) - 40));

const app = Fastify({ logger: false });
app.post('/floor', async (request) => {
  const envelope = request.body.request;
  const document = JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8'));
  const row = select.get(document.serial);
  const payload = Buffer.from(
    JSON.stringify({ serial: document.serial, nonce: document.nonce, found: row !== undefined, padding }),
  );
  const sig = sign(null, payload, privateKey);
  return { grant: { payload: payload.toString('base64url'), sig: sig.toString('base64url') } };
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${app.server.address().port}` })}\n`);
// An exit of its own on SIGTERM, so that a --cpu-prof run writes its profile.
process.once('SIGTERM', () => process.exit(0));
