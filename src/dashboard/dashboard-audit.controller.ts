import { BadRequestException, Controller, Get, Query, Render, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { type AuditFilter, AuditService } from '../audit';
import { ManagersService } from '../managers';
import { AdminOnlyGuard, DashboardAuthGuard } from './dashboard-auth.guard';
import { DashboardExceptionFilter } from './dashboard-error';
import { ACTION_LABELS, auditRow } from './key-views';
import { Page, PageContext } from './page.decorator';

/**
 * The whole audit trail, newest first, for admins, narrowed by key, manager
 * (as actor, subject or key owner) and action. Each key's own entries are
 * also on its page.
 */
@ApiExcludeController()
@Controller('dashboard/audit')
@UseGuards(DashboardAuthGuard, AdminOnlyGuard)
@UseFilters(DashboardExceptionFilter)
export class DashboardAuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly managers: ManagersService,
  ) {}

  @Get()
  @Render('audit/index')
  async list(
    @Page() page: PageContext,
    @Query('before') before: unknown,
    @Query('key') key: unknown,
    @Query('manager') manager: unknown,
    @Query('action') action: unknown,
  ): Promise<object> {
    if (before !== undefined && (typeof before !== 'string' || !/^[1-9]\d{0,18}$/.test(before))) {
      throw new BadRequestException('before must be an entry id');
    }
    const filter: AuditFilter = {
      keyId: idOrNothing(key, 'key'),
      managerId: idOrNothing(manager, 'manager'),
      action: action === undefined || action === '' ? undefined : knownAction(action),
    };
    const result = await this.audit.page(before ?? null, undefined, filter);
    const query = new URLSearchParams(
      Object.entries({ key: filter.keyId, manager: filter.managerId, action: filter.action }).filter(([, v]) => v) as Array<[string, string]>,
    );
    return {
      title: 'Audit trail',
      page,
      entries: result.entries.map((e) => ({ ...auditRow(e), keyLink: e.subjectType === 'api_key' ? `/dashboard/api-keys/${e.subjectId}` : null })),
      nextBefore: result.nextBefore,
      filterQuery: query.toString(),
      filtered: query.toString() !== '',
      key: filter.keyId,
      managers: (await this.managers.list()).map((m) => ({ id: m.id, email: m.email, selected: m.id === filter.managerId })),
      actions: Object.entries(ACTION_LABELS).map(([value, label]) => ({ value, label, selected: value === filter.action })),
    };
  }
}

function idOrNothing(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isUUID(value)) throw new BadRequestException(`Not a valid ${name} id`);
  return value;
}

function knownAction(value: unknown): string {
  if (typeof value !== 'string' || !(value in ACTION_LABELS)) throw new BadRequestException('Not a known action');
  return value;
}
