/** What the audit module offers other modules: recording entries and reading them back. */
export { AuditModule } from './audit.module';
export { AuditService } from './audit.service';
export * from './audit-event.types';
export { Requester, requesterOf } from './requester.decorator';
