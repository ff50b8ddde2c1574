import type { ManagerRole } from './manager.entity';

/** A signed-in manager acting in the dashboard. */
export interface Actor {
  id: string;
  email: string;
  role: ManagerRole;
}

export const isAdmin = (actor: Actor): boolean => actor.role === 'admin';
