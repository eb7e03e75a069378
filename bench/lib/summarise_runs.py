#!/usr/bin/env python3
"""Summarises one bench/runs run (python3 standard library only).

usage: bench/lib/summarise_runs.py WORK_DIR JSON_PATH

WORK_DIR holds what bench/runs collected:
  meta.tsv, samples.tsv, routes.tsv  as for bench/http (read with summarise.py's functions): the
               http phase's wrk runs, the run-service's CPU ticks per run, outbox drain seconds
  peers.tsv    per wrk run: raw output, CPU ticks of the spec-service, the agent-service and
               Postgres (all its processes) during the run
  cancels.tsv  per POST run: raw output, the line of the cancels that followed it
  build_w<N>-{start,watch,runs}.json  the build phase with N workers (bench/lib/runs_load.py's
               start, watch and collect outputs)
  queue-{start,watch,runs}.json       the queue phase
Prints the tables and writes every sample, the summaries and the metadata to JSON_PATH.
"""

import json
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import summarise as http  # noqa: E402  (bench/http's summariser: wrk parsing, medians, the table)

SETTLED = {"succeeded", "failed", "cancelled", "rejected", "awaiting_approval"}
ROLES = ["codegen_engineer", "devops", "qa_evaluator", "auto_fixer", "reviewer"]


def percentile(values, q):
    values = [v for v in values if v is not None]
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 3)


def when(text):
    return None if not text else datetime.fromisoformat(text.replace("Z", "+00:00"))


def seconds_between(start, end):
    a, b = when(start), when(end)
    return None if a is None or b is None else (b - a).total_seconds()


def fmt(number, digits=1, unit=""):
    return "-" if number is None else f"{number:,.{digits}f}{unit}"


# ------------------------------------------------------------------ http phase
def http_phase(work, meta):
    if not (work / "samples.tsv").exists():
        return None
    clk = meta["machine"]["clk_tck"]
    labels = dict(line.split("\t", 1) for line in (work / "routes.tsv").read_text().splitlines() if line)
    samples = http.read_samples(work, clk)
    peers = {}
    for line in (work / "peers.tsv").read_text().splitlines() if (work / "peers.tsv").exists() else []:
        raw, spec, agent, pg = line.split("\t")
        peers[raw] = (int(spec), int(agent), int(pg))
    cancels = {}
    for line in (work / "cancels.tsv").read_text().splitlines() if (work / "cancels.tsv").exists() else []:
        raw, text = line.split("\t", 1)
        cancels[raw] = text
    for sample in samples:
        spec, agent, pg = peers.get(sample["raw"], (None, None, None))
        if spec is not None and sample["route"] != http.BARE:
            # A negative difference means a process exited between the readings: not measured.
            per = lambda ticks: None if ticks < 0 else round(ticks / clk * 1e6 / max(sample["requests"], 1), 2)  # noqa: E731
            sample["spec_service_cpu_us_per_request"] = per(spec)
            sample["agent_service_cpu_us_per_request"] = per(agent)
            sample["postgres_cpu_us_per_request"] = per(pg)
        if sample["raw"] in cancels:
            sample["cancels"] = cancels[sample["raw"]]
    rows = http.summarise(samples, list(labels))
    for row in rows:
        group = [s for s in samples if s["route"] == row["route"] and s["concurrency"] == row["concurrency"]]
        for key in ("spec_service_cpu_us_per_request", "postgres_cpu_us_per_request"):
            values = [s[key] for s in group if s.get(key) is not None]
            if values:
                row[key + "_median"] = http.median(values)
    http.print_table(rows, labels)
    print(f"\nCPU per request besides the run-service's (median µs; Postgres: all its processes, during the wrk run):")
    print(f"  {'route':<36} {'conc':>4} {'run-service':>11} {'spec-service':>12} {'postgres':>9}")
    for row in rows:
        if row["route"] == http.BARE:
            continue
        print(f"  {labels[row['route']]:<36} {row['concurrency']:>4} {fmt(row.get('cpu_us_per_request_median')):>11}"
              f" {fmt(row.get('spec_service_cpu_us_per_request_median')):>12} {fmt(row.get('postgres_cpu_us_per_request_median')):>9}")
    if cancels:
        print("\nafter each POST run, its runs were cancelled through the API (not measured as a route):")
        for sample in samples:
            if "cancels" in sample:
                print(f"  rep {sample['rep']} c{sample['concurrency']}: {sample['cancels']}")
    return {"routes": labels, "samples": samples, "summary": rows}


# ------------------------------------------------------------------ build and queue phases
def load(work, key, part):
    path = work / f"{key}-{part}.json"
    return json.loads(path.read_text()) if path.exists() else None


def batch(work, key, clk, cpu):
    """Figures of one batch of runs: the starts, the watch and the runs read back."""
    start, watch, runs = load(work, key, "start"), load(work, key, "watch"), load(work, key, "runs")
    if start is None or watch is None or runs is None:
        return None
    statuses = {}
    for run in runs:
        statuses[run["status"]] = statuses.get(run["status"], 0) + 1
    last = watch["samples"][-1]
    # Settled by the end of the watch (the runs cancelled after it do not count).
    settled_in_watch = last["settled"]
    elapsed = start["wall_s"] + watch["elapsed_s"]
    built = [r for r in runs if r["status"] in SETTLED - {"cancelled"}]
    makespan = None
    if built and len(built) == len(runs):
        makespan = max(seconds_between(min(r["created_at"] for r in runs), r["finished_at"]) for r in built)
    watch_end = start["started_epoch"] + elapsed + 1  # timestamps are whole seconds
    started = [r for r in runs if r.get("started_at") and when(r["started_at"]).timestamp() <= watch_end]
    roles = {}
    for run in built:
        for step in run["steps"]:
            roles.setdefault(step["role"], []).append(step["duration_ms"])
    result = {
        "runs": len(runs),
        "accepted_in_s": start["wall_s"], "start_latency_ms": {"p50": start["ms_p50"], "p99": start["ms_p99"], "max": start["ms_max"]},
        "start_statuses": start["statuses"],
        "watched_s": watch["elapsed_s"], "all_settled_in_watch": watch["all_settled"],
        "settled_in_watch": settled_in_watch, "elapsed_s": round(elapsed, 2),
        "settled_per_minute": round(settled_in_watch / elapsed * 60, 2) if elapsed > 0 else None,
        "succeeded_per_minute": None,
        "statuses": statuses,
        "failures": sorted({f"{r['failure']['reason']}: {r['failure'].get('detail', '')[:200]}" for r in runs if r.get("failure")}),
        "makespan_s": makespan,
        "build_s": {"p50": percentile([r["spent_seconds"] for r in built], 0.5),
                    "p95": percentile([r["spent_seconds"] for r in built], 0.95),
                    "max": percentile([r["spent_seconds"] for r in built], 1.0)},
        "from_creation_s": {"p50": percentile([seconds_between(r["created_at"], r["finished_at"]) for r in built], 0.5),
                            "p95": percentile([seconds_between(r["created_at"], r["finished_at"]) for r in built], 0.95)},
        # Runs a worker claimed before the watch ended (not those claimed while the rest was cancelled).
        "queue_wait_s": {"p50": percentile([seconds_between(r["created_at"], r["started_at"]) for r in started], 0.5),
                         "max": percentile([seconds_between(r["created_at"], r["started_at"]) for r in started], 1.0),
                         "started": len(started)},
        "iterations": {str(i): sum(1 for r in built if r["iteration"] == i) for i in sorted({r["iteration"] for r in built})},
        "step_ms": {role: {"steps": len(v), "p50": percentile(v, 0.5), "p95": percentile(v, 0.95)} for role, v in roles.items()},
        "samples": watch["samples"],
    }
    succeeded_in_watch = last["counts"].get("succeeded", 0)
    result["succeeded_per_minute"] = round(succeeded_in_watch / elapsed * 60, 2) if elapsed > 0 else None
    if cpu:
        busy = cpu.get("machine_busy", 0) / clk
        result["cpu_s"] = {k: round(v / clk, 1) for k, v in cpu.items()}
        result["cpu_s_per_settled_run"] = round(busy / settled_in_watch, 1) if settled_in_watch else None
        # The mesh's own processes (the agent-service with the subprocesses it waited for: the
        # scaffolds' compile, tests and migrations), without whatever else the machine ran.
        mesh = sum(cpu.get(k, 0) for k in ("agent_service_with_children", "run_service", "postgres", "spec_service")) / clk
        result["mesh_cpu_s_per_settled_run"] = round(mesh / settled_in_watch, 1) if settled_in_watch else None
    return result


def print_interference(result):
    """The shared run queue: runs that crossed between this run-service and others during the batch."""
    ours, theirs = result.get("our_runs_leased_elsewhere"), result.get("other_runs_leased_here")
    if ours or theirs:
        print(f"    WARNING: the run queue was shared: {ours} of the bench's runs were leased by another run-service, "
              f"{theirs} runs of other tenants by this one (seen in 1 s samples): figures distorted")


def print_batch_timeline(result, every=10):
    print(f"  {'t (s)':>6} {'queued':>7} {'building':>9} {'settled':>8} {'gauge':>6}")
    shown = -every
    samples = result["samples"]
    for index, sample in enumerate(samples):
        if sample["t_s"] - shown >= every or index == len(samples) - 1:
            gauge = "-" if sample["gauge"] is None else f"{sample['gauge']:.0f}"
            print(f"  {sample['t_s']:>6.0f} {sample['queued']:>7} {sample['building']:>9} {sample['settled']:>8} {gauge:>6}")
            shown = sample["t_s"]


def print_build(results):
    print("\nbuild throughput (runs of the project-tracker spec started at once, built through the real agent-service):")
    head = (f"  {'workers':>7} {'runs':>5} {'settled/min':>11} {'succ/min':>8} {'build p50':>9} {'p95':>6} "
            f"{'created→end p50':>15} {'p95':>6} {'wait max':>8} {'mesh CPU s/run':>14}  statuses")
    print(head)
    for workers, r in results.items():
        print(f"  {workers:>7} {r['runs']:>5} {fmt(r['settled_per_minute'], 2):>11} {fmt(r['succeeded_per_minute'], 2):>8}"
              f" {fmt(r['build_s']['p50'], 1, ' s'):>9} {fmt(r['build_s']['p95'], 1, ' s'):>6}"
              f" {fmt(r['from_creation_s']['p50'], 0, ' s'):>15} {fmt(r['from_creation_s']['p95'], 0, ' s'):>6}"
              f" {fmt(r['queue_wait_s']['max'], 0, ' s'):>8} {fmt(r.get('mesh_cpu_s_per_settled_run')):>14}  {json.dumps(r['statuses'], sort_keys=True)}")
    for workers, r in results.items():
        steps = ", ".join(f"{role} {fmt(s['p50'] / 1000 if s['p50'] is not None else None, 1)} s"
                          for role, s in sorted(r["step_ms"].items(), key=lambda kv: ROLES.index(kv[0]) if kv[0] in ROLES else 99))
        cpu = r.get("cpu_s", {})
        print(f"  {workers} workers: step p50 {steps or '-'}; elapsed {r['elapsed_s']} s"
              f"{'' if r['all_settled_in_watch'] else ' (bounded: not all settled)'}; CPU s: whole machine {cpu.get('machine_busy')}, "
              f"agent-service with its subprocesses {cpu.get('agent_service_with_children')}, run-service {cpu.get('run_service')}, "
              f"postgres {cpu.get('postgres')}, spec-service {cpu.get('spec_service')}")
        if r["failures"]:
            print(f"    failures: {'; '.join(r['failures'][:3])}")
        print_interference(r)


def print_queue(result, workers):
    samples = result["samples"]
    empty = next((s["t_s"] for s in samples if s["queued"] == 0), None)
    result["queue_empty_after_s"] = empty
    result["all_settled_after_s"] = samples[-1]["t_s"] if result["all_settled_in_watch"] else None
    remaining = result["runs"] - result["settled_in_watch"]
    rate = result["settled_per_minute"]
    result["projected_drain_s"] = round(result["runs"] / rate * 60) if rate else None
    print(f"\nqueue: {result['runs']} runs started at once ({result['runs']} connections), run-service with {workers} workers:")
    print(f"  accepted all in {result['accepted_in_s']:.2f} s; POST latency p50 {result['start_latency_ms']['p50']:.1f} ms, "
          f"p99 {result['start_latency_ms']['p99']:.1f} ms, max {result['start_latency_ms']['max']:.1f} ms; statuses {result['start_statuses']}")
    if result["all_settled_in_watch"]:
        print(f"  drained: queue empty after {fmt(empty, 0, ' s')}, every run settled after {result['all_settled_after_s']:.0f} s "
              f"({rate} runs/min)")
    else:
        projection = (f"at that rate the {result['runs']} would take ~{fmt(result['projected_drain_s'], 0, ' s')}"
                      if rate else "none settled in that time")
        print(f"  watched {result['watched_s']:.0f} s: {result['settled_in_watch']} settled ({rate} runs/min), "
              f"{samples[-1]['queued']} still queued, {samples[-1]['building']} building; {remaining} cancelled at the end; "
              f"{projection}")
    print(f"  runs claimed while watched: {result['queue_wait_s']['started']}, their wait in the queue p50 {fmt(result['queue_wait_s']['p50'], 0, ' s')}, "
          f"max {fmt(result['queue_wait_s']['max'], 0, ' s')}; statuses after the cancel {json.dumps(result['statuses'], sort_keys=True)}")
    print_interference(result)
    print_batch_timeline(result)


def phase_cpu(meta, key):
    return (meta.get(key) or {}).get("cpu_ticks")


def main():
    if len(sys.argv) != 3:
        http.fail("usage: summarise_runs.py WORK_DIR JSON_PATH")
    work, out = Path(sys.argv[1]), Path(sys.argv[2])
    meta = http.read_meta(work / "meta.tsv")
    clk = meta["machine"]["clk_tck"]
    http.print_header(meta)
    machine = meta.get("machine", {})
    if "cpu_pressure_some_avg60_before_start" in machine:
        print(f"CPU pressure (some task waiting for a CPU, /proc/pressure/cpu): {machine['cpu_pressure_some_avg60_before_start']}% "
              f"of the minute before start, {machine.get('cpu_pressure_some_avg300_at_end', '-')}% of the last 5 min at the end; "
              f"other run-service processes: {machine.get('other_run_services', '-')}\n")
    result = {"http": http_phase(work, meta)}
    memory = meta.pop("memory", {})
    if memory:
        http.print_memory(memory)
    builds = {}
    for workers in meta.get("settings", {}).get("workers", []):
        key = f"build_w{workers}"
        figures = batch(work, key, clk, phase_cpu(meta, key))
        if figures:
            figures["other_tenants_in_queue_before"] = meta.get(key, {}).get("other_tenants_in_queue_before")
            figures["our_runs_leased_elsewhere"] = meta.get(key, {}).get("ours_elsewhere")
            figures["other_runs_leased_here"] = meta.get(key, {}).get("theirs_here")
            figures["cancelled_at_end"] = meta.get(key, {}).get("cancelled_at_end")
            builds[workers] = figures
    if builds:
        print_build(builds)
    result["build"] = builds
    queue = batch(work, "queue", clk, phase_cpu(meta, "queue"))
    if queue:
        queue["other_tenants_in_queue_before"] = meta.get("queue", {}).get("other_tenants_in_queue_before")
        queue["our_runs_leased_elsewhere"] = meta.get("queue", {}).get("ours_elsewhere")
        queue["other_runs_leased_here"] = meta.get("queue", {}).get("theirs_here")
        print_queue(queue, meta.get("queue", {}).get("workers"))
    result["queue"] = queue
    for key in [k for k in meta if k.startswith("build_w") or k == "queue"]:
        meta.pop(key)
    if meta.get("settings", {}).get("smoke"):
        print("\n(smoke run: debug binaries, short phases; the figures mean nothing)")
    document = {**meta, "memory": memory, **result}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
