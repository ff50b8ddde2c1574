import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString } from 'class-validator';

/** The body of a leaked-key report: the shape of GitHub's credential-revocation API. */
export class RevokeKeysDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: 1000,
    description: 'Keys found in public, as found (`exstr_live_…`). Anything else in the list is counted and ignored.',
    example: ['exstr_live_0123456789abcdef0123456789abcdef'],
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'credentials must list at least one key' })
  @ArrayMaxSize(1000, { message: 'credentials may list at most 1000 keys' })
  @IsString({ each: true, message: 'each entry of credentials must be a string' })
  credentials: string[];
}

export class RevokeKeysResponseDto {
  @ApiProperty({ example: 1, description: 'How many entries the report listed (malformed ones included).' })
  received: number;
}
