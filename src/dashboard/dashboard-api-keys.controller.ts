import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Param,
  ParseUUIDPipe,
  Post,
  Render,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditOrigin } from '../audit/audit-event.types';
import { ApiKeyUsageService } from '../api-keys/api-key-usage.service';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { KeyHygieneService } from '../api-keys/key-hygiene.service';
import type { Actor } from '../managers/actor';
import { ClientOrigin } from './client-origin.decorator';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { parseForm } from './form';
import { FormOnce } from './form-once';
import { NewApiKeyForm } from './forms';
import { auditRow, keyListView, keyRow, newKeyFormView } from './key-views';
import { LoginRequiredFilter } from './login-required.filter';
import { Page, PageContext } from './page.decorator';
import './session.types';
import { usageChart } from './usage-chart';

export const uuid = new ParseUUIDPipe({
  version: '4',
  exceptionFactory: () => new BadRequestException('The address does not name a key: not a valid key id'),
});

const NEW_KEY_FORM = 'new-key';
export const STALE_FORM = 'This form is out of date (it was open in an earlier sign-in). Nothing was created: fill it in again.';

@ApiExcludeController()
@Controller('dashboard/api-keys')
@UseGuards(DashboardAuthGuard)
@UseFilters(LoginRequiredFilter)
export class DashboardApiKeysController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly hygiene: KeyHygieneService,
    private readonly usage: ApiKeyUsageService,
    private readonly formOnce: FormOnce,
  ) {}

  @Get()
  @Render('api-keys/index')
  async list(@Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    return this.listView(page, request);
  }

  @Post()
  async create(
    @Body() body: unknown,
    @Page() page: PageContext,
    @ClientOrigin() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const posted = (body ?? {}) as Record<string, unknown>;
    const form = parseForm(NewApiKeyForm, body);
    const outcome = form.ok
      ? await this.tryGenerate(request, posted.formToken, page.actor!, form.value, origin)
      : { errors: form.errors };
    if ('repeat' in outcome) {
      await reply
        .status(409)
        .header('Cache-Control', 'no-store')
        .view('api-keys/already-created', { title: 'Key already created', page, keyId: outcome.repeat });
      return;
    }
    if ('errors' in outcome) {
      await reply.status(400).view('api-keys/index', {
        ...(await this.listView(page, request, posted)),
        errors: outcome.errors,
      });
      return;
    }
    // The one response that ever carries the plaintext: never cached, never stored.
    await reply
      .status(201)
      .header('Cache-Control', 'no-store')
      .view('api-keys/created', { title: 'Your new API key', page, key: outcome.key, plaintext: outcome.plaintext });
  }

  @Get(':id')
  @Render('api-keys/show')
  async show(@Param('id', uuid) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    const report = await this.usage.reportFor(actorOf(request), id);
    return {
      title: report.key.name,
      page,
      now: report.now,
      row: keyRow(report),
      usage: report.usage,
      chart: usageChart(report.usage.days),
      audit: report.audit.map(auditRow),
      showOwner: page.actor!.isAdmin,
    };
  }

  private async tryGenerate(
    request: FastifyRequest,
    formToken: unknown,
    actor: Actor,
    form: NewApiKeyForm,
    origin: AuditOrigin,
  ): Promise<{ key: object; plaintext: string } | { errors: string[] } | { repeat: string }> {
    try {
      const outcome = await this.formOnce.run(request.session, formToken, NEW_KEY_FORM, async () => {
        const created = await this.apiKeys.generate(actor, form.name, { scopes: form.scopes, expiry: form.keyExpiry(), origin });
        return { keyId: created.key.id, result: created };
      });
      if (outcome.kind === 'repeat') return { repeat: outcome.keyId };
      if (outcome.kind === 'stale') return { errors: [STALE_FORM] };
      return outcome.result;
    } catch (error) {
      if (error instanceof BadRequestException) return { errors: [error.message] };
      throw error;
    }
  }

  private async listView(page: PageContext, request: FastifyRequest, posted: Record<string, unknown> = {}): Promise<object> {
    const review = await this.hygiene.reviewVisibleTo(page.actor!);
    return {
      title: 'API keys',
      page,
      showOwner: page.actor!.isAdmin,
      ...keyListView(review),
      form: newKeyFormView(posted),
      formToken: this.formOnce.issue(request.session, NEW_KEY_FORM),
    };
  }
}

export const actorOf = (request: FastifyRequest): Actor => request.actor!;
