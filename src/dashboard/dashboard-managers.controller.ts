import { Body, Controller, Get, Post, Render, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '../common/domain-error';
import { ManagersService } from '../managers';
import { AdminOnlyGuard, DashboardAuthGuard } from './dashboard-auth.guard';
import { NewManagerForm, parseForm } from './forms';
import { DashboardExceptionFilter } from './dashboard-error';
import { Page, PageContext } from './page.decorator';
import './session.types';

@ApiExcludeController()
@Controller('dashboard/managers')
@UseGuards(DashboardAuthGuard, AdminOnlyGuard)
@UseFilters(DashboardExceptionFilter)
export class DashboardManagersController {
  constructor(private readonly managers: ManagersService) {}

  @Get()
  @Render('managers/index')
  async list(@Page() page: PageContext): Promise<object> {
    return { title: 'Managers', page, managers: await this.managers.list() };
  }

  @Post()
  async create(
    @Body() body: unknown,
    @Page() page: PageContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const form = parseForm(NewManagerForm, body);
    const errors = form.ok ? await this.tryCreate(form.value) : form.errors;
    if (errors.length > 0) {
      await reply.status(form.ok ? 409 : 400).view('managers/index', {
        title: 'Managers',
        page,
        managers: await this.managers.list(),
        errors,
        email: (body as { email?: unknown } | null)?.email,
      });
      return;
    }
    request.session.notice = `Manager ${form.ok ? form.value.email : ''} added. They can sign in now.`;
    await reply.status(303).redirect('/dashboard/managers');
  }

  private async tryCreate(form: NewManagerForm): Promise<string[]> {
    try {
      await this.managers.create(form.email, form.password, 'manager');
      return [];
    } catch (error) {
      if (isDomainError(error, 'ManagerEmailTaken')) return [error.message];
      throw error;
    }
  }
}
