import { ApiProperty } from '@nestjs/swagger';

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
