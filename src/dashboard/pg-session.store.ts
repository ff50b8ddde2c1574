import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import { SessionRepository } from './session.repository';

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, session?: Session | null) => void;

/**
 * @fastify/session store backed by Postgres, so every instance behind a load
 * balancer sees every session. Sessions carry only ids and the CSRF secret,
 * never an API key.
 */
@Injectable()
export class PgSessionStore implements SessionStore {
  private readonly logger = new Logger(PgSessionStore.name);

  constructor(private readonly sessions: SessionRepository) {}

  /** Expired sessions are refused when read; this only keeps the table small. */
  @Interval('expired-session-sweep', 15 * 60_000)
  protected removeExpiredSessions(): void {
    this.sessions.removeExpired().catch((e: Error) => this.logger.warn(`Session sweep failed: ${e.message}`));
  }

  get(sessionId: string, callback: GetCallback): void {
    this.sessions.findLive(sessionId).then(
      (data) => callback(null, data as Session | null),
      (err: unknown) => callback(err),
    );
  }

  set(sessionId: string, session: unknown, callback: Callback): void {
    const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
    const cookie = data.cookie as { expires?: string | null } | undefined;
    const expiresAt = cookie?.expires ? new Date(cookie.expires) : new Date(Date.now() + 24 * 3600_000);
    this.sessions.upsert(sessionId, data, expiresAt).then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  destroy(sessionId: string, callback: Callback): void {
    this.sessions.remove(sessionId).then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }
}
