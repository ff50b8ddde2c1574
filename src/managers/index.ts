/** What the managers module offers other modules: accounts, who is acting, and whose records they see. */
export { ManagersModule } from './managers.module';
export { ManagersService, type ManagerSummary } from './managers.service';
export { ManagerAccountsService } from './manager-accounts.service';
export { FirstAdminService } from './first-admin.service';
export { ManagerErrors } from './managers.errors';
export { type Actor, isAdmin } from './actor';
export type { ManagerRole } from './manager.entity';
export { ALL_OWNERS, ownedBy, type OwnerScope, ownerScopeOf } from './owner-scope';
export { Manager } from './manager.entity';
