-- wrk script: the light-load client's requests, concurrently, to warm up (f). Each connection
-- POSTs the `welcome` template, then GETs the email it was given until the email is SENT (at most
-- BENCH_GETS_PER_EMAIL times, 20 by default), then POSTs the next one: the same requests, in the
-- same mix, as bench/lib/latency.py makes one at a time. Prints "BENCH key=value" lines as
-- post-email.lua does, "accepted" counting the POSTs answered 202 and "gets" the GETs answered 200.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk-common.lua")
local gets_per_email = tonumber(os.getenv("BENCH_GETS_PER_EMAIL") or "20")
local headers = common.headers
local body = common.welcome

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
  common.report(common.sum(threads, "accepted"), { { "gets", common.sum(threads, "gets") } },
    common.sum(threads, "refused"), summary, summary.duration / 1e6, nil)
end
