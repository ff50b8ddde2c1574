import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiKeyAuth, type ApiKeyPrincipal, CurrentApiKey, RequireScope } from '../api-keys';
import { ErrorResponseDto } from '../common/error-response.dto';
import { JsonBody } from '../common/json-body.decorator';
import { ValidBody, ValidQuery } from '../common/validation.pipe';
import { RequestOrigin } from '../common/request-origin.decorator';
import { uuidPipe } from '../common/uuid.pipe';
import { ownedBy } from '../managers';
import { sendContent } from './content-reply';
import { CreateUploadDto } from './dto/create-upload.dto';
import { FileListDto } from './dto/file-list.dto';
import { ListFilesQueryDto } from './dto/list-files-query.dto';
import { StorageUsageDto } from './dto/storage-usage.dto';
import { EXAMPLE_CONTENT, PENDING_EXAMPLE, PendingUploadDto, READY_EXAMPLE, StoredFileDto } from './dto/stored-file.dto';
import { ApiErrorResponse, ApiUnexpectedBodyResponses } from '../common/api-error-response';
import { FileContentService } from './file-content.service';
import { RawBody, RawBodyStream } from '../common/raw-body';
import { FILE_CONTENT_PATH, STORAGE_ROOT } from './storage-urls';
import { StorageErrors } from './storage.errors';
import { StorageService } from './storage.service';
import { toFileDto, toFileListDto, toPendingUploadDto } from './stored-file.mapper';
import { apiKeyUploader } from './file-summary';

const FileId = (): ParameterDecorator => Param('id', uuidPipe(StorageErrors.invalidFileId));
const ID_PARAM = ApiParam({ name: 'id', format: 'uuid', description: 'The file id.' });
const BAD_ID = ApiErrorResponse(400, 'The id is not a UUID.', [StorageErrors.invalidFileId().message]);
const NOT_FOUND = ApiErrorResponse(404, 'No such file for this key\'s owner.', [StorageErrors.fileNotFound().message]);
/** The default limit (EDS_MAX_UPLOAD_BYTES), as the example 413 names it. */
const EXAMPLE_LIMIT = 5 * 1024 ** 3;
const EXAMPLE_SIZE = READY_EXAMPLE.size;

@ApiTags('Storage')
@ApiKeyAuth()
@Controller(STORAGE_ROOT)
export class StorageController {
  constructor(
    private readonly storage: StorageService,
    private readonly content: FileContentService,
  ) {}

  @Post('upload')
  @HttpCode(HttpStatus.CREATED)
  @JsonBody()
  // Below @JsonBody: the scope is checked before the content type (403 before 415).
  @RequireScope('files:write')
  @ApiOperation({
    summary: 'Start an upload',
    description: 'Registers a pending file and answers where to PUT its bytes.',
    operationId: 'createUpload',
  })
  @ApiBody({
    type: CreateUploadDto,
    examples: {
      'Hello World': {
        summary: 'The 11 bytes "Hello World"',
        description: `Then PUT exactly the 11 bytes \`${EXAMPLE_CONTENT}\` to the answer's uploadUrl.`,
        value: { filename: READY_EXAMPLE.filename, mimeType: READY_EXAMPLE.mimeType, size: EXAMPLE_SIZE, sha256: READY_EXAMPLE.sha256 },
      },
    },
  })
  @ApiCreatedResponse({ type: PendingUploadDto, example: PENDING_EXAMPLE })
  @ApiErrorResponse(400, 'A field is missing or invalid, or the body is not JSON.', [
    'filename must be 1 to 255 characters long',
    'size must be a whole number of bytes',
    'sha256 must be 64 hexadecimal characters',
    'Request body is not valid JSON',
  ])
  @ApiErrorResponse(413, '`size` is over the upload limit, or the JSON body is over 64 KiB.', [
    StorageErrors.sizeOverLimit(EXAMPLE_LIMIT).message,
    'Request body is too large',
  ])
  async createUpload(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @ValidBody() dto: CreateUploadDto,
    @RequestOrigin() origin: string,
  ): Promise<PendingUploadDto> {
    return toPendingUploadDto(await this.storage.createUpload(key.owner.id, dto, origin, apiKeyUploader(key)));
  }

  @Put(FILE_CONTENT_PATH)
  @RawBody()
  @RequireScope('files:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Upload the content',
    description:
      'The raw bytes of a pending file (its `uploadUrl`), any Content-Type or none. Exactly `size` bytes; the server ' +
      'computes their SHA-256 and, when `sha256` was declared, refuses a mismatch. The file is ready once the bytes are durable. ' +
      'A refused upload leaves the file pending: PUT again until it expires.',
    operationId: 'uploadContent',
  })
  @ID_PARAM
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary', example: EXAMPLE_CONTENT }, description: 'The file\'s bytes.' })
  @ApiOkResponse({ type: StoredFileDto, description: 'Stored: `status` is `ready`, `sha256` is set.', example: READY_EXAMPLE })
  @ApiErrorResponse(
    400,
    'The id is not a UUID; the body is shorter than `size`; its SHA-256 is not the declared one; or it was interrupted.',
    [
      StorageErrors.invalidFileId().message,
      StorageErrors.lengthNotSize(EXAMPLE_SIZE - 1, EXAMPLE_SIZE).message,
      StorageErrors.bodyTooShort(EXAMPLE_SIZE - 1, EXAMPLE_SIZE).message,
      StorageErrors.checksumMismatch('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855').message,
      StorageErrors.uploadInterrupted().message,
    ],
  )
  @NOT_FOUND
  @ApiErrorResponse(409, 'The file already has its content (uploads are write-once), or it is uploaded over tus (PATCH its upload instead).', [
    StorageErrors.alreadyUploaded().message,
    StorageErrors.changedDuringUpload().message,
    StorageErrors.uploadedOverTus().message,
  ])
  @ApiErrorResponse(410, 'The pending upload expired.', [StorageErrors.uploadExpired().message])
  @ApiErrorResponse(413, 'The body is longer than `size`.', [
    StorageErrors.lengthOverSize(EXAMPLE_SIZE + 1, EXAMPLE_SIZE).message,
    StorageErrors.bodyTooLong(EXAMPLE_SIZE).message,
  ])
  @ApiErrorResponse(
    HttpStatus.INSUFFICIENT_STORAGE,
    'The storage is full: nothing was stored and the upload stays pending; retry it later (`Retry-After`).',
    [StorageErrors.storageFull().message],
    { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } },
  )
  async uploadContent(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @FileId() id: string,
    @RawBodyStream() body: RawBodyStream,
  ): Promise<StoredFileDto> {
    return toFileDto(await this.content.receive(key.owner.id, id, body));
  }

  @Get('files')
  @RequireScope('files:read')
  @ApiOperation({
    summary: 'List files',
    description: 'Newest first, a page at a time. Ready files only, unless `status=all`.',
    operationId: 'listFiles',
  })
  @ApiOkResponse({ type: FileListDto })
  @ApiErrorResponse(400, '`limit` is not 1–100, the cursor is malformed, or an unknown parameter was given.', [
    'limit must be at most 100',
    StorageErrors.malformedCursor().message,
  ])
  async listFiles(@CurrentApiKey() key: ApiKeyPrincipal, @ValidQuery() query: ListFilesQueryDto): Promise<FileListDto> {
    const page = await this.storage.list(ownedBy(key.owner.id), {
      limit: query.limit,
      cursor: query.cursor,
      includePending: query.status === 'all',
    });
    return toFileListDto(page);
  }

  @Get('files/:id')
  @RequireScope('files:read')
  @ApiOperation({ summary: 'Get a file\'s metadata', operationId: 'getFile' })
  @ID_PARAM
  @ApiOkResponse({ type: StoredFileDto, example: READY_EXAMPLE })
  @BAD_ID
  @NOT_FOUND
  async getFile(@CurrentApiKey() key: ApiKeyPrincipal, @FileId() id: string): Promise<StoredFileDto> {
    return toFileDto(await this.storage.get(ownedBy(key.owner.id), id));
  }

  @Get('files/:id/content')
  @RequireScope('files:read')
  @ApiOperation({
    summary: 'Download the content',
    description:
      'The bytes, with the declared Content-Type, an ETag (the SHA-256) and `Content-Disposition: attachment`. ' +
      'One `Range` (`bytes=0-99`, `bytes=100-`, `bytes=-100`) answers 206; `If-None-Match` with the ETag answers 304.',
    operationId: 'downloadContent',
  })
  @ID_PARAM
  @ApiHeader({ name: 'Range', required: false, description: 'One byte range, e.g. `bytes=0-1023` or `bytes=-512`.' })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'An ETag from an earlier download.' })
  @ApiHeader({ name: 'If-Range', required: false, description: 'Serve the Range only if the ETag still matches.' })
  @ApiOkResponse({
    description: 'The whole content, with the Content-Type declared at upload.',
    content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
    headers: {
      ETag: { description: 'The SHA-256 of the content, quoted.', schema: { type: 'string' } },
      'Content-Disposition': { description: '`attachment` with an RFC 5987 `filename*`.', schema: { type: 'string' } },
      'Content-Length': { schema: { type: 'integer' } },
    },
  })
  @ApiResponse({
    status: HttpStatus.PARTIAL_CONTENT,
    description: 'The requested range, with the Content-Type declared at upload.',
    content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
    headers: { 'Content-Range': { description: '`bytes start-end/size`', schema: { type: 'string' } } },
  })
  @ApiResponse({ status: HttpStatus.NOT_MODIFIED, description: 'If-None-Match names the current ETag.' })
  @BAD_ID
  @NOT_FOUND
  @ApiErrorResponse(409, 'The file has no content yet (pending).', [StorageErrors.noContentYet().message])
  @ApiErrorResponse(
    416,
    'The Range starts past the end of the file; `Content-Range: bytes */size` tells the size.',
    [StorageErrors.rangeNotSatisfiable(EXAMPLE_SIZE).message],
    { 'Content-Range': { description: '`bytes */size`', schema: { type: 'string', example: `bytes */${EXAMPLE_SIZE}` } } },
  )
  async downloadContent(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @FileId() id: string,
    @Headers('range') range: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Headers('if-range') ifRange: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await sendContent(reply, this.content.open(ownedBy(key.owner.id), id, { range, ifNoneMatch, ifRange }));
  }

  @Delete('files/:id')
  @RequireScope('files:delete')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a file', description: 'Removes the file and its content, pending or ready.', operationId: 'deleteFile' })
  @ID_PARAM
  @ApiNoContentResponse({ description: 'Deleted.' })
  @BAD_ID
  @NOT_FOUND
  // DELETE takes no body, but Fastify parses one if a client sends it anyway.
  @ApiUnexpectedBodyResponses()
  deleteFile(@CurrentApiKey() key: ApiKeyPrincipal, @FileId() id: string): Promise<void> {
    return this.storage.delete(ownedBy(key.owner.id), id);
  }

  @Get('usage')
  @RequireScope('files:read')
  @ApiOperation({ summary: 'Storage used', description: 'Count and total size of the owner\'s ready files.', operationId: 'getUsage' })
  @ApiOkResponse({ type: StorageUsageDto })
  usage(@CurrentApiKey() key: ApiKeyPrincipal): Promise<StorageUsageDto> {
    return this.storage.usage(ownedBy(key.owner.id));
  }
}
