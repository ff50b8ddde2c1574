import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { randomBytes } from 'node:crypto';
import './session.types';

/** How many rendered forms a session remembers (older tokens are forgotten). */
const KEPT = 20;

/** What a one-time form post turned into. */
export type FormOnceOutcome<T> =
  | { kind: 'done'; result: T }
  /** The same form was posted before: what it made, never its secret. */
  | { kind: 'repeat'; keyId: string }
  /** A token this session never issued (or forgot): the page is out of date. */
  | { kind: 'stale' };

/**
 * Makes a form that creates a key idempotent: the rendered form carries a
 * one-time token kept in the session; the first post that succeeds records
 * the id of the key it made there, and any re-post of the same form (a
 * reload of the answer page, a double click) is answered with that id
 * instead of a second key. Only the id is kept, never the plaintext.
 *
 * The session is saved when the request ends, so a second post of one form
 * that loaded the session before the first saved it (a double click) would
 * see the token unused: the outcome is therefore also kept here, in memory,
 * for a minute, and such a post joins it.
 */
@Injectable()
export class FormOnce {
  private readonly recent = new LRUCache<string, Promise<string>>({ max: 10_000, ttl: 60_000 });

  /** A token for a form being rendered; `purpose` ties it to one kind of form. */
  issue(session: FastifyRequest['session'], purpose: string): string {
    const token = randomBytes(16).toString('base64url');
    const kept = Object.entries(session.formTokens ?? {})
      .sort(([, a], [, b]) => b.at - a.at)
      .slice(0, KEPT - 1);
    session.formTokens = { ...Object.fromEntries(kept), [token]: { purpose, at: Date.now() } };
    return token;
  }

  /**
   * Runs `create` once per token. A post without a token (a script, a form
   * rendered before tokens existed) is not deduplicated: `create` runs.
   */
  async run<T>(
    session: FastifyRequest['session'],
    token: unknown,
    purpose: string,
    create: () => Promise<{ keyId: string; result: T }>,
  ): Promise<FormOnceOutcome<T>> {
    if (token === undefined || token === '') return { kind: 'done', result: (await create()).result };
    const entry = typeof token === 'string' ? session.formTokens?.[token] : undefined;
    if (!entry || entry.purpose !== purpose) return { kind: 'stale' };
    if (entry.keyId) return { kind: 'repeat', keyId: entry.keyId };
    const slot = `${session.sessionId}:${token}`;
    const running = this.recent.get(slot);
    if (running) return { kind: 'repeat', keyId: await running };

    let settle!: (keyId: string) => void;
    let fail!: (error: unknown) => void;
    const promise = new Promise<string>((resolve, reject) => ((settle = resolve), (fail = reject)));
    promise.catch(() => undefined); // a failed first post leaves joiners to see the error themselves
    this.recent.set(slot, promise);
    try {
      const made = await create();
      session.formTokens = { ...session.formTokens, [token as string]: { ...entry, keyId: made.keyId } };
      settle(made.keyId);
      return { kind: 'done', result: made.result };
    } catch (error) {
      // A refused post leaves the form usable.
      this.recent.delete(slot);
      fail(error);
      throw error;
    }
  }
}
