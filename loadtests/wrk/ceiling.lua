-- wrk script for the ceiling (loadtests/ceiling_app.py): the same request shape and the same Lua work
-- per response as bids.lua, against the minimal FastAPI endpoint.
local n = 0
accepted, refused, other = 0, 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  n = n + 1
  local body = '{"amount": ' .. string.format("%d", 1000000000 + n) .. '}'
  return wrk.format("POST", "/api/v1/auctions/1/bids",
    {["Authorization"] = "Bearer x", ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status == 201 then
    accepted = accepted + 1
    local amount = string.match(body, '"amount":%s*(%d+)')
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local a, r, o = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted"); r = r + t:get("refused"); o = o + t:get("other")
  end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "errors": %d, "accepted": %d, "refused": %d, "other": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    a, r, o, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
