-- wrk script for the benchmarks (loadtests/bench.py): bids current + increment guesses.
-- Usage: wrk -t1 -cN -dS -s loadtests/wrk/bids.lua http://127.0.0.1:P -- /path/to/data.lua
-- data.lua (written by bench.py) defines: tokens = {...}, auctions = {...}, unit, increment, per_bidder.
-- Auction i's prices live in [i*unit, (i+1)*unit): the amount in a 201 and the minimum in a 409
-- both name their auction, so one Lua state can follow the prices of many auctions.
-- Requests rotate over the bidder tokens (one bidder per request in turn) and each bidder over its own
-- auctions. 201 and 409 are bid decisions; done() prints one JSON line with counts and percentiles.

local tokens, auctions, unit, increment, per_bidder
local known = {}      -- auction id -> last known current price (or nil: first bid is the base price)
local n = 0
accepted, refused, other = 0, 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  dofile(args[1])
  tokens, auctions, unit, increment, per_bidder = _G.tokens, _G.auctions, _G.unit, _G.increment, _G.per_bidder
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  n = n + 1
  local b = (n % #tokens) + 1
  local k = math.floor(n / #tokens) % per_bidder
  local aid = auctions[((b - 1) * per_bidder + k) % #auctions + 1]
  local current = known[aid]
  local amount
  if current == nil then
    amount = aid * unit
  else
    local steps = 1
    if math.random() < 0.1 then steps = math.random(2, 5) end
    amount = current + steps * increment
  end
  local body = '{"amount": ' .. string.format("%d", amount) .. '}'
  return wrk.format("POST", "/api/v1/auctions/" .. aid .. "/bids",
    {["Authorization"] = "Bearer " .. tokens[b], ["Content-Type"] = "application/json"}, body)
end

local function learn(price)
  local aid = math.floor(price / unit)
  local old = known[aid]
  if old == nil or price > old then known[aid] = price end
end

function response(status, headers, body)
  if status == 201 then
    accepted = accepted + 1
    local amount = string.match(body, '"amount":%s*(%d+)')
    if amount then learn(tonumber(amount)) end
  elseif status == 409 then
    refused = refused + 1
    local minimum = string.match(body, '"minimum":%s*(%d+)')
    if minimum then learn(tonumber(minimum) - increment) end
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
