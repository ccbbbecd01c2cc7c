-- wrk script: POST one of a file's pre-built JSON bodies per request, in turn.
-- Environment: BENCH_PATH (the URL path), BENCH_BODIES (a file, one JSON body per line).
local path = os.getenv("BENCH_PATH")
local headers = {["content-type"] = "application/json"}
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do
  bodies[#bodies + 1] = line
end
local counter = 0

function setup(thread)
  thread:set("offset", math.random(1, #bodies))
end

function init(args)
  counter = offset
end

request = function()
  counter = counter + 1
  return wrk.format("POST", path, headers, bodies[counter % #bodies + 1])
end

function done(summary, latency, requests)
  io.write(string.format("JSON {\"requests\":%d,\"seconds\":%.3f,\"errors\":%d,\"non2xx\":%d," ..
    "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
