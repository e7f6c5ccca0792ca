-- What bench/lib's wrk scripts share: the API key's header, the `welcome` email they POST, and the
-- "BENCH key=value" lines run.sh and cpu-per-email.sh read. Each script loads it with
-- dofile, from the directory the script was given in (wrk's -s path).
local common = {}

common.headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. (os.getenv("BENCH_API_KEY") or ""),
}

common.welcome = '{"to":["bench@sink.example"],"template":"welcome",'
  .. '"variables":{"name":"Ada","productName":"Acme","actionUrl":"https://acme.example/start"}}'

-- Counts an answer in the thread's `accepted` or `refused`, by whether it has the expected status.
function common.count(status, expected)
  if status == expected then
    accepted = accepted + 1
  else
    refused = refused + 1
  end
end

-- The sum of a per-thread counter over the threads setup() collected.
function common.sum(threads, name)
  local n = 0
  for _, t in ipairs(threads) do
    n = n + t:get(name)
  end
  return n
end

-- "BENCH accepted=… [more counts] refused=… requests=… duration_s=…", then wrk's socket errors and,
-- given its latency, the percentiles. counts is a list of {name, value} printed after accepted.
function common.report(accepted, counts, refused, summary, duration_s, latency)
  local more = ""
  for _, c in ipairs(counts) do
    more = more .. string.format(" %s=%d", c[1], c[2])
  end
  io.write(string.format("BENCH accepted=%d%s refused=%d requests=%d duration_s=%.3f\n",
    accepted, more, refused, summary.requests, duration_s))
  local e = summary.errors
  io.write(string.format("BENCH errors connect=%d read=%d write=%d timeout=%d\n",
    e.connect, e.read, e.write, e.timeout))
  if latency then
    io.write(string.format("BENCH latency_ms p50=%.2f p90=%.2f p99=%.2f max=%.2f\n",
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000))
  end
end

return common
