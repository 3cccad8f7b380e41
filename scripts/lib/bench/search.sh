# shellcheck shell=bash
# scripts/bench search: POST /v1/search through nginx on a throwaway stack holding 100,000 and then
# 1,000,000 synthetic chunks, against an in-process Python reference (FAISS IndexFlatIP + bm25s +
# sentence-transformers) on the same vectors, texts and questions. One run, one table.
#
# Data (scripts/lib/reference/bench_search.py): deterministic English-like texts (Zipfian over a
# 5,033-word vocabulary) and clustered 384-dim unit vectors, streamed straight into PostgreSQL with
# a binary COPY as the owner (ingesting 1M chunks through the model would take hours); one public
# collection, 100 chunks per ready document. The 1M set is the 100k set plus 900k more rows. After
# each load: VACUUM ANALYZE, then `parley index --rebuild --tenant` (timed). Questions: 200 distinct
# ones of 3-6 vocabulary words, posted round-robin by scripts/lib/bench/search_post.lua.
#
# Per size: one sequential pass of every question in each mode (hybrid, bm25, dense) over one
# keep-alive connection (client milliseconds and the server's took_ms: where the time goes), a
# warm-up, then --rounds interleaved rounds of wrk at 8 and 32 connections; medians of the rounds.
# The reference then runs the same questions in one process with 1 and 2 threads.

# shellcheck source=scripts/lib/reference.sh
source "$PARLEY_LIB/reference.sh"

SEARCH_RUN="" # the throwaway stack's run dir (index files and raw results live in it too)

search_teardown() {
    local rc=$?
    if [[ -n $SEARCH_RUN ]]; then
        (stack_down "$SEARCH_RUN") || warn "teardown of $SEARCH_RUN had errors"
        rm -rf "$SEARCH_RUN"
    fi
    return "$rc"
}

# search_psql ARGS...: psql as the owner on the bench database.
search_psql() {
    "$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 -d "$STACK_OWNER_DATABASE_URL" "$@"
}

# search_json JSON PATH: one value from a JSON document, PATH as dot-separated keys ("n/a" if null).
search_json() {
    python3 -c 'import json, sys
v = json.loads(sys.argv[1])
for key in sys.argv[2].split("."):
    v = v[key]
print("n/a" if v is None else v)' "$1" "$2"
}

# seconds_since START: seconds (3 decimals) since START, a `date +%s.%N` value.
seconds_since() {
    awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }'
}

# search_load PYTHON TENANT COLLECTION FROM TO [--sentences]: rows [FROM, TO) of the synthetic corpus
# into chunks, with their documents and ready versions (100 chunks per document); --sentences also
# fills the sentence vectors the extractive answerer reads.
search_load() {
    local python=$1 tenant=$2 collection=$3 from=$4 to=$5 sentences=${6:-} columns
    columns="tenant_id, document_id, version, collection_id, ordinal, text, tsv, embedding, model, char_start, char_end, token_count"
    [[ -z $sentences ]] || columns+=", sentence_vectors"
    "$python" "$PARLEY_LIB/reference/bench_search.py" copy --tenant "$tenant" --collection "$collection" \
        --start "$from" --end "$to" ${sentences:+"$sentences"} |
        search_psql -c "COPY chunks ($columns) FROM STDIN (FORMAT binary)" ||
        die "loading chunks $from..$to failed"
    # Document ids are derived the same way as in bench_search.py: doc_ + md5("doc<n>")[:20].
    search_psql -v tenant="$tenant" -v collection="$collection" -v first=$((from / 100)) -v last=$((to / 100 - 1)) <<'SQL' ||
INSERT INTO documents (id, tenant_id, collection_id, title, active_version, latest_version, content_sha256)
SELECT 'doc_' || substr(md5('doc' || n), 1, 20), :'tenant', :'collection', 'Synthetic document ' || n, 1, 1,
       sha256(convert_to('doc' || n, 'UTF8'))
  FROM generate_series(:first, :last) AS n;
INSERT INTO document_versions (tenant_id, document_id, version, filename, format, media_type, byte_size, sha256,
                               status, stage, progress, chunk_count, started_at, finished_at)
SELECT :'tenant', 'doc_' || substr(md5('doc' || n), 1, 20), 1, 'synthetic-' || n || '.txt', 'text', 'text/plain',
       45000, sha256(convert_to('doc' || n, 'UTF8')), 'ready', 'done', 100, 100, now(), now()
  FROM generate_series(:first, :last) AS n;
SQL
        die "inserting the documents of chunks $from..$to failed"
}

# search_wrk FILE CONNECTIONS SECONDS KEY BODIES [PATH]: one wrk run against POST PATH (default
# /v1/search), saved in FILE.
search_wrk() {
    local file=$1 connections=$2 seconds=$3 key=$4 bodies=$5 path=${6:-/v1/search}
    wrk -t2 -c"$connections" -d"${seconds}s" --latency --timeout 5s -s "$PARLEY_LIB/bench/search_post.lua" \
        -H "Authorization: Bearer $key" -H "Content-Type: application/json" \
        "$STACK_BASE_URL$path" -- "$bodies" >"$file" 2>&1 || die "wrk failed: $(cat "$file")"
}

# search_cpu_ms: CPU time (user + system, ms) used so far by the pool's workers, the PostgreSQL
# backends and the nginx workers, as "POOL POSTGRES NGINX".
search_cpu_ms() {
    local group pids totals=() postmaster
    postmaster=$(read_pidfile "$STACK_PG_DIR/data/postmaster.pid")
    for group in pool postgres nginx; do
        case $group in
        pool) pids=$(pool_workers "$(stack_master_pid)") ;;
        postgres) pids=$(pgrep -P "$postmaster" || true) ;;
        nginx) pids=$(pgrep -P "$(nginx_pid "$SEARCH_RUN")" || true) ;;
        esac
        # Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name.
        totals+=("$(for pid in $pids; do cat "/proc/$pid/stat" 2>/dev/null || true; done |
            awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 } END { printf "%.0f\n", t * 1000 / hz }')")
    done
    echo "${totals[@]}"
}

# search_profile SIZE KEY BODIES OUT [PATH]: perf call graph of one worker for 10 s of wrk -c8 load
# on POST PATH (default /v1/search); the flat profile (self time per symbol, demangled) is written to OUT.
search_profile() {
    local size=$1 key=$2 bodies=$3 out=$4 path=${5:-/v1/search} worker data=$SEARCH_RUN/perf-$1.data wrk_pid
    worker=$(pool_workers "$(stack_master_pid)" | head -n1)
    log "perf: worker $worker for 10 s under wrk -c8 ($size chunks)"
    search_wrk "$SEARCH_RUN/wrk-perf-$size.txt" 8 14 "$key" "$bodies" "$path" &
    wrk_pid=$!
    sleep 2
    perf record -q -g -p "$worker" -o "$data" -- sleep 10 >/dev/null 2>&1 || warn "perf record failed"
    wait "$wrk_pid" || true
    local report
    report=$(perf report -i "$data" --no-children --sort dso,symbol -g none --percent-limit 0.3 --stdio 2>/dev/null) ||
        warn "perf report failed"
    {
        echo "# perf record -g -p <worker> for 10 s under wrk -t2 -c8, $size chunks: self time per symbol"
        grep -v -e '^#' -e '^$' <<<"$report" | swift demangle --simplified | sed 's/ *$//'
    } >"$out"
}

# wrk_rounds_summary WRK_PREFIX CPU_PREFIX ROUNDS: over the rounds' wrk outputs (PREFIX-N.txt) and
# CPU samples (CPU_PREFIX-N.before/.after, from search_cpu_ms), prints the medians of requests/s,
# p50, p95, p99, the failures summed, and the medians of CPU ms per request in the pool, PostgreSQL
# and nginx, space-separated.
wrk_rounds_summary() {
    local wrk=$1 cpu=$2 rounds=$3 round f requests failed=0
    local -a v_rps=() v50=() v95=() v99=() v_pool=() v_pg=() v_web=() before after
    for ((round = 1; round <= rounds; round++)); do
        f=$wrk-$round.txt
        read -r -a before <"$cpu-$round.before"
        read -r -a after <"$cpu-$round.after"
        requests=$(wrk_requests "$f")
        v_pool+=("$(awk -v a="${before[0]}" -v b="${after[0]}" -v n="$requests" 'BEGIN { printf "%.2f\n", n ? (b - a) / n : 0 }')")
        v_pg+=("$(awk -v a="${before[1]}" -v b="${after[1]}" -v n="$requests" 'BEGIN { printf "%.2f\n", n ? (b - a) / n : 0 }')")
        v_web+=("$(awk -v a="${before[2]}" -v b="${after[2]}" -v n="$requests" 'BEGIN { printf "%.2f\n", n ? (b - a) / n : 0 }')")
        v_rps+=("$(wrk_rps "$f")")
        v50+=("$(wrk_latency_ms "$f" 50)")
        v95+=("$(wrk_latency_ms "$f" 95)")
        v99+=("$(wrk_latency_ms "$f" 99)")
        failed=$((failed + $(wrk_failures "$f")))
    done
    echo "$(median "${v_rps[@]}") $(median "${v50[@]}") $(median "${v95[@]}") $(median "${v99[@]}") $failed" \
        "$(median "${v_pool[@]}") $(median "${v_pg[@]}") $(median "${v_web[@]}")"
}

bench_search() {
    local rounds=3 duration=15 sizes="100000,1000000" profile=0
    while (($#)); do
        case $1 in
        --rounds) rounds=$2 && shift 2 ;;
        --duration) duration=$2 && shift 2 ;;
        --sizes) sizes=$2 && shift 2 ;;
        --perf) profile=1 && shift ;;
        *) usage >&2 && return 2 ;;
        esac
    done
    [[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds takes a positive number"
    [[ $duration =~ ^[1-9][0-9]*$ ]] || die "--duration takes a positive number of seconds"
    local -a size_list
    IFS=, read -r -a size_list <<<"$sizes"
    local size previous=0
    for size in "${size_list[@]}"; do
        if [[ ! $size =~ ^[1-9][0-9]*0000$ ]] || ((size <= previous)); then
            die "--sizes takes increasing multiples of 10000, comma-separated (got $sizes)"
        fi
        previous=$size
    done
    local model=$PARLEY_REPO/var/models/all-MiniLM-L6-v2 bin python gen=$PARLEY_LIB/reference/bench_search.py
    local -a extras=(time)
    if ((profile)); then extras+=(linux-perf); fi
    bin=$(bench_prepare "${extras[@]}")
    python=$(reference_python)
    reference_require "$python" "faiss, bm25s, Stemmer" faiss-cpu bm25s PyStemmer

    trap search_teardown EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    SEARCH_RUN=$(run_dir_throwaway bench-search)
    local run=$SEARCH_RUN load_start bodies=$SEARCH_RUN/queries.jsonl
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    "$python" "$gen" queries --count 200 "$bodies"

    # As in `scripts/bench embed`: OpenBLAS picks its kernels for this CPU, as under systemd (an
    # environment pinning OPENBLAS_CORETYPE would hold back only Parley's question embedding).
    unset OPENBLAS_CORETYPE
    # The pool and `parley index` must agree on where the index files are.
    local index_dir=$run/index
    mkdir -p "$index_dir"
    STACK_BIN=$bin
    # shellcheck disable=SC2034 # read by stack_up
    STACK_PG_MODE=fast
    # shellcheck disable=SC2034
    STACK_HTTP_PORT=$((20000 + $$ % 20000))
    # shellcheck disable=SC2034
    STACK_POOL_ENV=(PARLEY_INDEX_DIR="$index_dir")
    stack_up "$run"

    # A benchmark sends far more than any plan allows per minute; this database is thrown away.
    search_psql -c "UPDATE plans SET requests_per_minute = 2000000000, queries_per_month = 2000000000 WHERE id = 'enterprise'"
    local tenant key collection
    tenant=$(parley_create_tenant "$STACK_BIN" "$STACK_OWNER_DATABASE_URL" "$STACK_DATABASE_URL" "Search Bench" enterprise)
    key=$(parley_create_key "$STACK_BIN" "$STACK_OWNER_DATABASE_URL" "$STACK_DATABASE_URL" "$tenant" bench query)
    collection=col_$(printf 'bench%s' "$tenant" | md5sum | cut -c1-20)
    search_psql -c "INSERT INTO collections (id, tenant_id, name, visibility) VALUES ('$collection', '$tenant', 'bench', 'public')"

    local -A load_s vacuum_s index_s index_rss index_bytes table_bytes agreement reference
    local -A probe_took50 probe_took95 probe_client50 probe_client95
    local -a profiles=()
    local loaded=0 start mode out round c
    local connections=(8 32)
    for size in "${size_list[@]}"; do
        log "loading chunks $loaded..$size"
        start=$(date +%s.%N)
        search_load "$python" "$tenant" "$collection" "$loaded" "$size"
        load_s[$size]=$(seconds_since "$start")
        loaded=$size
        log "  loaded in ${load_s[$size]} s; VACUUM ANALYZE"
        start=$(date +%s.%N)
        search_psql -c "VACUUM (ANALYZE) chunks, documents, document_versions"
        vacuum_s[$size]=$(seconds_since "$start")
        table_bytes[$size]=$(search_psql -At -c "SELECT pg_total_relation_size('chunks')")

        log "parley index --rebuild --tenant $tenant ($size chunks)"
        start=$(date +%s.%N)
        out=$(cd "$PARLEY_REPO" && PARLEY_DATABASE_URL=$STACK_DATABASE_URL PARLEY_INDEX_DIR=$index_dir \
            /usr/bin/time -v -o "$run/time-index-$size.txt" "$bin" index --rebuild --tenant "$tenant" 2>&1) ||
            die "parley index --rebuild failed: $out"
        index_s[$size]=$(seconds_since "$start")
        index_rss[$size]=$(awk -F': *' '/Maximum resident set size/ { printf "%.0f\n", $2 / 1024 }' "$run/time-index-$size.txt")
        index_bytes[$size]=$(stat -c %s "$index_dir/$tenant.idx")
        log "  $out (${index_s[$size]} s)"
        [[ $out == *"$size chunks"* ]] || die "the index holds the wrong number of chunks: $out"

        # Sequential passes: every question once per mode. They also check each answer is 200 from
        # the index file ("index+delta"), and warm every worker (model, mapping) before wrk.
        for mode in hybrid bm25 dense; do
            out=$("$python" "$gen" probe --url "$STACK_BASE_URL/v1/search" --key "$key" --queries "$bodies" \
                --mode "$mode" --dump "$run/parley-$mode-$size.json") || die "the $mode probe failed"
            [[ $(search_json "$out" "paths.index+delta" 2>/dev/null) == 200 ]] ||
                die "$mode search did not answer from the index file every time: $out"
            [[ $(search_json "$out" mean_hits) == 10.0 ]] || die "$mode search did not return 10 hits: $out"
            probe_took50[$size.$mode]=$(search_json "$out" took_ms.p50)
            probe_took95[$size.$mode]=$(search_json "$out" took_ms.p95)
            probe_client50[$size.$mode]=$(search_json "$out" client_ms.p50)
            probe_client95[$size.$mode]=$(search_json "$out" client_ms.p95)
            log "  sequential $mode: took_ms p50 ${probe_took50[$size.$mode]} p95 ${probe_took95[$size.$mode]}," \
                "client p50 ${probe_client50[$size.$mode]} p95 ${probe_client95[$size.$mode]}"
        done

        log "warm-up: 5 s at 32 connections"
        search_wrk "$run/wrk-warmup-$size.txt" 32 5 "$key" "$bodies"
        for ((round = 1; round <= rounds; round++)); do
            for c in "${connections[@]}"; do
                log "round $round/$rounds: $size chunks, $c connections"
                search_cpu_ms >"$run/cpu-$size-c$c-$round.before"
                search_wrk "$run/wrk-$size-c$c-$round.txt" "$c" "$duration" "$key" "$bodies"
                search_cpu_ms >"$run/cpu-$size-c$c-$round.after"
            done
        done
        if ((profile)); then
            mkdir -p "$PARLEY_REPO/var/bench"
            profiles+=("$PARLEY_REPO/var/bench/search-$(date -u +%Y%m%dT%H%M%SZ)-perf-$size.txt")
            search_profile "$size" "$key" "$bodies" "${profiles[-1]}"
        fi

        log "reference: $size chunks (FAISS IndexFlatIP + bm25s + sentence-transformers), 1 and 2 threads"
        reference[$size]=$("$python" "$gen" reference --size "$size" --queries "$bodies" --model "$model" \
            --threads 1 2 --dump "$run/reference-dense-$size.json" 2>>"$run/reference.log") ||
            die "the reference failed: $(tail -n 20 "$run/reference.log")"
        log "  ${reference[$size]}"
        agreement[$size]=$("$python" "$gen" agreement --size "$size" "$run/parley-dense-$size.json" \
            "$run/reference-dense-$size.json")
    done

    # Medians over the rounds.
    local -A rps p50 p95 p99 failures cpu_pool cpu_pg cpu_nginx
    local key_sc
    local -a summary
    for size in "${size_list[@]}"; do
        for c in "${connections[@]}"; do
            key_sc=$size.$c
            read -r -a summary <<<"$(wrk_rounds_summary "$run/wrk-$size-c$c" "$run/cpu-$size-c$c" "$rounds")"
            rps[$key_sc]=${summary[0]} p50[$key_sc]=${summary[1]} p95[$key_sc]=${summary[2]} p99[$key_sc]=${summary[3]}
            failures[$key_sc]=${summary[4]} cpu_pool[$key_sc]=${summary[5]} cpu_pg[$key_sc]=${summary[6]}
            cpu_nginx[$key_sc]=${summary[7]}
        done
    done

    local cpu version report date stamp
    cpu=$(cpu_model)
    version=$(parley_version "$bin")
    date=$(date -u +%Y-%m-%d)
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$PARLEY_REPO/var/bench"
    report=$PARLEY_REPO/var/bench/search-$stamp.md
    local target met r1 r2 ref_json
    {
        echo "### Search through nginx — $date, $(nproc) cores × ${cpu:-unknown CPU}"
        echo
        echo "parley $version (release), $STACK_WORKERS workers × $STACK_THREADS threads, $(nginx -v 2>&1 | sed 's/^nginx version: //')," \
            "PostgreSQL $(search_psql -At -c 'SHOW server_version' | cut -d' ' -f1) (throwaway, fsync off)." \
            "\`POST /v1/search\` with a query key, \`{\"query\": …, \"top_k\": 10}\` (hybrid: BM25 + dense, RRF), 200 distinct" \
            "questions of 3-6 words round-robin; \`wrk -t2 -c8|32 -d${duration}s\`, median of $rounds interleaved rounds" \
            "after a warm-up. Latency is end to end at the client, question embedding included; client, nginx, pool and" \
            "PostgreSQL share the machine (load average at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg))."
        echo
        echo "| chunks | connections | requests/s | p50 ms | p95 ms | p99 ms | failed (non-2xx + socket errors) | p95 target | met | p95 ÷ reference p95 (1 thread) | p95 ÷ reference p95 (2 threads) |"
        echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
        for size in "${size_list[@]}"; do
            case $size in
            100000) target=15 ;;
            1000000) target=60 ;;
            *) target="" ;;
            esac
            ref_json=${reference[$size]}
            r1=$(search_json "$ref_json" threads.1.total_ms.p95)
            r2=$(search_json "$ref_json" threads.2.total_ms.p95)
            for c in "${connections[@]}"; do
                key_sc=$size.$c
                met="n/a"
                if [[ -n $target ]]; then
                    if awk -v p="${p95[$key_sc]}" -v t="$target" -v f="${failures[$key_sc]}" 'BEGIN { exit !(p <= t && f == 0) }'; then
                        met="**met**"
                    else
                        met="**not met**"
                    fi
                fi
                printf '| %s | %s | %.0f | %.2f | %.2f | %.2f | %s | %s | %s | %s | %s |\n' "$size" "$c" "${rps[$key_sc]}" \
                    "${p50[$key_sc]}" "${p95[$key_sc]}" "${p99[$key_sc]}" "${failures[$key_sc]}" \
                    "${target:+≤ $target ms}" "$met" "$(ratio "${p95[$key_sc]}" "$r1")" "$(ratio "${p95[$key_sc]}" "$r2")"
            done
        done
        echo
        echo "Server CPU per request under that load (user + system time of the processes over each round ÷ its" \
            "requests, median of the rounds; wrk itself is not counted). With fixed connections, latency ≈" \
            "connections ÷ requests/s: on $(nproc) cores a p95 under the target needs the CPU per request well under" \
            "cores × target ÷ connections."
        echo
        echo "| chunks | connections | pool workers ms | PostgreSQL ms | nginx ms | total ms | cores × 15 ms ÷ connections |"
        echo "|---:|---:|---:|---:|---:|---:|---:|"
        for size in "${size_list[@]}"; do
            for c in "${connections[@]}"; do
                key_sc=$size.$c
                printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$size" "$c" "${cpu_pool[$key_sc]}" "${cpu_pg[$key_sc]}" \
                    "${cpu_nginx[$key_sc]}" \
                    "$(awk -v a="${cpu_pool[$key_sc]}" -v b="${cpu_pg[$key_sc]}" -v d="${cpu_nginx[$key_sc]}" 'BEGIN { printf "%.2f", a + b + d }')" \
                    "$(awk -v n="$(nproc)" -v c="$c" 'BEGIN { printf "%.2f", n * 15 / c }')"
            done
        done
        echo
        echo "Reference, in one Python process, per question (200 questions, after 20 warm-up ones): embed with" \
            "sentence-transformers $("$python" -c 'import sentence_transformers as s; print(s.__version__)') (PyTorch" \
            "$(search_json "${reference[${size_list[0]}]}" torch), CPU), FAISS $(search_json "${reference[${size_list[0]}]}" faiss)" \
            "IndexFlatIP top 100 (exact), bm25s $(search_json "${reference[${size_list[0]}]}" bm25s) (Lucene BM25, k1 0.9, b 0.4," \
            "English stop words, PyStemmer English) top 100, RRF (k 60) to 10 — the work Parley does per request, without" \
            "HTTP, PostgreSQL or rendering hits. Threads: \`torch.set_num_threads\` and \`faiss.omp_set_num_threads\`," \
            "OMP_WAIT_POLICY=PASSIVE (libgomp's spin-waiting made 2-thread embedding ~40× slower on the shared machine)." \
            "The questions average $(search_json "${reference[${size_list[0]}]}" question_tokens) WordPiece tokens" \
            "(pseudo-words split into several pieces), so embedding them costs more than a typical short question."
        echo
        echo "| chunks | threads | p50 ms | p95 ms | p99 ms | embed p50 ms | FAISS p50 ms | bm25s p50 ms |"
        echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
        for size in "${size_list[@]}"; do
            for c in 1 2; do
                ref_json=${reference[$size]}
                printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$size" "$c" \
                    "$(search_json "$ref_json" "threads.$c.total_ms.p50")" "$(search_json "$ref_json" "threads.$c.total_ms.p95")" \
                    "$(search_json "$ref_json" "threads.$c.total_ms.p99")" "$(search_json "$ref_json" "threads.$c.embed_ms.p50")" \
                    "$(search_json "$ref_json" "threads.$c.dense_ms.p50")" "$(search_json "$ref_json" "threads.$c.bm25_ms.p50")"
            done
        done
        echo
        echo "Where Parley's time goes: each question once, one at a time over one keep-alive connection, per mode" \
            "(\`took_ms\` is the worker's own timing of the search: SQL, embedding, index scans, final fetch;" \
            "client ms adds nginx, FastCGI and JSON). bm25 skips the question embedding."
        echo
        echo "| chunks | mode | took_ms p50 | took_ms p95 | client p50 ms | client p95 ms |"
        echo "|---:|---|---:|---:|---:|---:|"
        for size in "${size_list[@]}"; do
            for mode in hybrid bm25 dense; do
                printf '| %s | %s | %s | %s | %s | %s |\n' "$size" "$mode" "${probe_took50[$size.$mode]}" \
                    "${probe_took95[$size.$mode]}" "${probe_client50[$size.$mode]}" "${probe_client95[$size.$mode]}"
            done
        done
        echo
        for size in "${size_list[@]}"; do
            echo "- $size chunks: loaded in ${load_s[$size]} s (binary COPY of the new rows + documents; VACUUM ANALYZE" \
                "${vacuum_s[$size]} s), \`chunks\` $(awk -v b="${table_bytes[$size]}" 'BEGIN { printf "%.2f GiB", b / 1073741824 }')" \
                "with indexes and TOAST; \`parley index --rebuild\` ${index_s[$size]} s, peak RSS ${index_rss[$size]} MiB," \
                "index file $(awk -v b="${index_bytes[$size]}" 'BEGIN { printf "%.0f MiB", b / 1048576 }'). Parley's dense" \
                "top 10 holds ${agreement[$size]} % of the exact (FAISS) top 10, averaged over the questions."
        done
        echo "- Every answer in the sequential passes came from the index file (\`\"path\": \"index+delta\"\`) with 10 hits." \
            "Data: synthetic, deterministic (scripts/lib/reference/bench_search.py): 40-80-word English-like chunks," \
            "clustered unit vectors (2,000 topics), empty \`tsv\` (search does not read it). OpenBLAS picks its own kernels" \
            "for Parley (OPENBLAS_CORETYPE unset), as in \`scripts/bench embed\`."
        if ((${#profiles[@]})); then
            echo "- perf profiles of one worker under load: $(printf '%s ' "${profiles[@]#"$PARLEY_REPO"/}")"
        fi
    } | tee "$report"
    log "saved to $report"
}
