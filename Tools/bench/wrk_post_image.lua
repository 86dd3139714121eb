-- wrk script for `detect serve`: POSTs the JPEG named by $IMAGE to the URL given to wrk and, at
-- the end, prints how many answers had each status (see docs/PERFORMANCE.md).
local f = io.open(os.getenv("IMAGE"), "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "image/jpeg"

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local totals = {}
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("statuses")) do
         totals[status] = (totals[status] or 0) + count
      end
   end
   local keys = {}
   for status in pairs(totals) do table.insert(keys, status) end
   table.sort(keys)
   for _, status in ipairs(keys) do
      io.write(string.format("status %d: %d\n", status, totals[status]))
   end
end
