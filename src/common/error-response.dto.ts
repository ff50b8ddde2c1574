import { ApiProperty } from '@nestjs/swagger';

/** The one error body every answer ≥ 400 carries (DESIGN.md, STYLE.md §6). */
export class ErrorResponseDto {
  @ApiProperty({ example: 401, description: 'The HTTP status code, repeated.' })
  statusCode: number;

  @ApiProperty({ example: 'Unauthorized', description: 'The HTTP reason phrase.' })
  error: string;

  @ApiProperty({ example: 'Invalid or inactive API key', description: 'What went wrong, for a human.' })
  message: string;
}
