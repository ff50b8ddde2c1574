import {
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
import { ApiKeysService } from '../api-keys/api-keys.service';
import type { Actor } from '../managers/actor';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { parseForm } from './form';
import { NewApiKeyForm } from './forms';
import { LoginRequiredFilter } from './login-required.filter';
import { Page, PageContext } from './page.decorator';
import './session.types';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiExcludeController()
@Controller('dashboard/api-keys')
@UseGuards(DashboardAuthGuard)
@UseFilters(LoginRequiredFilter)
export class DashboardApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @Render('api-keys/index')
  async list(@Page() page: PageContext): Promise<object> {
    return this.listView(page);
  }

  @Post()
  async create(
    @Body() body: unknown,
    @Page() page: PageContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const form = parseForm(NewApiKeyForm, body);
    if (!form.ok) {
      const name = (body as { name?: unknown } | null)?.name;
      await reply
        .status(400)
        .view('api-keys/index', { ...(await this.listView(page)), errors: form.errors, name });
      return;
    }
    const created = await this.apiKeys.generate(actorOf(request), form.value.name);
    // The one response that ever carries the plaintext: never cached, never stored.
    await reply
      .status(201)
      .header('Cache-Control', 'no-store')
      .view('api-keys/created', { title: 'Your new API key', page, key: created.key, plaintext: created.plaintext });
  }

  @Get(':id')
  @Render('api-keys/show')
  async show(@Param('id', uuid) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    const key = await this.apiKeys.getVisibleTo(actorOf(request), id);
    return { title: key.name, page, key };
  }

  /** The confirmation step: its form posts to this same URL. */
  @Get(':id/deactivate')
  @Render('api-keys/confirm-deactivate')
  async confirmDeactivate(
    @Param('id', uuid) id: string,
    @Page() page: PageContext,
    @Req() request: FastifyRequest,
  ): Promise<object> {
    const key = await this.apiKeys.getVisibleTo(actorOf(request), id);
    return { title: `Deactivate ${key.name}`, page, key };
  }

  @Post(':id/deactivate')
  async deactivate(
    @Param('id', uuid) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const key = await this.apiKeys.deactivate(actorOf(request), id);
    request.session.notice = `Key “${key.name}” (${key.maskedKey}) is deactivated. Requests with it now get 401.`;
    await reply.status(303).redirect('/dashboard/api-keys');
  }

  private async listView(page: PageContext): Promise<object> {
    const keys = await this.apiKeys.listVisibleTo(page.actor!);
    return { title: 'API keys', page, keys, showOwner: page.actor!.isAdmin };
  }
}

const actorOf = (request: FastifyRequest): Actor => request.actor!;
