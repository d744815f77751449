-- wrk script: replays one request signed ahead of time by `bench_server sign`.
-- Usage: wrk ... -s benches/load/replay.lua URL -- REQUESTS.lua WORKLOAD
-- WORKLOAD: presigned_get (an S3 presigned GET) or kms_post (a header-signed
-- KMS-style POST with a 200-byte body).

function init(args)
   local requests = dofile(args[1])
   local r = requests[args[2]]
   assert(r, "unknown workload " .. tostring(args[2]))
   wrk.method = r.method
   wrk.path = r.path
   -- wrk has put the Host header (the signed host) in wrk.headers already.
   for name, value in pairs(r.headers) do
      wrk.headers[name] = value
   end
   if #r.body > 0 then
      wrk.body = r.body
   end
end

-- One machine-readable line: requests per second, latency percentiles in
-- microseconds, and the failures (socket errors, non-2xx answers).
function done(summary, latency, requests)
   local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout
   io.write(string.format("RESULT rps=%.0f p50_us=%d p99_us=%d requests=%d non2xx=%d errors=%d\n",
      summary.requests / (summary.duration / 1e6), latency:percentile(50),
      latency:percentile(99), summary.requests, summary.errors.status, errors))
end
