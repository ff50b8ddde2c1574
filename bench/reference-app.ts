/**
 * What the stack itself allows: a minimal NestJS 12 app on Fastify, one
 * controller answering the same JSON as GET /api/v1/me, behind a Passport
 * `HeaderAPIKeyStrategy` (passport-headerapikey under @nestjs/passport) that
 * looks the key up in a Map. No hooks, no plugins, no logging of requests.
 * The bench passes the key it will send in EDS_BENCH_KEY.
 */
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';

interface Principal {
  keyId: string;
  name: string;
  owner: { id: string; email: string };
  createdAt: string;
  scopes: string[];
  expiresAt: null;
}

const KEYS = new Map<string, Principal>([
  [
    process.env.EDS_BENCH_KEY ?? 'reference-key',
    { keyId: '00000000-0000-4000-8000-000000000000', name: 'bench', owner: { id: '00000000-0000-4000-8000-000000000001', email: 'bench@example.com' }, createdAt: new Date(0).toISOString(), scopes: ['files:read', 'files:write', 'files:delete'], expiresAt: null },
  ],
]);

@Injectable()
class MapKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, 'map-key') {
  constructor() {
    super({ header: 'x-api-key', prefix: '' }, false);
  }
  validate(key: string): Principal | null {
    return KEYS.get(key) ?? null;
  }
}

@Controller()
class MeController {
  @Get('me')
  @UseGuards(AuthGuard('map-key'))
  me(@Req() req: { user: Principal }): Principal {
    return req.user;
  }

  @Get('ready')
  ready(): string {
    return 'ok';
  }
}

@Module({ imports: [PassportModule], controllers: [MeController], providers: [MapKeyStrategy] })
class ReferenceModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(ReferenceModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
