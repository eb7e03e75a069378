#!/usr/bin/env python3
"""The HTTP client side of bench/runs (python3 standard library only): concurrent starts, cancels,
sampling the queue while it drains, and reading the runs back. Every call goes to the run-service's
public API on loopback with the owner's bearer token; nothing here touches the database.

usage:
  runs_load.py start   BASE TOKEN SPEC COUNT CONC NONCE OUT
      COUNT x POST /api/meta/v2/specs/SPEC/runs (body {}, Idempotency-Key bench-runs-NONCE-<i>)
      over CONC keep-alive connections. With CONC == COUNT it is a burst: every connection is
      opened first, then all requests leave together (a barrier). Writes each request's status,
      latency and run id to OUT; exits 1 unless every answer is 202.
  runs_load.py cancel  BASE TOKEN CONC            (run ids on stdin, one a line)
      POST /api/meta/v2/runs/{id}/cancel for each id over CONC connections; 200, or 412 for a run
      that had ended meanwhile, are fine; anything else exits 1. Prints one summary line.
  runs_load.py watch   BASE TOKEN IDS SINCE SECONDS OUT
      Every second until every run listed in the file IDS has settled (ended, or waits for
      approval) or SECONDS have passed: the runs' statuses from GET /api/meta/v2/runs
      ?created_after=SINCE (all pages), and the queue gauge meta_builder_run_queue_depth from
      GET /metrics. Prints a line every 10 s; writes the samples to OUT.
  runs_load.py collect BASE TOKEN IDS OUT
      GET /api/meta/v2/runs/{id} for each id in IDS: status, failure, times, spent, steps; to OUT.
"""

import http.client
import json
import queue
import re
import sys
import threading
import time
from urllib.parse import quote, urlsplit

SETTLED = {"succeeded", "failed", "cancelled", "rejected", "awaiting_approval"}
TIMEOUT_S = 60


def fail(message):
    print(f"runs_load: ERROR: {message}", file=sys.stderr)
    sys.exit(1)


def percentile(values, q):
    """Linear interpolation between closest ranks (numpy's default); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Client:
    """One keep-alive connection to BASE (not shared between threads)."""

    def __init__(self, base, token):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.headers = {"Authorization": f"Bearer {token}"}
        self.connection = None

    def connect(self):
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
        self.connection.connect()

    def call(self, method, path, body=None, headers=None):
        """(status, body bytes); one reconnect when the server closed an idle connection."""
        all_headers = dict(self.headers, **(headers or {}))
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.connection is None:
                self.connect()
            try:
                self.connection.request(method, path, body=body, headers=all_headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


# ------------------------------------------------------------------ start
def start(base, token, spec, count, conc, nonce, out):
    count, conc = int(count), min(int(conc), int(count))
    burst = conc == count
    work = queue.Queue()
    for index in range(count):
        work.put(index)
    results = [None] * count
    barrier = threading.Barrier(conc + 1)
    clock = {}

    def worker():
        client = Client(base, token)
        try:
            client.connect()
        except OSError:
            client.connection = None  # call() connects again, and fails the request if it cannot
        barrier.wait()
        while True:
            try:
                index = work.get_nowait()
            except queue.Empty:
                return
            key = f"bench-runs-{nonce}-{index}"
            begin = time.perf_counter()
            try:
                status, body = client.call("POST", f"/api/meta/v2/specs/{spec}/runs", b"{}", {"Idempotency-Key": key})
            except Exception as error:  # a socket error fails the run like a bad status
                status, body = None, str(error).encode()
            end = time.perf_counter()
            entry = {"i": index, "status": status, "ms": round((end - begin) * 1000, 3),
                     "start_s": round(begin - clock["t0"], 4), "end_s": round(end - clock["t0"], 4)}
            if status == 202:
                entry["id"] = json.loads(body)["id"]
            else:
                entry["body"] = body[:600].decode(errors="replace")
            results[index] = entry

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(conc)]
    for thread in threads:
        thread.start()
    barrier.wait()
    clock["t0"] = time.perf_counter()
    started_epoch = time.time()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - clock["t0"]
    results = [r if r is not None else {"i": i, "status": None, "ms": 0.0, "body": "never sent"} for i, r in enumerate(results)]
    latencies = [r["ms"] for r in results]
    statuses = {}
    for r in results:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    summary = {"count": count, "concurrency": conc, "burst": burst, "started_epoch": round(started_epoch, 3),
               "wall_s": round(wall, 3), "statuses": statuses,
               "ms_p50": round(percentile(latencies, 0.50), 2), "ms_p99": round(percentile(latencies, 0.99), 2),
               "ms_max": round(max(latencies), 2), "requests": results}
    with open(out, "w") as handle:
        json.dump(summary, handle, indent=1)
    print(f"{count} POST /specs/{{id}}/runs over {conc} connections{' (burst)' if burst else ''}: "
          f"all answered in {wall:.2f} s; latency p50 {summary['ms_p50']:.1f} ms, p99 {summary['ms_p99']:.1f} ms, "
          f"max {summary['ms_max']:.1f} ms; statuses {statuses}")
    bad = [r for r in results if r["status"] != 202]
    if bad:
        fail(f"{len(bad)} of {count} starts did not answer 202; first: {bad[0]}")


# ------------------------------------------------------------------ cancel
def cancel(base, token, conc):
    ids = [line.strip() for line in sys.stdin if line.strip()]
    if not ids:
        print("cancelled 0 runs")
        return
    work = queue.Queue()
    for run_id in ids:
        work.put(run_id)
    counts, errors, lock = {"200": 0, "412": 0}, [], threading.Lock()

    def worker():
        client = Client(base, token)
        while True:
            try:
                run_id = work.get_nowait()
            except queue.Empty:
                return
            try:
                status, body = client.call("POST", f"/api/meta/v2/runs/{run_id}/cancel", b"{}")
            except Exception as error:
                status, body = None, str(error).encode()
            with lock:
                if status in (200, 412):
                    counts[str(status)] += 1
                else:
                    errors.append(f"{run_id}: {status} {body[:300].decode(errors='replace')}")

    begin = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, min(int(conc), len(ids))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - begin
    print(f"cancelled {counts['200']} runs ({counts['412']} had ended) in {wall:.1f} s "
          f"({len(ids) / max(wall, 1e-9):.0f} cancels/s over {len(threads)} connections)")
    if errors:
        fail(f"{len(errors)} cancels failed; first: {errors[0]}")


# ------------------------------------------------------------------ watch
GAUGE = re.compile(r"^meta_builder_run_queue_depth(?:\{[^}]*\})?\s+([0-9.eE+-]+)\s*$", re.MULTILINE)


def statuses_since(client, since, ids):
    found, token = {}, None
    while True:
        path = f"/api/meta/v2/runs?page_size=100&created_after={quote(since)}"
        if token:
            path += f"&page_token={quote(token)}"
        status, body = client.call("GET", path)
        if status != 200:
            fail(f"GET {path} answered {status}: {body[:400]!r}")
        page = json.loads(body)
        for run in page["runs"]:
            if run["id"] in ids:
                found[run["id"]] = run["status"]
        token = page.get("next_page_token")
        if not token:
            return found


def queue_gauge(client):
    status, body = client.call("GET", "/metrics")
    if status != 200:
        fail(f"GET /metrics answered {status}")
    match = GAUGE.search(body.decode(errors="replace"))
    return None if match is None else float(match.group(1))


def watch(base, token, ids_path, since, seconds, out):
    ids = {line.strip() for line in open(ids_path) if line.strip()}
    limit = float(seconds)
    client, metrics = Client(base, token), Client(base, token)
    samples, begin = [], time.monotonic()
    next_print = 0.0
    while True:
        elapsed = time.monotonic() - begin
        found = statuses_since(client, since, ids)
        counts = {}
        for status in found.values():
            counts[status] = counts.get(status, 0) + 1
        missing = len(ids) - len(found)
        if missing:
            counts["not_listed"] = missing
        settled = sum(n for s, n in counts.items() if s in SETTLED)
        sample = {"t_s": round(elapsed, 2), "gauge": queue_gauge(metrics), "queued": counts.get("queued", 0),
                  "building": len(ids) - settled - counts.get("queued", 0), "settled": settled, "counts": counts}
        samples.append(sample)
        done = settled == len(ids)
        if elapsed >= next_print or done or elapsed >= limit:
            gauge = "-" if sample["gauge"] is None else f"{sample['gauge']:.0f}"
            print(f"  t={elapsed:5.0f} s  queued {sample['queued']:>4}  building {sample['building']:>3}  "
                  f"settled {settled:>4}/{len(ids)}  queue gauge {gauge:>4}  {json.dumps(counts, sort_keys=True)}", flush=True)
            next_print += 10.0
        if done or elapsed >= limit:
            break
        time.sleep(max(0.0, 1.0 - ((time.monotonic() - begin) - elapsed)))
    result = {"runs": len(ids), "since": since, "seconds_limit": limit, "all_settled": samples[-1]["settled"] == len(ids),
              "elapsed_s": samples[-1]["t_s"], "samples": samples}
    with open(out, "w") as handle:
        json.dump(result, handle, indent=1)


# ------------------------------------------------------------------ collect
def collect(base, token, ids_path, out):
    ids = [line.strip() for line in open(ids_path) if line.strip()]
    client, runs = Client(base, token), []
    for run_id in ids:
        status, body = client.call("GET", f"/api/meta/v2/runs/{run_id}")
        if status != 200:
            fail(f"GET /api/meta/v2/runs/{run_id} answered {status}: {body[:400]!r}")
        run = json.loads(body)
        runs.append({
            "id": run["id"], "status": run["status"], "iteration": run.get("iteration"),
            "failure": run.get("failure"), "risk": run.get("risk"),
            "created_at": run.get("created_at"), "started_at": run.get("started_at"), "finished_at": run.get("finished_at"),
            "spent_seconds": (run.get("spent") or {}).get("seconds"), "tokens": (run.get("spent") or {}).get("tokens"),
            "steps": [{"role": s.get("role"), "iteration": s.get("iteration"), "status": s.get("status"),
                       "duration_ms": s.get("duration_ms"), "cache_hit": s.get("cache_hit")} for s in run.get("steps", [])],
        })
    with open(out, "w") as handle:
        json.dump(runs, handle, indent=1)


def main():
    commands = {"start": (start, 7), "cancel": (cancel, 3), "watch": (watch, 6), "collect": (collect, 4)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or len(sys.argv) - 2 != commands[sys.argv[1]][1]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    function, _ = commands[sys.argv[1]]
    function(*sys.argv[2:])


if __name__ == "__main__":
    main()
