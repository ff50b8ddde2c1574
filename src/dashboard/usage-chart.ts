/** A server-rendered bar chart of requests per day: plain SVG geometry, no script, no CDN. */
export interface UsageChart {
  width: number;
  height: number;
  /** Top of the plot area: the axis label for `max` sits there. */
  top: number;
  baseline: number;
  max: number;
  bars: Array<{ x: number; y: number; width: number; height: number; day: string; requests: number; label: string }>;
  firstDay: string;
  lastDay: string;
}

const WIDTH = 600;
const HEIGHT = 140;
const TOP = 14;
const BOTTOM = 20;
const GAP = 2;

export function usageChart(days: ReadonlyArray<{ day: string; requests: number }>): UsageChart {
  const baseline = HEIGHT - BOTTOM;
  const plot = baseline - TOP;
  const max = Math.max(1, ...days.map((d) => d.requests));
  const slot = WIDTH / Math.max(days.length, 1);
  const bars = days.map((d, i) => {
    // A day with any request gets at least a visible sliver.
    const height = d.requests === 0 ? 0 : Math.max(1, Math.round((d.requests / max) * plot));
    return {
      x: round(i * slot + GAP / 2),
      y: baseline - height,
      width: round(slot - GAP),
      height,
      day: d.day,
      requests: d.requests,
      label: `${d.day}: ${d.requests} request${d.requests === 1 ? '' : 's'}`,
    };
  });
  return {
    width: WIDTH,
    height: HEIGHT,
    top: TOP,
    baseline,
    max,
    bars,
    firstDay: days[0]?.day ?? '',
    lastDay: days[days.length - 1]?.day ?? '',
  };
}

const round = (n: number): number => Math.round(n * 100) / 100;
