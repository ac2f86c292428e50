-- Used by bench/signing.py: POSTs a form with a unique email on every request for a
-- fixed window, then sends nothing more, so that every request sent is answered
-- before wrk stops and the rows the server stored can be counted against the
-- acknowledged responses.
--
--   wrk ... --script bench/wrk_post.lua URL -- TAG WINDOW_S OK_STATUS BODY [CLIENT_HEADER]
--
-- BODY is a form-encoded body in which the word BENCHID is replaced, request by
-- request, by TAG-<thread>-<n>: unique across threads and requests. With CLIENT_HEADER
-- (e.g. X-Forwarded-For), every request also carries its own client address in that
-- header, as a proxy in front of Convoca would tell it (bench/signing_e2e.py): an
-- address of the documentation range 2001:db8::/32, so each request is another visitor.
--
-- After the window, request() returns an empty request: wrk writes nothing and the
-- connection waits, idle, for the end of the run (wrk's --duration, longer than the
-- window). Only the POSTs sent in the window are answered, so only they give wrk a
-- latency sample and a response.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000000 + math.floor(tonumber(timespec.tv_nsec) / 1000)
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function init(args)
  tag = args[1]
  window_us = tonumber(args[2]) * 1000000
  ok_status = tonumber(args[3])
  template = args[4]
  client_header = args[5]
  -- What a browser sends with a form posted from the site's own page (the signing
  -- view refuses a cross-site one: convoca.core.antibot.request_is_cross_site).
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = "http://" .. wrk.host .. ":" .. wrk.port,
    ["Sec-Fetch-Site"] = "same-origin",
  }
  sent, acked, failed = 0, 0, 0
  first_us, stop_us, last_us = 0, 0, 0
  other_status = 0
  verifying = thread_id == 1
end

function request()
  if verifying then
    -- wrk calls request() once on the first thread, before it runs, to check the
    -- request it returns; that one is never sent, so it is neither counted nor timed.
    verifying = false
    return wrk.format("POST", nil, headers, string.gsub(template, "BENCHID", "verify"))
  end
  local now = now_us()
  if stop_us == 0 then
    first_us = now
    stop_us = now + window_us
  end
  if now >= stop_us then
    return ""
  end
  sent = sent + 1
  local id = tag .. "-" .. thread_id .. "-" .. sent
  local body = string.gsub(template, "BENCHID", id)
  if client_header then
    headers[client_header] = string.format(
      "2001:db8:%x:%x::%x", thread_id, math.floor(sent / 65536), sent % 65536)
  end
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  last_us = now_us()
  if status == ok_status then
    acked = acked + 1
  else
    failed = failed + 1
    other_status = status
  end
end

function done(summary, latency, requests)
  local sent_total, acked_total, failed_total = 0, 0, 0
  local first, last, other = nil, 0, 0
  for _, thread in ipairs(threads) do
    sent_total = sent_total + thread:get("sent")
    acked_total = acked_total + thread:get("acked")
    failed_total = failed_total + thread:get("failed")
    local thread_first = thread:get("first_us")
    if thread_first > 0 and (first == nil or thread_first < first) then
      first = thread_first
    end
    last = math.max(last, thread:get("last_us"))
    if thread:get("other_status") ~= 0 then
      other = thread:get("other_status")
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"sent": %d, "acked": %d, "failed": %d, "other_status": %d, '
      .. '"responses": %d, "window_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"socket_errors": %d}\n',
    sent_total, acked_total, failed_total, other, summary.requests,
    first and (last - first) or 0, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.timeout))
end
