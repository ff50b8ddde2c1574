import { DomainError } from '../common/domain-error';

/** Every way the manager rules refuse a request (see common/domain-error.ts). */
export const ManagerErrors = {
  emailTaken: () => new DomainError('ManagerEmailTaken', 409, 'A manager with that email already exists'),
  managerNotFound: () => new DomainError('ManagerNotFound', 404, 'Manager not found'),
  wrongCurrentPassword: () => new DomainError('WrongCurrentPassword', 400, 'The current password is not right'),
  cannotDisableSelf: () => new DomainError('CannotDisableSelf', 409, 'You cannot disable your own account'),
  lastAdmin: () => new DomainError('LastAdmin', 409, 'This is the last active admin: make another manager admin first'),
} as const;
