import { ApiProperty } from '@nestjs/swagger';

export interface UploadedByDto {
  keyId: string;
  name: string;
}

/**
 * The documented examples describe one real upload: these 11 bytes, whose
 * SHA-256 is EXAMPLE_SHA256 (test/openapi-examples.e2e-spec.ts checks it),
 * so Swagger UI's Try it out can complete with them.
 */
export const EXAMPLE_CONTENT = 'Hello World';
export const EXAMPLE_SHA256 = 'a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e';
const EXAMPLE_ID = '0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b';

const EXAMPLE_FILE = {
  id: EXAMPLE_ID,
  filename: 'hello.txt',
  mimeType: 'text/plain',
  size: Buffer.byteLength(EXAMPLE_CONTENT),
  createdAt: '2026-11-28T08:39:21.123Z',
  uploadedBy: { keyId: '5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', name: 'Nightly backup' },
};
/** The answer to POST /upload for the example: pending, where to PUT. */
export const PENDING_EXAMPLE = {
  ...EXAMPLE_FILE,
  status: 'pending',
  sha256: null,
  uploadedAt: null,
  uploadUrl: `http://localhost:3000/api/v1/storage/files/${EXAMPLE_ID}/content`,
  uploadMethod: 'PUT',
  expiresAt: '2026-11-29T08:39:21.123Z',
};
/** The file once its bytes are stored: ready, with their SHA-256. */
export const READY_EXAMPLE = { ...EXAMPLE_FILE, status: 'ready', sha256: EXAMPLE_SHA256, uploadedAt: '2026-11-28T08:39:22.456Z' };

export class StoredFileDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  id: string;

  @ApiProperty({ example: EXAMPLE_FILE.filename })
  filename: string;

  @ApiProperty({ example: 'text/plain' })
  mimeType: string;

  @ApiProperty({ type: 'integer', format: 'int64', example: EXAMPLE_FILE.size })
  size: number;

  @ApiProperty({ enum: ['pending', 'ready'], example: 'ready' })
  status: 'pending' | 'ready';

  @ApiProperty({ nullable: true, type: String, description: 'SHA-256 of the stored bytes; null until uploaded.', example: EXAMPLE_SHA256 })
  sha256: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  uploadedAt: string | null;

  // Inline rather than a $ref: OpenAPI 3.0 has no sound nullable reference
  // (`nullable` needs a `type` beside it, and `allOf` would then refuse null).
  @ApiProperty({
    type: 'object',
    properties: {
      keyId: { type: 'string', format: 'uuid', description: 'The API key that created the file (it may have been deleted since).' },
      name: { type: 'string', example: 'Nightly backup', description: 'The key\'s name when it created the file.' },
    },
    required: ['keyId', 'name'],
    selfRequired: true,
    nullable: true,
    description:
      'The API key that created the file, named as it was then. Null for files uploaded in the dashboard ' +
      'and for files stored before EDS recorded this.',
  })
  uploadedBy: UploadedByDto | null;
}

export class PendingUploadDto extends StoredFileDto {
  @ApiProperty({
    format: 'uri',
    description: 'Where to PUT the bytes (with the same x-api-key header).',
    example: PENDING_EXAMPLE.uploadUrl,
  })
  uploadUrl: string;

  @ApiProperty({ enum: ['PUT'], example: 'PUT' })
  uploadMethod: 'PUT';

  @ApiProperty({ format: 'date-time', description: 'After this the pending upload expires and is cleaned up.' })
  expiresAt: string;
}
