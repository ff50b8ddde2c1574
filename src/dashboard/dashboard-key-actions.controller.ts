import { Body, Controller, Get, Param, Post, Render, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuditOrigin, Requester } from '../audit';
import { ApiKeysService, KeyHygieneService } from '../api-keys';
import { UUID_PIPE } from '../common/uuid.pipe';
import { actorOf } from './dashboard-api-keys.controller';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { RollKeyForm, parseForm } from './forms';
import { graceChoices, keyRow } from './key-views';
import { DashboardExceptionFilter } from './dashboard-error';
import { Page, PageContext } from './page.decorator';
import './session.types';

/**
 * What can happen to a key after it is made: deactivate, roll, delete. Each
 * has a page first (the confirmation, or the roll's grace choice) whose form
 * posts to the same URL with `_csrf`.
 */
@ApiExcludeController()
@Controller('dashboard/api-keys/:id')
@UseGuards(DashboardAuthGuard)
@UseFilters(DashboardExceptionFilter)
export class DashboardKeyActionsController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly hygiene: KeyHygieneService,
  ) {}

  @Get('deactivate')
  @Render('api-keys/confirm-deactivate')
  confirmDeactivate(@Param('id', UUID_PIPE) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    return this.confirmView('Deactivate', id, page, request);
  }

  @Post('deactivate')
  async deactivate(
    @Param('id', UUID_PIPE) id: string,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const key = await this.apiKeys.deactivate(actorOf(request), id, origin);
    request.session.notice = `Key “${key.name}” (${key.maskedKey}) is deactivated. Requests with it now get 401.`;
    await reply.status(303).redirect('/dashboard/api-keys');
  }

  /** The roll form: how long the old key keeps working next to its replacement. */
  @Get('roll')
  @Render('api-keys/confirm-roll')
  confirmRoll(@Param('id', UUID_PIPE) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    return this.confirmView('Roll', id, page, request, { graceChoices: graceChoices() });
  }

  @Post('roll')
  async roll(
    @Param('id', UUID_PIPE) id: string,
    @Body() body: unknown,
    @Page() page: PageContext,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const form = parseForm(RollKeyForm, body);
    if (!form.ok) {
      const view = await this.confirmView('Roll', id, page, request, { graceChoices: graceChoices(), errors: form.errors });
      await reply.status(400).view('api-keys/confirm-roll', view);
      return;
    }
    const created = await this.apiKeys.roll(actorOf(request), id, form.value.grace, origin);
    // Like a new key: the replacement's plaintext is shown once, never cached.
    await reply
      .status(201)
      .header('Cache-Control', 'no-store')
      .view('api-keys/created', { title: 'Your new API key', page, key: created.key, plaintext: created.plaintext, rolled: true, grace: form.value.grace });
  }

  @Get('delete')
  @Render('api-keys/confirm-delete')
  confirmDelete(@Param('id', UUID_PIPE) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    return this.confirmView('Delete', id, page, request);
  }

  @Post('delete')
  async delete(
    @Param('id', UUID_PIPE) id: string,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const key = await this.apiKeys.delete(actorOf(request), id, origin);
    request.session.notice = `Key “${key.name}” (${key.maskedKey}) is deleted. Its audit entries are kept.`;
    await reply.status(303).redirect('/dashboard/api-keys');
  }

  /** A confirmation page's view: the key as the list shows it, plus what the page adds. 404 if not visible. */
  private async confirmView(
    verb: string,
    id: string,
    page: PageContext,
    request: FastifyRequest,
    extra: Record<string, unknown> = {},
  ): Promise<object> {
    const review = await this.hygiene.reviewOne(actorOf(request), id);
    return { title: `${verb} ${review.key.name}`, page, now: review.now, key: review.key, row: keyRow(review), ...extra };
  }
}
