import {
  BadRequestException,
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
import { type AuditOrigin, Requester } from '../audit';
import { ApiKeysService, ApiKeyUsageService, KEY_FORM_ERROR_CODES, KeyHygieneService, parseAllowedNetworks } from '../api-keys';
import { isDomainError } from '../common/domain-error';
import { uuidPipe } from '../common/uuid.pipe';
import { type Actor, ownerScopeOf } from '../managers';
import { StorageService } from '../storage';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { NetworksForm, NewApiKeyForm, parseForm } from './forms';
import { FormOnce } from './form-once';
import { auditRow, keyFormErrors, keyListView, keyRow, newKeyFormView } from './key-views';
import { DashboardExceptionFilter } from './dashboard-error';
import { Page, PageContext } from './page.decorator';
import './session.types';
import { usageChart } from './usage-chart';

/** Key ids in dashboard URLs: any UUID version (as the API's), refused in the manager's words. */
export const uuid = uuidPipe(() => new BadRequestException('The address does not name a key: not a valid key id'));

const NEW_KEY_FORM = 'new-key';
export const STALE_FORM = 'This form is out of date (it was open in an earlier sign-in). Nothing was created: fill it in again.';

@ApiExcludeController()
@Controller('dashboard/api-keys')
@UseGuards(DashboardAuthGuard)
@UseFilters(DashboardExceptionFilter)
export class DashboardApiKeysController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly hygiene: KeyHygieneService,
    private readonly usage: ApiKeyUsageService,
    private readonly storage: StorageService,
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
    @Requester() origin: AuditOrigin,
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
        // The form stays open, with what was chosen, and each message at its field.
        formOpen: true,
        errors: outcome.errors,
        fieldErrors: keyFormErrors(outcome.errors),
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
    return this.showView(id, page, request);
  }

  /** The key's allowed networks, replaced as a whole (empty: anywhere). */
  @Post(':id/networks')
  async setNetworks(
    @Param('id', uuid) id: string,
    @Body() body: unknown,
    @Page() page: PageContext,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const form = parseForm(NetworksForm, body);
    const parsed = form.ok ? parseAllowedNetworks(form.value.allowedNetworks) : { networks: [], errors: form.errors };
    if (parsed.errors.length > 0) {
      const posted = (body as { allowedNetworks?: unknown } | null)?.allowedNetworks;
      await reply.status(400).view('api-keys/show', {
        ...(await this.showView(id, page, request)),
        networksText: typeof posted === 'string' ? posted : '',
        errors: parsed.errors,
      });
      return;
    }
    const key = await this.apiKeys.setNetworks(actorOf(request), id, parsed.networks, origin);
    request.session.notice = key.allowedNetworks.length
      ? `Key “${key.name}” now works only from ${key.allowedNetworks.join(', ')}.`
      : `Key “${key.name}” now works from anywhere.`;
    await reply.status(303).redirect(`/dashboard/api-keys/${id}`);
  }

  /** Dismisses the "reported as leaked" flag; the key stays deactivated. */
  @Post(':id/acknowledge-leak')
  async acknowledgeLeak(
    @Param('id', uuid) id: string,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const key = await this.apiKeys.acknowledgeLeak(actorOf(request), id, origin);
    request.session.notice = `Key “${key.name}” (${key.maskedKey}) stays deactivated; the leak report is dismissed.`;
    await reply.status(303).redirect('/dashboard/api-keys');
  }

  private async showView(id: string, page: PageContext, request: FastifyRequest): Promise<object> {
    const report = await this.usage.reportFor(actorOf(request), id);
    // What the key wrote: its ready files (the key's own index, an index-only scan).
    const written = await this.storage.usage(ownerScopeOf(actorOf(request)), id);
    // A replacement links back to the key it was rolled from.
    const replaces = await this.apiKeys.replacedBy(actorOf(request), id);
    return {
      replaces,
      networksText: report.key.allowedNetworks.join('\n'),
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
    request: FastifyRequest,
    formToken: unknown,
    actor: Actor,
    form: NewApiKeyForm,
    origin: AuditOrigin,
  ): Promise<{ key: object; plaintext: string } | { errors: string[] } | { repeat: string }> {
    // One line per bad range, next to the field (the service checks the same rule again).
    const networks = parseAllowedNetworks(form.allowedNetworks);
    if (networks.errors.length > 0) return { errors: networks.errors };
    try {
      const outcome = await this.formOnce.run(request.session, formToken, NEW_KEY_FORM, async () => {
        const created = await this.apiKeys.generate(actor, form.name, {
          scopes: form.scopes,
          expiry: form.keyExpiry(),
          origin,
          allowedNetworks: form.allowedNetworks,
        });
        return { keyId: created.key.id, result: created };
      });
      if (outcome.kind === 'repeat') return { repeat: outcome.keyId };
      if (outcome.kind === 'stale') return { errors: [STALE_FORM] };
      return outcome.result;
    } catch (error) {
      if (isDomainError(error) && KEY_FORM_ERROR_CODES.has(error.code)) return { errors: [error.message] };
      throw error;
    }
  }

  private async listView(page: PageContext, request: FastifyRequest, posted: Record<string, unknown> = {}): Promise<object> {
    const review = await this.hygiene.reviewVisibleTo(page.actor!);
    return {
      title: 'API keys',
      page,
      showOwner: page.actor!.isAdmin,
      // The list leads; the form opens from its button (already open when there is no key yet).
      formOpen: review.reviews.length === 0,
      ...keyListView(review),
      form: newKeyFormView(posted),
      formToken: this.formOnce.issue(request.session, NEW_KEY_FORM),
    };
  }
}

export const actorOf = (request: FastifyRequest): Actor => request.actor!;
