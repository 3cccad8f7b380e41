# shellcheck shell=bash
# scripts/bench ingest: how fast documents become searchable, against a plain Python pipeline doing
# the same work (scripts/lib/reference/bench_ingest.py), side by side in one run.
#
#   1. parse + chunk throughput (`parley ingest --benchmark-parse`, release) on a generated 100 MiB
#      CSV and a 200-page PDF (scripts/lib/bench/make_pdf.py): MB/s, and the CSV run's peak RSS both
#      as the process reports it (ru_maxrss) and as /usr/bin/time -v sees it. Bar: under 300 MB.
#   2. end to end on a throwaway stack: 24 documents (8 Markdown, 8 three-page PDFs, 8 CSVs of 200
#      rows) uploaded through nginx for a fresh tenant each round, then `parley ingest --threads 2`
#      timed from start to exit (parse, chunk, embed, store): documents/minute and chunks/s.
# Every measurement is taken --rounds times; the table shows medians. Inputs are deterministic.

# shellcheck source=scripts/lib/reference.sh
source "$PARLEY_LIB/reference.sh"

INGEST_RUN=""  # the throwaway stack's run dir
INGEST_WORK="" # generated inputs and raw results

ingest_teardown() {
    local rc=$?
    if [[ -n $INGEST_RUN ]]; then
        (stack_down "$INGEST_RUN") || warn "teardown of $INGEST_RUN had errors"
        rm -rf "$INGEST_RUN"
    fi
    if [[ -n $INGEST_WORK ]]; then rm -rf "$INGEST_WORK"; fi
    return "$rc"
}

# jfield JSON NAME: one value of a flat JSON object ("n/a" when null or missing).
jfield() {
    python3 -c 'import json, sys
v = json.loads(sys.argv[1]).get(sys.argv[2])
print("n/a" if v is None else v)' "$1" "$2"
}

# max_rss_mib TIME_V_FILE: "Maximum resident set size" of a /usr/bin/time -v report, in MiB.
max_rss_mib() {
    awk -F': *' '/Maximum resident set size/ { printf "%.1f\n", $2 / 1024; found = 1 } END { if (!found) print "n/a" }' "$1"
}

# ingest_inputs PYTHON DIR: the benchmark's inputs, the same bytes on every run.
#   DIR/big.csv (100 MiB), DIR/book.pdf (200 pages), DIR/docs/ (the 24 end-to-end documents).
ingest_inputs() {
    local python=$1 dir=$2 gen=$PARLEY_LIB/reference/bench_ingest.py i
    log "generating the inputs in $dir (a 100 MiB CSV, a 200-page PDF, 24 small documents)"
    mkdir -p "$dir/docs"
    "$python" "$gen" make-csv "$dir/big.csv" --bytes $((100 * 1048576)) --seed 1
    python3 "$PARLEY_LIB/bench/make_pdf.py" "$dir/book.pdf" --pages 200
    for i in 1 2 3 4 5 6 7 8; do
        "$python" "$gen" make-markdown "$dir/docs/notes-$i.md" --seed "$i"
        python3 "$PARLEY_LIB/bench/make_pdf.py" "$dir/docs/report-$i.pdf" --pages 3 --seed "$((100 + i))"
        # ~200 rows of the same generator: 200 rows are about 37 KB.
        "$python" "$gen" make-csv "$dir/docs/customers-$i.csv" --bytes 37500 --seed "$((200 + i))"
    done
}

# ingest_upload TENANT_KEY DIR: uploads every file of DIR through nginx; fails unless each is 202.
ingest_upload() {
    local key=$1 dir=$2 file reply status
    for file in "$dir"/*; do
        reply=$(curl -sS --max-time 60 -w '\n%{http_code}' -H "Authorization: Bearer $key" \
            -F "file=@$file" "$STACK_BASE_URL/v1/documents") || die "uploading $file failed"
        status=${reply##*$'\n'}
        [[ $status == 202 ]] || die "uploading $file: HTTP $status: ${reply%$'\n'*}"
        [[ $reply == *'"id":"doc_'* ]] || die "uploading $file: no document id in: ${reply%$'\n'*}"
    done
}

# ingest_log_summary LOG: "READY CHUNKS OTHER" from the job's JSON lines on stderr (OTHER: documents
# that ended in any other state, with their reasons, or "-").
ingest_log_summary() {
    python3 - "$1" <<'PY'
import json, sys
ready = chunks = 0
other = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        event = json.loads(line)
    except ValueError:
        continue
    if event.get("event") != "document":
        continue
    if event.get("status") == "ready":
        ready += 1
        chunks += event.get("chunks", 0)
    else:
        other.append("%s %s: %s" % (event.get("document_id"), event.get("status"), event.get("reason")))
print(ready, chunks, "; ".join(other) or "-")
PY
}

bench_ingest() {
    local rounds=3
    while (($#)); do
        case $1 in
        --rounds) rounds=$2 && shift 2 ;;
        *) usage >&2 && return 2 ;;
        esac
    done
    [[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds takes a positive number"
    local model=$PARLEY_REPO/var/models/all-MiniLM-L6-v2 bin python ref=$PARLEY_LIB/reference/bench_ingest.py
    bin=$(bench_prepare time)
    python=$(reference_python)
    # The reference reads PDFs with pypdf.
    reference_require "$python" pypdf pypdf

    trap ingest_teardown EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    INGEST_WORK=$(mktemp -d /tmp/parley-bench-ingest.XXXXXX)
    local work=$INGEST_WORK load_start
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    ingest_inputs "$python" "$work"

    # As in `scripts/bench embed`: OpenBLAS picks its kernels for this CPU (PyTorch always does).
    local -a parley_env=(env -u OPENBLAS_CORETYPE)

    # 1. Parse + chunk, interleaved rounds so drift hits both sides alike.
    local round kind out file
    local -a p_csv_mbs=() r_csv_mbs=() p_pdf_mbs=() r_pdf_mbs=() p_pdf_pps=() r_pdf_pps=()
    local -a p_rss=() p_rss_time=() r_rss=() r_rss_time=() r_rss_base=()
    local -A last
    for ((round = 1; round <= rounds; round++)); do
        for kind in csv pdf; do
            file=$work/big.csv
            if [[ $kind == pdf ]]; then file=$work/book.pdf; fi
            log "round $round/$rounds: parse + chunk $kind, Parley"
            out=$(/usr/bin/time -v -o "$work/time-parley-$kind-$round.txt" "${parley_env[@]}" "$bin" ingest \
                --model "$model" --benchmark-parse "$file") || die "parley ingest --benchmark-parse $file failed"
            last[parley_$kind]=$out
            log "  $out"
            log "round $round/$rounds: parse + chunk $kind, reference"
            out=$(/usr/bin/time -v -o "$work/time-ref-$kind-$round.txt" "$python" "$ref" parse "$file" "$model" \
                2>>"$work/reference.log") || die "the reference parse of $file failed (log: $work/reference.log)"
            last[ref_$kind]=$out
            log "  $out"
            if [[ $kind == csv ]]; then
                p_csv_mbs+=("$(jfield "${last[parley_csv]}" mb_per_second)")
                r_csv_mbs+=("$(jfield "${last[ref_csv]}" mb_per_second)")
                p_rss+=("$(jfield "${last[parley_csv]}" peak_rss_mib)")
                r_rss+=("$(jfield "${last[ref_csv]}" peak_rss_mib)")
                r_rss_base+=("$(jfield "${last[ref_csv]}" rss_before_parse_mib)")
                p_rss_time+=("$(max_rss_mib "$work/time-parley-csv-$round.txt")")
                r_rss_time+=("$(max_rss_mib "$work/time-ref-csv-$round.txt")")
            else
                p_pdf_mbs+=("$(jfield "${last[parley_pdf]}" mb_per_second)")
                r_pdf_mbs+=("$(jfield "${last[ref_pdf]}" mb_per_second)")
                p_pdf_pps+=("$(awk -v p="$(jfield "${last[parley_pdf]}" pages)" -v s="$(jfield "${last[parley_pdf]}" seconds)" 'BEGIN { printf "%.1f\n", p / s }')")
                r_pdf_pps+=("$(awk -v p="$(jfield "${last[ref_pdf]}" pages)" -v s="$(jfield "${last[ref_pdf]}" seconds)" 'BEGIN { printf "%.1f\n", p / s }')")
            fi
        done
    done

    # 2. End to end through a throwaway stack: a fresh tenant per round, so every round ingests the
    # same 24 new documents (the same bytes for the same tenant would be answered as duplicates).
    INGEST_RUN=$(run_dir_throwaway bench-ingest)
    STACK_BIN=$bin
    # shellcheck disable=SC2034 # read by stack_up
    STACK_HTTP_PORT=$((20000 + $$ % 20000))
    stack_up "$INGEST_RUN"
    local tenant key start seconds summary ready chunks other
    local -a p_dpm=() p_cps=() p_seconds=() p_chunks=()
    for ((round = 1; round <= rounds; round++)); do
        tenant=$(parley_create_tenant "$STACK_BIN" "$STACK_OWNER_DATABASE_URL" "$STACK_DATABASE_URL" "Ingest Bench $round" enterprise)
        key=$(parley_create_key "$STACK_BIN" "$STACK_OWNER_DATABASE_URL" "$STACK_DATABASE_URL" "$tenant" bench ingest)
        log "round $round/$rounds: uploading 24 documents for $tenant"
        ingest_upload "$key" "$work/docs"
        log "round $round/$rounds: parley ingest --threads 2"
        start=$(date +%s.%N)
        (
            cd "$PARLEY_REPO" || exit 1
            exec "${parley_env[@]}" PARLEY_DATABASE_URL="$STACK_DATABASE_URL" PARLEY_EMBED_MODEL_DIR="$model" \
                "$bin" ingest --threads 2 --quiet
        ) 2>"$work/ingest-$round.log" </dev/null || {
            tail -n 20 "$work/ingest-$round.log" >&2
            die "parley ingest failed in round $round"
        }
        seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", b - a }')
        summary=$(ingest_log_summary "$work/ingest-$round.log")
        read -r ready chunks other <<<"$summary"
        [[ $ready == 24 ]] || die "round $round: $ready of 24 documents ready ($other); log: $(cat "$work/ingest-$round.log")"
        log "  24 documents, $chunks chunks in $seconds s"
        p_seconds+=("$seconds")
        p_chunks+=("$chunks")
        p_dpm+=("$(awk -v s="$seconds" 'BEGIN { printf "%.1f\n", 24 / s * 60 }')")
        p_cps+=("$(awk -v c="$chunks" -v s="$seconds" 'BEGIN { printf "%.1f\n", c / s }')")
    done
    (stack_down "$INGEST_RUN") || warn "stack_down had errors"

    log "reference end to end: $rounds rounds of 24 documents (sentence-transformers, 2 torch threads)"
    local ref_e2e
    ref_e2e=$("$python" "$ref" e2e "$work/docs" "$model" 2 "$rounds" 2>>"$work/reference.log") ||
        die "the reference end-to-end run failed: $(tail -n 20 "$work/reference.log")"
    log "  $ref_e2e"

    # The table.
    local cpu version report date
    cpu=$(cpu_model)
    version=$(parley_version "$bin")
    date=$(date -u +%Y-%m-%d)
    mkdir -p "$PARLEY_REPO/var/bench"
    report=$PARLEY_REPO/var/bench/ingest-$(date -u +%Y%m%dT%H%M%SZ).md
    local pc rc pp rp pps rps pd rd pcs rcs prss rrss prsst rrsst csv_mib pdf_kib
    pc=$(median "${p_csv_mbs[@]}") rc=$(median "${r_csv_mbs[@]}")
    pp=$(median "${p_pdf_mbs[@]}") rp=$(median "${r_pdf_mbs[@]}")
    pps=$(median "${p_pdf_pps[@]}") rps=$(median "${r_pdf_pps[@]}")
    pd=$(median "${p_dpm[@]}") rd=$(jfield "$ref_e2e" documents_per_minute)
    pcs=$(median "${p_cps[@]}") rcs=$(jfield "$ref_e2e" chunks_per_second)
    prss=$(median "${p_rss[@]}") rrss=$(median "${r_rss[@]}")
    prsst=$(median "${p_rss_time[@]}") rrsst=$(median "${r_rss_time[@]}")
    csv_mib=$(awk -v b="$(stat -c %s "$work/big.csv")" 'BEGIN { printf "%.1f", b / 1048576 }')
    pdf_kib=$(awk -v b="$(stat -c %s "$work/book.pdf")" 'BEGIN { printf "%.0f", b / 1024 }')
    local bar="no"
    if awk -v a="$prss" -v b="$prsst" 'BEGIN { exit !(a * 1048576 < 300e6 && b * 1048576 < 300e6) }'; then bar="yes"; fi
    {
        echo "### Ingestion — $date, $(nproc) cores × ${cpu:-unknown CPU}"
        echo
        echo "parley $version (release) against a Python pipeline doing the same work" \
            "(scripts/lib/reference/bench_ingest.py: stdlib csv, pypdf $("$python" -c 'import pypdf; print(pypdf.__version__)')," \
            "the model's fast tokenizer from transformers $("$python" -c 'import transformers as t; print(t.__version__)')," \
            "sentence-transformers $("$python" -c 'import sentence_transformers as s; print(s.__version__)') on PyTorch" \
            "$("$python" -c 'import torch; print(torch.__version__)')). Both sides: all-MiniLM-L6-v2, chunks of at most" \
            "240 WordPiece tokens with ~15 % overlap, 2 threads for embedding. Median of $rounds rounds" \
            "(load average at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg))."
        echo
        echo "| metric | Parley | reference | ratio (Parley ÷ reference; RSS rows: reference ÷ Parley — above 1 means Parley is better) |"
        echo "|---|---:|---:|---:|"
        echo "| CSV parse + chunk, MB/s (MiB/s; $csv_mib MiB, $(jfield "${last[parley_csv]}" blocks) rows) | $pc | $rc | $(ratio "$pc" "$rc") |"
        echo "| PDF parse + chunk, MB/s (MiB/s; 200 pages, $pdf_kib KiB) | $pp | $rp | $(ratio "$pp" "$rp") |"
        echo "| PDF parse + chunk, pages/s | $pps | $rps | $(ratio "$pps" "$rps") |"
        echo "| end to end, documents/minute (24 documents, parse + chunk + embed) | $pd | $rd | $(ratio "$pd" "$rd") |"
        echo "| end to end, chunks/s | $pcs | $rcs | $(ratio "$pcs" "$rcs") |"
        echo "| peak RSS, CSV parse, MiB (ru_maxrss in the process; bar: < 300 MB) | $prss | $rrss | $(ratio "$rrss" "$prss") |"
        echo "| peak RSS, CSV parse, MiB (\`/usr/bin/time -v\`, whole process) | $prsst | $rrsst | $(ratio "$rrsst" "$prsst") |"
        echo
        echo "- Bar \"peak RSS under 300 MB on the 100 MB CSV\": **$bar** (Parley $prss MiB in-process, $prsst MiB by /usr/bin/time)." \
            "The reference's RSS includes $(median "${r_rss_base[@]}") MiB it already holds after importing transformers" \
            "(which loads PyTorch) and the tokenizer, before reading a byte."
        echo "- Same output on the CSV: Parley $(jfield "${last[parley_csv]}" chunks) chunks / $(jfield "${last[parley_csv]}" tokens) tokens," \
            "reference $(jfield "${last[ref_csv]}" chunks) / $(jfield "${last[ref_csv]}" tokens). PDF: Parley" \
            "$(jfield "${last[parley_pdf]}" blocks) blocks → $(jfield "${last[parley_pdf]}" chunks) chunks, reference (pypdf layout mode)" \
            "$(jfield "${last[ref_pdf]}" blocks) paragraphs → $(jfield "${last[ref_pdf]}" chunks) chunks."
        echo "- End to end, Parley: a throwaway stack (PostgreSQL with fsync on), a fresh tenant per round, the 24 uploads" \
            "(8 Markdown of 2-4 KB, 8 three-page PDFs, 8 CSVs of ~200 rows) not timed; timed is \`parley ingest --threads 2 --quiet\`" \
            "from start to exit: model load, claim, parse, chunk, embed, store chunks and embeddings. Rounds:" \
            "$(printf '%s s, ' "${p_seconds[@]}" | sed 's/, $//'); chunks $(printf '%s ' "${p_chunks[@]}" | sed 's/ $//')." \
            "Reference: model load + parse + chunk + \`encode(batch_size=32)\` per document, nothing stored; rounds" \
            "$(jfield "$ref_e2e" rounds | tr -d '[]' | sed 's/,/ s,/g') s; $(jfield "$ref_e2e" chunks) chunks."
        echo "- OpenBLAS picks its own kernels for Parley (OPENBLAS_CORETYPE unset), as in \`scripts/bench embed\`."
    } | tee "$report"
    log "saved to $report"
}
