import { applyDecorators, Controller, Delete, Head, Headers, Options, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiKeyAuth, type ApiKeyPrincipal, CurrentApiKey, RequireScope } from '../../api-keys';
import { RawBody, RawBodyStream } from '../../common/raw-body';
import { RequestOrigin } from '../../common/request-origin.decorator';
import { uuidPipe } from '../../common/uuid.pipe';
import { ApiErrorResponse, ApiUnexpectedBodyResponses } from '../../common/api-error-response';
import { EXAMPLE_SHA256 } from '../dto/stored-file.dto';
import { TusErrors } from './tus.errors';
import { sendTusAnswer as send, type TusHeaders } from './tus-http';
import { apiKeyUploader } from '../file-summary';
import { TUS_UPLOADS_ROOT } from '../storage-urls';
import { TUS_CHECKSUM_ALGORITHMS, TUS_EXTENSIONS, TUS_VERSION } from './tus-protocol';
import { TusUploadService } from './tus-upload.service';

const UploadId = (): ParameterDecorator => Param('id', uuidPipe(TusErrors.invalidUploadId));
const text = (description: string) => ({ description, schema: { type: 'string' } });
const integer = (description: string) => ({ description, schema: { type: 'integer', minimum: 0 } });
const TUS_RESUMABLE = { 'Tus-Resumable': { description: `Always \`${TUS_VERSION}\`.`, schema: { type: 'string', enum: [TUS_VERSION] } } };
/** The limit the examples quote (EDS_MAX_UPLOAD_BYTES' default). */
const EXAMPLE_LIMIT = 5 * 1024 ** 3;
const UPLOAD_EXPIRES = { 'Upload-Expires': text('When an unfinished upload expires (RFC 9110 date).') };

/** An error answer with its true examples (the catalog's messages), and the tus headers every answer carries. */
const error = (status: number, description: string, messages: readonly [string, ...string[]], headers: Record<string, unknown> = {}) =>
  ApiErrorResponse(status, description, messages, { ...TUS_RESUMABLE, ...headers } as never);

const REQUIRES_TUS = applyDecorators(
  ApiHeader({ name: 'Tus-Resumable', required: true, description: `The protocol version: \`${TUS_VERSION}\`.`, schema: { type: 'string', enum: [TUS_VERSION] } }),
  ApiHeader({
    name: 'X-HTTP-Method-Override',
    required: false,
    description: 'Send a POST with `PATCH`, `HEAD` or `DELETE` here where a proxy drops those methods.',
  }),
  error(412, 'No `Tus-Resumable: 1.0.0`; `Tus-Version` lists what the server speaks.', [TusErrors.versionUnsupported().message], {
    'Tus-Version': text('`1.0.0`'),
  }),
);
const ID = applyDecorators(
  ApiParam({ name: 'id', format: 'uuid', description: 'The upload id: for a plain or final upload, also its file id.' }),
  error(400, 'The id is not a UUID, or a header is malformed.', [
    TusErrors.invalidUploadId().message,
    TusErrors.invalidByteCount('Upload-Offset').message,
    TusErrors.unsupportedChecksum('md5').message,
  ]),
  error(404, 'No such upload for this key\'s owner.', [TusErrors.uploadNotFound().message]),
);

/**
 * Resumable uploads over tus 1.0.0 (DESIGN.md §4b), beside the single-shot
 * PUT. Thin: each handler is one service call; tus answers are headers only.
 */
@ApiTags('Resumable uploads (tus)')
@ApiKeyAuth()
@Controller(TUS_UPLOADS_ROOT)
export class TusUploadController {
  constructor(private readonly tus: TusUploadService) {}

  @Options()
  @ApiOperation({
    summary: 'Discover the tus capabilities',
    description: 'The version, extensions, maximum size and checksum algorithms. Needs the key like every route here.',
    operationId: 'tusOptions',
  })
  @ApiResponse({
    status: 204,
    description: 'The server\'s tus capabilities.',
    headers: {
      ...TUS_RESUMABLE,
      'Tus-Version': text(`\`${TUS_VERSION}\``),
      'Tus-Extension': text(`\`${TUS_EXTENSIONS.join(',')}\``),
      'Tus-Max-Size': integer('EDS_MAX_UPLOAD_BYTES.'),
      'Tus-Checksum-Algorithm': text(`\`${TUS_CHECKSUM_ALGORITHMS.join(',')}\``),
    },
  })
  @ApiUnexpectedBodyResponses()
  @error(400, 'A body was sent (this operation takes none) that is not valid JSON.', ['Request body is not valid JSON'])
  async options(@Res() reply: FastifyReply): Promise<void> {
    await send(reply, this.tus.options());
  }

  @Post()
  @RawBody()
  @RequireScope('files:write')
  @ApiOperation({
    summary: 'Create an upload',
    description:
      'A plain upload: `Upload-Length` and `Upload-Metadata` (`filename` required, `filetype`, optional `sha256` of the whole file). ' +
      'A partial (`Upload-Concat: partial`, no metadata needed) is a piece for a later final and is never a file. ' +
      'A final (`Upload-Concat: final;<url> <url>…`, no `Upload-Length`) joins the owner\'s finished partials, in order, into one ready file. ' +
      '`Upload-Length: 0` is ready at once. With `creation-with-upload` the body carries the first bytes ' +
      '(`Content-Type: application/offset+octet-stream`, any size).',
    operationId: 'tusCreate',
  })
  @REQUIRES_TUS
  @ApiHeader({ name: 'Upload-Length', required: false, description: 'The whole size in bytes (not on a final).', schema: { type: 'integer', minimum: 0 } })
  @ApiHeader({ name: 'Upload-Metadata', required: false, description: 'Comma-separated `key base64value` pairs: `filename`, `filetype`, `sha256`.' })
  @ApiHeader({ name: 'Upload-Concat', required: false, description: '`partial`, or `final;<url> <url>…`.' })
  @ApiHeader({ name: 'Upload-Checksum', required: false, description: 'With a body: `sha1|sha256 <base64 digest>` of the body.' })
  @ApiConsumes('application/offset+octet-stream')
  @ApiBody({ required: false, schema: { type: 'string', format: 'binary' }, description: 'Optional first bytes (creation-with-upload).' })
  @ApiResponse({
    status: 201,
    description: 'Created. A final is complete (its file ready) when this answers.',
    headers: {
      ...TUS_RESUMABLE,
      ...UPLOAD_EXPIRES,
      Location: text('The upload\'s absolute URL; its id is the file id (`GET /api/v1/storage/files/{id}`), except for partials.'),
      'Upload-Offset': integer('With a body: the offset after it.'),
    },
  })
  @error(400, 'A header is missing or malformed (metadata, length, checksum algorithm, concatenation); a final names an unknown, unfinished or other owner\'s partial; or the declared sha256 does not match.', [
    TusErrors.lengthRequired().message,
    TusErrors.invalidMetadata('filename is required').message,
    TusErrors.partialsNotReady().message,
    TusErrors.fileHashMismatch(EXAMPLE_SHA256).message,
  ])
  @error(413, 'Upload-Length (or the sum of the partials) is over the upload limit, or the body is longer than Upload-Length.', [
    TusErrors.lengthOverLimit(EXAMPLE_LIMIT).message,
  ])
  @error(415, 'A body that is not `application/offset+octet-stream`.', [TusErrors.unsupportedMediaType().message])
  @error(460, 'The body does not match `Upload-Checksum`.', [TusErrors.checksumMismatch().message])
  async create(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @Headers() headers: TusHeaders,
    @RawBodyStream() body: RawBodyStream,
    @RequestOrigin() origin: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await send(reply, await this.tus.create(key.owner.id, apiKeyUploader(key), headers, body, origin));
  }

  @Head(':id')
  @RequireScope('files:write')
  @ApiOperation({
    summary: 'The durable offset',
    description: 'How many bytes are durable: resume a PATCH from here. Never waits for a PATCH in progress.',
    operationId: 'tusHead',
  })
  @REQUIRES_TUS
  @ID
  @ApiResponse({
    status: 200,
    description: 'The upload\'s state (no body).',
    headers: {
      ...TUS_RESUMABLE,
      ...UPLOAD_EXPIRES,
      'Upload-Offset': integer('Durable bytes.'),
      'Upload-Length': integer('The whole size.'),
      'Upload-Metadata': text('As sent at creation.'),
      'Upload-Concat': text('`partial` or `final;<path> <path>…`.'),
      'Cache-Control': text('`no-store`'),
    },
  })
  @error(410, 'The upload expired.', [TusErrors.uploadExpired().message])
  async head(@CurrentApiKey() key: ApiKeyPrincipal, @UploadId() id: string, @Headers() headers: TusHeaders, @Res() reply: FastifyReply): Promise<void> {
    await send(reply, await this.tus.head(key.owner.id, id, headers));
  }

  @Patch(':id')
  @RawBody()
  @RequireScope('files:write')
  @ApiOperation({
    summary: 'Append bytes',
    description:
      'Appends the body at `Upload-Offset`, which must be the current offset. Any size streams. The answer\'s offset is durable; ' +
      'if the connection drops, HEAD tells how much was kept. The last byte makes the file ready (SHA-256 checked against a declared `sha256`).',
    operationId: 'tusPatch',
  })
  @REQUIRES_TUS
  @ID
  @ApiHeader({ name: 'Upload-Offset', required: true, description: 'The current offset (from HEAD).', schema: { type: 'integer', minimum: 0 } })
  @ApiHeader({ name: 'Upload-Checksum', required: false, description: '`sha1|sha256 <base64 digest>` of this body.' })
  @ApiConsumes('application/offset+octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' }, description: 'The next bytes.' })
  @ApiResponse({ status: 204, description: 'Stored and durable.', headers: { ...TUS_RESUMABLE, ...UPLOAD_EXPIRES, 'Upload-Offset': integer('The new offset.') } })
  // One example: @RequireScope's 403 shares this response (its example is the scope refusal).
  @error(403, 'The key lacks `files:write`, or the upload is a final (assembled, never patched).', [TusErrors.finalNotPatchable().message])
  @error(409, 'Upload-Offset is not the current offset, another request is writing to the upload, or it is complete.', [
    TusErrors.offsetMismatch(1048576).message,
    TusErrors.busy().message,
    TusErrors.alreadyComplete().message,
  ])
  @error(410, 'The upload expired.', [TusErrors.uploadExpired().message])
  @error(413, 'The body is longer than what is left of Upload-Length.', [TusErrors.bodyOverLength(1024).message])
  @error(415, 'The Content-Type is not `application/offset+octet-stream`.', [TusErrors.unsupportedMediaType().message])
  @error(460, 'The body does not match `Upload-Checksum`; the offset is unchanged.', [TusErrors.checksumMismatch().message])
  @error(507, 'The storage is full; nothing of this request was kept.', [TusErrors.storageFull().message])
  async patch(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @UploadId() id: string,
    @Headers() headers: TusHeaders,
    @RawBodyStream() body: RawBodyStream,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await send(reply, await this.tus.patch(key.owner.id, id, headers, body));
  }

  @Delete(':id')
  @RequireScope('files:delete')
  @ApiOperation({ summary: 'Terminate an upload', description: 'The upload and its bytes are gone (a finished one\'s file too).', operationId: 'tusTerminate' })
  @REQUIRES_TUS
  @ID
  @ApiResponse({ status: 204, description: 'Terminated.', headers: TUS_RESUMABLE })
  @ApiUnexpectedBodyResponses()
  async terminate(@CurrentApiKey() key: ApiKeyPrincipal, @UploadId() id: string, @Headers() headers: TusHeaders, @Res() reply: FastifyReply): Promise<void> {
    await send(reply, await this.tus.terminate(key.owner.id, id, headers));
  }
}
