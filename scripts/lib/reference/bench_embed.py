"""The reference side of `scripts/bench embed`: sentence-transformers (PyTorch, CPU) on the same
texts, thread counts and batch size as Parley's engine. Prints one JSON object.

    python bench_embed.py MODEL_DIR CHUNKS_FILE QUESTIONS_FILE THREADS BATCH ROUNDS
"""
import json
import statistics
import sys
import time

import torch
from sentence_transformers import SentenceTransformer


def throughput(model, texts, batch, rounds):
    """Median texts per second over `rounds` full passes (after one warm-up pass)."""
    model.encode(texts[:batch], batch_size=batch)
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        model.encode(texts, batch_size=batch)
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def single_latency_ms(model, questions, runs=200):
    """Median milliseconds to embed one question on its own, as a search request does."""
    model.encode(questions[0])
    times = []
    for i in range(runs):
        start = time.perf_counter()
        model.encode(questions[i % len(questions)])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    model_dir, chunks_file, questions_file, threads, batch, rounds = sys.argv[1:7]
    threads, batch, rounds = int(threads), int(batch), int(rounds)
    torch.set_num_threads(threads)
    model = SentenceTransformer(model_dir, device="cpu")
    chunks = open(chunks_file, encoding="utf-8").read().splitlines()
    questions = open(questions_file, encoding="utf-8").read().splitlines()
    result = {
        "chunks_per_second": throughput(model, chunks, batch, rounds),
        "questions_per_second": throughput(model, questions, batch, rounds),
        "single_question_ms": single_latency_ms(model, questions),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
