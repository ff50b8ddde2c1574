import { Body, Controller, Get, Param, Post, Render, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuditOrigin, Requester } from '../audit';
import { ApiKeysService, KeyHygieneService } from '../api-keys';
import { actorOf, STALE_FORM, uuid } from './dashboard-api-keys.controller';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { FormOnce } from './form-once';
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
    private readonly formOnce: FormOnce,
  ) {}

  @Get('deactivate')
  @Render('api-keys/confirm-deactivate')
  confirmDeactivate(@Param('id', uuid) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    return this.confirmView('Deactivate', id, page, request);
  }

  @Post('deactivate')
  async deactivate(
    @Param('id', uuid) id: string,
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
  confirmRoll(@Param('id', uuid) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    return this.confirmView('Roll', id, page, request, { graceChoices: graceChoices(), formToken: this.rollToken(request, id) });
  }

  @Post('roll')
  async roll(
    @Param('id', uuid) id: string,
    @Body() body: unknown,
    @Page() page: PageContext,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const form = parseForm(RollKeyForm, body);
    const outcome = form.ok
      ? await this.formOnce.run(request.session, (body as Record<string, unknown>).formToken, `roll:${id}`, async () => {
          const made = await this.apiKeys.roll(actorOf(request), id, form.value.grace, origin);
          return { keyId: made.key.id, result: made };
        })
      : null;
    if (outcome?.kind === 'repeat') {
      await reply
        .status(409)
        .header('Cache-Control', 'no-store')
        .view('api-keys/already-created', { title: 'Key already created', page, keyId: outcome.keyId, rolled: true });
      return;
    }
    if (!form.ok || outcome?.kind !== 'done') {
      const errors = form.ok ? [STALE_FORM] : form.errors;
      const view = await this.confirmView('Roll', id, page, request, { graceChoices: graceChoices(), errors, formToken: this.rollToken(request, id) });
      await reply.status(400).view('api-keys/confirm-roll', view);
      return;
    }
    const created = outcome.result;
    // Like a new key: the replacement's plaintext is shown once, never cached.
    await reply
      .status(201)
      .header('Cache-Control', 'no-store')
      .view('api-keys/created', { title: 'Your new API key', page, key: created.key, plaintext: created.plaintext, rolled: true, grace: form.value.grace });
  }

  @Get('delete')
  @Render('api-keys/confirm-delete')
  confirmDelete(@Param('id', uuid) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    return this.confirmView('Delete', id, page, request);
  }

  @Post('delete')
  async delete(
    @Param('id', uuid) id: string,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const key = await this.apiKeys.delete(actorOf(request), id, origin);
    request.session.notice = `Key “${key.name}” (${key.maskedKey}) is deleted. Its audit entries are kept.`;
    await reply.status(303).redirect('/dashboard/api-keys');
  }

  private rollToken(request: FastifyRequest, id: string): string {
    return this.formOnce.issue(request.session, `roll:${id}`);
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
