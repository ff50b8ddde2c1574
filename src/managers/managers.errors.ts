import { DomainError } from '../common/domain-error';

/** Every way the manager rules refuse a request (see common/domain-error.ts). */
export const ManagerErrors = {
  emailTaken: () => new DomainError('ManagerEmailTaken', 409, 'A manager with that email already exists'),
} as const;
