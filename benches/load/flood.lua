-- wrk script: requests under distinct unknown access keys, each a
-- well-formed header-signed S3 GET (fresh date, every required header
-- signed) whose access key the server has never heard of, so that each one
-- reaches the credential lookup and is answered 403 InvalidAccessKeyId.
-- Nobody can sign with an unknown key: the signature is any 64 hex digits,
-- and the server cannot tell before the lookup.
-- Usage: wrk -t1 ... -s benches/load/flood.lua URL -- REQUESTS.lua SLICE
-- Every request of a run has its own key (AKIAFL, the slice number in two
-- digits, a counter in twelve), distinct across the runs of one flood.

local n, slice = 0, 0
local amz_date, region

function init(args)
   local requests = dofile(args[1])
   slice = tonumber(args[2])
   amz_date = requests.amz_date
   region = requests.region
end

local EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
local SIGNATURE = string.rep("0123456789abcdef", 4)

function request()
   local akid = string.format("AKIAFL%02d%012d", slice, n)
   n = n + 1
   local headers = {
      ["x-amz-date"] = amz_date,
      ["x-amz-content-sha256"] = EMPTY_SHA256,
      ["authorization"] = "AWS4-HMAC-SHA256 Credential=" .. akid .. "/" .. amz_date:sub(1, 8)
         .. "/" .. region .. "/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="
         .. SIGNATURE,
   }
   return wrk.format("GET", "/examplebucket/key", headers)
end

function done(summary, latency, requests)
   io.write(string.format("RESULT rps=%.0f p50_us=%d p99_us=%d requests=%d non2xx=%d errors=%d\n",
      summary.requests / (summary.duration / 1e6), latency:percentile(50),
      latency:percentile(99), summary.requests, summary.errors.status,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
