import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errorCatalogue } from '@keyward/core';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
}

interface Parameter {
  readonly in: string;
  readonly name: string;
  readonly schema?: JsonSchema;
}

interface Operation {
  readonly security?: readonly unknown[];
  readonly requestBody?: unknown;
  readonly parameters?: readonly Parameter[];
  readonly responses: Readonly<
    Record<string, { readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>> }>
  >;
}

interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, JsonSchema>> };
}

interface BadRequest {
  readonly what: string;
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly query?: string;
  /** Whether any answer but a refusal breaks the contract (an unknown id may list nothing). */
  readonly mustRefuse: boolean;
}

const CORE_CODES = new Set(Object.keys(errorCatalogue));
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const UNKNOWN_ID = 'unknown-0';

/** An operation that names a security requirement; public ones name none (`security: []`) or leave it out. */
const isAdmin = (operation: Operation) => (operation.security ?? []).length > 0;

const fillPath = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);

/** Bad input of every kind the operation takes: its body, its path parameters, its query. */
function badRequests(path: string, operation: Operation): BadRequest[] {
  const hasBody = operation.requestBody !== undefined;
  const withUnknownId = fillPath(path, UNKNOWN_ID);
  const requests: BadRequest[] = [];
  if (hasBody) {
    const json = 'application/json';
    requests.push(
      {
        what: 'a malformed JSON body',
        path: withUnknownId,
        body: '{"broken": ',
        contentType: json,
        mustRefuse: true,
      },
      { what: 'an array for a body', path: withUnknownId, body: '[]', contentType: json, mustRefuse: true },
      { what: 'a text for a body', path: withUnknownId, body: '"text"', contentType: json, mustRefuse: true },
      {
        what: 'a body that is not JSON',
        path: withUnknownId,
        body: 'a=1',
        contentType: 'text/plain',
        mustRefuse: true,
      },
      {
        what: 'a body of unknown fields',
        path: withUnknownId,
        body: '{"unexpected": true}',
        contentType: json,
        mustRefuse: true,
      },
    );
  }
  if (path.includes('{')) {
    const body = hasBody ? { body: '{}', contentType: 'application/json' } : {};
    requests.push(
      {
        what: 'a path parameter too long',
        path: fillPath(path, 'x'.repeat(1000)),
        ...body,
        mustRefuse: true,
      },
      {
        what: 'a path parameter that does not decode',
        path: fillPath(path, '%E0%A4%A'),
        ...body,
        mustRefuse: true,
      },
      { what: 'an unknown id', path: withUnknownId, ...body, mustRefuse: hasBody },
    );
  }
  requests.push({
    what: 'a query parameter it does not take',
    path: withUnknownId,
    query: 'unexpected=1',
    mustRefuse: false,
  });
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in !== 'query') continue;
    const type = parameter.schema?.type;
    const value =
      type === 'integer' || type === 'number'
        ? 'many'
        : parameter.schema?.enum
          ? 'no-such-value'
          : 'x'.repeat(1000);
    requests.push({
      what: `a bad ${parameter.name} in the query`,
      path: withUnknownId,
      query: `${encodeURIComponent(parameter.name)}=${value}`,
      mustRefuse: false,
    });
  }
  return requests;
}

/** The codes the document declares for a refusal at this status: the Problem schema's enum. */
function declaredCodes(document: OpenApiDocument, operation: Operation, status: number): ReadonlySet<string> {
  let schema = operation.responses[String(status)]?.content?.['application/problem+json']?.schema;
  const name = schema?.$ref?.replace('#/components/schemas/', '');
  if (name !== undefined) schema = document.components?.schemas?.[name];
  const codes = schema?.properties?.code?.enum;
  return codes === undefined ? CORE_CODES : new Set(codes.map(String));
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** A refusal as the contract says: problem+json, a known code, a sentence, the request id of the answer. */
function assertProblem(answer: Answer, codes: ReadonlySet<string>, where: string): void {
  assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/, where);
  const body = JSON.parse(answer.text) as { code?: unknown; message?: unknown; requestId?: unknown };
  assert.equal(typeof body.code, 'string', `${where}: code`);
  assert.ok(CORE_CODES.has(body.code as string), `${where}: ${String(body.code)} is a code of core`);
  assert.ok(
    codes.has(body.code as string),
    `${where}: ${String(body.code)} is declared for ${answer.status}`,
  );
  assert.ok(typeof body.message === 'string' && body.message.trim() !== '', `${where}: message`);
  const requestId = answer.headers.get('x-request-id');
  assert.ok(requestId !== null && requestId !== '', `${where}: x-request-id header`);
  assert.equal(body.requestId, requestId, `${where}: requestId`);
}

/**
 * Every operation the served OpenAPI document lists, sent bad input: each refusal keeps the
 * contract, and its status is one the operation declares. A new route is walked without a line
 * here, so a refusal it forgets to declare fails this test.
 */
describe('error contract: every operation refuses bad input as it declares', () => {
  let vendor: TestVendor;
  let document: OpenApiDocument;

  before(async () => {
    vendor = await startTestVendor();
    document = (await (await fetch(`${vendor.url}/openapi.json`)).json()) as OpenApiDocument;
  });
  after(() => vendor.close());

  const send = async (
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string },
  ) => {
    const response = await fetch(`${vendor.url}${path}`, { method, ...init });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  it('the document lists operations, public and admin', () => {
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
    assert.ok(operations.some(isAdmin));
    assert.ok(operations.some((operation) => !isAdmin(operation) && operation.requestBody));
  });

  it('every operation: each bad request is refused with a declared status and a declared code', async (t) => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        await t.test(`${method.toUpperCase()} ${path}`, async () => {
          // Admin operations get a full-access token so that the input, not the caller, is judged.
          const auth: Record<string, string> = isAdmin(operation)
            ? { authorization: `Bearer ${vendor.token}` }
            : {};
          for (const bad of badRequests(path, operation)) {
            const where = `${method.toUpperCase()} ${path} with ${bad.what}`;
            const headers =
              bad.contentType === undefined ? auth : { ...auth, 'content-type': bad.contentType };
            const target = bad.query === undefined ? bad.path : `${bad.path}?${bad.query}`;
            const answer = await send(method.toUpperCase(), target, { headers, body: bad.body });
            if (answer.status < 300 && !bad.mustRefuse) continue;
            assert.ok(answer.status >= 400 && answer.status < 500, `${where}: answered ${answer.status}`);
            assert.ok(
              Object.hasOwn(operation.responses, String(answer.status)),
              `${where}: answered ${answer.status} ${answer.text}, which the operation does not declare`,
            );
            assertProblem(answer, declaredCodes(document, operation, answer.status), where);
          }
        });
      }
    }
  });

  it('every path: a method it does not answer is 405 naming the methods it does', async () => {
    for (const [path, item] of Object.entries(document.paths)) {
      const documented = Object.keys(item).map((method) => method.toUpperCase());
      const address = fillPath(path, UNKNOWN_ID);
      // Not a method another path answers at this address (GET /v1/licenses/{ref} takes "unlock").
      const answeredHere = Object.entries(document.paths)
        .filter(([other]) => new RegExp(`^${fillPath(other, '[^/]+')}$`).test(address))
        .flatMap(([, methods]) => Object.keys(methods).map((method) => method.toUpperCase()));
      const wrong = METHODS.find((method) => !answeredHere.includes(method));
      if (wrong === undefined) continue;
      const where = `${wrong} ${path}`;
      const answer = await send(wrong, address, {
        headers: { authorization: `Bearer ${vendor.token}` },
      });
      assert.equal(answer.status, 405, `${where}: ${answer.text}`);
      const allowed = (answer.headers.get('allow') ?? '').split(',').map((method) => method.trim());
      for (const method of documented) assert.ok(allowed.includes(method), `${where}: Allow names ${method}`);
      assertProblem(answer, new Set(['METHOD_NOT_ALLOWED']), where);
    }
  });
});
