import { Expose, plainToInstance, Transform } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsIn,
  IsString,
  Length,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { API_KEY_SCOPES, type ApiKeyScope, EXPIRY_DAY_CHOICES, GRACE_PERIODS, type GracePeriod, type KeyExpiry } from '../api-keys';

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * Validates an HTML form body against a class-validator class. Unlike the
 * JSON API (400 + JSON), a form answers with its page and the reasons inline.
 */
export function parseForm<T extends object>(schema: new () => T, body: unknown): FormResult<T> {
  const source = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
  const value = plainToInstance(schema, source, { excludeExtraneousValues: true });
  const errors = validateSync(value, { stopAtFirstError: true });
  if (errors.length > 0) {
    return { ok: false, errors: errors.flatMap((e) => Object.values(e.constraints ?? {})) };
  }
  return { ok: true, value };
}

const trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

export const EXPIRY_CHOICES = ['never', ...EXPIRY_DAY_CHOICES.map(String), 'date'] as const;

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

  /** Absent (an older form, a script): never. */
  @Expose()
  @Transform(({ value }) => (value === undefined || value === '' ? 'never' : value))
  @IsIn(EXPIRY_CHOICES, { message: 'Choose when the key expires' })
  expiry: (typeof EXPIRY_CHOICES)[number];

  @Expose()
  @trim()
  @ValidateIf((form: NewApiKeyForm) => form.expiry === 'date')
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'Pick the expiry date' })
  expiresOn?: string;

  /**
   * One checked box arrives as a string, several as an array, none as nothing:
   * the page's hidden `scopesShown` tells "none checked" from a post that has
   * no scope boxes at all (which gets every scope, as before scopes existed).
   */
  @Expose()
  @Transform(({ value, obj }) =>
    value === undefined
      ? (obj as Record<string, unknown>).scopesShown !== undefined ? [] : [...API_KEY_SCOPES]
      : Array.isArray(value) ? value : [value],
  )
  @IsArray()
  @ArrayMinSize(1, { message: 'Choose at least one scope' })
  @IsIn(API_KEY_SCOPES, { each: true, message: 'Unknown scope' })
  scopes: ApiKeyScope[];

  /** One CIDR range per line; checked (each bad line named) by parseAllowedNetworks. */
  @Expose()
  @Transform(({ value }) => (value === undefined ? '' : value))
  @IsString({ message: 'Allowed networks must be text, one range per line' })
  @MaxLength(10_000, { message: 'The list of allowed networks is too long' })
  allowedNetworks: string;

  keyExpiry(): KeyExpiry {
    if (this.expiry === 'never') return { kind: 'never' };
    if (this.expiry === 'date') return { kind: 'date', date: this.expiresOn ?? '' };
    return { kind: 'days', days: Number(this.expiry) };
  }
}

export class RollKeyForm {
  @Expose()
  @IsIn(Object.keys(GRACE_PERIODS), { message: 'Choose how long the old key keeps working' })
  grace: GracePeriod;
}

export class NetworksForm {
  @Expose()
  @Transform(({ value }) => (value === undefined ? '' : value))
  @IsString({ message: 'Allowed networks must be text, one range per line' })
  @MaxLength(10_000, { message: 'The list of allowed networks is too long' })
  allowedNetworks: string;
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

/** The rules every new password follows (as NewManagerForm's). */
const NewPassword = (): PropertyDecorator => (target, key) => {
  MinLength(12, { message: 'The new password must be at least 12 characters long' })(target, key);
  MaxLength(1024, { message: 'The new password is too long' })(target, key);
  IsString({ message: 'Enter a new password' })(target, key);
};

export class ChangePasswordForm {
  @Expose() @IsString({ message: 'Enter your current password' }) @MaxLength(1024) currentPassword: string;
  @Expose() @NewPassword() newPassword: string;
}

export class ResetPasswordForm {
  @Expose() @IsString() @MaxLength(200) token: string;
  @Expose() @NewPassword() newPassword: string;
}

export class RoleForm {
  @Expose() @IsIn(['admin', 'manager'], { message: 'Choose admin or manager' }) role: 'admin' | 'manager';
}
