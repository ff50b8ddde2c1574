import { usageChart } from './usage-chart';

describe('usageChart', () => {
  const days = (counts: number[]) => counts.map((requests, i) => ({ day: `2031-01-${String(i + 1).padStart(2, '0')}`, requests }));

  it('scales bars to the busiest day, on one baseline', () => {
    const chart = usageChart(days([0, 5, 10]));
    expect(chart.max).toBe(10);
    const [empty, half, full] = chart.bars;
    expect(empty.height).toBe(0);
    expect(full.height).toBe(chart.baseline - chart.top);
    expect(half.height).toBe(Math.round(full.height / 2));
    for (const bar of chart.bars) expect(bar.y + bar.height).toBe(chart.baseline);
    expect(full.label).toBe('2031-01-03: 10 requests');
    expect(chart.bars.map((b) => b.x)).toEqual([...chart.bars.map((b) => b.x)].sort((a, b) => a - b));
  });

  it('shows a sliver for a quiet day next to a busy one, and nothing for an empty month', () => {
    expect(usageChart(days([1, 100000])).bars[0].height).toBe(1);
    const quiet = usageChart(days([0, 0]));
    expect(quiet.max).toBe(1);
    expect(quiet.bars.every((b) => b.height === 0)).toBe(true);
    expect(quiet.bars[0].label).toBe('2031-01-01: 0 requests');
  });
});
