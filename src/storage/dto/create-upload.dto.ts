import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Min } from 'class-validator';
import { EXAMPLE_CONTENT, EXAMPLE_SHA256 } from './stored-file.dto';

/** RFC 6838 restricted-name characters for type and subtype; parameters allowed after ";". */
export const MIME_TYPE_PATTERN =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"\r\n\\]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;

// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f]*$/;

export class CreateUploadDto {
  @ApiProperty({
    description: 'The file\'s name as the client knows it (metadata only). 1–255 characters, no control characters.',
    example: 'hello.txt',
    minLength: 1,
    maxLength: 255,
  })
  // class-validator runs decorators bottom-up: the type check comes last so it is reported first.
  @Matches(NO_CONTROL_CHARACTERS, { message: 'filename must not contain control characters' })
  @Length(1, 255, { message: 'filename must be 1 to 255 characters long' })
  @IsString({ message: 'filename must be a string' })
  filename: string;

  @ApiProperty({ description: 'A media type, `type/subtype`.', example: 'text/plain', maxLength: 255 })
  @Matches(MIME_TYPE_PATTERN, { message: 'mimeType must be a media type like text/plain' })
  @Length(3, 255, { message: 'mimeType must be a media type like text/plain' })
  @IsString({ message: 'mimeType must be a string' })
  mimeType: string;

  @ApiProperty({
    description: 'Exact size of the content in bytes. Larger than the server\'s limit answers 413.',
    example: Buffer.byteLength(EXAMPLE_CONTENT),
    minimum: 0,
    type: 'integer',
    format: 'int64',
  })
  @Min(0, { message: 'size must not be negative' })
  @IsInt({ message: 'size must be a whole number of bytes' })
  size: number;

  @ApiPropertyOptional({
    description: 'SHA-256 of the content, 64 hex characters. When given, an upload that does not match is refused.',
    // Of the example content, "Hello World" (11 bytes).
    example: EXAMPLE_SHA256,
    pattern: '^[0-9a-fA-F]{64}$',
  })
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hexadecimal characters' })
  @IsString({ message: 'sha256 must be 64 hexadecimal characters' })
  @IsOptional()
  sha256?: string;
}
