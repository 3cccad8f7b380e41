"""The reference side of `scripts/bench eval`: what a Python stack gets with off-the-shelf parts on a
BEIR-layout collection (corpus.jsonl, queries.jsonl, qrels.tsv with a header line).

    python bench_eval.py COLLECTION_DIR MODEL_DIR [--threads N] [--batch-size N]

  dense   sentence-transformers with the model in MODEL_DIR; documents embedded as
          title + " " + text (BEIR's convention, how ../shared/eval/README.md's 0.6451 was measured),
          queries as they are; normalized vectors, exact cosine top 100.
  bm25    bm25s (Lucene's BM25 variant), k1=0.9, b=0.4, PyStemmer's English stemmer, bm25s's English
          stop words, over title + " " + text; top 100.
  hybrid  reciprocal rank fusion, k=60, of the two top-100 lists (ties: BM25's documents first,
          in their order); top 100.

nDCG@10 (linear gains: the judged grade, as trec_eval and BEIR compute it), recall@10 and recall@100
are computed here, over the queries that have at least one judgment with grade > 0. Prints one JSON
object; progress goes to stderr.
"""
import argparse
import json
import math
import os
import sys
import time

RRF_K = 60
DEPTH = 100


def log(message):
    print(f"[reference] {message}", file=sys.stderr, flush=True)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_judgments(path):
    """query id -> {document id: grade}, grade > 0 only (grade 0 means judged not relevant)."""
    judgments = {}
    with open(path, encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) < 3:
                continue
            grade = int(fields[2])
            if grade > 0:
                judgments.setdefault(fields[0], {})[fields[1]] = grade
    return judgments


def ndcg_at(ranking, relevant, k):
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranking[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(grade / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at(ranking, relevant, k):
    return len(set(ranking[:k]) & relevant.keys()) / len(relevant)


def evaluate(rankings, judgments):
    """Mean nDCG@10, recall@10, recall@100 over the judged queries (a query missing from `rankings`
    counts as retrieving nothing)."""
    totals = {"ndcg@10": 0.0, "recall@10": 0.0, "recall@100": 0.0}
    for qid, relevant in judgments.items():
        ranking = rankings.get(qid, [])
        totals["ndcg@10"] += ndcg_at(ranking, relevant, 10)
        totals["recall@10"] += recall_at(ranking, relevant, 10)
        totals["recall@100"] += recall_at(ranking, relevant, 100)
    return {name: value / len(judgments) for name, value in totals.items()}


def document_text(doc):
    return ((doc.get("title") or "") + " " + (doc.get("text") or "")).strip()


def dense_rankings(model_dir, doc_ids, doc_texts, query_ids, query_texts, batch_size):
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_dir, device="cpu")
    start = time.perf_counter()
    docs = model.encode(doc_texts, batch_size=batch_size, convert_to_tensor=True, normalize_embeddings=True)
    log(f"dense: {len(doc_texts)} documents embedded in {time.perf_counter() - start:.0f} s "
        f"(max_seq_length {model.max_seq_length})")
    queries = model.encode(query_texts, batch_size=batch_size, convert_to_tensor=True, normalize_embeddings=True)
    scores = queries @ docs.T  # cosine: both sides are unit vectors
    top = torch.topk(scores, k=min(DEPTH, len(doc_ids)), dim=1)
    return {qid: [doc_ids[i] for i in row] for qid, row in zip(query_ids, top.indices.tolist())}


def bm25_rankings(doc_ids, doc_texts, query_ids, query_texts):
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    start = time.perf_counter()
    corpus_tokens = bm25s.tokenize(doc_texts, stopwords="en", stemmer=stemmer, show_progress=False)
    retriever = bm25s.BM25(k1=0.9, b=0.4)
    retriever.index(corpus_tokens, show_progress=False)
    log(f"bm25s: {len(doc_texts)} documents indexed in {time.perf_counter() - start:.1f} s")
    # Queries as token strings: bm25s maps them onto the corpus vocabulary and drops unknown terms.
    rankings = {}
    for qid, text in zip(query_ids, query_texts):
        tokens = bm25s.tokenize([text], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)[0]
        tokens = [t for t in tokens if t in retriever.vocab_dict]
        if not tokens:
            rankings[qid] = []
            continue
        results, scores = retriever.retrieve([tokens], k=min(DEPTH, len(doc_ids)), show_progress=False, n_threads=1)
        rankings[qid] = [doc_ids[i] for i, s in zip(results[0].tolist(), scores[0].tolist()) if s > 0]
    return rankings


def rrf(*runs):
    """Reciprocal rank fusion: score(d) = sum over runs of 1 / (k + rank), rank from 1. Ties are
    common (rank r in one list only scores the same whichever list it is) and they move nDCG@10 on
    scifact by up to 0.008, so they are broken the plain-Python way the README's 0.7185 was measured:
    a stable sort over the documents in first-seen order, the first run's (BM25's) list first."""
    fused = {}
    for qid in set().union(*runs):
        scores = {}
        for run in runs:
            for rank, doc in enumerate(run.get(qid, [])[:DEPTH], start=1):
                scores[doc] = scores.get(doc, 0.0) + 1.0 / (RRF_K + rank)
        fused[qid] = sorted(scores, key=lambda d: -scores[d])[:DEPTH]
    return fused


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("collection")
    parser.add_argument("model_dir")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    import torch
    torch.set_num_threads(args.threads)

    corpus = read_jsonl(os.path.join(args.collection, "corpus.jsonl"))
    judgments = read_judgments(os.path.join(args.collection, "qrels.tsv"))
    queries = [q for q in read_jsonl(os.path.join(args.collection, "queries.jsonl")) if q["_id"] in judgments]
    missing = judgments.keys() - {q["_id"] for q in queries}
    if missing:
        sys.exit(f"qrels name {len(missing)} queries that queries.jsonl does not have")
    doc_ids = [d["_id"] for d in corpus]
    doc_texts = [document_text(d) for d in corpus]
    query_ids = [q["_id"] for q in queries]
    query_texts = [q["text"] for q in queries]
    log(f"{os.path.basename(os.path.normpath(args.collection))}: {len(doc_ids)} documents, {len(query_ids)} judged queries")

    bm25 = bm25_rankings(doc_ids, doc_texts, query_ids, query_texts)
    dense = dense_rankings(args.model_dir, doc_ids, doc_texts, query_ids, query_texts, args.batch_size)
    hybrid = rrf(bm25, dense)

    import bm25s
    import sentence_transformers
    result = {
        "queries": len(query_ids),
        "documents": len(doc_ids),
        "bm25": evaluate(bm25, judgments),
        "dense": evaluate(dense, judgments),
        "hybrid": evaluate(hybrid, judgments),
        "versions": {"bm25s": bm25s.__version__, "sentence_transformers": sentence_transformers.__version__,
                     "torch": torch.__version__},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
