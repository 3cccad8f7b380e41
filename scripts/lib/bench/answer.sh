# shellcheck shell=bash
# scripts/bench answer: POST /v1/query through nginx on a throwaway stack holding 100,000 synthetic
# chunks (the search benchmark's corpus, with sentence vectors), two ways:
#
# - extractive (the default generator): --rounds rounds of `wrk -t2 -c8`, every request a question
#   never asked before (so the answer cache never hits: 40,000 distinct questions, the two wrk
#   threads starting half the file apart), p50/p95 against the bar (p95 ≤ 40 ms); plus one question
#   at a time, cold and then again from the answer cache, with the server's own timings;
# - an OpenAI-compatible LLM, a loopback fake (scripts/lib/bench/fake_llm.py) that streams its first
#   token the moment it has read the request: the time from sending the question to the first
#   `token` event at the client is what Parley adds (bar: p95 ≤ 15 ms), one at a time and at 8
#   concurrent clients.

# shellcheck source=scripts/lib/bench/search.sh
source "$PARLEY_LIB/bench/search.sh"

bench_answer() {
    local rounds=3 duration=15 size=100000 profile=0
    while (($#)); do
        case $1 in
        --rounds) rounds=$2 && shift 2 ;;
        --duration) duration=$2 && shift 2 ;;
        --perf) profile=1 && shift ;;
        *) usage >&2 && return 2 ;;
        esac
    done
    [[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds takes a positive number"
    [[ $duration =~ ^[1-9][0-9]*$ ]] || die "--duration takes a positive number of seconds"
    local bin python gen=$PARLEY_LIB/reference/bench_search.py client=$PARLEY_LIB/reference/bench_answer.py
    local -a extras=(time)
    if ((profile)); then extras+=(linux-perf); fi
    bin=$(bench_prepare "${extras[@]}")
    python=$(reference_python)
    reference_require "$python" "numpy" numpy

    trap search_teardown EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    SEARCH_RUN=$(run_dir_throwaway bench-answer)
    local run=$SEARCH_RUN load_start questions=$SEARCH_RUN/questions.jsonl
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    "$python" "$gen" queries --count 40000 "$run/queries.jsonl"
    "$python" "$client" bodies "$run/queries.jsonl" "$questions"

    unset OPENBLAS_CORETYPE
    local index_dir=$run/index llm_port=$((20000 + ($$ + 7) % 20000))
    mkdir -p "$index_dir"
    STACK_BIN=$bin
    # shellcheck disable=SC2034 # read by stack_up
    STACK_PG_MODE=fast
    # shellcheck disable=SC2034
    STACK_HTTP_PORT=$((20000 + $$ % 20000))
    # shellcheck disable=SC2034
    STACK_POOL_ENV=(PARLEY_INDEX_DIR="$index_dir" PARLEY_BENCH_LLM_KEY=sk-bench)
    # shellcheck disable=SC2034 # read by pg_start
    if ((profile)); then PG_PRELOAD=pg_stat_statements; fi
    stack_up "$run"

    search_psql -c "UPDATE plans SET requests_per_minute = 2000000000, queries_per_month = 2000000000 WHERE id = 'enterprise'"
    local tenant key collection out
    tenant=$(parley_create_tenant "$STACK_BIN" "$STACK_OWNER_DATABASE_URL" "$STACK_DATABASE_URL" "Answer Bench" enterprise)
    key=$(parley_create_key "$STACK_BIN" "$STACK_OWNER_DATABASE_URL" "$STACK_DATABASE_URL" "$tenant" bench query)
    collection=col_$(printf 'bench%s' "$tenant" | md5sum | cut -c1-20)
    search_psql -c "INSERT INTO collections (id, tenant_id, name, visibility) VALUES ('$collection', '$tenant', 'bench', 'public')"
    log "loading $size chunks with sentence vectors"
    search_load "$python" "$tenant" "$collection" 0 "$size" --sentences
    search_psql -c "VACUUM (ANALYZE) chunks, documents, document_versions"
    out=$(cd "$PARLEY_REPO" && PARLEY_DATABASE_URL=$STACK_DATABASE_URL PARLEY_INDEX_DIR=$index_dir \
        "$bin" index --rebuild --tenant "$tenant" 2>&1) || die "parley index --rebuild failed: $out"
    log "  $out"

    # Extractive, one question at a time: cold (questions 30000-30199, never asked), then the same
    # ones again (answer cache hits).
    local url=$STACK_BASE_URL/v1/query cold warm
    cold=$("$python" "$client" probe --url "$url" --key "$key" --questions "$questions" --skip 30000 --limit 200) ||
        die "the extractive probe failed"
    warm=$("$python" "$client" probe --url "$url" --key "$key" --questions "$questions" --skip 30000 --limit 200) ||
        die "the cached probe failed"
    log "  one at a time, cold: $cold"
    log "  one at a time, cached: $warm"
    [[ $(search_json "$cold" failures) == 0 && $(search_json "$cold" cached) == 0 ]] || die "cold probe: $cold"
    [[ $(search_json "$warm" cached) == 200 ]] || die "the repeated questions did not all hit the cache: $warm"

    # Extractive under load: wrk at 8 connections, questions from both halves of the file.
    local round c=8 hits_before hits_after
    hits_before=$(search_psql -At -c "SELECT coalesce(sum(answered_by_cache), 0) FROM usage_daily WHERE tenant_id = '$tenant'")
    for ((round = 1; round <= rounds; round++)); do
        log "round $round/$rounds: extractive, $c connections"
        search_cpu_ms >"$run/cpu-c$c-$round.before"
        # Each round its own slice of never-asked questions (the lua script starts its threads half
        # the file apart).
        sed -n "$(((round - 1) * 5000 + 1)),$((round * 5000))p;$((15000 + (round - 1) * 5000 + 1)),$((15000 + round * 5000))p" \
            "$questions" >"$run/round-$round.jsonl"
        wrk -t2 -c"$c" -d"${duration}s" --latency --timeout 5s -s "$PARLEY_LIB/bench/search_post.lua" \
            -H "Authorization: Bearer $key" -H "Content-Type: application/json" "$url" -- "$run/round-$round.jsonl" \
            >"$run/wrk-c$c-$round.txt" 2>&1 || die "wrk failed: $(cat "$run/wrk-c$c-$round.txt")"
        search_cpu_ms >"$run/cpu-c$c-$round.after"
    done
    # Counted before the profile, whose wrk run is not one of the timed rounds.
    hits_after=$(search_psql -At -c "SELECT coalesce(sum(answered_by_cache), 0) FROM usage_daily WHERE tenant_id = '$tenant'")
    if ((profile)); then
        # 8,000 questions: two wrk threads 4,000 apart for 14 s never wrap at up to ~570 answers/s.
        sed -n '32001,40000p' "$questions" >"$run/perf-questions.jsonl"
        mkdir -p "$PARLEY_REPO/var/bench"
        local perf_out
        perf_out=$PARLEY_REPO/var/bench/answer-$(date -u +%Y%m%dT%H%M%SZ)-perf.txt
        answer_statements_reset
        search_profile "$size" "$key" "$run/perf-questions.jsonl" "$perf_out" /v1/query
        answer_statements_report >>"$perf_out"
    fi

    # The LLM path: the fake on loopback, configured like a real provider.
    "$python" "$PARLEY_LIB/bench/fake_llm.py" --port "$llm_port" --tokens 20 --interval-ms 5 &
    local fake_pid=$!
    # shellcheck disable=SC2064
    trap "kill $fake_pid 2>/dev/null; search_teardown" EXIT
    search_psql -c "INSERT INTO providers (name, kind, base_url, api_key_env) VALUES ('bench-fake', 'openai', 'http://127.0.0.1:$llm_port/v1', 'PARLEY_BENCH_LLM_KEY')"
    search_psql -c "INSERT INTO answer_settings (tenant_id, generator, provider, model) VALUES ('$tenant', 'openai', 'bench-fake', 'gpt-4o-mini')
                    ON CONFLICT (tenant_id) DO UPDATE SET generator = 'openai', provider = 'bench-fake', model = 'gpt-4o-mini'"
    local llm1 llm8
    llm1=$("$python" "$client" probe --url "$url" --key "$key" --questions "$questions" --skip 31000 --limit 200 --stream) ||
        die "the streaming probe failed"
    llm8=$("$python" "$client" probe --url "$url" --key "$key" --questions "$questions" --skip 31200 --limit 800 --stream \
        --concurrency 8) || die "the streaming probe at 8 clients failed"
    log "  LLM, one at a time: $llm1"
    log "  LLM, 8 clients: $llm8"
    [[ $(search_json "$llm1" fallbacks) == 0 && $(search_json "$llm1" generators) == "['openai']" ]] ||
        die "the fake LLM did not answer every question: $llm1"

    local rps p50 p95 p99 failed pool pg nginx_cpu
    read -r rps p50 p95 p99 failed pool pg nginx_cpu <<<"$(wrk_rounds_summary "$run/wrk-c$c" "$run/cpu-c$c" "$rounds")"

    local met_extractive met_llm report stamp
    met_extractive=$(awk -v p="$p95" -v f="$failed" 'BEGIN { print (p <= 40 && f == 0) ? "**met**" : "**not met**" }')
    met_llm=$(awk -v p="$(search_json "$llm1" parley_first_token_ms.p95)" 'BEGIN { print (p <= 15) ? "**met**" : "**not met**" }')
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$PARLEY_REPO/var/bench"
    report=$PARLEY_REPO/var/bench/answer-$stamp.md
    {
        echo "### Answers through nginx — $(date -u +%Y-%m-%d), $(nproc) cores × $(cpu_model)"
        echo
        echo "parley $(parley_version "$bin") (release), $STACK_WORKERS workers × $STACK_THREADS threads, PostgreSQL (throwaway," \
            "fsync off), $size synthetic chunks with sentence vectors. Load average at the start: $load_start; at the end:" \
            "$(cut -d' ' -f1-3 /proc/loadavg)."
        echo
        echo "| generator | how | requests/s | p50 ms | p95 ms | p99 ms | failed | bar | met |"
        echo "|---|---|---:|---:|---:|---:|---:|---|---|"
        echo "| extractive | \`wrk -t2 -c8 -d${duration}s\`, every question new, median of $rounds rounds | $rps | $p50 | $p95 | $p99 | $failed | p95 ≤ 40 ms | $met_extractive |"
        echo "| extractive | one at a time, new questions (client) | $(search_json "$cold" requests_per_second) | $(search_json "$cold" client_ms.p50) | $(search_json "$cold" client_ms.p95) | | $(search_json "$cold" failures) | | |"
        echo "| extractive | one at a time, answer cache hits (client) | $(search_json "$warm" requests_per_second) | $(search_json "$warm" client_ms.p50) | $(search_json "$warm" client_ms.p95) | | $(search_json "$warm" failures) | | |"
        echo
        echo "Inside the worker, one at a time (cold): retrieve p50 $(search_json "$cold" retrieve_ms.p50) / p95 $(search_json "$cold" retrieve_ms.p95) ms," \
            "generate p50 $(search_json "$cold" generate_ms.p50) / p95 $(search_json "$cold" generate_ms.p95) ms," \
            "total p50 $(search_json "$cold" total_ms.p50) / p95 $(search_json "$cold" total_ms.p95) ms." \
            "CPU per request under wrk: pool $pool ms, PostgreSQL $pg ms, nginx $nginx_cpu ms." \
            "Answer cache hits during the wrk rounds: $((hits_after - hits_before))."
        echo
        echo "| LLM (loopback fake, first token at once) | clients | questions | first token at the client p50 / p95 ms | of which Parley (minus the fake's own time) p50 / p95 ms | bar | met |"
        echo "|---|---:|---:|---:|---:|---|---|"
        echo "| openai-compatible, streamed | 1 | $(search_json "$llm1" requests) | $(search_json "$llm1" first_token_ms.p50) / $(search_json "$llm1" first_token_ms.p95) | $(search_json "$llm1" parley_first_token_ms.p50) / $(search_json "$llm1" parley_first_token_ms.p95) | p95 ≤ 15 ms | $met_llm |"
        echo "| openai-compatible, streamed | 8 | $(search_json "$llm8" requests) | $(search_json "$llm8" first_token_ms.p50) / $(search_json "$llm8" first_token_ms.p95) | $(search_json "$llm8" parley_first_token_ms.p50) / $(search_json "$llm8" parley_first_token_ms.p95) | | |"
    } | tee "$report"
    log "report: $report"
}

# PostgreSQL's side of the profile: pg_stat_statements (preloaded with --perf) over the perf run.
answer_superuser_psql() {
    "$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h "$STACK_PG_DIR" -p "$STACK_PG_PORT" -U postgres -d parley "$@"
}

answer_statements_reset() {
    answer_superuser_psql -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
}

answer_statements_report() {
    echo
    echo "# PostgreSQL statements over the same run (pg_stat_statements): calls, mean and total execution ms,"
    echo "# shared buffers hit and read (from the OS) per call"
    answer_superuser_psql -At -F ' | ' -c "
        SELECT calls, round(mean_exec_time::numeric, 4), round(total_exec_time::numeric, 1),
               round(shared_blks_hit::numeric / calls, 1), round(shared_blks_read::numeric / calls, 1),
               regexp_replace(left(query, 110), '\s+', ' ', 'g')
          FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20"
}
