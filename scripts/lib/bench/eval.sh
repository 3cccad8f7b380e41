# shellcheck shell=bash
# scripts/bench eval: Parley's retrieval quality beside a Python reference built from off-the-shelf
# parts (scripts/lib/reference/bench_eval.py), side by side in one run, on the BEIR-layout
# collections in ../shared/eval (scifact, cranfield).
#
#   Parley     `parley eval --collection DIR` (release) against a throwaway PostgreSQL: the corpus is
#              stored as documents of a scratch tenant, ingested by the real job, indexed into a temp
#              index dir, then every judged query is searched BM25-only, dense-only and hybrid.
#   reference  bm25s (PyStemmer English, English stop words, k1=0.9, b=0.4), sentence-transformers
#              all-MiniLM-L6-v2 (title + " " + text, exact cosine top 100) and RRF (k=60) of the two.
# Both sides: nDCG@10 (linear gains), recall@10, recall@100 over the queries with a judgment > 0.
# One run per collection: the figures are deterministic.

# shellcheck source=scripts/lib/reference.sh
source "$PARLEY_LIB/reference.sh"

EVAL_RUN=""  # the throwaway PostgreSQL's run dir
EVAL_WORK="" # index dir, logs and raw results
EVAL_COLLECTIONS=(scifact cranfield)

eval_teardown() {
    local rc=$?
    if [[ -n $EVAL_RUN ]]; then
        (pg_stop "$EVAL_RUN/pg") || warn "stopping PostgreSQL in $EVAL_RUN/pg had errors"
        rm -rf "$EVAL_RUN"
    fi
    if [[ -n $EVAL_WORK ]]; then rm -rf "$EVAL_WORK"; fi
    return "$rc"
}

# eval_parley_row TABLE_FILE MODE: "nDCG@10 R@10 R@100" from `parley eval`'s markdown row for MODE.
eval_parley_row() {
    local values
    values=$(awk -F' *[|] *' -v mode="$2" '$2 == mode { print $3, $4, $5; exit }' "$1")
    [[ $values =~ ^[0-9.]+\ [0-9.]+\ [0-9.]+$ ]] || die "no '$2' row in parley eval's output: $(cat "$1")"
    printf '%s\n' "$values"
}

# eval_reference_row JSON_FILE MODE: "nDCG@10 R@10 R@100" of the reference for MODE.
eval_reference_row() {
    python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))[sys.argv[2]]
print(*("%.4f" % m[k] for k in ("ndcg@10", "recall@10", "recall@100")))' "$1" "$2"
}

# eval_bar LABEL CONDITION(awk expression): "LABEL: **met**" or "LABEL: **not met**".
eval_bar() {
    if awk "BEGIN { exit !($2) }"; then echo "$1: **met**"; else echo "$1: **not met**"; fi
}

bench_eval() {
    local -a collections=()
    while (($#)); do
        case $1 in
        --collection) collections+=("$2") && shift 2 ;;
        *) usage >&2 && return 2 ;;
        esac
    done
    ((${#collections[@]})) || collections=("${EVAL_COLLECTIONS[@]}")
    local source_dir name
    source_dir=$(cd "$PARLEY_REPO/.." && pwd -P)/shared/eval
    for name in "${collections[@]}"; do
        [[ -f $source_dir/$name/corpus.jsonl && -f $source_dir/$name/queries.jsonl && -f $source_dir/$name/qrels.tsv ]] ||
            die "no BEIR collection $source_dir/$name (corpus.jsonl, queries.jsonl, qrels.tsv)"
    done
    local model=$PARLEY_REPO/var/models/all-MiniLM-L6-v2 bin python ref=$PARLEY_LIB/reference/bench_eval.py
    bin=$(bench_prepare)
    python=$(reference_python)
    # BM25 on the reference side is bm25s with PyStemmer.
    reference_require "$python" "bm25s, Stemmer" bm25s PyStemmer

    trap eval_teardown EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    EVAL_WORK=$(mktemp -d /tmp/parley-bench-eval.XXXXXX)
    local work=$EVAL_WORK load_start
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)

    # Only PostgreSQL: `parley eval` runs the ingestion job and the searches in its own process.
    EVAL_RUN=$(run_dir_throwaway bench-eval)
    local pg_dir=$EVAL_RUN/pg pg_port=5432 app_url owner_url
    pg_start "$pg_dir" "$pg_port" fast
    app_url=$(pg_conninfo "$pg_dir" "$pg_port" parley_app)
    owner_url=$(pg_conninfo "$pg_dir" "$pg_port" parley_owner)
    log "parley migrate"
    parley_cli "$bin" "$owner_url" "$app_url" migrate >"$work/migrate.log" 2>&1 ||
        die "parley migrate failed: $(cat "$work/migrate.log")"
    mkdir -p "$work/index"

    # As in `scripts/bench embed`: OpenBLAS picks its kernels for this CPU (PyTorch always does).
    local -a parley_env=(env -u OPENBLAS_CORETYPE)
    local start
    local -A parley_seconds ref_seconds
    for name in "${collections[@]}"; do
        log "$name: parley eval (stores, ingests and indexes the corpus, then searches)"
        start=$SECONDS
        (
            cd "$PARLEY_REPO" || exit 1
            exec "${parley_env[@]}" PARLEY_DATABASE_URL="$app_url" PARLEY_OWNER_DATABASE_URL="$owner_url" \
                PARLEY_EMBED_MODEL_DIR="$model" PARLEY_INDEX_DIR="$work/index" \
                "$bin" eval --collection "$source_dir/$name"
        ) >"$work/parley-$name.md" 2>"$work/parley-$name.log" </dev/null || {
            tail -n 20 "$work/parley-$name.log" >&2
            die "parley eval failed on $name"
        }
        parley_seconds[$name]=$((SECONDS - start))
        log "  $(grep -c '^| [a-z0-9]* |' "$work/parley-$name.md") rows in ${parley_seconds[$name]} s"

        log "$name: the Python reference (bm25s, sentence-transformers, RRF)"
        start=$SECONDS
        "$python" "$ref" "$source_dir/$name" "$model" --threads "$(nproc)" \
            >"$work/reference-$name.json" 2>"$work/reference-$name.log" ||
            die "the reference failed on $name: $(tail -n 20 "$work/reference-$name.log")"
        ref_seconds[$name]=$((SECONDS - start))
        log "  done in ${ref_seconds[$name]} s"
    done

    # The tables.
    local cpu version report date versions
    cpu=$(cpu_model)
    version=$(parley_version "$bin")
    date=$(date -u +%Y-%m-%d)
    versions=$(python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))["versions"]
print("bm25s %s, sentence-transformers %s, PyTorch %s" % (v["bm25s"], v["sentence_transformers"], v["torch"]))' \
        "$work/reference-${collections[0]}.json")
    mkdir -p "$PARLEY_REPO/var/bench"
    report=$PARLEY_REPO/var/bench/eval-$(date -u +%Y%m%dT%H%M%SZ).md
    # Every figure read in this shell first, so a missing one stops the run here, not in the pipe.
    local mode label p_ndcg p_r10 p_r100 r_ndcg r_r10 r_r100
    local -A p_row r_row p_score r_score queries documents
    for name in "${collections[@]}"; do
        queries[$name]=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["queries"])' "$work/reference-$name.json")
        documents[$name]=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["documents"])' "$work/reference-$name.json")
        for mode in bm25 dense hybrid; do
            p_row[$name.$mode]=$(eval_parley_row "$work/parley-$name.md" "$mode")
            r_row[$name.$mode]=$(eval_reference_row "$work/reference-$name.json" "$mode")
            p_score[$name.$mode]=${p_row[$name.$mode]%% *}
            r_score[$name.$mode]=${r_row[$name.$mode]%% *}
        done
    done
    local -a bars=()
    if [[ -n ${p_score[scifact.bm25]:-} ]]; then
        bars+=("$(eval_bar "scifact BM25 ≥ 0.67 (${p_score[scifact.bm25]})" "${p_score[scifact.bm25]} >= 0.67")")
        bars+=("$(eval_bar "scifact dense within 0.01 of the reference (${p_score[scifact.dense]} vs ${r_score[scifact.dense]})" \
            "(${p_score[scifact.dense]} - ${r_score[scifact.dense]})^2 <= 0.01^2 + 1e-12")")
        bars+=("$(eval_bar "scifact hybrid ≥ 0.70 and above Parley's BM25 and dense (${p_score[scifact.hybrid]})" \
            "${p_score[scifact.hybrid]} >= 0.70 && ${p_score[scifact.hybrid]} > ${p_score[scifact.bm25]} && ${p_score[scifact.hybrid]} > ${p_score[scifact.dense]}")")
    fi
    if [[ -n ${p_score[cranfield.bm25]:-} ]]; then
        bars+=("$(eval_bar "cranfield BM25 ≥ 0.342 (${p_score[cranfield.bm25]})" "${p_score[cranfield.bm25]} >= 0.342")")
    fi
    {
        echo "### Retrieval quality — $date, $(nproc) cores × ${cpu:-unknown CPU}"
        echo
        echo "parley $version (release), \`parley eval --collection DIR\`: the corpus stored as Markdown documents" \
            "of a scratch tenant, ingested by the real job (chunked, embedded with all-MiniLM-L6-v2), indexed, then" \
            "every judged query searched in each mode (top 100). Reference" \
            "(scripts/lib/reference/bench_eval.py, $versions): bm25s BM25 (PyStemmer English, English stop words," \
            "k1=0.9, b=0.4) over title + text; sentence-transformers all-MiniLM-L6-v2 on title + \" \" + text," \
            "exact cosine top 100; hybrid = reciprocal rank fusion (k=60) of the two top-100 lists." \
            "Both sides: nDCG@10 with linear gains (the judged grade), recall@10, recall@100, over the queries" \
            "with a judgment > 0; difference = Parley − reference. Deterministic, so one run per collection."
        for name in "${collections[@]}"; do
            echo
            echo "**$name** (${documents[$name]} documents, ${queries[$name]} judged queries; Parley ${parley_seconds[$name]} s end to end," \
                "reference ${ref_seconds[$name]} s)"
            echo
            echo "| $name | Parley nDCG@10 | reference nDCG@10 | difference | Parley R@10 | ref R@10 | Parley R@100 | ref R@100 |"
            echo "|---|---:|---:|---:|---:|---:|---:|---:|"
            for mode in bm25 dense hybrid; do
                case $mode in
                bm25) label=BM25 ;;
                dense) label="dense" ;;
                hybrid) label="hybrid" ;;
                esac
                read -r p_ndcg p_r10 p_r100 <<<"${p_row[$name.$mode]}"
                read -r r_ndcg r_r10 r_r100 <<<"${r_row[$name.$mode]}"
                printf '| %s | %s | %s | %+.4f | %s | %s | %s | %s |\n' "$label" "$p_ndcg" "$r_ndcg" \
                    "$(awk -v a="$p_ndcg" -v b="$r_ndcg" 'BEGIN { print a - b }')" "$p_r10" "$r_r10" "$p_r100" "$r_r100"
            done
        done
        echo
        if ((${#bars[@]})); then
            echo "Bars (Parley's nDCG@10): $(printf '%s; ' "${bars[@]}" | sed 's/; $//')."
            echo
        fi
        echo "Load average at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    } | tee "$report"
    log "saved to $report"
}
