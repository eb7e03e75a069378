-- wrk script used by bench/runs. Behaviour is chosen by environment variables, read when the
-- script loads (so wrk knows up front whether it needs response bodies):
--
--   BENCH_METHOD=POST  every request is POST /api/meta/v2/specs/{id}/runs (the URL on wrk's
--                      command line) with the body {} (the spec's latest plan, default caps) and
--                      a unique Idempotency-Key (bench-runs-<BENCH_NONCE>-<thread>-<n>); the bearer
--                      token comes from wrk's command line (-H)
--   BENCH_RECORD=1     diagnostics only (it slows wrk down): count responses by status and, at
--                      the end, print each status with its count and the first body of every
--                      status that is not 2xx/3xx
--
-- Without either variable the script does nothing: plain GETs, as if wrk had no script.

local post = os.getenv("BENCH_METHOD") == "POST"
local record = os.getenv("BENCH_RECORD") == "1"
local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

if post then
  local counter = 0

  function request()
    counter = counter + 1
    -- thread_id is a global set by setup() in this thread's Lua state.
    wrk.headers["Idempotency-Key"] = string.format("bench-runs-%s-%d-%d", nonce, thread_id, counter)
    wrk.headers["Content-Type"] = "application/json"
    return wrk.format("POST", nil, nil, "{}")
  end
end

if record then
  -- Globals, so that done() can read them from each thread with thread:get().
  statuses = {}
  bodies = {}

  function response(status, headers, body)
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
    if (status < 200 or status >= 400) and bodies[key] == nil then
      bodies[key] = string.sub(body or "", 1, 600)
    end
  end

  function done(summary, latency, requests)
    local counts, firsts = {}, {}
    for _, thread in ipairs(threads) do
      for key, n in pairs(thread:get("statuses") or {}) do counts[key] = (counts[key] or 0) + n end
      for key, text in pairs(thread:get("bodies") or {}) do firsts[key] = firsts[key] or text end
    end
    for key, n in pairs(counts) do
      local line = string.format("status %s: %d responses", key, n)
      if firsts[key] then line = line .. "; first body: " .. firsts[key] end
      io.write(line .. "\n")
    end
  end
end
