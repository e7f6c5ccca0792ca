-- wrk script: the light-load client's requests, concurrently, to warm up (f). Each connection
-- POSTs the `welcome` template, then GETs the email it was given until the email is SENT (at most
-- BENCH_GETS_PER_EMAIL times, 20 by default), then POSTs the next one: the same requests, in the
-- same mix, as bench/lib/latency.py makes one at a time. Prints "BENCH key=value" lines as
-- post-email.lua does, "accepted" counting the POSTs answered 202 and "gets" the GETs answered 200.
local key = os.getenv("BENCH_API_KEY") or ""
local gets_per_email = tonumber(os.getenv("BENCH_GETS_PER_EMAIL") or "20")
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. key,
}
local body = '{"to":["bench@sink.example"],"template":"welcome",'
  .. '"variables":{"name":"Ada","productName":"Acme","actionUrl":"https://acme.example/start"}}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  accepted = 0
  gets = 0
  refused = 0
  -- wrk asks each thread's connections for their requests in turn; one thread's connections
  -- share these, so with one connection per thread each connection follows its own email
  email = nil
  asked = 0
end

function request()
  if email then
    asked = asked + 1
    return wrk.format("GET", "/emails/" .. email, headers)
  end
  return wrk.format("POST", "/emails", headers, body)
end

function response(status, headers, body)
  if email == nil then
    if status == 202 then
      accepted = accepted + 1
      email = body:match('"id"%s*:%s*"([^"]+)"')
      asked = 0
    else
      refused = refused + 1
    end
    return
  end
  if status == 200 then
    gets = gets + 1
  else
    refused = refused + 1
  end
  if status ~= 200 or asked >= gets_per_email or body:find('"status"%s*:%s*"SENT"') then
    email = nil
  end
end

function done(summary, latency, requests)
  local a, g, r = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted")
    g = g + t:get("gets")
    r = r + t:get("refused")
  end
  local e = summary.errors
  io.write(string.format("BENCH accepted=%d gets=%d refused=%d requests=%d duration_s=%.3f\n",
    a, g, r, summary.requests, summary.duration / 1e6))
  io.write(string.format("BENCH errors connect=%d read=%d write=%d timeout=%d\n",
    e.connect, e.read, e.write, e.timeout))
end
