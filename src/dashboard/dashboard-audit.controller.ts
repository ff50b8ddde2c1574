import { BadRequestException, Controller, Get, Query, Render, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AuditService } from '../audit';
import { AdminOnlyGuard, DashboardAuthGuard } from './dashboard-auth.guard';
import { auditRow } from './key-views';
import { DashboardExceptionFilter } from './dashboard-error';
import { Page, PageContext } from './page.decorator';

/** The whole audit trail, newest first, for admins. Each key's own entries are on its page. */
@ApiExcludeController()
@Controller('dashboard/audit')
@UseGuards(DashboardAuthGuard, AdminOnlyGuard)
@UseFilters(DashboardExceptionFilter)
export class DashboardAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Render('audit/index')
  async list(@Page() page: PageContext, @Query('before') before: unknown): Promise<object> {
    if (before !== undefined && (typeof before !== 'string' || !/^[1-9]\d{0,18}$/.test(before))) {
      throw new BadRequestException('before must be an entry id');
    }
    const result = await this.audit.page(before ?? null);
    return { title: 'Audit trail', page, entries: result.entries.map(auditRow), nextBefore: result.nextBefore };
  }
}
