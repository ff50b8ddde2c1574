import { S3Client } from '@aws-sdk/client-s3';
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort } from '../../src/common/free-port';

export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * `moto_server` (pip package `moto[server]`), an in-process S3 for the S3
 * driver tests: MOTO_SERVER names it, otherwise it is looked up on PATH.
 * Null when it is not installed; the S3 suites then say so and skip.
 */
export function findMotoServer(): string | null {
  const candidates = process.env.MOTO_SERVER
    ? [process.env.MOTO_SERVER]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'moto_server'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export const MOTO_MISSING =
  'moto_server not found (install the pip package "moto[server]" or set MOTO_SERVER): S3 driver tests skipped';

/** Starts moto_server on a free loopback port and waits until it answers. */
export async function startMoto(bin: string): Promise<MotoServer> {
  const port = await freePort();
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error(`moto_server did not answer on ${endpoint} within 30 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { endpoint, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}


/** The app's environment for the S3 driver on `server` (moto takes any credentials). */
export function s3DriverEnv(server: MotoServer, bucket: string): Record<string, string> {
  return {
    EDS_STORAGE_DRIVER: 's3',
    S3_BUCKET: bucket,
    S3_ENDPOINT: server.endpoint,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: 'test',
    S3_SECRET_ACCESS_KEY: 'test',
    S3_FORCE_PATH_STYLE: 'true',
  };
}

/** An S3 client of `server`, for a test to look into the bucket as the app would. */
export function s3ClientOf(server: MotoServer): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}
