import '@fastify/session';
import '@fastify/view';
import type { Actor } from '../managers';

declare module 'fastify' {
  interface Session {
    managerId?: string;
    /** Epoch ms of sign-in, for the absolute session lifetime. */
    signedInAt?: number;
    /** One-shot notice for the next page ("Key … deactivated"). */
    notice?: string;
    /** One-time tokens of rendered key forms, and the key each made (FormOnce). */
    formTokens?: Record<string, { purpose: string; at: number; keyId?: string }>;
  }

  interface FastifyRequest {
    actor?: Actor;
  }
}
