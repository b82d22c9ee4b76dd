import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { CHECKED_SCHEMAS } from '@keyward/core/schemas';
import fc from 'fast-check';
import { Compile } from 'typebox/compile';
import { CHECKS, type SchemaName } from '../../packages/core/dist/generated/checks.js';

interface Generator {
  readonly CHECKS_FILE: string;
  generateChecks(): string;
}

const generatorUrl = new URL('../../scripts/generate-checks.mjs', import.meta.url).href;

/** Real documents of each kind, from the container test vectors, so that the checks also say yes. */
async function vectorDocuments(): Promise<Partial<Record<SchemaName, unknown>>> {
  const home = new URL('../../packages/client/vectors/container-v2/home/', import.meta.url);
  const { readdir } = await import('node:fs/promises');
  const [file] = await readdir(home);
  const text = await readFile(new URL(file ?? '', home), 'utf8');
  const body = text.slice(text.indexOf('\n\n') + 2, text.indexOf('\n=')).replaceAll('\n', '');
  const envelope = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as { payload: string };
  const record = JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8')) as {
    grant: { payload: string };
  };
  const grant = JSON.parse(Buffer.from(record.grant.payload, 'base64url').toString('utf8')) as {
    contents: unknown;
  };
  return { containerRecord: record, licenseGrant: grant, contents: grant.contents };
}

describe('the validators made ahead of time from the core schemas', () => {
  it('are up to date with the schemas (run `npm run generate` after changing one)', async () => {
    const generator = (await import(generatorUrl)) as Generator;
    assert.equal(await readFile(generator.CHECKS_FILE, 'utf8'), generator.generateChecks());
  });

  it('agree with TypeBox compiling the same schema, on real documents and on any JSON', async () => {
    const documents = await vectorDocuments();
    for (const [name, schema] of Object.entries(CHECKED_SCHEMAS)) {
      const compiled = Compile(schema);
      const check = CHECKS[name as SchemaName];
      const real = documents[name as SchemaName];
      if (real !== undefined) {
        assert.equal(check(real), true, `${name} accepts a real document`);
        assert.equal(compiled.Check(real), true);
      }
      fc.assert(
        fc.property(fc.jsonValue(), (value) => check(value) === compiled.Check(value)),
        { numRuns: 300 },
      );
    }
  });
});
