import { type Actor, isAdmin } from './actor';

/**
 * Whose records a query may see, built once from who is asking and passed
 * down explicitly: a manager sees their own, an admin sees everyone's, an API
 * key sees its owner's. Never encoded as `null`.
 */
export type OwnerScope = { readonly kind: 'owner'; readonly ownerId: string } | { readonly kind: 'all' };

export const ALL_OWNERS: OwnerScope = Object.freeze({ kind: 'all' });

export const ownedBy = (ownerId: string): OwnerScope => ({ kind: 'owner', ownerId });

export const ownerScopeOf = (actor: Actor): OwnerScope => (isAdmin(actor) ? ALL_OWNERS : ownedBy(actor.id));
