import { Controller, Get, Headers, Param, Post, Query, Render, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuditOrigin, Requester } from '../audit';
import { ApiKeysService, type ApiKeySummary } from '../api-keys';
import { RawBody, RawBodyStream } from '../common/raw-body';
import { UUID_PIPE } from '../common/uuid.pipe';
import { ManagersService, ownerScopeOf } from '../managers';
import { DASHBOARD_UPLOADER, FileContentService, sendContent, StorageService } from '../storage';
import { actorOf } from './dashboard-api-keys.controller';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { DashboardExceptionFilter } from './dashboard-error';
import { DASHBOARD_TUS_ROOT } from './dashboard-file-uploads.controller';
import { FILES_PAGE_SIZE, fileRow, filesHref, type FilesFilter, parseFilesFilter } from './file-views';
import { CsrfCheckedInHandler, verifyCsrf } from './form-csrf';
import { readFormFile } from './multipart-file';
import { Page, PageContext } from './page.decorator';
import './session.types';
import { formatBytes } from './view-helpers';

// Any UUID version: file ids are PostgreSQL's gen_random_uuid() or the app's randomUUID().
const fileId = UUID_PIPE;

/** Where the page's Uppy widget sends tus uploads (DESIGN.md §5b): the dashboard's own tus door. */
const TUS_ENDPOINT = `/${DASHBOARD_TUS_ROOT}`;

/**
 * The files of the signed-in manager (an admin's: everyone's), what wrote
 * them, and their bytes: list, download, delete (after a confirmation),
 * upload from a plain form. Storage is reached only through src/storage/index.ts.
 */
@ApiExcludeController()
@Controller('dashboard/files')
@UseGuards(DashboardAuthGuard)
@UseFilters(DashboardExceptionFilter)
export class DashboardFilesController {
  constructor(
    private readonly storage: StorageService,
    private readonly content: FileContentService,
    private readonly apiKeys: ApiKeysService,
    private readonly managers: ManagersService,
  ) {}

  @Get()
  @Render('files/index')
  async list(@Page() page: PageContext, @Query() query: Record<string, unknown>, @Req() request: FastifyRequest): Promise<object> {
    const filter = parseFilesFilter(query);
    const actor = actorOf(request);
    const scope = ownerScopeOf(actor);
    const [files, usage, keys, owners] = await Promise.all([
      this.storage.list(scope, {
        limit: FILES_PAGE_SIZE,
        cursor: filter.cursor ?? undefined,
        nameContains: filter.q || undefined,
        uploadedByKeyId: filter.key ?? undefined,
      }),
      this.storage.usage(scope),
      this.apiKeys.listVisibleTo(actor),
      page.actor!.isAdmin ? this.managers.list() : Promise.resolve([]),
    ]);
    const keysById = new Map(keys.map((k): [string, ApiKeySummary] => [k.id, k]));
    const ownersById = new Map(owners.map((m): [string, string] => [m.id, m.email]));
    const filtered = Boolean(filter.q || filter.key);
    return {
      title: 'Files',
      page,
      now: new Date(),
      showOwner: page.actor!.isAdmin,
      usage,
      files: files.items.map((f) => fileRow(f, keysById, ownersById)),
      filter,
      filtered,
      filterKey: filter.key ? keyFilterView(filter, keysById) : null,
      keyChoices: keys.map((k) => ({ id: k.id, label: `${k.name} (${k.maskedKey})`, selected: k.id === filter.key, owner: k.owner?.email })),
      nextHref: files.nextCursor ? filesHref({ ...filter, cursor: files.nextCursor }) : null,
      firstHref: filter.cursor ? filesHref({ ...filter, cursor: null }) : null,
      clearHref: '/dashboard/files',
      maxUpload: formatBytes(this.content.maxUploadBytes),
      maxUploadBytes: this.content.maxUploadBytes,
      tusEndpoint: TUS_ENDPOINT,
    };
  }

  /** The no-JavaScript upload: a multipart form (`_csrf` first, then `file`), streamed to the blob store. */
  @Post()
  @CsrfCheckedInHandler()
  @RawBody()
  async upload(@RawBodyStream() body: RawBodyStream, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const actor = actorOf(request);
    const file = await readFormFile(
      body,
      (fields) => verifyCsrf(request, fields._csrf),
      (part) => this.content.receiveWhole(actor.id, { filename: part.filename, mimeType: part.mimeType, uploadedBy: DASHBOARD_UPLOADER }, part.stream),
    );
    request.session.notice = `Uploaded “${file.filename}” (${formatBytes(file.size)}).`;
    await reply.status(303).redirect('/dashboard/files');
  }

  @Get(':id/content')
  async download(
    @Param('id', fileId) id: string,
    @Headers('range') range: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Headers('if-range') ifRange: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await sendContent(reply, this.content.open(ownerScopeOf(actorOf(request)), id, { range, ifNoneMatch, ifRange }));
  }

  @Get(':id/delete')
  @Render('files/confirm-delete')
  async confirmDelete(@Param('id', fileId) id: string, @Page() page: PageContext, @Req() request: FastifyRequest): Promise<object> {
    const actor = actorOf(request);
    const file = await this.storage.get(ownerScopeOf(actor), id);
    const keys = new Map((await this.apiKeys.listVisibleTo(actor)).map((k): [string, ApiKeySummary] => [k.id, k]));
    const owners = page.actor!.isAdmin ? new Map((await this.managers.list()).map((m): [string, string] => [m.id, m.email])) : new Map<string, string>();
    return { title: `Delete ${file.filename}`, page, now: new Date(), file: fileRow(file, keys, owners) };
  }

  @Post(':id/delete')
  async delete(
    @Param('id', fileId) id: string,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const actor = actorOf(request);
    const file = await this.storage.deleteAudited(ownerScopeOf(actor), id, { actor: { id: actor.id, email: actor.email }, origin });
    request.session.notice = `“${file.filename}” (${formatBytes(file.size)}) is deleted.`;
    await reply.status(303).redirect('/dashboard/files');
  }
}

function keyFilterView(filter: FilesFilter, keys: ReadonlyMap<string, ApiKeySummary>): object {
  const key = filter.key ? keys.get(filter.key) : undefined;
  return { id: filter.key, name: key?.name ?? null, maskedKey: key?.maskedKey ?? null, known: Boolean(key) };
}
