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
import { ownerScopeOf } from '../managers/owner-scope';
import { StorageService } from '../storage';
import { ClientOrigin } from './client-origin.decorator';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { parseForm } from './form';
import { NewApiKeyForm } from './forms';
import { auditRow, keyListView, keyRow, newKeyFormView } from './key-views';
import { LoginRequiredFilter } from './login-required.filter';
import { Page, PageContext } from './page.decorator';
import './session.types';
import { usageChart } from './usage-chart';

export const uuid = new ParseUUIDPipe({ version: '4' });

@ApiExcludeController()
@Controller('dashboard/api-keys')
@UseGuards(DashboardAuthGuard)
@UseFilters(LoginRequiredFilter)
export class DashboardApiKeysController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly hygiene: KeyHygieneService,
    private readonly usage: ApiKeyUsageService,
    private readonly storage: StorageService,
  ) {}

  @Get()
  @Render('api-keys/index')
  async list(@Page() page: PageContext): Promise<object> {
    return this.listView(page);
  }

  @Post()
  async create(
    @Body() body: unknown,
    @Page() page: PageContext,
    @ClientOrigin() origin: AuditOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const form = parseForm(NewApiKeyForm, body);
    const outcome = form.ok ? await this.tryGenerate(page.actor!, form.value, origin) : { errors: form.errors };
    if ('errors' in outcome) {
      await reply.status(400).view('api-keys/index', {
        ...(await this.listView(page, (body ?? {}) as Record<string, unknown>)),
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
    // What the key wrote: its ready files (the key's own index, an index-only scan).
    const written = await this.storage.usage(ownerScopeOf(actorOf(request)), id);
    return {
      written,
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
    actor: Actor,
    form: NewApiKeyForm,
    origin: AuditOrigin,
  ): Promise<{ key: object; plaintext: string } | { errors: string[] }> {
    try {
      return await this.apiKeys.generate(actor, form.name, { scopes: form.scopes, expiry: form.keyExpiry(), origin });
    } catch (error) {
      if (error instanceof BadRequestException) return { errors: [error.message] };
      throw error;
    }
  }

  private async listView(page: PageContext, posted: Record<string, unknown> = {}): Promise<object> {
    const review = await this.hygiene.reviewVisibleTo(page.actor!);
    return {
      title: 'API keys',
      page,
      showOwner: page.actor!.isAdmin,
      ...keyListView(review),
      form: newKeyFormView(posted),
    };
  }
}

export const actorOf = (request: FastifyRequest): Actor => request.actor!;
