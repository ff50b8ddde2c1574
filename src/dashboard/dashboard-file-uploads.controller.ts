import { Controller, Delete, Head, Headers, Options, Param, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RawBody, RawBodyStream } from '../common/raw-body';
import { RequestOrigin } from '../common/request-origin.decorator';
import { UUID_PIPE } from '../common/uuid.pipe';
import type { Actor } from '../managers';
import { DASHBOARD_UPLOADER, sendTusAnswer as send, type TusHeaders, TusUploadService } from '../storage';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { JsonErrors } from './dashboard-error';
import './session.types';

/** The browser's tus endpoint: the same protocol code as the API's, behind the dashboard session. */
export const DASHBOARD_TUS_ROOT = 'dashboard/files/uploads';

const actorOf = (request: FastifyRequest): Actor => request.actor!;

/**
 * The §4b protocol for the Files page's upload widget (Uppy), authenticated
 * by the dashboard session instead of a key: no session → 401, and every
 * state-changing request carries the CSRF token in `x-csrf-token` (missing or
 * wrong → 403; the dashboard's CSRF hook checks it). Files belong to the
 * signed-in manager and are attributed to the dashboard, not to a key.
 * Errors are JSON (the client reads statuses), never the HTML error page.
 */
@ApiExcludeController()
@Controller(DASHBOARD_TUS_ROOT)
@UseGuards(DashboardAuthGuard)
export class DashboardFileUploadsController {
  constructor(private readonly tus: TusUploadService) {}

  @Options()
  @JsonErrors()
  async options(@Res() reply: FastifyReply): Promise<void> {
    await send(reply, this.tus.options());
  }

  @Post()
  @RawBody()
  @JsonErrors()
  async create(
    @Req() request: FastifyRequest,
    @Headers() headers: TusHeaders,
    @RawBodyStream() body: RawBodyStream,
    @RequestOrigin() origin: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await send(reply, await this.tus.create(actorOf(request).id, DASHBOARD_UPLOADER, headers, body, origin, DASHBOARD_TUS_ROOT));
  }

  @Head(':id')
  @JsonErrors()
  async head(
    @Req() request: FastifyRequest,
    @Param('id', UUID_PIPE) id: string,
    @Headers() headers: TusHeaders,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await send(reply, await this.tus.head(actorOf(request).id, id, headers));
  }

  @Patch(':id')
  @RawBody()
  @JsonErrors()
  async patch(
    @Req() request: FastifyRequest,
    @Param('id', UUID_PIPE) id: string,
    @Headers() headers: TusHeaders,
    @RawBodyStream() body: RawBodyStream,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await send(reply, await this.tus.patch(actorOf(request).id, id, headers, body));
  }

  @Delete(':id')
  @JsonErrors()
  async terminate(
    @Req() request: FastifyRequest,
    @Param('id', UUID_PIPE) id: string,
    @Headers() headers: TusHeaders,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await send(reply, await this.tus.terminate(actorOf(request).id, id, headers));
  }
}
