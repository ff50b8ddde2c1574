import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { assertConformance, recordResponses, type OpenApiDocument, type RecordedResponse } from './openapi-conformance';
import { createTestDatabase, dropTestDatabase } from './test-database';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'admin-password-123';

/** Collects the app's JSON log lines, so tests can assert on (the absence of) secrets. */
export class RecordingLogger {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line.trimEnd());
  }
  text(): string {
    return this.lines.join('\n');
  }
  /** The parsed lines whose `msg` contains `fragment`. */
  messages(fragment: string): Array<Record<string, unknown>> {
    return this.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => typeof l.msg === 'string' && l.msg.includes(fragment));
  }
}

/**
 * nestjs-pino keeps one pino-http instance per process (the first app's
 * destination wins), so every app a spec starts logs into this one recorder.
 */
const processLog = new RecordingLogger();

export interface TestApp {
  app: NestFastifyApplication;
  http: Server;
  logger: RecordingLogger;
  databaseUrl: string;
  dataDir: string;
  /** Runs SQL on the app's database through the app's own pool. */
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  /** Closes the app (graceful: flushes) but keeps its database for inspection. */
  close(): Promise<void>;
  /** Closes the app and drops its database and data dir. */
  destroy(): Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment for this app; `undefined` unsets a variable. */
  env?: Record<string, string | undefined>;
  /** Use this database instead of a fresh clone of the migrated template. */
  databaseUrl?: string;
  /** false: start on an empty database so the app must run the migrations itself. */
  migrated?: boolean;
  dataDir?: string;
}

/** Boots the real AppModule in-process, configured exactly as main.ts does. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase(options.migrated ?? true));
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'eds-test-data-')));
  const env: Record<string, string | undefined> = {
    DATABASE_URL: databaseUrl,
    EDS_DATA_DIR: dataDir,
    EDS_ADMIN_EMAIL: ADMIN_EMAIL,
    EDS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    EDS_PUBLIC_URL: undefined,
    EDS_SESSION_SECRET: undefined,
    // Specs send many wrong keys from one address on purpose; the throttling spec sets its own.
    EDS_API_KEY_FAILURES_PER_MINUTE: '100',
    ...options.env,
  };
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const logger = processLog;
  let app: NestFastifyApplication;
  let responses: RecordedResponse[] = [];
  let conformance: Error | undefined;
  try {
    app = await createApp({ logDestination: logger });
    // Every answer under /api/v1 is checked against the served OpenAPI document at close().
    responses = recordResponses(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      const served = await app.inject({ method: 'GET', url: '/api/docs-json' });
      assertConformance(responses, served.json<OpenApiDocument>());
    } catch (error) {
      conformance = error as Error;
    }
    await app.close();
  };
  return {
    app,
    http: app.getHttpServer(),
    logger,
    databaseUrl,
    dataDir,
    sql: async <T>(query: string, params: unknown[] = []) => {
      if (closed) {
        const ds = new DataSource({ type: 'postgres', url: databaseUrl });
        await ds.initialize();
        try {
          return (await ds.query(query, params)) as T[];
        } finally {
          await ds.destroy();
        }
      }
      return (await app.get(DataSource).query(query, params)) as T[];
    },
    close: async () => {
      await close();
      if (conformance) throw conformance;
    },
    destroy: async () => {
      await close();
      if (!options.databaseUrl) await dropTestDatabase(databaseUrl);
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
      // Last, after the cleanup: an answer the OpenAPI document does not describe.
      if (conformance) throw conformance;
    },
  };
}
