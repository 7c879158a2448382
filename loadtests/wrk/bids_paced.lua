-- bids.lua with a fixed pause before each request of each connection (wrk's delay() hook), so that N
-- connections offer about N * 1000 / pace_ms requests per second: a rate-limited run (wrk2 is not
-- available). Usage: wrk ... -s loadtests/wrk/bids_paced.lua URL -- /path/to/data.lua <pace_ms>
-- (the pause is added to each connection's response time: the achieved rate is reported, not assumed).
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "bids.lua")
local bids_init = init
local pace_ms = 0

function init(args)
  bids_init(args)
  pace_ms = tonumber(args[2]) or 0
end

function delay()
  return pace_ms
end
