#!/usr/bin/env python3
"""Write a deterministic text PDF for the ingest benchmark.

    make_pdf.py OUT.pdf [--pages 200] [--seed 7]

Each page has a section heading (16 pt) every few pages, sub-headings (13 pt), about 40 lines of
English-like prose in 10 pt Helvetica split into paragraphs, the odd hyphenated line break, and a
page number footer. Content streams are Flate-compressed like real-world PDFs. Python 3 stdlib only;
the same arguments always give the same bytes.
"""

import argparse
import random
import zlib

WORDS = (
    "the of and to in is that for it as with was on be by this are from or have an they which one "
    "you were all we when there can more if no out so said what up its about into than them only "
    "other new some could time these two may first then do any like my now over such our man me "
    "even most made after also did many before must through back years where much your way well "
    "down should because each just those people how too little state good very make world still "
    "own see men work long get here between both life being under never day same another know "
    "while last might us great old year off come since against go came right used take three "
    "document invoice customer account policy answer question search index chunk tenant upload "
    "page section report quarterly revenue support request contract renewal payment schedule "
    "employee handbook security password network server database backup retention compliance"
).split()

HEADINGS = (
    "Overview", "Getting Started", "Accounts and Billing", "Security Practices", "Data Retention",
    "Support Requests", "Quarterly Results", "Network Setup", "Backups and Recovery", "Glossary",
)

LINE_CHARS = 88
LINES_PER_PAGE = 40
BOTTOM = 60  # lowest baseline for body text; the page number sits at 40


def sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    words[0] = words[0].capitalize()
    if rng.random() < 0.2:
        words.insert(rng.randint(1, len(words) - 1), str(rng.randint(2, 2030)))
    return " ".join(words) + rng.choice(".....?!")


def wrap(text, rng):
    """Greedy wrap at LINE_CHARS; sometimes hyphenates a long word across the break."""
    lines, current = [], ""
    for word in text.split(" "):
        candidate = word if not current else current + " " + word
        if len(candidate) <= LINE_CHARS:
            current = candidate
            continue
        room = LINE_CHARS - len(current) - 2
        if len(word) >= 7 and room >= 3 and rng.random() < 0.3:
            cut = min(room, len(word) - 3)
            lines.append(current + " " + word[:cut] + "-")
            current = word[cut:]
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def escape(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def page_content(number, rng):
    ops = []
    y = 792 - 72

    def draw(text, size, leading):
        nonlocal y
        y -= leading
        ops.append("BT /F1 %d Tf 72 %.2f Td (%s) Tj ET" % (size, y, escape(text)))

    if number % 5 == 1:
        draw("%d. %s" % (number // 5 + 1, HEADINGS[(number // 5) % len(HEADINGS)]), 16, 22)
        y -= 8
    lines = 0
    # Stop at the bottom margin (above the footer) even if fewer than LINES_PER_PAGE fit.
    while lines < LINES_PER_PAGE and y > BOTTOM + 40:
        if rng.random() < 0.15:
            draw(rng.choice(HEADINGS) + " " + rng.choice(WORDS), 13, 20)
            y -= 4
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))
        for line in wrap(paragraph, rng)[: LINES_PER_PAGE - lines]:
            if y - 12 < BOTTOM:
                break
            draw(line, 10, 12)
            lines += 1
        y -= 8
    ops.append("BT /F1 9 Tf 300 40 Td (%d) Tj ET" % number)
    return ("\n".join(ops) + "\n").encode("latin-1")


def build(pages, seed):
    rng = random.Random(seed)
    objects = {}  # number -> bytes
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    kids = []
    for index in range(pages):
        page_id, content_id = 4 + 2 * index, 5 + 2 * index
        data = zlib.compress(page_content(index + 1, rng), 6)
        objects[content_id] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_id
        )
        kids.append(page_id)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        " ".join("%d 0 R" % kid for kid in kids).encode(), len(kids))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    with open(args.out, "wb") as handle:
        handle.write(build(args.pages, args.seed))


if __name__ == "__main__":
    main()
