#!/usr/bin/python3
"""Writes docs/benchmarks.md and its plot from a tests/bench/run results folder.

  tests/bench/report.py RESULTS_DIR [--markdown=PATH] [--svg=PATH]

RESULTS_DIR holds results.jsonl (one JSON object per measurement), machine.json
and, when the in-process benchmark ran, timeline_scale_bench.json. The text
around the numbers comes from tests/bench/benchmarks.md.in: {{name}} marks
where a generated table goes. Without --markdown and --svg, the report and
the plot are written into RESULTS_DIR. Standard library only.
"""

import html
import json
import math
import os
import re
import sys

_TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "benchmarks.md.in")
_WORKLOAD_TITLES = {
    "point": "Point as-of",
    "stab": "Stabbing count",
    "window": "Window",
    "history": "History",
}
_MISSING = "—"


# --- Loading ---------------------------------------------------------------

class Results:
    """The measurements of one run, looked up by their identifying fields."""

    def __init__(self, directory):
        self.directory = directory
        self.rows = []
        with open(os.path.join(directory, "results.jsonl")) as lines:
            for line in lines:
                if line.strip():
                    self.rows.append(json.loads(line))
        with open(os.path.join(directory, "machine.json")) as machine:
            self.machine = json.load(machine)
        self.index_bench = None
        path = os.path.join(directory, "timeline_scale_bench.json")
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path) as bench:
                try:
                    self.index_bench = json.load(bench)
                except json.JSONDecodeError:
                    self.index_bench = None
        self.sizes = sorted({row["statements"] for row in self.rows
                             if "statements" in row})
        # The query concurrencies (an import also reports its "clients").
        self.clients = sorted(self.machine.get("clients") or {
            row["clients"] for row in self.rows
            if row.get("system") == "postgresql" and "clients" in row})

    def Find(self, **fields):
        """The measurement with all `fields`, None if there is none or every
        run of it failed. Of repeated runs, the best: interference from other
        processes only ever slows a run down. Best is the highest q/s for a
        query workload, the lowest p99 lag for the feed, and otherwise the
        last run. Query runs are over loopback TCP unless `transport` says
        otherwise ("unix"); rows without a transport are TCP."""
        fields.setdefault("transport", "tcp")
        runs = [row for row in self.rows
                if all(row.get(k, "tcp" if k == "transport" else None) == v
                       for k, v in fields.items())
                and "error" not in row]
        if not runs:
            return None
        if any("qps" in row for row in runs):
            return max(runs, key=lambda row: (row.get("errors", 0) == 0,
                                              row.get("qps") or 0))
        if any("lag_p99_us" in row for row in runs):
            return min(runs, key=lambda row: row.get("lag_p99_us", math.inf))
        return runs[-1]

    def Value(self, key, **fields):
        row = self.Find(**fields)
        if row is None:
            return None
        value = row.get(key)
        return value if isinstance(value, (int, float)) else None


# --- Formatting ------------------------------------------------------------

def Rate(value):
    if value is None:
        return _MISSING
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def Micros(value):
    if value is None:
        return _MISSING
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def Ratio(value):
    if value is None:
        return _MISSING
    if value >= 100:
        return f"{value:,.0f}×"
    if value >= 10:
        return f"{value:.0f}×"
    if value >= 1:
        return f"{value:.1f}×"
    if value >= 0.1:
        return f"{value:.2f}×"
    return f"{value:.2g}×"


def Bytes(value):
    if value is None:
        return _MISSING
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"


def Size(n):
    if n >= 1000000 and n % 1000000 == 0:
        return f"{n // 1000000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def Divide(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def Table(header, rows, align=None):
    align = align or ["r"] * len(header)
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(":---" if a == "l" else "---:" for a in align)
             + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(lines)


def MeanMicros(row):
    """Mean latency of a closed-loop run, from its row."""
    if row is None:
        return None
    if isinstance(row.get("mean_us"), (int, float)):
        return row["mean_us"]
    qps, clients = row.get("qps"), row.get("clients", 1)
    return clients * 1e6 / qps if qps else None


# --- Tables ----------------------------------------------------------------

def MachineTable(results):
    m = results.machine
    sizes = ", ".join(Size(n) for n in m.get("sizes", []))
    rows = [
        ("CPU", f"{m.get('cpu', '?')}, {m.get('nproc', '?')} cores (nproc)"),
        ("Memory", Bytes(m.get("memory_bytes"))),
        ("Kernel", m.get("kernel", "?")),
        ("Debian", m.get("debian", "?")),
        ("PostgreSQL", m.get("postgresql", "?")),
        ("RocksDB (librocksdb-dev, rocksdb-tools)", m.get("rocksdb", "?")),
        ("gRPC (libgrpc++-dev)", m.get("grpc", "?")),
        ("Annals build", f"{m.get('build_type', '?')}, {m.get('compiler', '?')}"
         f", commit {m.get('commit', '?')}"
         + (" with local changes" if m.get("dirty") else "")),
        ("Data sets", f"{sizes} statements, seed {m.get('seed', '?')}"),
        ("Each query measurement", f"{m.get('seconds_per_run', '?')} s at "
         + ", ".join(str(c) for c in m.get("clients", [])) + " clients, "
         + (f"best of {m['repeat']} runs" if m.get("repeat", 1) > 1
            else "one run")),
        ("Started (UTC)", m.get("started_utc", "?")),
    ]
    total = results.Find(system="run", workload="total")
    if total is not None:
        rows.append(("Whole run", f"{total['seconds'] / 60:.1f} min"))
    if "loadavg" in m:
        rows.append(("Load average (1, 5, 15 min) before / after",
                     f"{m['loadavg']} / {total.get('loadavg', '?')}"
                     if total else m["loadavg"]))
    return Table(["", ""], rows, ["l", "l"])


def WorkloadTable(results, workload):
    header = ["N", "clients", "Annals q/s", "p50 µs", "p99 µs",
              "PostgreSQL q/s", "p50 µs", "p99 µs", "Annals ÷ PostgreSQL",
              "gRPC floor q/s", "Annals ÷ floor"]
    rows = []
    for n in results.sizes:
        for k in results.clients:
            annals = results.Find(system="annals", workload=workload,
                                  statements=n, clients=k)
            pg = results.Find(system="postgresql", workload=workload,
                              statements=n, clients=k)
            ping = results.Find(system="annals", workload="ping",
                                statements=n, clients=k)
            if annals is None and pg is None:
                continue
            a_qps = annals and annals.get("qps")
            p_qps = pg and pg.get("qps")
            f_qps = ping and ping.get("qps")
            rows.append([
                Size(n), k, Rate(a_qps),
                Micros(annals and annals.get("p50_us")),
                Micros(annals and annals.get("p99_us")),
                Rate(p_qps), Micros(pg and pg.get("p50_us")),
                Micros(pg and pg.get("p99_us")),
                Ratio(Divide(a_qps, p_qps)), Rate(f_qps),
                Ratio(Divide(a_qps, f_qps)),
            ])
    return Table(header, rows)


_TRANSPORTS = ("tcp", "unix")


def _BestLookups(results, n, k, transport):
    """The more lookups/s of point_batch and point_stream."""
    rates = [results.Value("lookups_per_second", system="annals",
                           workload=w, statements=n, clients=k,
                           transport=transport)
             for w in ("point_batch", "point_stream")]
    rates = [r for r in rates if r is not None]
    return max(rates) if rates else None


def BatchTable(results):
    header = ["N", "clients", "transport", "batched lookups/s", "calls/s",
              "p50 µs per call", "streamed lookups/s", "messages/s",
              "p50 µs per message", "PostgreSQL lookups/s",
              "best ÷ PostgreSQL"]
    rows = []
    for n in results.sizes:
        for k in results.clients:
            for transport in _TRANSPORTS:
                where = dict(statements=n, clients=k, transport=transport)
                batch = results.Find(system="annals", workload="point_batch",
                                     **where)
                stream = results.Find(system="annals",
                                      workload="point_stream", **where)
                pg = results.Value("qps", system="postgresql",
                                   workload="point", **where)
                if batch is None and stream is None:
                    continue
                rows.append([
                    Size(n), k, transport,
                    Rate(batch and batch.get("lookups_per_second")),
                    Rate(batch and batch.get("qps")),
                    Micros(batch and batch.get("p50_us")),
                    Rate(stream and stream.get("lookups_per_second")),
                    Rate(stream and stream.get("qps")),
                    Micros(stream and stream.get("p50_us")), Rate(pg),
                    Ratio(Divide(_BestLookups(results, n, k, transport), pg)),
                ])
    return Table(header, rows)


def TransportTable(results):
    """Point lookups, the floor and PostgreSQL over both transports."""
    header = ["N", "clients", "transport", "GetSnapshot q/s", "p50 µs",
              "ping q/s", "p50 µs", "GetSnapshot ÷ ping (mean)",
              "PostgreSQL q/s", "p50 µs", "Annals ÷ PostgreSQL"]
    rows = []
    for n in results.sizes:
        for k in results.clients:
            for transport in _TRANSPORTS:
                where = dict(statements=n, clients=k, transport=transport)
                point = results.Find(system="annals", workload="point",
                                     **where)
                ping = results.Find(system="annals", workload="ping", **where)
                pg = results.Find(system="postgresql", workload="point",
                                  **where)
                if point is None and ping is None and pg is None:
                    continue
                rows.append([
                    Size(n), k, transport,
                    Rate(point and point.get("qps")),
                    Micros(point and point.get("p50_us")),
                    Rate(ping and ping.get("qps")),
                    Micros(ping and ping.get("p50_us")),
                    Ratio(Divide(MeanMicros(point), MeanMicros(ping))),
                    Rate(pg and pg.get("qps")),
                    Micros(pg and pg.get("p50_us")),
                    Ratio(Divide(point and point.get("qps"),
                                 pg and pg.get("qps"))),
                ])
    return Table(header, rows)


def PingTable(results):
    header = ["N", "clients", "ping q/s", "ping p50 µs", "GetSnapshot p50 µs",
              "GetSnapshot ÷ ping (p50)", "GetSnapshot ÷ ping (mean)"]
    rows = []
    for n in results.sizes:
        for k in results.clients:
            ping = results.Find(system="annals", workload="ping",
                                statements=n, clients=k)
            point = results.Find(system="annals", workload="point",
                                 statements=n, clients=k)
            if ping is None:
                continue
            rows.append([
                Size(n), k, Rate(ping.get("qps")), Micros(ping.get("p50_us")),
                Micros(point and point.get("p50_us")),
                Ratio(Divide(point and point.get("p50_us"),
                             ping.get("p50_us"))),
                Ratio(Divide(MeanMicros(point), MeanMicros(ping))),
            ])
    return Table(header, rows)


def ImportTable(results):
    header = ["N", "Annals ImportRecords statements/s",
              "db_bench fillrandom ops/s", "Annals ÷ fillrandom",
              "fillrandom sync, batch 1000", "Annals ÷ that",
              "PostgreSQL load statements/s", "timeline catch-up s"]
    rows = []
    for n in results.sizes:
        annals = results.Find(system="annals", workload="import",
                              statements=n)
        plain = results.Value("ops_per_second", system="rocksdb",
                              workload="fillrandom", variant="default",
                              statements=n)
        synced = results.Value("ops_per_second", system="rocksdb",
                               workload="fillrandom",
                               variant="sync_batch1000", statements=n)
        pg = results.Value("statements_per_second", system="postgresql",
                           workload="load", statements=n)
        rate = annals and annals.get("statements_per_second")
        rows.append([
            Size(n), Rate(rate), Rate(plain), Ratio(Divide(rate, plain)),
            Rate(synced), Ratio(Divide(rate, synced)), Rate(pg),
            Micros(annals and annals.get("timeline_catchup_seconds")),
        ])
    return Table(header, rows)


def PostgresLoadTable(results):
    header = ["N", "COPY s", "ranges s", "indexes s", "VACUUM ANALYZE s",
              "total s", "table", "indexes"]
    rows = []
    for n in results.sizes:
        row = results.Find(system="postgresql", workload="load", statements=n)
        if row is None:
            continue
        rows.append([Size(n)] + [
            f"{row.get(key, 0):.2f}" for key in
            ("copy_seconds", "ranges_seconds", "index_seconds",
             "vacuum_seconds", "seconds")
        ] + [Bytes(row.get("table_bytes")), Bytes(row.get("index_bytes"))])
    return Table(header, rows)


_PLAN_NODE = re.compile(
    r"((?:Parallel )?(?:Index Only Scan|Index Scan|Bitmap Index Scan|"
    r"Seq Scan)) (?:using|on) (\w+)")


def PostgresPlansTable(results):
    """The index each pgbench query used: counted during the runs, and
    planned by EXPLAIN (logs/explain-N.txt)."""
    plans = {}
    for n in results.sizes:
        path = os.path.join(results.directory, "logs", f"explain-{n}.txt")
        if not os.path.exists(path):
            continue
        workload = None
        with open(path) as text:
            for line in text:
                header = re.match(r"=== (\w+)\.sql", line)
                if header:
                    workload = header.group(1)
                    continue
                node = _PLAN_NODE.search(line)
                if workload and node and (workload, n) not in plans:
                    plans[(workload, n)] = (f"{node.group(1)} on "
                                            f"`{node.group(2)}`")

    def Cell(workload, n):
        # The index the pgbench runs scanned most, counted by PostgreSQL.
        scans = {}
        for k in results.clients:
            row = results.Find(system="postgresql", workload=workload,
                               statements=n, clients=k)
            for index, count in ((row or {}).get("index_scans") or {}).items():
                scans[index] = scans.get(index, 0) + count
        explained = plans.get((workload, n))
        if not scans:
            return explained or _MISSING
        used = max(scans, key=scans.get)
        if explained and f"`{used}`" in explained:
            return explained
        return f"`{used}` (EXPLAIN: {explained or _MISSING})"

    rows = [[_WORKLOAD_TITLES[w]] + [Cell(w, n) for n in results.sizes]
            for w in _WORKLOAD_TITLES]
    if not any(cell != _MISSING for row in rows for cell in row[1:]):
        return "_No query plans were recorded._"
    return Table(["query"] + [Size(n) for n in results.sizes], rows,
                 ["l"] * (1 + len(results.sizes)))


def FeedLagTable(results):
    header = ["N before", "run", "writes/s asked", "writes/s done", "writes",
              "lag p50 µs", "lag p99 µs", "lag max µs", "floor p50 µs",
              "floor p99 µs"]
    rows = []
    for row in results.rows:
        if row.get("workload") != "feed_lag" or "error" in row:
            continue
        rows.append([
            Size(row["statements"]), row.get("repeat", 1),
            Rate(row.get("rate_target")),
            Rate(row.get("rate_achieved")), Rate(row.get("writes")),
            Micros(row.get("lag_p50_us")), Micros(row.get("lag_p99_us")),
            Micros(row.get("lag_max_us")), Micros(row.get("floor_p50_us")),
            Micros(row.get("floor_p99_us")),
        ])
    return Table(header, rows)


def Memory(results, n):
    """(timeline bytes per statement, memory row) at N."""
    row = results.Find(system="annals", workload="memory", statements=n)
    if row is None:
        return None, None
    grown = row["timeline"]["rss_bytes"] - row["timeline_empty"]["rss_bytes"]
    return grown / n, row


def MemoryTable(results):
    header = ["N", "timeline RSS", "empty timeline", "timeline bytes per "
              "statement", "catalog RSS", "catalog on disk",
              "PostgreSQL table + indexes", "PostgreSQL bytes per statement"]
    rows = []
    for n in results.sizes:
        per_statement, row = Memory(results, n)
        if row is None:
            continue
        pg = results.Find(system="postgresql", workload="load", statements=n)
        pg_bytes = pg and pg["table_bytes"] + pg["index_bytes"]
        rows.append([
            Size(n), Bytes(row["timeline"]["rss_bytes"]),
            Bytes(row["timeline_empty"]["rss_bytes"]), f"{per_statement:,.0f}",
            Bytes(row["catalog"]["rss_bytes"]),
            Bytes(row.get("catalog_disk_bytes")), Bytes(pg_bytes),
            f"{pg_bytes / n:,.0f}" if pg_bytes else _MISSING,
        ])
    return Table(header, rows)


def RestartTable(results):
    header = ["N", "changes", "restart to SERVING s", "RSS after restart",
              "cold rebuild s", "cold rebuild changes/s", "RSS after rebuild",
              "timeline folder"]
    rows = []
    for n in results.sizes:
        row = results.Find(system="annals", workload="restart", statements=n)
        if row is None:
            continue
        cold = row.get("cold_seconds")
        rows.append([
            Size(n), f"{row['changes']:,}", f"{row['restart_seconds']:.2f}",
            Bytes(row["timeline"]["rss_bytes"]), f"{cold:.1f}",
            Rate(Divide(row["changes"], cold)),
            Bytes(row["cold_timeline"]["rss_bytes"]),
            Bytes(row.get("timeline_disk_bytes")),
        ])
    return Table(header, rows)


def _AtLargest(results, workload):
    """(N, row) of the largest size measured for an Annals workload."""
    for n in sorted(results.sizes, reverse=True):
        row = results.Find(system="annals", workload=workload, statements=n)
        if row is not None:
            return n, row
    return None, None


def MemoryAndRestartRows(results):
    """The targets of the timeline's memory and restart time at 10M."""
    rows = []
    n, _ = _AtLargest(results, "memory")
    if n is None:
        rows.append(["Timeline memory ≤ 64 B per statement at 10M",
                     _MISSING, _Verdict(None)])
    else:
        per_statement, _ = Memory(results, n)
        verdict = (_Verdict(per_statement <= 64) if n >= 10000000 else
                   "not judged below 10M (`--with-10m`)")
        rows.append(["Timeline memory ≤ 64 B per statement at 10M",
                     f"{per_statement:,.0f} B per statement at {Size(n)}",
                     verdict])
    n, row = _AtLargest(results, "restart")
    if row is None:
        rows.append(["Timeline restart to SERVING ≤ 10 s at 10M", _MISSING,
                     _Verdict(None)])
    else:
        seconds = row["restart_seconds"]
        verdict = (_Verdict(seconds <= 10) if n >= 10000000 else
                   "not judged below 10M (`--with-10m`)")
        rows.append(["Timeline restart to SERVING ≤ 10 s at 10M",
                     f"{seconds:.2f} s at {Size(n)} (cold rebuild "
                     f"{row['cold_seconds']:.0f} s)", verdict])
    return rows


# --- The in-process benchmark (Google Benchmark JSON) ----------------------

_NANOS = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}


def IndexBenchmarks(results):
    """[(name, family, N, µs per iteration, counters)] of the index bench."""
    if not results.index_bench:
        return []
    out = []
    for bench in results.index_bench.get("benchmarks", []):
        if bench.get("run_type") == "aggregate":
            continue
        name = bench["name"]
        numbers = [int(x) for x in re.findall(r"/(?:[a-z_]+:)?(\d+)", name)]
        n = max(numbers) if numbers else None
        family = "/".join(part for part in name.split("/")
                          if not re.fullmatch(r"(?:[a-z_]+:)?\d+", part))
        micros = bench["real_time"] * _NANOS.get(bench.get("time_unit", "ns"),
                                                 1e-3)
        counters = {k: v for k, v in bench.items()
                    if k not in ("name", "run_name", "run_type",
                                 "repetitions", "repetition_index",
                                 "threads", "iterations", "real_time",
                                 "cpu_time", "time_unit", "family_index",
                                 "per_family_instance_index",
                                 "aggregate_name", "label")
                    and isinstance(v, (int, float))}
        out.append((name, family, n, micros, counters))
    return out


def _Classify(family):
    """What an index benchmark measures, from its name."""
    lower = family.lower()
    scan = "linear" in lower or "scan" in lower
    if "stab" in lower or "count" in lower:
        return "stab_scan" if scan else "stab"
    if "snapshot" in lower or "point" in lower:
        return "point_scan" if scan else "point"
    return None


def IndexSeries(results):
    series = {}
    for _, family, n, micros, _ in IndexBenchmarks(results):
        kind = _Classify(family)
        if kind and n:
            series.setdefault(kind, {})[n] = micros
    return series


def IndexTable(results):
    benchmarks = IndexBenchmarks(results)
    if not benchmarks:
        return ("_The in-process benchmark did not run or wrote no results "
                "(see logs/timeline_scale_bench.log)._")
    rows = []
    for name, _, _, micros, counters in benchmarks:
        extra = ", ".join(f"{k} {v:,.3g}" for k, v in sorted(counters.items()))
        rows.append([f"`{name}`", Micros(micros), extra])
    return Table(["benchmark", "µs per call", "counters"], rows,
                 ["l", "r", "l"])


# --- Targets ---------------------------------------------------------------

def _Verdict(ok, partial=False):
    if ok is None:
        return "not measured"
    if ok:
        return "**met**" + (" (partly measured)" if partial else "")
    return "**missed**"


def _Ratios(results, numerator, denominator, sizes=None, per_client=True):
    """[(ratio, N, clients)] of numerator(n, k) / denominator(n, k)."""
    ratios = []
    for n in results.sizes if sizes is None else sizes:
        for k in results.clients if per_client else [None]:
            ratio = Divide(numerator(n, k), denominator(n, k))
            if ratio is not None:
                ratios.append((ratio, n, k))
    return ratios


def _Where(entry):
    n, k = entry[1], entry[2]
    text = f"{Size(n)}" + (f", {k} client{'s' if k != 1 else ''}"
                           if k is not None else "")
    return text + (f", {entry[3]}" if len(entry) > 3 else "")


def _TransportRatios(results, numerator, denominator):
    """[(ratio, N, clients, transport)] of numerator(n, k, t) /
    denominator(n, k, t), each transport against the same transport."""
    ratios = []
    for n in results.sizes:
        for k in results.clients:
            for transport in _TRANSPORTS:
                ratio = Divide(numerator(n, k, transport),
                               denominator(n, k, transport))
                if ratio is not None:
                    ratios.append((ratio, n, k, transport))
    return ratios


def _Judge(ratios, goal, at_least=True, what="ratio"):
    """(measured text, verdict) of ratios against goal."""
    if not ratios:
        return _MISSING, _Verdict(None)
    ratios = sorted(ratios)
    worst = ratios[0] if at_least else ratios[-1]
    passed = [r for r in ratios if (r[0] >= goal if at_least else
                                    r[0] <= goal)]
    def Exact(value):  # Two decimals, where a verdict may turn on them.
        return f"{value:.2f}×" if value < 10 else Ratio(value)

    text = f"{what} {Exact(ratios[0][0])} ({_Where(ratios[0])})"
    if len(ratios) > 1:
        text += f" to {Exact(ratios[-1][0])} ({_Where(ratios[-1])})"
    if len(passed) == len(ratios):
        return text, _Verdict(True)
    short = goal / worst[0] if at_least else worst[0] / goal
    factor = f"{short:.2f}" if short < 10 else f"{short:.0f}"
    text += f"; the worst case is short by a factor of {factor}"
    if passed:
        verdict = f"**missed** (met in {len(passed)} of {len(ratios)} runs)"
    else:
        verdict = _Verdict(False)
    return text, verdict


def Targets(results):
    rows = []

    def Field(field, system, workload, **extra):
        return lambda n, k: results.Value(
            field, system=system, workload=workload, statements=n,
            **({"clients": k} if k is not None else {}), **extra)

    pg_point = Field("qps", "postgresql", "point")
    text, verdict = _Judge(
        _Ratios(results, Field("qps", "annals", "point"), pg_point), 1,
        what="Annals ÷ PostgreSQL")
    rows.append(["Point as-of ≥ PostgreSQL's q/s at equal concurrency", text,
                 verdict])
    # The better of BatchGetSnapshots and StreamSnapshots, against
    # PostgreSQL over the same transport.
    text, verdict = _Judge(
        _TransportRatios(
            results, lambda n, k, t: _BestLookups(results, n, k, t),
            lambda n, k, t: results.Value(
                "qps", system="postgresql", workload="point", statements=n,
                clients=k, transport=t)),
        10, what="batched or streamed ÷ PostgreSQL")
    rows.append(["Batched point lookups ≥ 10× PostgreSQL's lookups/s "
                 "(the better of batched and streamed, each transport)",
                 text, verdict])

    at = 1000000 if 1000000 in results.sizes else (
        max(results.sizes) if results.sizes else None)
    for workload in ("stab", "window"):
        text, verdict = _Judge(
            _Ratios(results, Field("qps", "annals", workload),
                    Field("qps", "postgresql", workload),
                    sizes=[at] if at else []),
            100, what="Annals ÷ PostgreSQL")
        if at != 1000000:
            text = f"{text.split(';')[0]} (1M not run)"
            verdict = _Verdict(None)
        rows.append([f"{_WORKLOAD_TITLES[workload]} at 1M ≥ 100× PostgreSQL",
                     text, verdict])

    def Mean(workload):
        return lambda n, k, t: MeanMicros(results.Find(
            system="annals", workload=workload, statements=n, clients=k,
            transport=t))

    text, verdict = _Judge(
        _TransportRatios(results, Mean("point"), Mean("ping")), 1.1,
        at_least=False, what="mean latency ÷ ping's")
    rows.append(["Unary GetSnapshot ≤ 1.1× the bare gRPC round trip "
                 "(each transport)", text, verdict])

    text, verdict = _Judge(
        _Ratios(results,
                Field("statements_per_second", "annals", "import"),
                Field("ops_per_second", "rocksdb", "fillrandom",
                      variant="default"), per_client=False),
        0.5, what="ImportRecords ÷ fillrandom")
    rows.append(["Import ≥ ½ db_bench fillrandom", text, verdict])

    lag = results.Find(system="annals", workload="feed_lag")
    p99 = lag and lag.get("lag_p99_us")
    rows.append(["Feed lag p99 < 5 ms at 1,000 writes/s",
                 (f"p99 {Micros(p99)} µs (p50 {Micros(lag.get('lag_p50_us'))}"
                  f" µs) at {Rate(lag.get('rate_achieved'))} writes/s, "
                  f"{Size(lag['statements'])} statements loaded")
                 if lag else _MISSING,
                 _Verdict(p99 < 5000 if p99 is not None else None)])

    rows.append(LogGrowthRow(results))
    rows.extend(MemoryAndRestartRows(results))
    return Table(["Target", "Measured", "Verdict"], rows, ["l", "l", "l"])


def _Growth(costs):
    """(cost ratio, log ratio, first N, last N) over {N: cost}."""
    if len(costs) < 2:
        return None
    first, last = min(costs), max(costs)
    return (costs[last] / costs[first], math.log(last) / math.log(first),
            first, last)


def LogGrowthRow(results):
    end_to_end = {}
    for n in results.sizes:
        cost = MeanMicros(results.Find(system="annals", workload="point",
                                       statements=n, clients=1))
        if cost:
            end_to_end[n] = cost
    index = IndexSeries(results).get("point", {})
    parts = []
    verdicts = []
    for label, costs in (("end to end, 1 client", end_to_end),
                         ("in-process index", index)):
        growth = _Growth(costs)
        if growth is None:
            continue
        cost_ratio, log_ratio, first, last = growth
        verdicts.append(cost_ratio <= log_ratio)
        parts.append(f"{label}: cost ×{cost_ratio:.3f} from {Size(first)} to "
                     f"{Size(last)}, log N ×{log_ratio:.3f}")
    top = max(results.sizes) if results.sizes else 0
    partial = top < 10000000
    if partial and parts:
        parts.append("10M not run (`--with-10m`)")
    if verdicts and any(verdicts) and not all(verdicts):
        verdict = ("**met** end to end, **missed** in process" if verdicts[0]
                   else "**missed** end to end, **met** in process")
        if partial:
            verdict += " (up to 1M)"
    else:
        verdict = _Verdict(all(verdicts) if verdicts else None,
                           partial=partial)
    return ["Point cost grows no faster than log N, 10k → 10M",
            "; ".join(parts) or _MISSING, verdict]


# --- The plot --------------------------------------------------------------

_COLORS = {"annals": "#1f5fa8", "postgresql": "#c2410c", "index": "#15803d",
           "scan": "#6b7280", "ping": "#7c3aed"}


def _LogTicks(low, high):
    return [10 ** e for e in range(math.floor(math.log10(low)),
                                   math.ceil(math.log10(high)) + 1)]


def _TickLabel(value, unit=""):
    if value >= 1e6:
        return f"{value / 1e6:g}M{unit}"
    if value >= 1e3:
        return f"{value / 1e3:g}k{unit}"
    return f"{value:g}{unit}"


def _Panel(x, y, width, height, title, series):
    """SVG elements of one log-log panel; series: [(label, color, dash,
    {N: µs})]."""
    points = [(n, v) for _, _, _, data in series for n, v in data.items()
              if v and v > 0]
    out = [f'<text x="{x + width / 2}" y="{y - 12}" text-anchor="middle" '
           f'font-weight="bold">{html.escape(title)}</text>']
    if not points:
        out.append(f'<text x="{x + width / 2}" y="{y + height / 2}" '
                   'text-anchor="middle">no data</text>')
        return out
    xs = _LogTicks(min(n for n, _ in points), max(n for n, _ in points))
    ys = _LogTicks(min(v for _, v in points), max(v for _, v in points))
    if len(xs) < 2:
        xs = [xs[0], xs[0] * 10]
    if len(ys) < 2:
        ys = [ys[0], ys[0] * 10]
    lx0, lx1 = math.log10(xs[0]), math.log10(xs[-1])
    ly0, ly1 = math.log10(ys[0]), math.log10(ys[-1])

    def X(n):
        return x + (math.log10(n) - lx0) / (lx1 - lx0) * width

    def Y(v):
        return y + height - (math.log10(v) - ly0) / (ly1 - ly0) * height

    out.append(f'<rect x="{x}" y="{y}" width="{width}" height="{height}" '
               'fill="none" stroke="#999"/>')
    for tick in xs:
        out.append(f'<line x1="{X(tick):.1f}" y1="{y}" x2="{X(tick):.1f}" '
                   f'y2="{y + height}" stroke="#eee"/>')
        out.append(f'<text x="{X(tick):.1f}" y="{y + height + 16}" '
                   f'text-anchor="middle">{_TickLabel(tick)}</text>')
    for tick in ys:
        out.append(f'<line x1="{x}" y1="{Y(tick):.1f}" x2="{x + width}" '
                   f'y2="{Y(tick):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{x - 6}" y="{Y(tick) + 4:.1f}" '
                   f'text-anchor="end">{_TickLabel(tick)}</text>')
    out.append(f'<text x="{x + width / 2}" y="{y + height + 34}" '
               'text-anchor="middle">statements (N)</text>')
    out.append(f'<text x="{x - 44}" y="{y + height / 2}" text-anchor="middle" '
               f'transform="rotate(-90 {x - 44} {y + height / 2})">'
               'µs per query</text>')
    for label, color, dash, data in series:
        valid = sorted((n, v) for n, v in data.items() if v and v > 0)
        if not valid:
            continue
        path = " ".join(f"{X(n):.1f},{Y(v):.1f}" for n, v in valid)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                   f'stroke-width="2"{dash_attr}/>')
        for n, v in valid:
            out.append(f'<circle cx="{X(n):.1f}" cy="{Y(v):.1f}" r="3" '
                       f'fill="{color}"><title>{html.escape(label)}, '
                       f'{Size(n)}: {v:.3g} µs</title></circle>')
    return out


def Plot(results):
    index = IndexSeries(results)

    def EndToEnd(system, workload):
        costs = {}
        for n in results.sizes:
            cost = MeanMicros(results.Find(system=system, workload=workload,
                                           statements=n, clients=1))
            if cost:
                costs[n] = cost
        return costs

    ping = EndToEnd("annals", "ping")
    panels = []
    for workload, title in (("point", "Point as-of (1 client)"),
                            ("stab", "Stabbing count (1 client)")):
        series = [
            ("Annals, gRPC end to end", _COLORS["annals"], None,
             EndToEnd("annals", workload)),
            ("PostgreSQL 15, pgbench", _COLORS["postgresql"], None,
             EndToEnd("postgresql", workload)),
            ("Annals index, in process", _COLORS["index"], "6 3",
             index.get(workload, {})),
            ("linear scan, in process", _COLORS["scan"], "2 3",
             index.get(workload + "_scan", {})),
            ("bare gRPC round trip", _COLORS["ping"], "8 4", ping),
        ]
        panels.append((title, series))
    width, height = 960, 460
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" '
             'font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    for i, (title, series) in enumerate(panels):
        parts += _Panel(80 + i * 480, 40, 360, 310, title, series)
    # One legend for both panels, in two rows under them.
    for i, (label, color, dash, _) in enumerate(panels[0][1]):
        lx = 80 + (i % 3) * 290
        ly = 410 + (i // 3) * 18
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 26}" '
                     f'y2="{ly - 4}" stroke="{color}" stroke-width="2"'
                     f'{dash_attr}/>')
        parts.append(f'<text x="{lx + 32}" y="{ly}">{html.escape(label)}'
                     '</text>')
    parts.append(f'<text x="{width / 2}" y="{height - 6}" '
                 'text-anchor="middle" fill="#555">Mean latency per query at '
                 'one client, log-log; generated by tests/bench/report.py'
                 '</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- Main ------------------------------------------------------------------

def Render(results, svg_name):
    m = results.machine
    values = {
        "command": m.get("command", "tests/bench/run"),
        "results_dir": results.directory,
        "machine": MachineTable(results),
        "targets": Targets(results),
        "svg": svg_name,
        "import": ImportTable(results),
        "pg_load": PostgresLoadTable(results),
        "pg_plans": PostgresPlansTable(results),
        "feed_lag": FeedLagTable(results),
        "memory": MemoryTable(results),
        "restart": RestartTable(results),
        "ping": PingTable(results),
        "index": IndexTable(results),
        "point_batch": BatchTable(results),
        "transport": TransportTable(results),
    }
    for workload in _WORKLOAD_TITLES:
        values[workload] = WorkloadTable(results, workload)
    with open(_TEMPLATE) as template:
        text = template.read()

    def Fill(match):
        key = match.group(1)
        if key not in values:
            sys.exit(f"benchmarks.md.in: unknown {{{{{key}}}}}")
        return values[key]

    return re.sub(r"\{\{(\w+)\}\}", Fill, text)


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    options = dict(a[2:].split("=", 1) for a in argv
                   if a.startswith("--") and "=" in a)
    if len(args) != 1:
        sys.exit(__doc__)
    results = Results(args[0])
    markdown = options.get("markdown",
                           os.path.join(args[0], "benchmarks.md"))
    svg = options.get("svg", os.path.join(args[0],
                                          "benchmarks-query-cost.svg"))
    svg_name = os.path.relpath(svg, os.path.dirname(os.path.abspath(markdown)))
    with open(svg, "w") as out:
        out.write(Plot(results))
    with open(markdown, "w") as out:
        out.write(Render(results, svg_name))
    print(f"wrote {markdown} and {svg}")


if __name__ == "__main__":
    main(sys.argv[1:])
