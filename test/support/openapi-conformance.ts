import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * "The document must be true" (DESIGN.md §6): records every answer the app gives and checks the
 * ones under /api/v1 against the OpenAPI document the app serves at /api/docs-json.
 */

export interface RecordedResponse {
  method: string;
  /** Fastify's route pattern (`/api/v1/storage/files/:id`); undefined when no route matched. */
  route: string | undefined;
  /** The request URL, for messages. */
  url: string;
  statusCode: number;
  /** The Content-Type header without parameters, lower-cased; undefined when none was sent. */
  contentType: string | undefined;
  /** false for an empty answer (204, HEAD, no payload). */
  hasBody: boolean;
  /** The parsed body when the answer is JSON. */
  body?: unknown;
  /** Set when a JSON content type carried a body that does not parse. */
  invalidJson?: string;
  /**
   * The object the handler answered with, as JSON.stringify would have written it: checked too,
   * so the lenient schema serializer (common/openapi-serialization.ts) cannot hide a mistake.
   */
  handlerBody?: unknown;
  /** Whether Fastify had a serializer compiled from a response schema for this status. */
  serializedBySchema?: boolean;
}

/**
 * Records every response of `app` through Fastify's onSend hook. Fastify refuses new hooks once
 * it is ready, so call this after createApp() and before app.init().
 */
export function recordResponses(app: NestFastifyApplication): RecordedResponse[] {
  const recorded: RecordedResponse[] = [];
  const handlerBodies = new WeakMap<object, unknown>();
  const fastify = app.getHttpAdapter().getInstance();
  try {
    fastify.addHook('preSerialization', async (request, _reply, payload) => {
      handlerBodies.set(request, JSON.parse(JSON.stringify(payload)));
      return payload;
    });
    fastify.addHook('onSend', async (request, reply, payload) => {
      const response = describeResponse(request.method, request.routeOptions?.url, request.url, reply.statusCode, reply.getHeader('content-type'), payload);
      if (handlerBodies.has(request)) response.handlerBody = handlerBodies.get(request);
      response.serializedBySchema = typeof reply.getSerializationFunction(String(reply.statusCode)) === 'function';
      recorded.push(response);
      return payload;
    });
  } catch (error) {
    throw new Error(`recordResponses() must run before app.init(): ${(error as Error).message}`);
  }
  return recorded;
}

function describeResponse(
  method: string,
  route: string | undefined,
  url: string,
  statusCode: number,
  contentTypeHeader: unknown,
  payload: unknown,
): RecordedResponse {
  const contentType = typeof contentTypeHeader === 'string' ? contentTypeHeader.split(';')[0].trim().toLowerCase() : undefined;
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
  // A stream (file content) is a body we do not read.
  const hasBody = method !== 'HEAD' && (text !== undefined ? text.length > 0 : payload !== null && payload !== undefined);
  const response: RecordedResponse = { method, route, url, statusCode, contentType, hasBody };
  if (hasBody && text !== undefined && contentType && isJson(contentType)) {
    try {
      response.body = JSON.parse(text);
    } catch (error) {
      response.invalidJson = (error as Error).message;
    }
  }
  return response;
}

const isJson = (contentType: string): boolean => contentType === 'application/json' || contentType.endsWith('+json');

// ---------------------------------------------------------------------------------------------
// Checking

type SchemaObject = Record<string, unknown>;
interface MediaType {
  schema?: SchemaObject;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Operation {
  responses?: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, SchemaObject> };
}

export interface ConformanceReport {
  /** Responses under the prefix that were checked against an operation. */
  checked: number;
  /** Responses under the prefix that matched no route (Fastify's own 404): nothing to check against. */
  unrouted: number;
  violations: string[];
}

const COMPONENTS_ID = 'openapi-components';

/**
 * Checks each recorded response under `prefix` against `document`: the operation exists, the
 * status code and the content type are documented, and a JSON body validates against the schema.
 */
export function checkConformance(
  responses: readonly RecordedResponse[],
  document: OpenApiDocument,
  prefix = '/api/v1',
): ConformanceReport {
  const validators = new SchemaValidators(document);
  const report: ConformanceReport = { checked: 0, unrouted: 0, violations: [] };
  for (const response of responses) {
    const path = response.url.split('?')[0];
    if (!path.startsWith(prefix)) continue;
    if (response.route === undefined) {
      report.unrouted += 1;
      continue;
    }
    report.checked += 1;
    const problem = checkOne(response, document, validators);
    if (problem) report.violations.push(`${response.method} ${response.url} → ${response.statusCode}: ${problem}`);
  }
  return report;
}

/** Throws one error listing every violation; returns the report so callers can assert on `checked`. */
export function assertConformance(
  responses: readonly RecordedResponse[],
  document: OpenApiDocument,
  prefix = '/api/v1',
): ConformanceReport {
  const report = checkConformance(responses, document, prefix);
  if (report.violations.length > 0) {
    throw new Error(
      `${report.violations.length} answer(s) under ${prefix} do not match the OpenAPI document:\n  ${report.violations.join('\n  ')}`,
    );
  }
  return report;
}

function checkOne(response: RecordedResponse, document: OpenApiDocument, validators: SchemaValidators): string | null {
  const path = toOpenApiPath(response.route!);
  // Fastify answers HEAD from the GET route, which OpenAPI documents under get; a route
  // declared as HEAD itself (tus) is documented, and checked, under head.
  const declaredHead = response.method === 'HEAD' && document.paths[path]?.head !== undefined;
  const method = response.method === 'HEAD' && !declaredHead ? 'get' : response.method.toLowerCase();
  const operation = document.paths[path]?.[method];
  if (!operation) return `no operation ${method.toUpperCase()} ${path} in the document`;

  const responses = operation.responses ?? {};
  const status = String(response.statusCode);
  const key = status in responses ? status : `${status[0]}XX` in responses ? `${status[0]}XX` : 'default' in responses ? 'default' : null;
  if (!key) return `status ${status} is not documented for ${method.toUpperCase()} ${path} (documented: ${Object.keys(responses).join(', ')})`;

  const content = responses[key].content ?? {};
  const mediaTypes = Object.keys(content);
  if (!response.hasBody) return null;
  if (mediaTypes.length === 0) return `a body (${response.contentType ?? 'no content type'}) where ${key} documents none`;
  const mediaType = response.contentType ? matchMediaType(response.contentType, mediaTypes) : undefined;
  if (!mediaType) {
    return `content type ${response.contentType ?? '(none)'} is not documented for ${key} (documented: ${mediaTypes.join(', ')})`;
  }
  if (response.invalidJson) return `the ${response.contentType} body is not JSON: ${response.invalidJson}`;
  const schema = content[mediaType].schema;
  if (!schema || !isJson(mediaType)) return null;
  if (response.statusCode < 300 && response.serializedBySchema === false) {
    return `written by JSON.stringify, not by the serializer compiled from the documented ${key} schema`;
  }
  const validate = validators.get(`${path} ${method} ${key} ${mediaType}`, schema);
  for (const [what, body] of [['body', response.body], ['handler\'s answer', response.handlerBody]] as const) {
    if (what !== 'body' && body === undefined) continue;
    if (validate(body)) continue;
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}`).join('; ');
    return `${what} does not match the ${key} schema: ${errors}; ${what}: ${JSON.stringify(body).slice(0, 300)}`;
  }
  return null;
}

const toOpenApiPath = (route: string): string => route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function matchMediaType(actual: string, documented: string[]): string | undefined {
  return (
    documented.find((m) => m.toLowerCase() === actual) ??
    documented.find((m) => m.endsWith('/*') && actual.startsWith(m.slice(0, -1).toLowerCase())) ??
    documented.find((m) => m === '*/*')
  );
}

/** Ajv validators for OpenAPI 3.0 schemas, compiled once per response. */
class SchemaValidators {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    addFormats(this.ajv);
    const schemas = Object.fromEntries(
      Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => [name, toJsonSchema(schema, '')]),
    );
    // Component schemas refer to each other as `#/components/schemas/X`: keep them in a
    // document-shaped root so those pointers resolve.
    this.ajv.addSchema({ $id: COMPONENTS_ID, components: { schemas } });
  }

  get(key: string, schema: SchemaObject): ValidateFunction {
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema, COMPONENTS_ID) as SchemaObject);
      this.cache.set(key, validate);
    }
    return validate;
  }
}

/**
 * OpenAPI 3.0 schema → JSON Schema for Ajv: `nullable: true` becomes a `null` type (or an anyOf
 * with null around a $ref or composition), and local `#/…` refs point at `refBase`.
 */
export function toJsonSchema(schema: unknown, refBase: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, refBase));
  if (!schema || typeof schema !== 'object') return schema;
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(schema as SchemaObject)) {
    if (key === 'nullable' || key === 'example' || key === 'examples') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) out.$ref = `${refBase}${value}`;
    else if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value as SchemaObject).map(([k, v]) => [k, toJsonSchema(v, refBase)]));
    } else if (['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'].includes(key)) {
      out[key] = toJsonSchema(value, refBase);
    } else out[key] = value;
  }
  if ((schema as SchemaObject).nullable !== true) return out;
  if (typeof out.type === 'string' && out.$ref === undefined) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}
