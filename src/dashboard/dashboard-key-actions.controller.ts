import { Body, Controller, Get, Param, Post, Render, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditOrigin } from '../audit/audit-event.types';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { KeyHygieneService } from '../api-keys/key-hygiene.service';
import { KeyLifecycleService } from '../api-keys/key-lifecycle.service';
import { ClientOrigin } from './client-origin.decorator';
import { actorOf, uuid } from './dashboard-api-keys.controller';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { parseForm } from './form';
import { RollKeyForm } from './forms';
import { graceChoices, keyRow } from './key-views';
import { LoginRequiredFilter } from './login-required.filter';
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
@UseFilters(LoginRequiredFilter)
export class DashboardKeyActionsController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly lifecycle: KeyLifecycleService,
    private readonly hygiene: KeyHygieneService,
  ) {}

  @Get('deactivate')
  @Render('api-keys/confirm-deactivate')
  async confirmDeactivate(@Param('id', uuid) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    const review = await this.hygiene.reviewOne(actorOf(request), id);
    return { title: `Deactivate ${review.key.name}`, page, now: review.now, key: review.key, row: keyRow(review) };
  }

  @Post('deactivate')
  async deactivate(
    @Param('id', uuid) id: string,
    @ClientOrigin() origin: AuditOrigin,
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
  async confirmRoll(@Param('id', uuid) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    const review = await this.hygiene.reviewOne(actorOf(request), id);
    return { title: `Roll ${review.key.name}`, page, now: review.now, key: review.key, row: keyRow(review), graceChoices: graceChoices() };
  }

  @Post('roll')
  async roll(
    @Param('id', uuid) id: string,
    @Body() body: unknown,
    @Page() page: PageContext,
    @ClientOrigin() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const form = parseForm(RollKeyForm, body);
    if (!form.ok) {
      const review = await this.hygiene.reviewOne(actorOf(request), id);
      await reply.status(400).view('api-keys/confirm-roll', {
        title: `Roll ${review.key.name}`, page, now: review.now, key: review.key, row: keyRow(review), graceChoices: graceChoices(), errors: form.errors,
      });
      return;
    }
    const created = await this.lifecycle.roll(actorOf(request), id, form.value.grace, origin);
    // Like a new key: the replacement's plaintext is shown once, never cached.
    await reply
      .status(201)
      .header('Cache-Control', 'no-store')
      .view('api-keys/created', { title: 'Your new API key', page, key: created.key, plaintext: created.plaintext, rolled: true, grace: form.value.grace });
  }

  @Get('delete')
  @Render('api-keys/confirm-delete')
  async confirmDelete(@Param('id', uuid) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    const review = await this.hygiene.reviewOne(actorOf(request), id);
    return { title: `Delete ${review.key.name}`, page, now: review.now, key: review.key, row: keyRow(review) };
  }

  @Post('delete')
  async delete(
    @Param('id', uuid) id: string,
    @ClientOrigin() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const key = await this.lifecycle.delete(actorOf(request), id, origin);
    request.session.notice = `Key “${key.name}” (${key.maskedKey}) is deleted. Its audit entries are kept.`;
    await reply.status(303).redirect('/dashboard/api-keys');
  }
}
