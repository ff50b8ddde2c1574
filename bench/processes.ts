import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../src/common/free-port';

const ROOT = join(__dirname, '..');
const SWC = join(ROOT, 'test', 'support', 'swc-register.cjs');

/** The reader of a process's stdout, in a process of its own (bench/log-sink.js). */
export class LogSink {
  private next = 0;
  private readonly waiting = new Map<number, (value: unknown) => void>();
  readonly child: ChildProcess;

  constructor() {
    this.child = fork(join(__dirname, 'log-sink.js'), [], { stdio: ['pipe', 'ignore', 'inherit', 'ipc'] });
    this.child.on('message', (msg: { type: string; id?: number; match?: string; lines?: number; bytes?: number }) => {
      const resolve = msg.id === undefined ? undefined : this.waiting.get(msg.id);
      if (!resolve) return;
      this.waiting.delete(msg.id!);
      resolve(msg.type === 'match' ? msg.match : { lines: msg.lines, bytes: msg.bytes });
    });
  }

  /** The write end the observed process gets as its stdout. */
  get input(): NodeJS.WritableStream {
    return this.child.stdin!;
  }

  /** Resolves with the first capture group of the first line matching `pattern`. */
  waitFor(pattern: RegExp): Promise<string> {
    const id = this.next++;
    const found = new Promise<string>((resolve) => this.waiting.set(id, resolve as (v: unknown) => void));
    this.child.send({ type: 'watch', id, pattern: pattern.source });
    return found;
  }

  /** Lines and bytes read so far. */
  count(): Promise<{ lines: number; bytes: number }> {
    const id = this.next++;
    const counted = new Promise<{ lines: number; bytes: number }>((resolve) => this.waiting.set(id, resolve as (v: unknown) => void));
    this.child.send({ type: 'count', id });
    return counted;
  }

  stop(): void {
    this.child.kill();
  }
}

export interface BenchProcess {
  url: string;
  child: ChildProcess;
  sink: LogSink;
  /** What the process wrote to stderr. */
  stderr: () => string;
  exited: Promise<unknown>;
}

/**
 * Runs a TypeScript entry point (compiled on the fly by swc, as `npm start`
 * does) with its stdout on a pipe that a separate process reads, and waits
 * until `ready` answers 2xx.
 */
export async function spawnTs(
  entry: string,
  args: string[],
  env: Record<string, string | undefined>,
  options: { readyPath: string; timeoutMs?: number; port?: number; watch?: RegExp },
): Promise<BenchProcess & { watched: Promise<string> | null }> {
  const port = options.port ?? (await freePort());
  const sink = new LogSink();
  const watched = options.watch ? sink.waitFor(options.watch) : null;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  delete childEnv.DATABASE_URL;
  delete childEnv.EDS_LOG_LEVEL; // the shipped default, unless a caller sets one
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn(process.execPath, ['-r', SWC, entry, ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', sink.input as unknown as 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 120_000;
  while (!(await fetch(`${url}${options.readyPath}`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${entry} exited before listening:\n${stderr}`);
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${entry} did not listen within ${timeoutMs} ms:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, child, sink, stderr: () => stderr, exited, watched };
}

/** The app exactly as `npm start` runs it. */
export function spawnEds(env: Record<string, string | undefined>, timeoutMs = 120_000) {
  return spawnTs(join(ROOT, 'src', 'main.ts'), [], env, {
    readyPath: '/health/live',
    timeoutMs,
  });
}

/** User + system CPU time of a process, in µs (Linux /proc). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 (1-based), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** CPU µs of every child of `parentPid` (PostgreSQL's backends and workers), summed. */
export function childrenCpuMicros(parentPid: number): number {
  let total = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parentPid) total += (Number(fields[11]) + Number(fields[12])) * 10_000;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}
