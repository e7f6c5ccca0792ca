-- wrk script: POST /emails with the shipped `welcome` template, one email per request.
-- Counts the 202 answers per thread and prints them, with wrk's latency percentiles, as
-- "BENCH key=value" lines that run.sh reads.
local key = os.getenv("BENCH_API_KEY") or ""

wrk.method = "POST"
wrk.path = "/emails"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key
wrk.body = '{"to":["bench@sink.example"],"template":"welcome",'
  .. '"variables":{"name":"Ada","productName":"Acme","actionUrl":"https://acme.example/start"}}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  accepted = 0
  refused = 0
end

function response(status, headers, body)
  if status == 202 then
    accepted = accepted + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local a, r = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted")
    r = r + t:get("refused")
  end
  local e = summary.errors
  io.write(string.format("BENCH accepted=%d refused=%d requests=%d duration_s=%.3f\n",
    a, r, summary.requests, summary.duration / 1e6))
  io.write(string.format("BENCH errors connect=%d read=%d write=%d timeout=%d\n",
    e.connect, e.read, e.write, e.timeout))
  io.write(string.format("BENCH latency_ms p50=%.2f p90=%.2f p99=%.2f max=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
