import { Body, Controller, Get, Post, Query, Render, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuditOrigin, Requester } from '../audit';
import { isDomainError } from '../common/domain-error';
import { ManagerAccountsService } from '../managers';
import { actorOf } from './dashboard-api-keys.controller';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { DashboardExceptionFilter } from './dashboard-error';
import { ChangePasswordForm, parseForm, ResetPasswordForm } from './forms';
import { Page, PageContext } from './page.decorator';
import { SessionRepository } from './session.repository';
import './session.types';

const RESET_LINK_INVALID = 'This reset link has been used or has expired. Ask an admin for a new one.';

/** One's own password (DESIGN.md §5a), and the one-time reset link an admin hands out. */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardAccountController {
  constructor(
    private readonly accounts: ManagerAccountsService,
    private readonly sessions: SessionRepository,
  ) {}

  @Get('account/password')
  @UseGuards(DashboardAuthGuard)
  @UseFilters(DashboardExceptionFilter)
  @Render('account/password')
  passwordPage(@Page() page: PageContext): object {
    return { title: 'Change your password', page };
  }

  @Post('account/password')
  @UseGuards(DashboardAuthGuard)
  @UseFilters(DashboardExceptionFilter)
  async changePassword(
    @Body() body: unknown,
    @Page() page: PageContext,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const form = parseForm(ChangePasswordForm, body);
    let errors = form.ok ? [] : form.errors;
    if (form.ok) {
      try {
        await this.accounts.changeOwnPassword(actorOf(request), form.value.currentPassword, form.value.newPassword, origin);
      } catch (error) {
        if (!isDomainError(error, 'WrongCurrentPassword')) throw error;
        errors = [error.message];
      }
    }
    if (errors.length > 0) {
      await reply.status(400).view('account/password', { title: 'Change your password', page, errors });
      return;
    }
    // Anyone else signed in as this manager (another browser, a stolen cookie) is out.
    await this.sessions.removeForManager(actorOf(request).id, request.session.sessionId);
    request.session.notice = 'Your password is changed. Your other sessions have ended.';
    await reply.status(303).redirect('/dashboard/api-keys');
  }

  @Get('reset')
  async resetPage(@Query('token') token: unknown, @Page() page: PageContext, @Res() reply: FastifyReply): Promise<void> {
    const target = await this.accounts.resetTarget(token);
    if (!target) {
      await reply.status(404).view('error', { title: 'Reset link not valid', error: { statusCode: 404, error: 'Not Found', message: RESET_LINK_INVALID } });
      return;
    }
    await reply.view('account/reset', { title: 'Set a new password', page, token, email: target.email });
  }

  @Post('reset')
  async reset(@Body() body: unknown, @Requester() origin: AuditOrigin, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const form = parseForm(ResetPasswordForm, body);
    const token = (body as { token?: unknown } | null)?.token;
    const target = await this.accounts.resetTarget(token);
    if (!target) {
      await reply.status(404).view('error', { title: 'Reset link not valid', error: { statusCode: 404, error: 'Not Found', message: RESET_LINK_INVALID } });
      return;
    }
    if (!form.ok) {
      await reply.status(400).view('account/reset', {
        title: 'Set a new password',
        page: { actor: null, csrfToken: reply.generateCsrf(), notice: null },
        token,
        email: target.email,
        errors: form.errors,
      });
      return;
    }
    const done = await this.accounts.resetPassword(form.value.token, form.value.newPassword, origin);
    if (!done) {
      await reply.status(404).view('error', { title: 'Reset link not valid', error: { statusCode: 404, error: 'Not Found', message: RESET_LINK_INVALID } });
      return;
    }
    await this.sessions.removeForManager(done.id);
    request.session.notice = 'Your password is set. Sign in with it.';
    await reply.status(303).redirect('/dashboard/login');
  }
}
