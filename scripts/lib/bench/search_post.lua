-- wrk script for `scripts/bench search` and `scripts/bench answer`: POSTs the JSON bodies of a file
-- (one per line) round-robin, the two wrk threads starting half the file apart (so with enough
-- distinct bodies no body is sent twice: the answer cache never hits), with the headers given by -H (Authorization,
-- Content-Type). At the end it prints the 95th percentile in the same "  95%  12.34ms" form as
-- wrk's --latency table, so scripts/lib/wrk.sh's wrk_latency_ms reads it like p50/p99.
--
--   wrk -t2 -c8 -d15s --latency -s search_post.lua -H 'Authorization: Bearer …' URL -- BODIES_FILE

local threads = 0

function setup(thread)
    thread:set("thread_number", threads)
    threads = threads + 1
end

function init(args)
    local path = args[1]
    if path == nil then
        error("search_post.lua: pass the bodies file after --")
    end
    bodies = {}
    for line in io.lines(path) do
        if line ~= "" then
            bodies[#bodies + 1] = line
        end
    end
    if #bodies == 0 then
        error("search_post.lua: no request bodies in " .. path)
    end
    -- thread_number is set by setup() in the main Lua state before init runs in the thread's own.
    position = math.floor((thread_number or 0) * #bodies / 2) % #bodies
end

function request()
    position = position % #bodies + 1
    return wrk.format("POST", nil, nil, bodies[position])
end

function done(summary, latency, requests)
    io.write(string.format("     95%%    %.2fms\n", latency:percentile(95) / 1000))
end
