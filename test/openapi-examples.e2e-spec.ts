import Ajv, { type SchemaObject } from 'ajv';
import addFormats from 'ajv-formats';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { toJsonSchema } from './support/openapi-conformance';
import { startTestApp, type TestApp } from './support/test-app';

type Json = Record<string, unknown>;
interface Example {
  where: string;
  schema: unknown;
  value: unknown;
}

const COMPONENTS = 'openapi-components';

/** Every example in the document, with the schema it must satisfy. */
function examplesIn(doc: Json): Example[] {
  const found: Example[] = [];
  const media = (where: string, content: Json | undefined) => {
    for (const [type, m] of Object.entries(content ?? {}) as Array<[string, Json]>) {
      if ('example' in m) found.push({ where: `${where} ${type}`, schema: m.schema, value: m.example });
      for (const [name, e] of Object.entries((m.examples ?? {}) as Record<string, Json>)) {
        found.push({ where: `${where} ${type} "${name}"`, schema: m.schema, value: e.value });
      }
    }
  };
  const schemaExamples = (where: string, schema: unknown): void => {
    if (!schema || typeof schema !== 'object') return;
    const s = schema as Json;
    if ('example' in s) found.push({ where: `${where} (schema example)`, schema: s, value: s.example });
    for (const [k, v] of Object.entries((s.properties ?? {}) as Json)) schemaExamples(`${where}.${k}`, v);
    for (const key of ['items', 'additionalProperties']) schemaExamples(`${where}[${key}]`, s[key]);
    for (const key of ['allOf', 'anyOf', 'oneOf']) ((s[key] as unknown[]) ?? []).forEach((x, i) => schemaExamples(`${where}.${key}[${i}]`, x));
  };
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(item)) {
      const at = `${method.toUpperCase()} ${path}`;
      media(`${at} request`, (op.requestBody as Json | undefined)?.content as Json);
      for (const [status, r] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
        media(`${at} ${status}`, r.content as Json);
        for (const [name, h] of Object.entries((r.headers ?? {}) as Record<string, Json>)) {
          schemaExamples(`${at} ${status} header ${name}`, h.schema);
        }
      }
      for (const p of (op.parameters ?? []) as Json[]) schemaExamples(`${at} parameter ${String(p.name)}`, p.schema);
    }
  }
  for (const [name, schema] of Object.entries(((doc.components as Json)?.schemas ?? {}) as Json)) schemaExamples(name, schema);
  return found;
}

describe('OpenAPI examples (e2e)', () => {
  let t: TestApp;
  let doc: Json;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await request(t.http).get('/api/docs-json').expect(200)).body as Json;
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('every example in the served document validates against its schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(ajv);
    const schemas = Object.fromEntries(
      Object.entries(((doc.components as Json).schemas ?? {}) as Json).map(([n, s]) => [n, toJsonSchema(s, '')]),
    );
    ajv.addSchema({ $id: COMPONENTS, components: { schemas } });
    const examples = examplesIn(doc);
    expect(examples.length).toBeGreaterThan(40);
    const wrong = examples.flatMap(({ where, schema, value }) => {
      if (!schema) return [`${where}: an example without a schema`];
      const validate = ajv.compile(toJsonSchema(schema, COMPONENTS) as SchemaObject);
      return validate(value) ? [] : [`${where}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(value)}`];
    });
    expect(wrong).toEqual([]);
  });

  it('every documented error answer has its own example, and its statusCode is its status', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      if (!path.startsWith('/api/v1')) continue;
      for (const [method, op] of Object.entries(item)) {
        for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
          if (Number(status) < 400) continue;
          const m = ((r.content as Json)?.['application/json'] ?? {}) as Json;
          const values = 'example' in m ? [m.example] : Object.values((m.examples ?? {}) as Record<string, Json>).map((e) => e.value);
          if (values.length === 0) problems.push(`${method.toUpperCase()} ${path} ${status}: no example`);
          for (const v of values as Json[]) {
            if (v.statusCode !== Number(status)) problems.push(`${method.toUpperCase()} ${path} ${status}: example says ${String(v.statusCode)}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the upload example can complete: its sha256 is that of its size bytes, which the PUT example sends; PUT 200 says ready', () => {
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const create = paths['/api/v1/storage/upload'].post;
    const createMedia = ((create.requestBody as Json).content as Json)['application/json'] as Json;
    const upload = Object.values(createMedia.examples as Record<string, Json>)[0].value as { size: number; sha256: string };
    const put = paths['/api/v1/storage/files/{id}/content'].put;
    const putMedia = ((put.requestBody as Json).content as Json)['application/octet-stream'] as Json;
    const content = Buffer.from((putMedia.schema as Json).example as string);
    expect(content.length).toBe(upload.size);
    expect(createHash('sha256').update(content).digest('hex')).toBe(upload.sha256);
    // The property examples, which Swagger UI would prefill from, pair the same way.
    const props = ((doc.components as Json).schemas as Record<string, Json>).CreateUploadDto.properties as Record<string, Json>;
    expect(props.size.example).toBe(upload.size);
    expect(props.sha256.example).toBe(upload.sha256);

    const ok = (((put.responses as Json)['200'] as Json).content as Json)['application/json'] as Json;
    expect(ok.example).toMatchObject({ status: 'ready', size: upload.size, sha256: upload.sha256 });
  });
});
