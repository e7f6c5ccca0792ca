-- wrk script: POST /emails/batch, the body read from BENCH_BATCH_FILE, one connection per thread.
-- With BENCH_BATCH_COUNT set, the BENCH_BATCH_THREADS threads (wrk's -t; wrk starts each thread
-- right after its setup, so the script cannot count them itself) share that many requests between
-- them, and each stops once it has had the answers to its share, so exactly that many batches are
-- sent (one connection per thread: a thread has no other request in flight when it stops).
-- wrk itself runs for its whole duration whatever its threads do, so a thread that stops appends
-- a line to BENCH_BATCH_DONE, for run.sh to interrupt wrk once every thread has; the duration
-- printed is then from the first thread's start to the last one's stop, on the monotonic clock.
-- Without BENCH_BATCH_COUNT the threads run for wrk's duration. Counts the 202 answers and prints them, with wrk's latency percentiles, as
-- "BENCH key=value" lines that run.sh reads.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk-common.lua")
local file = assert(io.open(assert(os.getenv("BENCH_BATCH_FILE"), "BENCH_BATCH_FILE"), "rb"))
local body = file:read("*a")
file:close()

wrk.method = "POST"
wrk.path = "/emails/batch"
for name, value in pairs(common.headers) do
  wrk.headers[name] = value
end
wrk.body = body

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *ts);
]]
local CLOCK_MONOTONIC = 1

local function now_s()
  local ts = ffi.new("bench_timespec")
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads = {}
local total = tonumber(os.getenv("BENCH_BATCH_COUNT") or "")
local count = tonumber(os.getenv("BENCH_BATCH_THREADS") or "")

function setup(thread)
  table.insert(threads, thread)
  if total then
    local n = #threads
    thread:set("quota", math.floor(total / count) + ((n <= total % count) and 1 or 0))
  end
end

function init(args)
  accepted = 0
  refused = 0
  answered = 0
  started_s = now_s()
  stopped_s = 0
  -- set by setup when the requests are counted; 0 means no limit
  quota = quota or 0
end

function response(status, headers, body)
  common.count(status, 202)
  answered = answered + 1
  if quota > 0 and answered >= quota then
    stopped_s = now_s()
    local marker = assert(io.open(assert(os.getenv("BENCH_BATCH_DONE"), "BENCH_BATCH_DONE"), "a"))
    marker:write(answered, "\n")
    marker:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local first, last = math.huge, 0
  for _, t in ipairs(threads) do
    first = math.min(first, t:get("started_s"))
    last = math.max(last, t:get("stopped_s"))
  end
  local duration = summary.duration / 1e6
  if total then
    duration = last - first
  end
  common.report(common.sum(threads, "accepted"), {}, common.sum(threads, "refused"), summary,
    duration, latency)
end
