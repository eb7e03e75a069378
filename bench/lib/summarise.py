#!/usr/bin/env python3
"""Summarises one bench/http run (python3 standard library only).

usage: bench/lib/summarise.py WORK_DIR JSON_PATH

WORK_DIR holds what bench/http collected:
  samples.tsv  one line per measured run: route, concurrency, rep, kind (wrk|pgbench), the raw
               output file (relative to WORK_DIR), CPU clock ticks the measured process used
               during the run, seconds the outbox relay took to publish the run's events
               afterwards ("-": not measured)
  meta.tsv     key<TAB>value lines; dotted keys become nested JSON objects, values that parse as
               JSON (numbers, true/false, lists) are stored as such
  routes.tsv   route key<TAB>label, in display order
Prints the table of medians and ratios and writes every sample, the summary and the metadata to
JSON_PATH.
"""

import json
import re
import statistics
import sys
from pathlib import Path

BARE = "json"          # the bare Hummingbird route every ratio divides by
POST = "create"        # POST /specs, compared with pgbench
# Each service route measured against pgbench running its SQL (no HTTP, a C client).
PGBENCH_OF = {POST: "pgbench", "spec": "pgread", "list": "pglist"}

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
UNIT_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
NUMBER_UNIT = r"([0-9]+(?:\.[0-9]+)?)(us|ms|s|m|h)"

# Goals of the performance issue, checked for information only (they never fail a run).
GOALS = [
    ("spec", "rps_ratio", ">=", 0.50, "GET /specs/{id} req/s vs bare"),
    ("spec", "p99_ratio", "<=", 3.0, "GET /specs/{id} p99 vs bare p99"),
    ("list", "rps_ratio", ">=", 0.30, "GET /specs (20 rows) req/s vs bare"),
    ("healthz", "rps_ratio", ">=", 0.80, "GET /healthz req/s vs bare"),
    (POST, "pgbench_ratio", ">=", 0.50, "POST /specs req/s vs pgbench TPS"),
]
RSS_GOALS = [("idle_after_start", 40), ("after_load", 64)]


def fail(message):
    print(f"summarise: ERROR: {message}", file=sys.stderr)
    sys.exit(1)


def value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def read_meta(path):
    meta = {}
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        key, _, raw = line.partition("\t")
        node = meta
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value(raw)
    return meta


def parse_wrk(text):
    def find(pattern):
        match = re.search(pattern, text, re.MULTILINE)
        if not match:
            fail(f"cannot find /{pattern}/ in wrk output:\n{text}")
        return match

    total = find(r"^\s*([0-9]+) requests in " + NUMBER_UNIT)
    p50 = find(r"^\s*50%\s+" + NUMBER_UNIT + r"\s*$")
    p99 = find(r"^\s*99%\s+" + NUMBER_UNIT + r"\s*$")
    return {
        "requests": int(total.group(1)),
        "duration_s": round(float(total.group(2)) * UNIT_S[total.group(3)], 3),
        "rps": float(find(r"^Requests/sec:\s+([0-9.]+)").group(1)),
        "p50_ms": round(float(p50.group(1)) * UNIT_MS[p50.group(2)], 4),
        "p99_ms": round(float(p99.group(1)) * UNIT_MS[p99.group(2)], 4),
    }


def parse_pgbench(text):
    def number(pattern):
        match = re.search(pattern, text, re.MULTILINE)
        if not match:
            fail(f"cannot find /{pattern}/ in pgbench output:\n{text}")
        return float(match.group(1))

    return {
        "transactions": int(number(r"^number of transactions actually processed: ([0-9]+)")),
        "tps": number(r"^tps = ([0-9.]+)"),
        "latency_avg_ms": number(r"^latency average = ([0-9.]+) ms"),
    }


def read_samples(work, clk_tck):
    samples = []
    for line in (work / "samples.tsv").read_text().splitlines():
        route, conc, rep, kind, raw, ticks, drain = line.split("\t")
        text = (work / raw).read_text()
        sample = {"route": route, "concurrency": int(conc), "rep": int(rep), "kind": kind, "raw": raw}
        if kind == "pgbench":
            sample.update(parse_pgbench(text))
            sample["rps"] = sample["tps"]
        else:
            sample.update(parse_wrk(text))
            if ticks != "-":
                sample["cpu_ticks"] = int(ticks)
                sample["cpu_us_per_request"] = round(int(ticks) / clk_tck * 1e6 / max(sample["requests"], 1), 2)
        if drain != "-":
            sample["outbox_drain_s"] = value(drain)
        samples.append(sample)
    return samples


def median(values):
    return statistics.median(values) if values else None


def summarise(samples, routes):
    levels = sorted({s["concurrency"] for s in samples})
    rows = []
    for route in routes:
        for conc in levels:
            group = [s for s in samples if s["route"] == route and s["concurrency"] == conc]
            if not group:
                continue
            rps = [s["rps"] for s in group]
            row = {"route": route, "concurrency": conc, "reps": len(group),
                   "rps_median": round(median(rps), 1), "rps_min": round(min(rps), 1), "rps_max": round(max(rps), 1)}
            if group[0]["kind"] == "pgbench":
                row["latency_avg_ms_median"] = median([s["latency_avg_ms"] for s in group])
            else:
                row["p50_ms_median"] = median([s["p50_ms"] for s in group])
                row["p99_ms_median"] = median([s["p99_ms"] for s in group])
                cpu = [s["cpu_us_per_request"] for s in group if "cpu_us_per_request" in s]
                row["cpu_us_per_request_median"] = median(cpu)
            rows.append(row)
    by_key = {(r["route"], r["concurrency"]): r for r in rows}
    for row in rows:
        bare = by_key.get((BARE, row["concurrency"]))
        if bare:
            row["rps_ratio"] = round(row["rps_median"] / bare["rps_median"], 3)
            if "p99_ms_median" in row:
                row["p99_ratio"] = round(row["p99_ms_median"] / bare["p99_ms_median"], 2)
        pg = by_key.get((PGBENCH_OF.get(row["route"]), row["concurrency"]))
        if pg:
            row["pgbench_ratio"] = round(row["rps_median"] / pg["rps_median"], 3)
    return rows


def fmt(number, digits=2):
    return "-" if number is None else f"{number:.{digits}f}"


def print_header(meta):
    machine, settings = meta.get("machine", {}), meta.get("settings", {})
    pg = " ".join(f"{k}={v}" for k, v in settings.get("postgres", {}).items())
    print(f"{meta.get('date')}  {machine.get('nproc')} CPUs ({machine.get('cpu_model')}), "
          f"{machine.get('cpu_busy_pct_before_start')}% busy before start; commit {str(meta.get('git', {}).get('commit'))[:12]}"
          f"{' (dirty)' if meta.get('git', {}).get('dirty') else ''}")
    print(f"{settings.get('build')} build; {settings.get('reps')} rep(s) x {settings.get('seconds')} s; "
          f"wrk -t2; postgres {pg}\n")


def print_table(rows, labels):
    head = f"{'route':<38} {'conc':>4} {'req/s median (min-max)':>27} {'p50 ms':>8} {'p99 ms':>8} {'x bare':>7} {'p99 x':>6} {'CPU us/req':>10}"
    print(head)
    print("-" * len(head))
    for row in rows:
        spread = f"{row['rps_median']:.0f} ({row['rps_min']:.0f}-{row['rps_max']:.0f})"
        label = labels.get(row["route"], row["route"])
        if row["route"] in PGBENCH_OF.values():
            print(f"{label:<38} {row['concurrency']:>4} {spread:>27}   latency avg {fmt(row['latency_avg_ms_median'])} ms"
                  f" {fmt(row.get('rps_ratio')):>7}")
            continue
        print(f"{label:<38} {row['concurrency']:>4} {spread:>27} {fmt(row['p50_ms_median']):>8} {fmt(row['p99_ms_median']):>8}"
              f" {fmt(row.get('rps_ratio')):>7} {fmt(row.get('p99_ratio'), 1):>6} {fmt(row['cpu_us_per_request_median'], 1):>10}")
    for row in rows:
        if "pgbench_ratio" in row:
            print(f"{labels.get(row['route'], row['route'])} req/s / pgbench TPS (same statements) at c{row['concurrency']}:"
                  f" {row['pgbench_ratio']:.2f}")


def print_memory(memory):
    print("\nmemory and threads (VmRSS, Threads from /proc/<pid>/status):")
    for process, points in memory.items():
        parts = [f"{point} {p['rss_kib'] / 1024:.1f} MiB / {p['threads']} threads" for point, p in points.items()]
        print(f"  {process:<13} " + "; ".join(parts))


def check_goals(rows, memory):
    """Informational: each goal with the measured figure at the highest concurrency measured."""
    top = max(r["concurrency"] for r in rows)
    by_key = {(r["route"], r["concurrency"]): r for r in rows}
    results = []
    for route, field, op, target, text in GOALS:
        measured = by_key.get((route, top), {}).get(field)
        met = None if measured is None else (measured >= target if op == ">=" else measured <= target)
        results.append({"goal": f"{text} at c{top} {op} {target}", "measured": measured, "met": met})
    service = memory.get("spec_service", {})
    for point, mib in RSS_GOALS:
        kib = service.get(point, {}).get("rss_kib")
        measured = None if kib is None else round(kib / 1024, 1)
        results.append({"goal": f"spec-service RSS {point} <= {mib} MiB", "measured": measured,
                        "met": None if measured is None else measured <= mib})
    print(f"\ngoals (informational, never fail the run; ratios at c{top}):")
    for result in results:
        state = {True: "met", False: "NOT met", None: "not measured"}[result["met"]]
        print(f"  {result['goal']:<52} measured {result['measured']!s:>8}  {state}")
    return results


def main():
    if len(sys.argv) != 3:
        fail("usage: summarise.py WORK_DIR JSON_PATH")
    work, out = Path(sys.argv[1]), Path(sys.argv[2])
    meta = read_meta(work / "meta.tsv")
    labels = dict(line.split("\t", 1) for line in (work / "routes.tsv").read_text().splitlines() if line)
    samples = read_samples(work, meta["machine"]["clk_tck"])
    rows = summarise(samples, list(labels))
    print_header(meta)
    print_table(rows, labels)
    memory = meta.pop("memory", {})
    print_memory(memory)
    if meta.get("settings", {}).get("smoke"):
        print("\ngoals: not evaluated (smoke run: debug binaries, figures meaningless)")
        goals = None
    else:
        goals = check_goals(rows, memory)
    result = {**meta, "routes": labels, "samples": samples, "summary": rows, "memory": memory, "goals": goals}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
