import {
  BadRequestException,
  Inject,
  Body,
  Controller,
  Get,
  Param,
  Post,
  Render,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConfigType } from '@nestjs/config';
import { type AuditOrigin, Requester } from '../audit';
import { ApiKeysService } from '../api-keys';
import { isDomainError } from '../common/domain-error';
import { uuidPipe } from '../common/uuid.pipe';
import { appConfig } from '../config';
import { ManagerAccountsService, ManagersService } from '../managers';
import { actorOf } from './dashboard-api-keys.controller';
import { SessionRepository } from './session.repository';
import { AdminOnlyGuard, DashboardAuthGuard } from './dashboard-auth.guard';
import { NewManagerForm, parseForm, RoleForm } from './forms';
import { DashboardExceptionFilter } from './dashboard-error';
import { Page, PageContext } from './page.decorator';
import './session.types';

const managerId = uuidPipe(() => new BadRequestException('Not a valid manager id'));

@ApiExcludeController()
@Controller('dashboard/managers')
@UseGuards(DashboardAuthGuard, AdminOnlyGuard)
@UseFilters(DashboardExceptionFilter)
export class DashboardManagersController {
  constructor(
    private readonly managers: ManagersService,
    private readonly accounts: ManagerAccountsService,
    private readonly apiKeys: ApiKeysService,
    private readonly sessions: SessionRepository,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  @Get()
  @Render('managers/index')
  async list(@Page() page: PageContext): Promise<object> {
    return { title: 'Managers', page, managers: await this.managers.list() };
  }

  /** Their sessions end and their keys answer 401 at once, on every instance; enabling brings the keys back. */
  @Post(':id/disable')
  async disable(@Param('id', managerId) id: string, @Requester() origin: AuditOrigin, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.change(request, reply, async () => {
      const target = await this.accounts.setDisabled(actorOf(request), id, true, origin);
      await this.sessions.removeForManager(id);
      await this.apiKeys.forgetOwner(id);
      return `${target.email} is disabled: their sessions have ended and their keys answer 401 until they are enabled.`;
    });
  }

  @Post(':id/enable')
  async enable(@Param('id', managerId) id: string, @Requester() origin: AuditOrigin, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.change(request, reply, async () => {
      const target = await this.accounts.setDisabled(actorOf(request), id, false, origin);
      return `${target.email} is enabled: they can sign in, and their active keys work again.`;
    });
  }

  @Post(':id/role')
  async role(
    @Param('id', managerId) id: string,
    @Body() body: unknown,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.change(request, reply, async () => {
      const form = parseForm(RoleForm, body);
      if (!form.ok) throw new BadRequestException(form.errors.join('; '));
      const target = await this.accounts.setRole(actorOf(request), id, form.value.role, origin);
      return `${target.email} is now ${target.role === 'admin' ? 'an admin' : 'a manager'}.`;
    });
  }

  /** A page with the one-time link, shown once and never cached; only its hash is stored. */
  @Post(':id/reset')
  async reset(
    @Param('id', managerId) id: string,
    @Page() page: PageContext,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const issued = await this.accounts.issueReset(actorOf(request), id, origin);
    const base = this.app.publicUrl ?? page.origin;
    await reply
      .status(201)
      .header('Cache-Control', 'no-store')
      .view('managers/reset-link', {
        title: 'Password reset link',
        page,
        email: issued.email,
        link: `${base}/dashboard/reset?token=${issued.token}`,
        expiresAt: issued.expiresAt,
      });
  }

  /** Runs a change; a refusal (last admin, oneself) comes back as the notice on the list. */
  private async change(request: FastifyRequest, reply: FastifyReply, work: () => Promise<string>): Promise<void> {
    try {
      request.session.notice = await work();
    } catch (error) {
      if (!(isDomainError(error) && error.status === 409) && !(error instanceof BadRequestException)) throw error;
      request.session.notice = `Not changed: ${error.message}.`;
    }
    await reply.status(303).redirect('/dashboard/managers');
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
