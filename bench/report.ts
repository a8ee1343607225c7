import type { CpuReading } from './cpu';

export interface Row {
  scenario: string;
  side: string;
  deliveries: number;
  seconds: number;
  /** Publish to receipt, ms, one per delivery. */
  latencies: number[];
  /** Publish acknowledged, ms, one per publish. */
  acks: number[];
  peakRssMiB: number;
  cpu: CpuReading;
  /** How late this process's event loop (the service's or bare Temporal's worker's) ran, p99 over the scenario. */
  eventLoopDelayP99Ms: number;
}

export interface RunFacts {
  /** The commit measured. */
  code: string;
  cores: number;
  database: string;
  temporal: string;
  settings: string;
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const bareName = 'bare Temporal';
const ms = (n: number) => `${Math.round(n)} ms`;
const rate = (row: Row) => row.deliveries / row.seconds;
const per100 = (cpuSeconds: number, row: Row) => ((cpuSeconds / row.deliveries) * 100).toFixed(1);

/** The run as a Markdown table, each figure beside its ratio to bare Temporal in the same scenario. */
export function formatReport(rows: Row[], facts: RunFacts): string {
  const lines = [
    `Code: ${facts.code}. Machine: ${facts.cores} cores. Database: ${facts.database}. Temporal: ${facts.temporal}.`,
    `Load: ${facts.settings}.`,
    '',
    '| scenario | side | deliveries/s | vs bare | p50 publish→receipt | p99 | p50 vs bare | publish ack p50 / p99 | event loop delay p99 | peak RSS | CPU s per 100 deliveries: service or worker process / load / Temporal / PostgreSQL |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const bare = rows.find((r) => r.scenario === row.scenario && r.side === bareName);
    const p50 = percentile(row.latencies, 50);
    const vsBare = bare && row !== bare ? `${Math.round((rate(row) / rate(bare)) * 100)} %` : '';
    const p50VsBare = bare && row !== bare ? `${p50 >= percentile(bare.latencies, 50) ? '+' : '−'}${ms(Math.abs(p50 - percentile(bare.latencies, 50)))}` : '';
    lines.push(
      `| ${row.scenario} | ${row.side} | ${rate(row).toFixed(1)} | ${vsBare} | ${ms(p50)} | ${ms(percentile(row.latencies, 99))} | ${p50VsBare} | ` +
        `${ms(percentile(row.acks, 50))} / ${ms(percentile(row.acks, 99))} | ${Number.isNaN(row.eventLoopDelayP99Ms) ? '–' : ms(row.eventLoopDelayP99Ms)} | ${Math.round(row.peakRssMiB)} MiB | ` +
        `${per100(row.cpu.benchProcess, row)} / ${per100(row.cpu.load, row)} / ${per100(row.cpu.temporal, row)} / ${per100(row.cpu.postgres, row)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
