import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiGoneResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiUnsupportedMediaTypeResponse,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ApiKeyPrincipal } from '../api-keys/api-key-principal';
import { ApiKeyAuth } from '../api-keys/api-key-auth.decorator';
import { CurrentApiKey } from '../api-keys/current-api-key.decorator';
import { RequireScope } from '../api-keys/require-scope.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { JsonBody } from '../common/json-body.decorator';
import { ValidBody, ValidQuery } from '../common/validation.pipe';
import { RequestOrigin } from '../common/request-origin.decorator';
import { sendContent } from './content-reply';
import { CreateUploadDto } from './dto/create-upload.dto';
import { FileListDto } from './dto/file-list.dto';
import { ListFilesQueryDto } from './dto/list-files-query.dto';
import { StorageUsageDto } from './dto/storage-usage.dto';
import { PendingUploadDto, StoredFileDto } from './dto/stored-file.dto';
import { FileContentService } from './file-content.service';
import { RawBody, RawBodyStream } from '../common/raw-body';
import { FILE_CONTENT_PATH, STORAGE_ROOT } from './storage-urls';
import { StorageService } from './storage.service';

const FileId = (): ParameterDecorator => Param('id', new ParseUUIDPipe({ version: undefined }));
const ID_PARAM = ApiParam({ name: 'id', format: 'uuid', description: 'The file id.' });
const BAD_ID = ApiBadRequestResponse({ type: ErrorResponseDto, description: 'The id is not a UUID.' });
const NOT_FOUND = ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such file for this key\'s owner.' });

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
  @ApiCreatedResponse({ type: PendingUploadDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A field is missing or invalid.' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: '`size` is over the upload limit, or the JSON body is over 64 KiB.' })
  createUpload(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @ValidBody() dto: CreateUploadDto,
    @RequestOrigin() origin: string,
  ): Promise<PendingUploadDto> {
    return this.storage.createUpload(key.owner.id, dto, origin);
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
  @ApiBody({ schema: { type: 'string', format: 'binary' }, description: 'The file\'s bytes.' })
  @ApiOkResponse({ type: StoredFileDto, description: 'Stored: `status` is `ready`, `sha256` is set.' })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'The id is not a UUID; the body is shorter than `size`; its SHA-256 is not the declared one; or it was interrupted.',
  })
  @NOT_FOUND
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The file already has its content (uploads are write-once).' })
  @ApiGoneResponse({ type: ErrorResponseDto, description: 'The pending upload expired.' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: 'The body is longer than `size`.' })
  @ApiResponse({
    status: HttpStatus.INSUFFICIENT_STORAGE,
    type: ErrorResponseDto,
    description: 'The storage is full: nothing was stored and the upload stays pending; retry it later (`Retry-After`).',
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } },
    example: { statusCode: 507, error: 'Insufficient Storage', message: 'The storage is full; nothing was stored. Try again later' },
  })
  uploadContent(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @FileId() id: string,
    @RawBodyStream() body: RawBodyStream,
  ): Promise<StoredFileDto> {
    return this.content.receive(key.owner.id, id, body);
  }

  @Get('files')
  @RequireScope('files:read')
  @ApiOperation({
    summary: 'List files',
    description: 'Newest first, a page at a time. Ready files only, unless `status=all`.',
    operationId: 'listFiles',
  })
  @ApiOkResponse({ type: FileListDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: '`limit` is not 1–100, the cursor is malformed, or an unknown parameter was given.' })
  listFiles(@CurrentApiKey() key: ApiKeyPrincipal, @ValidQuery() query: ListFilesQueryDto): Promise<FileListDto> {
    return this.storage.list(key.owner.id, query);
  }

  @Get('files/:id')
  @RequireScope('files:read')
  @ApiOperation({ summary: 'Get a file\'s metadata', operationId: 'getFile' })
  @ID_PARAM
  @ApiOkResponse({ type: StoredFileDto })
  @BAD_ID
  @NOT_FOUND
  getFile(@CurrentApiKey() key: ApiKeyPrincipal, @FileId() id: string): Promise<StoredFileDto> {
    return this.storage.get(key.owner.id, id);
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
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The file has no content yet (pending).' })
  @ApiResponse({
    status: HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
    type: ErrorResponseDto,
    description: 'The Range starts past the end of the file; `Content-Range: bytes */size` tells the size.',
  })
  async downloadContent(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @FileId() id: string,
    @Headers('range') range: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Headers('if-range') ifRange: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await sendContent(reply, this.content.open(key.owner.id, id, { range, ifNoneMatch, ifRange }));
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
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: 'A body was sent (DELETE takes none) and is over 64 KiB.' })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorResponseDto, description: 'A body was sent (DELETE takes none) with a type the server does not parse.' })
  deleteFile(@CurrentApiKey() key: ApiKeyPrincipal, @FileId() id: string): Promise<void> {
    return this.storage.delete(key.owner.id, id);
  }

  @Get('usage')
  @RequireScope('files:read')
  @ApiOperation({ summary: 'Storage used', description: 'Count and total size of the owner\'s ready files.', operationId: 'getUsage' })
  @ApiOkResponse({ type: StorageUsageDto })
  usage(@CurrentApiKey() key: ApiKeyPrincipal): Promise<StorageUsageDto> {
    return this.storage.usage(key.owner.id);
  }
}
