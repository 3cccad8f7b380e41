"""Data, queries and the reference side of `scripts/bench search`.

Every chunk is a pure function of its row number: rows come in batches of BATCH (100 documents of
100 chunks), each batch drawn from its own seeded generator, so the loader (which streams rows into
PostgreSQL) and the reference (which rebuilds the same rows in memory) agree byte for byte, and the
1M data set is the 100k one plus 900k more rows.

Texts: English-like sentences of 40-80 words drawn Zipf-style (s = 1) from a fixed vocabulary of
5,033 words: 33 English stop words on the top ranks (both analyzers drop them) and 5,000 pseudo-words.
Vectors: 384-dim unit vectors, clustered: each document takes one of 2,000 topic centres and each
chunk is its centre plus Gaussian noise of the same norm, normalized (cosine to the centre ~0.7).

    bench_search.py copy --tenant T --collection C --start N --end M     binary COPY rows for `chunks`
    bench_search.py queries --count N OUT                                one JSON request body per line
    bench_search.py probe --url U --key K --queries F --mode M [--dump F] sequential requests, JSON stats
    bench_search.py reference --size N --queries F --model DIR --threads T [--passes P] [--dump F]
    bench_search.py agreement --size N PARLEY_DUMP REFERENCE_DUMP        dense top-10 overlap

The generator needs numpy only; `reference` needs faiss-cpu, bm25s, PyStemmer and
sentence-transformers; `probe`, `agreement` and `percentiles` only the standard library.
"""
import argparse
import hashlib
import http.client
import json
import statistics
import struct
import sys
import time
import urllib.parse

SEED = 20240611
BATCH = 10_000
CHUNKS_PER_DOCUMENT = 100
DIMENSIONS = 384
TOPICS = 2_000
MODEL_NAME = "all-MiniLM-L6-v2"
# Lucene's English stop words (EnglishAnalyzer), which Parley's analyzer and bm25s's "en" list drop.
STOP_WORDS = ("the of and to a in is that for it as was with be by on not this are or at "
              "their they there these into such no if an but then will").split()
CONTENT_WORDS = 5_000
ONSETS = "b c d f g h j k l m n p r s t v w z br cr dr fr gr pl pr st tr sh ch th".split()
VOWELS = "a e i o u ai ea ou".split()
CODAS = ["", "", "", "n", "r", "l", "m", "t", "k"]


def document_id(index):
    """The document's id: like Parley's (doc_ + 20 of [a-z0-9]), derived from its number."""
    return "doc_" + hashlib.md5(b"doc%d" % index).hexdigest()[:20]


def vocabulary():
    """(words, probabilities): stop words on the top ranks, then 5,000 pseudo-words."""
    import numpy as np
    rng = np.random.default_rng([SEED, 1])
    words, seen = [], set(STOP_WORDS)
    while len(words) < CONTENT_WORDS:
        syllables = int(rng.integers(2, 4))
        word = "".join(ONSETS[rng.integers(len(ONSETS))] + VOWELS[rng.integers(len(VOWELS))]
                       for _ in range(syllables)) + CODAS[rng.integers(len(CODAS))]
        if word not in seen:
            seen.add(word)
            words.append(word)
    vocab = STOP_WORDS + words
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    return vocab, weights / weights.sum()


class Corpus:
    """Rows by batch. `batch(b)` returns the texts, the float32 vectors and each row's document."""

    def __init__(self):
        import numpy as np
        self.np = np
        vocab, self.probabilities = vocabulary()
        self.size = len(vocab)
        # Four spellings per word: plain, Capitalized (sentence start), with a full stop, both.
        self.spellings = np.array(vocab + [w.capitalize() for w in vocab] + [w + "." for w in vocab]
                                  + [w.capitalize() + "." for w in vocab], dtype=object)
        centres = np.random.default_rng([SEED, 2]).standard_normal((TOPICS, DIMENSIONS), dtype=np.float32)
        self.centres = centres / np.linalg.norm(centres, axis=1, keepdims=True)

    def batch(self, number):
        np = self.np
        rng = np.random.default_rng([SEED, 3, number])
        lengths = rng.integers(40, 81, size=BATCH)
        total = int(lengths.sum())
        words = rng.choice(self.size, size=total, p=self.probabilities)
        # Sentences of 6-16 words: mark where each starts and ends.
        starts = np.zeros(total, dtype=bool)
        ends = np.zeros(total, dtype=bool)
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        for i in range(BATCH):
            a, b = int(offsets[i]), int(offsets[i + 1])
            position = a
            while position < b:
                starts[position] = True
                position += int(rng.integers(6, 17))
                ends[min(position, b) - 1] = True
        spelled = self.spellings[words + self.size * starts + 2 * self.size * ends]
        texts = [" ".join(spelled[offsets[i]:offsets[i + 1]]) for i in range(BATCH)]
        documents = BATCH // CHUNKS_PER_DOCUMENT
        topics = rng.integers(TOPICS, size=documents)
        noise = rng.standard_normal((BATCH, DIMENSIONS), dtype=np.float32) / np.float32(DIMENSIONS ** 0.5)
        vectors = self.centres[np.repeat(topics, CHUNKS_PER_DOCUMENT)] + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return texts, vectors.astype(np.float32), lengths

    def rows(self, start, end):
        """(texts, vectors) of rows [start, end) as one list and one (n, 384) float32 array."""
        np = self.np
        texts, vectors = [], []
        for number in range(start // BATCH, end // BATCH):
            t, v, _ = self.batch(number)
            texts.extend(t)
            vectors.append(v)
        return texts, np.concatenate(vectors)


def check_range(start, end):
    if start % BATCH or end % BATCH or end <= start:
        sys.exit(f"rows are generated in batches of {BATCH}: {start}..{end} is not a whole number of them")


def sentence_vectors(np, rng, text, vector):
    """`chunks.sentence_vectors` (SentenceVectorCoding version 1) for a synthetic chunk: one entry
    per sentence (words up to one ending in "."), its vector the chunk's plus noise, unit length,
    int8 with one scale per sentence, as ingestion stores them."""
    ranges, start, position = [], 0, 0
    for word in text.split(" "):
        position += len(word.encode())
        if word.endswith("."):
            ranges.append((start, position))
            start = position + 1
        position += 1
    if start < len(text.encode()):
        ranges.append((start, len(text.encode())))
    vectors = vector + rng.standard_normal((len(ranges), DIMENSIONS), dtype=np.float32) * np.float32(0.8 / DIMENSIONS ** 0.5)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    scales = np.abs(vectors).max(axis=1) / 127
    quantized = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    parts = [struct.pack("<BBHI", 1, 0, DIMENSIONS, len(ranges))]
    for (a, b), scale, q in zip(ranges, scales, quantized):
        parts += [struct.pack("<IIf", a, b, float(scale)), q.tobytes()]
    return b"".join(parts)


def command_copy(args):
    """PostgreSQL binary COPY rows for (tenant_id, document_id, version, collection_id, ordinal, text,
    tsv, embedding, model, char_start, char_end, token_count[, sentence_vectors]). tsv is empty:
    search never reads it. --sentences adds the sentence vectors the extractive answerer reads."""
    import numpy as np
    check_range(args.start, args.end)
    corpus = Corpus()
    out = sys.stdout.buffer
    out.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0))
    tenant, collection, model = args.tenant.encode(), args.collection.encode(), MODEL_NAME.encode()
    # Each row starts with its field count.
    fixed_tenant = struct.pack("!hi", 13 if args.sentences else 12, len(tenant)) + tenant
    version = struct.pack("!ii", 4, 1)
    collection_field = struct.pack("!i", len(collection)) + collection
    empty_tsvector = struct.pack("!ii", 4, 0)
    # real[]: ndim 1, no nulls, element type float4 (oid 700), 384 elements from index 1; each
    # element is its length (4) and the big-endian float.
    array_header = struct.pack("!iiiiii", 20 + 8 * DIMENSIONS, 1, 0, 700, DIMENSIONS, 1)
    model_field = struct.pack("!i", len(model)) + model
    for number in range(args.start // BATCH, args.end // BATCH):
        texts, vectors, lengths = corpus.batch(number)
        sentence_rng = np.random.default_rng([SEED, 5, number])
        elements = np.empty((BATCH, 2 * DIMENSIONS), dtype=">i4")
        elements[:, 0::2] = 4
        elements[:, 1::2] = vectors.astype(">f4").view(">i4")
        blob = memoryview(elements.tobytes())
        row_bytes = 8 * DIMENSIONS
        parts = []
        char_start = 0
        for i, text in enumerate(texts):
            row = number * BATCH + i
            ordinal = row % CHUNKS_PER_DOCUMENT
            if ordinal == 0:
                char_start = 0
            data = text.encode()
            doc = document_id(row // CHUNKS_PER_DOCUMENT).encode()
            parts += [fixed_tenant, struct.pack("!i", len(doc)), doc, version, collection_field,
                      struct.pack("!ii", 4, ordinal), struct.pack("!i", len(data)), data, empty_tsvector,
                      array_header, blob[i * row_bytes:(i + 1) * row_bytes], model_field,
                      struct.pack("!iiiiii", 4, char_start, 4, char_start + len(text), 4, int(lengths[i]))]
            if args.sentences:
                encoded = sentence_vectors(np, sentence_rng, text, vectors[i])
                parts += [struct.pack("!i", len(encoded)), encoded]
            char_start += len(text) + 1
        out.write(b"".join(parts))
    out.write(struct.pack("!h", -1))
    out.flush()


def command_queries(args):
    """`count` distinct queries of 3-6 content words (Zipf over the content words), as request bodies."""
    import numpy as np
    vocab, probabilities = vocabulary()
    content = vocab[len(STOP_WORDS):]
    p = probabilities[len(STOP_WORDS):] / probabilities[len(STOP_WORDS):].sum()
    rng = np.random.default_rng([SEED, 4])
    queries, seen = [], set()
    while len(queries) < args.count:
        words = rng.choice(len(content), size=int(rng.integers(3, 7)), replace=False, p=p)
        query = " ".join(content[w] for w in words)
        if query not in seen:
            seen.add(query)
            queries.append(query)
    with open(args.out, "w", encoding="utf-8") as out:
        for query in queries:
            out.write(json.dumps({"query": query, "top_k": 10}) + "\n")


def read_queries(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["query"] for line in f if line.strip()]


def percentile(values, pct):
    """Nearest-rank percentile (as wrk reports them)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def summary(values):
    return {"p50": round(percentile(values, 50), 3), "p95": round(percentile(values, 95), 3),
            "p99": round(percentile(values, 99), 3), "mean": round(statistics.fmean(values), 3)}


def command_probe(args):
    """Each query once, in order, over one keep-alive connection: client-side milliseconds and the
    server's took_ms. Fails on any non-200 or a path other than the expected one."""
    url = urllib.parse.urlsplit(args.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Authorization": "Bearer " + args.key, "Content-Type": "application/json"}
    client, took, paths, dump = [], [], {}, []
    for query in read_queries(args.queries):
        body = json.dumps({"query": query, "top_k": 10, "mode": args.mode})
        start = time.perf_counter()
        connection.request("POST", url.path or "/", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        client.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            sys.exit(f"{args.mode} search for {query!r}: HTTP {response.status}: {payload[:500]!r}")
        result = json.loads(payload)
        took.append(result["took_ms"])
        paths[result["path"]] = paths.get(result["path"], 0) + 1
        dump.append([[hit["document_id"], hit["ordinal"]] for hit in result["data"]])
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            json.dump(dump, f)
    print(json.dumps({"mode": args.mode, "requests": len(client), "client_ms": summary(client),
                      "took_ms": summary(took), "paths": paths,
                      "mean_hits": statistics.fmean(len(d) for d in dump)}))


def command_reference(args):
    """The in-process reference on rows [0, size): FAISS IndexFlatIP (exact inner product) and bm25s
    (Lucene BM25, k1 0.9, b 0.4, English stop words, Snowball English stemmer), the question embedded
    by sentence-transformers. Per query, as Parley does: embed, dense top-100, BM25 top-100, fuse by
    reciprocal rank (k 60), keep 10. Timed per query after a warm-up, with `threads` threads."""
    import os
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # libgomp's default spin-waiting turns 2-thread PyTorch into ~500 ms per question as soon as
    # anything else wants the 2 cores (measured: 512 ms active, 13 ms passive); sleep instead.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import numpy as np
    import faiss
    import bm25s
    import Stemmer
    import torch
    from sentence_transformers import SentenceTransformer

    check_range(0, args.size)
    started = time.perf_counter()
    texts, vectors = Corpus().rows(0, args.size)
    generated = time.perf_counter()
    index = faiss.IndexFlatIP(DIMENSIONS)
    index.add(vectors)
    del vectors
    tokenizer = bm25s.tokenization.Tokenizer(stopwords="en", stemmer=Stemmer.Stemmer("english"))
    corpus_tokens = tokenizer.tokenize(texts, show_progress=False, return_as="tuple")
    del texts
    retriever = bm25s.BM25(k1=0.9, b=0.4, method="lucene")
    retriever.index(corpus_tokens, show_progress=False)
    del corpus_tokens
    indexed = time.perf_counter()
    model = SentenceTransformer(args.model, device="cpu")
    queries = read_queries(args.queries)

    def one(query):
        t0 = time.perf_counter()
        vector = model.encode([query], normalize_embeddings=True, convert_to_numpy=True)
        t1 = time.perf_counter()
        _, dense_rows = index.search(vector.astype(np.float32), 100)
        t2 = time.perf_counter()
        tokens = tokenizer.tokenize([query], update_vocab=False, show_progress=False, return_as="ids")
        bm25_rows, _ = retriever.retrieve(tokens, k=100, show_progress=False, n_threads=0)
        t3 = time.perf_counter()
        fused = {}
        for ranking in (bm25_rows[0], dense_rows[0]):
            for rank, row in enumerate(ranking, start=1):
                if row >= 0:
                    fused[int(row)] = fused.get(int(row), 0.0) + 1.0 / (60 + rank)
        top = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:10]
        t4 = time.perf_counter()
        return (t4 - t0) * 1000, (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000, top, dense_rows[0][:10]

    tokens = [len(model.tokenizer(query)["input_ids"]) for query in queries]
    result = {"size": args.size, "queries": len(queries), "passes": args.passes,
              "question_tokens": round(statistics.fmean(tokens), 1),
              "generate_s": round(generated - started, 1), "index_s": round(indexed - generated, 1),
              "faiss": faiss.__version__, "bm25s": bm25s.__version__, "torch": torch.__version__,
              "threads": {}}
    dense_top = None
    for threads in args.threads:
        torch.set_num_threads(threads)
        faiss.omp_set_num_threads(threads)
        for query in queries[:20]:
            one(query)
        total, embed, dense, bm25 = [], [], [], []
        for _ in range(args.passes):
            tops = []
            for query in queries:
                t, e, d, b, _, rows = one(query)
                total.append(t)
                embed.append(e)
                dense.append(d)
                bm25.append(b)
                tops.append([int(r) for r in rows])
            dense_top = tops
        result["threads"][str(threads)] = {"total_ms": summary(total), "embed_ms": summary(embed),
                                           "dense_ms": summary(dense), "bm25_ms": summary(bm25)}
    if args.dump and dense_top is not None:
        with open(args.dump, "w", encoding="utf-8") as f:
            json.dump(dense_top, f)
    print(json.dumps(result))


def command_agreement(args):
    """How many of the exact dense top 10 (FAISS) Parley's dense top 10 holds, averaged over queries."""
    rows = {document_id(d): d * CHUNKS_PER_DOCUMENT for d in range(args.size // CHUNKS_PER_DOCUMENT)}
    with open(args.parley, encoding="utf-8") as f:
        parley = json.load(f)
    with open(args.reference, encoding="utf-8") as f:
        reference = json.load(f)
    overlaps = []
    for got, want in zip(parley, reference):
        got_rows = {rows[doc] + ordinal for doc, ordinal in got if doc in rows}
        overlaps.append(len(got_rows & set(want[:10])) / 10)
    print(f"{statistics.fmean(overlaps) * 100:.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("copy")
    p.add_argument("--tenant", required=True)
    p.add_argument("--collection", required=True)
    p.add_argument("--start", type=int, required=True)
    p.add_argument("--end", type=int, required=True)
    p.add_argument("--sentences", action="store_true", help="also the sentence_vectors column")
    p.set_defaults(run=command_copy)
    p = commands.add_parser("queries")
    p.add_argument("--count", type=int, default=200)
    p.add_argument("out")
    p.set_defaults(run=command_queries)
    p = commands.add_parser("probe")
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--mode", default="hybrid", choices=["hybrid", "bm25", "dense"])
    p.add_argument("--dump")
    p.set_defaults(run=command_probe)
    p = commands.add_parser("reference")
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--passes", type=int, default=1)
    p.add_argument("--dump")
    p.set_defaults(run=command_reference)
    p = commands.add_parser("agreement")
    p.add_argument("--size", type=int, required=True)
    p.add_argument("parley")
    p.add_argument("reference")
    p.set_defaults(run=command_agreement)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
