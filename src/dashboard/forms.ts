import { Expose, Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength, MinLength } from 'class-validator';

const trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

export class LoginForm {
  @Expose() @trim() @IsString() @MaxLength(254) email: string;
  @Expose() @IsString() @MaxLength(1024) password: string;
}

export class NewApiKeyForm {
  @Expose()
  @trim()
  @IsString({ message: 'Give the key a name' })
  @Length(1, 100, { message: 'The name must be 1 to 100 characters long' })
  name: string;
}

export class NewManagerForm {
  @Expose() @trim() @IsEmail({}, { message: 'Enter a valid email address' }) @MaxLength(254) email: string;

  @Expose()
  @IsString()
  @MinLength(12, { message: 'The password must be at least 12 characters long' })
  @MaxLength(1024, { message: 'The password is too long' })
  password: string;
}

export class SetupForm extends NewManagerForm {
  @Expose() @IsString() token: string;
}
