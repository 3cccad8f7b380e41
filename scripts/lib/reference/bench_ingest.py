"""The reference side of `scripts/bench ingest`, and the generators of its inputs.

    python bench_ingest.py make-csv OUT.csv --bytes N [--seed S]
        A deterministic CSV of customer records (id, name, email, city, signup date, a quoted
        free-text note with commas, price) of at least N bytes. Standard library only.
    python bench_ingest.py make-markdown OUT.md [--seed S]
        A deterministic Markdown document of about 2-4 KB of prose. Standard library only.
    python bench_ingest.py parse FILE MODEL_DIR
        Parses and chunks one CSV or PDF the way a plain Python pipeline would: the stdlib csv
        module, each row as "column: value" lines; pypdf page text split into paragraphs. Units are
        packed into chunks of at most 240 tokens (the model's fast tokenizer, no special tokens)
        with a little overlap, as Parley's chunker does. Prints one JSON object.
    python bench_ingest.py e2e DIR MODEL_DIR THREADS ROUNDS
        Every file of DIR (.md, .pdf, .csv) parsed, chunked and embedded with sentence-transformers
        (CPU, batch 32, THREADS torch threads), one document after the other, ROUNDS times (model
        loading included in each). Prints one JSON object with the median round.

Same inputs as Parley, same chunk budget, same model: what differs is the implementation.
"""
import argparse
import csv
import json
import os
import random
import re
import resource
import statistics
import sys
import time

MAX_TOKENS = 240
OVERLAP_TARGET = 36  # 15 % of MAX_TOKENS, as Parley's chunker aims for
OVERLAP_CEILING = MAX_TOKENS // 4
TOKEN_BATCH = 1024  # texts per call into the Rust tokenizer

# ---------------------------------------------------------------------------------------------
# Input generators (deterministic: the same arguments always give the same bytes).

FIRST = ("Ana Ben Chloe David Elena Farid Grace Hiro Ines Jonas Kofi Lena Mateo Nadia Omar Priya "
         "Quentin Rosa Sven Tara Umar Vera Wei Xenia Yusuf Zoe").split()
LAST = ("Smith Garcia Nguyen Müller Rossi Kowalski Dubois Tanaka Okafor Silva Jensen Novak Haddad "
        "Petrov Larsen Moreau Costa Fischer Ivanova O'Brien").split()
CITIES = ("Lyon;Berlin;Porto;Osaka;Lagos;Toronto;Austin;Kraków;Melbourne;São Paulo;Nairobi;Oslo;"
          "Seoul;Dublin;Valencia;Chennai;Montréal;Cape Town;Zürich;Hanoi").split(";")
WORDS = (
    "the of and to in is that for it as with was on be by this are from or have an they which one "
    "you were all we when there can more if no out so said what up its about into than them only "
    "other new some could time these two may first then do any like now over such our even most "
    "made after also did many before must through back years where much your way well down should "
    "because each just those people how too little state good very make world still own see work "
    "document invoice customer account policy answer question search index upload page section "
    "report quarterly revenue support request contract renewal payment schedule employee handbook "
    "security password network server database backup retention compliance delivery warranty "
    "shipment refund discount subscription onboarding migration outage latency dashboard"
).split()
HEADINGS = ("Overview", "Getting started", "Accounts and billing", "Security practices",
            "Data retention", "Support requests", "Quarterly results", "Network setup",
            "Backups and recovery", "Frequently asked questions")


def sentence(rng, low=6, high=18, commas=True):
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if commas:
        for _ in range(rng.randint(0, 2)):
            at = rng.randint(1, len(words) - 1)
            words[at - 1] += ","
    if rng.random() < 0.2:
        words.insert(rng.randint(1, len(words) - 1), str(rng.randint(2, 2030)))
    words[0] = words[0].capitalize()
    return " ".join(words).rstrip(",") + rng.choice("....?!")


def make_csv(out, target_bytes, seed):
    rng = random.Random(seed)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(["id", "name", "email", "city", "signup_date", "note", "price"])
        row = 0
        while handle.tell() < target_bytes:
            row += 1
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = "%s.%s%d@example.%s" % (first.lower(), re.sub(r"\W", "", last.lower()), row % 997,
                                           rng.choice(("com", "org", "net", "io")))
            note = " ".join(sentence(rng, 4, 14) for _ in range(rng.randint(1, 3)))
            if rng.random() < 0.05:
                note += ' She said "call back, please".'
            writer.writerow([row, f"{first} {last}", email, rng.choice(CITIES),
                             "%04d-%02d-%02d" % (rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28)),
                             note, "%.2f" % (rng.randint(100, 999999) / 100)])


def make_markdown(out, seed):
    rng = random.Random(seed)
    parts = ["# " + rng.choice(HEADINGS) + " " + str(seed), ""]
    target = rng.randint(2048, 4096)
    size = 0
    while size < target:
        if rng.random() < 0.3:
            parts += ["## " + rng.choice(HEADINGS), ""]
        if rng.random() < 0.2:
            parts += ["- " + sentence(rng, 4, 10, commas=False) for _ in range(rng.randint(2, 4))]
        else:
            parts.append(" ".join(sentence(rng) for _ in range(rng.randint(2, 5))))
        parts.append("")
        size = sum(len(p) + 1 for p in parts)
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("\n".join(parts))


# ---------------------------------------------------------------------------------------------
# The pipeline: units (rows, paragraphs, headings) → token counts → chunks.

class Counter:
    """Token counts from the model's fast tokenizer, without [CLS]/[SEP], in batches."""

    def __init__(self, model_dir):
        from transformers import AutoTokenizer
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.backend = self.tokenizer.backend_tokenizer
        self.backend.no_truncation()
        self.backend.no_padding()

    def counts(self, texts):
        return [len(e.ids) for e in self.backend.encode_batch(texts, add_special_tokens=False)]


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class Packer:
    """Packs units whole while they fit in MAX_TOKENS; a new chunk repeats the last units of the
    previous one (about OVERLAP_TARGET tokens, never more than OVERLAP_CEILING) unless a heading
    starts it. A unit too large alone is cut at sentence ends, then between words. Streams: `add`
    returns the chunks a unit completed, like Parley's chunker, so a document is never held."""

    def __init__(self, counter):
        self.counter = counter
        self.units = []  # (text, tokens) of the chunk being built
        self.tokens = 0
        self.fresh = 0

    def add(self, text, tokens, heading=False):
        done = []
        if heading and self.fresh:
            done += self.close(overlap=False)
        if tokens > MAX_TOKENS:
            for piece, count in self.split(text):
                done += self.add(piece, count)
            return done
        if self.tokens + tokens > MAX_TOKENS:
            done += self.close(overlap=True)
            while self.units and self.tokens + tokens > MAX_TOKENS:
                self.tokens -= self.units.pop(0)[1]
        self.units.append((text, tokens))
        self.tokens += tokens
        self.fresh += 1
        return done

    def split(self, text):
        pieces = [s for s in SENTENCE_END.split(text) if s]
        for piece, count in zip(pieces, self.counter.counts(pieces)):
            if count <= MAX_TOKENS:
                yield piece, count
                continue
            current = []
            for word in piece.split():  # rare: one sentence over the limit
                current.append(word)
                if self.counter.counts([" ".join(current)])[0] > MAX_TOKENS:
                    current.pop()
                    line = " ".join(current)
                    yield line, self.counter.counts([line])[0]
                    current = [word]
            if current:
                line = " ".join(current)
                yield line, self.counter.counts([line])[0]

    def close(self, overlap):
        done = []
        if self.fresh:
            done.append(("\n\n".join(t for t, _ in self.units), self.tokens))
        kept, total = [], 0
        if overlap and self.fresh:
            for text, tokens in reversed(self.units):
                if total >= OVERLAP_TARGET or total + tokens > OVERLAP_CEILING:
                    break
                kept.insert(0, (text, tokens))
                total += tokens
        self.units, self.tokens, self.fresh = kept, total, 0
        return done

    def finish(self):
        return self.close(overlap=False)


def counted(counter, units):
    """(text, is_heading) units → (text, tokens, is_heading), counting in batches."""
    batch = []
    for unit in units:
        batch.append(unit)
        if len(batch) == TOKEN_BATCH:
            yield from zip_counts(counter, batch)
            batch = []
    if batch:
        yield from zip_counts(counter, batch)


def zip_counts(counter, batch):
    for (text, heading), tokens in zip(batch, counter.counts([t for t, _ in batch])):
        yield text, tokens, heading


def csv_units(path):
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        names = [h.strip() or f"column {i + 1}" for i, h in enumerate(header)]
        for row in reader:
            lines = []
            for i, value in enumerate(row):
                value = value.strip()
                if value:
                    name = names[i] if i < len(names) else f"column {i + 1}"
                    lines.append(f"{name}: {' '.join(value.splitlines())}")
            if lines:
                yield "\n".join(lines), False


def pdf_units(path, stats):
    import pypdf
    reader = pypdf.PdfReader(path)
    stats["pages"] = len(reader.pages)
    for page in reader.pages:
        # Layout mode keeps the vertical gaps between paragraphs as blank lines.
        text = page.extract_text(extraction_mode="layout")
        for paragraph in re.split(r"\n\s*\n", text):
            paragraph = re.sub(r"-\n\s*", "", paragraph.strip())
            paragraph = " ".join(paragraph.split())
            if paragraph:
                yield paragraph, False


def markdown_units(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        if not block:
            continue
        if block.startswith("#"):
            yield block.lstrip("#").strip(), True
        elif block.startswith("- "):
            for item in block.split("\n"):
                yield item[2:].strip(), False
        else:
            yield " ".join(block.split()), False


def units_of(path, stats):
    if path.endswith(".csv"):
        return csv_units(path)
    if path.endswith(".pdf"):
        return pdf_units(path, stats)
    return markdown_units(path)


def chunk_file(counter, path, stats):
    """Yields the chunks of one file as they complete; counts its blocks into stats."""
    packer = Packer(counter)
    stats["blocks"] = 0
    for text, tokens, heading in counted(counter, units_of(path, stats)):
        stats["blocks"] += 1
        yield from packer.add(text, tokens, heading)
    yield from packer.finish()


def peak_rss_mib():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def parse(path, model_dir):
    counter = Counter(model_dir)
    counter.counts(["warm up"])
    baseline = peak_rss_mib()
    stats = {"pages": None}
    start = time.perf_counter()
    chunks = tokens = 0
    for _, count in chunk_file(counter, path, stats):
        chunks += 1
        tokens += count
    seconds = time.perf_counter() - start
    size = os.path.getsize(path)
    print(json.dumps({
        "file": path, "bytes": size, "pages": stats["pages"], "blocks": stats["blocks"],
        "chunks": chunks, "tokens": tokens, "seconds": round(seconds, 3),
        "mb_per_second": round(size / 1048576 / seconds, 2), "peak_rss_mib": peak_rss_mib(),
        "rss_before_parse_mib": baseline,
    }))


def e2e(directory, model_dir, threads, rounds):
    import torch
    from sentence_transformers import SentenceTransformer
    torch.set_num_threads(threads)
    files = sorted(os.path.join(directory, f) for f in os.listdir(directory))
    times, chunk_total = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        model = SentenceTransformer(model_dir, device="cpu")
        counter = Counter(model_dir)
        chunk_total = 0
        for path in files:
            chunks = [text for text, _ in chunk_file(counter, path, {})]
            model.encode(chunks, batch_size=32)
            chunk_total += len(chunks)
        times.append(time.perf_counter() - start)
        del model
    seconds = statistics.median(times)
    print(json.dumps({
        "documents": len(files), "chunks": chunk_total, "seconds": round(seconds, 3),
        "rounds": [round(t, 3) for t in times],
        "documents_per_minute": round(len(files) / seconds * 60, 1),
        "chunks_per_second": round(chunk_total / seconds, 1),
    }))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser("make-csv")
    c.add_argument("out")
    c.add_argument("--bytes", type=int, required=True)
    c.add_argument("--seed", type=int, default=1)
    m = commands.add_parser("make-markdown")
    m.add_argument("out")
    m.add_argument("--seed", type=int, default=1)
    p = commands.add_parser("parse")
    p.add_argument("file")
    p.add_argument("model_dir")
    e = commands.add_parser("e2e")
    e.add_argument("directory")
    e.add_argument("model_dir")
    e.add_argument("threads", type=int)
    e.add_argument("rounds", type=int)
    args = parser.parse_args()
    if args.command == "make-csv":
        make_csv(args.out, args.bytes, args.seed)
    elif args.command == "make-markdown":
        make_markdown(args.out, args.seed)
    elif args.command == "parse":
        parse(args.file, args.model_dir)
    else:
        e2e(args.directory, args.model_dir, args.threads, args.rounds)


if __name__ == "__main__":
    sys.exit(main())
