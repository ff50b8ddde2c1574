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
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('join', (items: unknown, separator: unknown) =>
    Array.isArray(items) ? items.join(typeof separator === 'string' ? separator : ', ') : '');
}
