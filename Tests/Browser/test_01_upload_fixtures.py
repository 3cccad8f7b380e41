"""The PDF and DOCX the page tests upload are real documents: through the API and `parley
ingest` both end ready with their text in the chunks (so a page test that waits for "ready" is
waiting for something that can happen)."""

import harness
import files
from harness import check


def main():
    stack = harness.Stack()
    tenant = stack.tenant("Browser fixtures")
    key = stack.key(tenant)
    pdf = stack.upload(key, "handbook.pdf", files.pdf([["Parking is free for visitors."], ["The lobby opens at 7."]]))
    docx = stack.upload(key, "policy.docx", files.docx(["Laptops are replaced every three years.", "Ask IT."]))
    stack.ingest(tenant)
    for doc, text in ((pdf, "Parking is free"), (docx, "replaced every three years")):
        reply = stack.api("GET", f"/v1/documents/{doc}", key)
        check(reply.json.get("status") == "ready", f"{doc}: {reply.json}")
        chunks = stack.api("GET", f"/v1/documents/{doc}/chunks", key).body.decode()
        check(text in chunks, f"{doc}: {text!r} not in its chunks")
    check(stack.api("GET", f"/v1/documents/{pdf}", key).json.get("pages") == 2, "the PDF's two pages")
    return "PDF (2 pages) and DOCX ingested to ready"


harness.run(main)
