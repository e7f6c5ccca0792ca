-- wrk script: POST /emails with the shipped `welcome` template, one email per request.
-- Counts the 202 answers per thread and prints them, with wrk's latency percentiles, as
-- "BENCH key=value" lines that run.sh reads.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk-common.lua")

wrk.method = "POST"
wrk.path = "/emails"
for name, value in pairs(common.headers) do
  wrk.headers[name] = value
end
wrk.body = common.welcome

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  accepted, refused = 0, 0
end

function response(status, headers, body)
  common.count(status, 202)
end

function done(summary, latency, requests)
  common.report(common.sum(threads, "accepted"), {}, common.sum(threads, "refused"), summary,
    summary.duration / 1e6, latency)
end
