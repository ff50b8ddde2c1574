import { ValidationPipe, type PipeTransform, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/internal';
import request from 'supertest';
import { adminActor, createApiKey } from './support/factories';
import { controllerMethods } from './support/routes';
import { startTestApp, type TestApp } from './support/test-app';

interface RouteArg {
  index: number;
  data?: unknown;
  pipes: Array<PipeTransform | Type<PipeTransform>>;
}

/** Every parameter of every route handler: what it reads, its declared type and its pipes. */
function routeParameters(t: TestApp): Array<{ route: string; kind: number; type: unknown; pipes: RouteArg['pipes'] }> {
  const found: Array<{ route: string; kind: number; type: unknown; pipes: RouteArg['pipes'] }> = [];
  for (const { controller, name } of controllerMethods(t.app)) {
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) as Record<string, RouteArg> | undefined;
    const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, name) as unknown[] | undefined) ?? [];
    for (const [key, arg] of Object.entries(args ?? {})) {
      found.push({ route: `${controller.name}.${name}`, kind: Number(key.split(':')[0]), type: types[arg.index], pipes: arg.pipes });
    }
  }
  return found;
}

const PLAIN = new Set<unknown>([Object, String, Number, Boolean, Array, undefined]);

describe('Request validation (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('validates every body, query and path DTO a route declares (no global pipe stands behind a forgotten one)', () => {
    const validated = new Set<number>([RouteParamtypes.BODY, RouteParamtypes.QUERY, RouteParamtypes.PARAM]);
    const dtos = routeParameters(t).filter((p) => validated.has(p.kind) && !PLAIN.has(p.type));
    // The two DTOs the API takes today; a new one must show up here too.
    expect(dtos.map((p) => `${p.route} ${(p.type as Type<unknown>).name}`).sort()).toEqual(
      expect.arrayContaining(['StorageController.createUpload CreateUploadDto', 'StorageController.listFiles ListFilesQueryDto']),
    );
    const unvalidated = dtos.filter((p) => !p.pipes.some((pipe) => pipe instanceof ValidationPipe || pipe === ValidationPipe));
    expect(unvalidated.map((p) => p.route)).toEqual([]);
  });

  it('refuses an unknown body property and an unknown query parameter, naming them', async () => {
    const { key } = await createApiKey(t, await adminActor(t));
    const body = await request(t.http)
      .post('/api/v1/storage/upload')
      .set('x-api-key', key)
      .send({ filename: 'a.txt', mimeType: 'text/plain', size: 1, colour: 'blue' })
      .expect(400);
    expect(body.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'property colour is not allowed' });
    const query = await request(t.http).get('/api/v1/storage/files?limit=5&offset=10').set('x-api-key', key).expect(400);
    expect(query.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'property offset is not allowed' });
    const limit = await request(t.http).get('/api/v1/storage/files?limit=0').set('x-api-key', key).expect(400);
    expect(limit.body.message).toMatch(/limit/);
  });
});
