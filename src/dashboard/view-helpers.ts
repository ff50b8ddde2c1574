import type HandlebarsNs from 'handlebars';
import type { Clock } from '../common/clock';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "3 minutes ago", "in 2 days"; exact timestamp goes in the title attribute. */
export function relativeTime(date: Date, now: number): string {
  const diff = date.getTime() - now;
  const abs = Math.abs(diff);
  const [value, unit] =
    abs < MINUTE ? [0, 'now'] :
    abs < HOUR ? [Math.round(abs / MINUTE), 'minute'] :
    abs < DAY ? [Math.round(abs / HOUR), 'hour'] :
    [Math.round(abs / DAY), 'day'];
  if (unit === 'now') return 'just now';
  const phrase = `${value} ${unit}${value === 1 ? '' : 's'}`;
  return diff < 0 ? `${phrase} ago` : `in ${phrase}`;
}

export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** "512 B", "1.5 KiB", "12 MiB": binary units (as EDS_MAX_UPLOAD_BYTES's 5 GiB), three significant digits at most. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = value >= 100 ? Math.round(value).toString() : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  return `${shown.includes('.') ? shown.replace(/\.?0+$/, '') : shown} ${BYTE_UNITS[unit]}`;
}

export function registerViewHelpers(hbs: typeof HandlebarsNs, clock: Clock): void {
  // {{when date "fallback" now=someDate}}: `now` is the instant the page was made at; else the Clock's.
  hbs.registerHelper('when', (value: unknown, ...rest: unknown[]) => {
    const options = rest.pop() as HandlebarsNs.HelperOptions;
    const fallback = rest[0];
    if (!(value instanceof Date)) return typeof fallback === 'string' ? fallback : '';
    const now = options.hash?.now instanceof Date ? options.hash.now.getTime() : clock.now().getTime();
    return new hbs.SafeString(
      `<time datetime="${value.toISOString()}" title="${formatUtc(value)}">${relativeTime(value, now)}</time>`,
    );
  });
  hbs.registerHelper('utc', (value: unknown) => (value instanceof Date ? formatUtc(value) : ''));
  // {{bytes n}}: the size in human units, the exact count in the title.
  hbs.registerHelper('bytes', (value: unknown) =>
    typeof value === 'number'
      ? new hbs.SafeString(`<span title="${value.toLocaleString('en-US')} bytes">${formatBytes(value)}</span>`)
      : '');
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('join', (items: unknown, separator: unknown) =>
    Array.isArray(items) ? items.join(typeof separator === 'string' ? separator : ', ') : '');
}
