# shellcheck shell=bash
# scripts/bench embed: Parley's embedding engine and sentence-transformers on the same texts, the
# same thread counts (1 and 2) and batch size, side by side in one run. Texts are real: scifact
# abstracts as chunks (about 256 tokens, the model's limit) and scifact claims as questions (about
# 16 tokens), from ../shared/eval.

# shellcheck source=scripts/lib/reference.sh
source "$PARLEY_LIB/reference.sh"

# embed_texts RUN_DIR: writes RUN_DIR/chunks.txt and RUN_DIR/questions.txt (one text per line).
embed_texts() {
    local run=$1 eval_dir=$PARLEY_REPO/../shared/eval/scifact
    [[ -f $eval_dir/corpus.jsonl ]] || die "no $eval_dir/corpus.jsonl: the eval collections live in ../shared/eval"
    python3 - "$eval_dir" "$run" <<'PY'
import json, sys
source, run = sys.argv[1], sys.argv[2]
def one_line(text): return " ".join(text.split())
with open(f"{source}/corpus.jsonl") as corpus, open(f"{run}/chunks.txt", "w") as out:
    for i, line in enumerate(corpus):
        if i == 256: break
        doc = json.loads(line)
        out.write(one_line(doc["title"] + ". " + doc["text"]) + "\n")
with open(f"{source}/queries.jsonl") as queries, open(f"{run}/questions.txt", "w") as out:
    for i, line in enumerate(queries):
        if i == 256: break
        out.write(one_line(json.loads(line)["text"]) + "\n")
PY
}

# field JSON NAME: one number from a flat JSON object.
field() { python3 -c 'import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]]; print("n/a" if v is None else round(v, 2))' "$1" "$2"; }

bench_embed() {
    local rounds=3 batch=32 keep_coretype=0
    while (($#)); do
        case $1 in
        --rounds) rounds=$2 && shift 2 ;;
        --batch-size) batch=$2 && shift 2 ;;
        --keep-coretype) keep_coretype=1 && shift ;;
        *) usage >&2 && return 2 ;;
        esac
    done
    swift_build release
    "$PARLEY_REPO/scripts/fetch-model"
    local model=$PARLEY_REPO/var/models/all-MiniLM-L6-v2 bin python run
    bin=$(parley_bin release)
    python=$(reference_python)
    run=$(mktemp -d /tmp/parley-bench-embed.XXXXXX)
    # shellcheck disable=SC2064 # expand now: the path is fixed
    trap "rm -rf '$run'" EXIT
    embed_texts "$run"

    # PyTorch brings its own kernels for the CPU (AVX-512 where there is one) and ignores
    # OPENBLAS_CORETYPE. An environment that pins OpenBLAS to older kernels (this machine's sets
    # Haswell) would hold back only Parley, so by default the variable is dropped and OpenBLAS
    # detects the CPU itself, as it does under systemd; --keep-coretype keeps the environment's pin.
    local -a parley_env=(env -u OPENBLAS_CORETYPE)
    local kernels="detected by OpenBLAS"
    if ((keep_coretype)); then
        parley_env=(env)
        kernels="OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
    fi

    local -A parley reference
    local threads
    for threads in 1 2; do
        log "Parley, $threads thread(s)"
        parley[$threads]=$("${parley_env[@]}" "$bin" embed --model "$model" --benchmark --chunks "$run/chunks.txt" \
            --questions "$run/questions.txt" --threads "$threads" --batch-size "$batch" --rounds "$rounds")
        log "sentence-transformers, $threads thread(s)"
        reference[$threads]=$("$python" "$PARLEY_LIB/reference/bench_embed.py" "$model" "$run/chunks.txt" \
            "$run/questions.txt" "$threads" "$batch" "$rounds" 2>/dev/null)
    done

    local cpu report
    cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    mkdir -p "$PARLEY_REPO/var/bench"
    report=$PARLEY_REPO/var/bench/embed-$(date -u +%Y%m%dT%H%M%SZ).md
    {
        echo "### Embedding all-MiniLM-L6-v2 — $(date -u +%Y-%m-%d), $(nproc) × ${cpu:-unknown CPU}"
        echo
        echo "Same texts (256 scifact abstracts as chunks, 256 scifact claims as questions), batch $batch," \
            "median of $rounds passes after a warm-up. Reference: sentence-transformers" \
            "$("$python" -c 'import sentence_transformers as s; print(s.__version__)'), PyTorch" \
            "$("$python" -c 'import torch; print(torch.__version__)') (CPU). OpenBLAS kernels for Parley: $kernels" \
            "($(OPENBLAS_VERBOSE=2 "${parley_env[@]}" "$bin" embed --model "$model" probe 2>&1 | sed -n 's/^Core: //p' | tail -n1))."
        echo
        echo "| workload | threads | Parley | sentence-transformers | Parley speed-up |"
        echo "|---|---:|---:|---:|---:|"
        local kind label p r
        for kind in chunks questions; do
            label="chunks (~256 tokens), texts/s"
            [[ $kind == questions ]] && label="questions (~16 tokens), texts/s"
            for threads in 1 2; do
                p=$(field "${parley[$threads]}" "${kind}_per_second")
                r=$(field "${reference[$threads]}" "${kind}_per_second")
                echo "| $label | $threads | $p | $r | $(awk -v a="$p" -v b="$r" 'BEGIN { printf "%.2f", a / b }') |"
            done
        done
        for threads in 1 2; do
            p=$(field "${parley[$threads]}" single_question_ms)
            r=$(field "${reference[$threads]}" single_question_ms)
            echo "| one question on its own, p50 ms (lower is better) | $threads | $p | $r | $(awk -v a="$p" -v b="$r" 'BEGIN { printf "%.2f", b / a }') |"
        done
        echo
        echo "Private memory of the Parley process after those runs and 1000 more questions, beyond the" \
            "shared weight mapping: $(awk -v k="$(field "${parley[1]}" private_kib_beyond_weights)" 'BEGIN { printf "%.1f MiB", k / 1024 }')."
    } | tee "$report"
    log "saved to $report"
}
