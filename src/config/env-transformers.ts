import { Transform } from 'class-transformer';

/** Treats an empty variable like an unset one, so `FOO=` means "use the default". */
const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

export const ToInt = (): PropertyDecorator =>
  Transform(({ value }) => {
    const v = blankToUndefined(value);
    return typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  });

export const ToBool = (): PropertyDecorator =>
  Transform(({ value }) => {
    const v = blankToUndefined(value);
    if (typeof v !== 'string') return v;
    const lower = v.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
    if (['0', 'false', 'no', 'off'].includes(lower)) return false;
    return v;
  });

export const Trimmed = (): PropertyDecorator =>
  Transform(({ value }) => {
    const v = blankToUndefined(value);
    return typeof v === 'string' ? v.trim() : v;
  });
