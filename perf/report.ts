/**
 * The run's outputs: the summary table (text, for the terminal), the per-transaction and per-block CSVs, the
 * chart (TPS and inclusion latency over time, and the time-to-inclusion histogram) rendered to SVG by vega +
 * vega-lite in Node (no browser), and the HTML report holding the tables and the chart.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { BlockRecord, StepSummary, TxRecord } from "./stats.ts";

const fmt = (n: number, digits = 0): string => (Number.isNaN(n) ? "-" : n.toFixed(digits));

const COLUMNS = [
  "rate",
  "offered",
  "accepted",
  "refused",
  "included",
  "pending",
  "TPS",
  "gas/s",
  "p50 ms",
  "p90 ms",
  "p99 ms",
  "max ms",
  "block ms",
] as const;

function row(s: StepSummary): string[] {
  return [
    String(s.rate),
    String(s.offered),
    String(s.accepted),
    String(s.refused),
    String(s.included),
    String(s.pending),
    fmt(s.tps, 1),
    `${fmt(s.gasPerSecond / 1e6, 2)}M`,
    fmt(s.latencyMs.p50),
    fmt(s.latencyMs.p90),
    fmt(s.latencyMs.p99),
    fmt(s.latencyMs.max),
    fmt(s.blockIntervalMs.avg),
  ];
}

/** A header, a rule and the rows as right-aligned text columns. */
function aligned(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: readonly string[]) => r.map((v, c) => v.padStart(widths[c]!)).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}

/** The summary table as aligned text, with each step's refusals by reason below it. */
export function summaryTable(summaries: readonly StepSummary[]): string {
  const out = aligned(COLUMNS, summaries.map(row));
  for (const s of summaries)
    for (const [reason, n] of Object.entries(s.refusedByReason))
      out.push(`  refused at ${s.rate} tx/s: ${n} × ${reason}`);
  out.push(
    "TPS and gas/s from the including blocks; latency = first send → including block seen (newHeads); block ms = mean block interval",
  );
  return out.join("\n");
}

function csv(header: readonly string[], rows: readonly (readonly (string | number | undefined)[])[]): string {
  const cell = (v: string | number | undefined) => {
    const s = v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[header, ...rows].map((r) => r.map(cell).join(",")).join("\n")}\n`;
}

export function transactionsCsv(txs: readonly TxRecord[], startMs: number): string {
  return csv(
    [
      "step",
      "hash",
      "sender",
      "nonce",
      "kind",
      "node",
      "attempts",
      "sent_ms",
      "accepted_ms",
      "included_ms",
      "latency_ms",
      "block",
      "status",
      "gas_used",
      "last_refusal",
    ],
    txs.map((t) => [
      t.step,
      t.hash,
      t.sender,
      t.nonce,
      t.kind,
      t.node,
      t.attempts,
      t.firstSentMs === undefined ? undefined : t.firstSentMs - startMs,
      t.acceptedMs === undefined ? undefined : t.acceptedMs - startMs,
      t.includedMs === undefined ? undefined : t.includedMs - startMs,
      t.includedMs === undefined || t.firstSentMs === undefined ? undefined : t.includedMs - t.firstSentMs,
      t.block,
      t.status,
      t.gasUsed,
      t.lastRefusal,
    ]),
  );
}

export function blocksCsv(blocks: readonly BlockRecord[], startMs: number): string {
  return csv(
    ["number", "hash", "seen_ms", "block_time_ms", "tx_count", "ours", "gas_used", "gas_limit", "base_fee"],
    blocks.map((b) => [
      b.number,
      b.hash,
      b.seenMs - startMs,
      b.timeMs - startMs,
      b.txCount,
      b.ours,
      b.gasUsed,
      b.gasLimit,
      String(b.baseFee),
    ]),
  );
}

/** The vega-lite spec: TPS per second, latency p50/p99 per second (by inclusion time), latency histogram. */
export function chartSpec(txs: readonly TxRecord[], startMs: number): TopLevelSpec {
  const buckets = new Map<number, number[]>();
  for (const t of txs) {
    if (t.includedMs === undefined || t.firstSentMs === undefined) continue;
    const sec = Math.floor((t.includedMs - startMs) / 1000);
    let b = buckets.get(sec);
    if (b === undefined) {
      b = [];
      buckets.set(sec, b);
    }
    b.push(t.includedMs - t.firstSentMs);
  }
  const series: { t: number; series: string; value: number }[] = [];
  const latencies: { latency: number }[] = [];
  const last = Math.max(0, ...buckets.keys());
  for (let sec = 0; sec <= last; sec++) {
    const b = (buckets.get(sec) ?? []).sort((x, y) => x - y);
    series.push({ t: sec, series: "TPS", value: b.length });
    if (b.length > 0) {
      series.push({ t: sec, series: "latency p50", value: b[Math.ceil(0.5 * b.length) - 1]! });
      series.push({ t: sec, series: "latency p99", value: b[Math.ceil(0.99 * b.length) - 1]! });
    }
    for (const l of b) latencies.push({ latency: l });
  }
  const x = { field: "t", type: "quantitative" as const, title: "time since start (s)" };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "pnpm perf",
    vconcat: [
      {
        width: 720,
        height: 200,
        data: { values: series.filter((p) => p.series === "TPS") },
        mark: { type: "line", interpolate: "step-after" },
        encoding: { x, y: { field: "value", type: "quantitative", title: "included tx/s" } },
      },
      {
        width: 720,
        height: 200,
        data: { values: series.filter((p) => p.series !== "TPS") },
        mark: "line",
        encoding: {
          x,
          y: { field: "value", type: "quantitative", title: "inclusion latency (ms)" },
          color: { field: "series", type: "nominal", title: null },
        },
      },
      {
        width: 720,
        height: 160,
        data: { values: latencies },
        mark: "bar",
        encoding: {
          x: {
            field: "latency",
            type: "quantitative",
            bin: { maxbins: 60 },
            title: "time to inclusion (ms)",
          },
          y: { aggregate: "count", type: "quantitative", title: "transactions" },
        },
      },
    ],
  };
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

export function htmlReport(
  summaries: readonly StepSummary[],
  svg: string,
  meta: Readonly<Record<string, string>>,
): string {
  const head = `<tr>${COLUMNS.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  const body = summaries
    .map(
      (s) =>
        `<tr>${row(s)
          .map((v) => `<td>${esc(v)}</td>`)
          .join("")}</tr>`,
    )
    .join("\n");
  const refusals = summaries.flatMap((s) =>
    Object.entries(s.refusedByReason).map(
      ([r, n]) => `<tr><td>${s.rate}</td><td>${esc(r)}</td><td>${n}</td></tr>`,
    ),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pnpm perf report</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}</style>
</head><body>
<h1>pnpm perf</h1>
<table>${Object.entries(meta)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join("")}</table>
<h2>Summary per rate step</h2>
<table>${head}
${body}</table>
<p>TPS and gas/s from the including blocks; latency = first send → including block seen (newHeads); block ms = mean block interval.</p>
<h2>Refusals by reason</h2>
${refusals.length === 0 ? "<p>none</p>" : `<table><tr><th>rate</th><th>reason</th><th>count</th></tr>${refusals.join("")}</table>`}
<h2>TPS and latency over time</h2>
${svg}
<p>Data: <a href="transactions.csv">transactions.csv</a>, <a href="blocks.csv">blocks.csv</a>, <a href="summary.json">summary.json</a>.</p>
</body></html>
`;
}

/** Writes transactions.csv, blocks.csv, summary.json, chart.svg and report.html into `dir`. */
export async function writeReport(
  dir: string,
  summaries: readonly StepSummary[],
  txs: readonly TxRecord[],
  blocks: readonly BlockRecord[],
  startMs: number,
  meta: Readonly<Record<string, string>>,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "transactions.csv"), transactionsCsv(txs, startMs));
  writeFileSync(join(dir, "blocks.csv"), blocksCsv(blocks, startMs));
  writeFileSync(join(dir, "summary.json"), `${JSON.stringify({ meta, steps: summaries }, null, 2)}\n`);
  const svg = await renderSvg(chartSpec(txs, startMs));
  writeFileSync(join(dir, "chart.svg"), svg);
  writeFileSync(join(dir, "report.html"), htmlReport(summaries, svg, meta));
}

/** One target's steps, for the comparison of `--vs-anvil`. */
export interface TargetSteps {
  readonly name: string;
  readonly steps: readonly StepSummary[];
}

/**
 * The same rate steps side by side: included TPS of each target, their ratio (first over second), p99
 * latency, and lost = accepted but not included when the drain ended.
 */
export function comparisonTable(a: TargetSteps, b: TargetSteps): string {
  const header = [
    "rate",
    `${a.name} TPS`,
    `${b.name} TPS`,
    "ratio",
    `${a.name} p99 ms`,
    `${b.name} p99 ms`,
    `${a.name} lost`,
    `${b.name} lost`,
  ];
  const rows = a.steps.map((s, i) => {
    const t = b.steps[i];
    return [
      String(s.rate),
      fmt(s.tps, 1),
      t === undefined ? "-" : fmt(t.tps, 1),
      t === undefined || t.tps === 0 ? "-" : `${fmt(s.tps / t.tps, 2)}×`,
      fmt(s.latencyMs.p99),
      t === undefined ? "-" : fmt(t.latencyMs.p99),
      String(s.pending),
      t === undefined ? "-" : String(t.pending),
    ];
  });
  return [
    ...aligned(header, rows),
    `ratio = ${a.name} TPS / ${b.name} TPS at the same offered rate; lost = accepted, not included after the drain`,
  ].join("\n");
}
