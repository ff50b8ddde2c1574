import { type Actor, isAdmin } from './actor';

/**
 * Whose records a query may see: one owner's, or every owner's (an admin
 * acting). An explicit value rather than `ownerId: null`, so "any owner" is
 * never reached by forgetting an id.
 */
export type OwnerScope = { kind: 'owner'; ownerId: string } | { kind: 'all' };

export const ALL_OWNERS: OwnerScope = Object.freeze({ kind: 'all' });

export const ownedBy = (ownerId: string): OwnerScope => ({ kind: 'owner', ownerId });

/** An admin sees every owner's records; a manager only their own. */
export const ownerScopeOf = (actor: Actor): OwnerScope => (isAdmin(actor) ? ALL_OWNERS : ownedBy(actor.id));
