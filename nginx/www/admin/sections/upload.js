// Uploading files: a drop zone with a file picker, one request per file so each shows its own
// progress (XMLHttpRequest's upload.onprogress), two at a time. Answers: 202 queued, 200 the same
// bytes already there, 413/415/422 problems shown next to the file.

import { mapLimit, upload } from "../api.js";
import { fmt, h } from "../dom.js";

const PARALLEL = 2;

// uploadZone({collection: () => name, onUploaded: (doc) => void, enabled}) → element
export function uploadZone({ collection, onUploaded, enabled }) {
    const input = h("input", {
        type: "file", multiple: true, class: "visually-hidden", testid: "upload-input", disabled: !enabled,
        "aria-label": "Choose files to upload",
    });
    const list = h("ul", { class: "upload-list", "aria-label": "Uploads", "aria-live": "polite" });
    const zone = h("div", { class: `dropzone${enabled ? "" : " dropzone-disabled"}` },
        h("p", {}, "Drop files here, or "),
        h("label", { class: "button-secondary dropzone-pick" }, "choose files", input),
        h("p", { class: "field-hint" }, "PDF, DOCX, Markdown, text, HTML, CSV, TSV, JSON and JSONL."));

    const start = (files) => {
        if (!enabled || !files.length) return;
        const queue = [...files].map((file) => ({ file, item: uploadItem(file) }));
        for (const entry of queue) list.prepend(entry.item.element);
        mapLimit(queue, PARALLEL, (entry) => send(entry, collection(), onUploaded));
    };

    input.addEventListener("change", () => {
        start(input.files);
        input.value = "";
    });
    zone.addEventListener("dragover", (event) => {
        event.preventDefault();
        if (enabled) zone.classList.add("dropzone-over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("dropzone-over"));
    zone.addEventListener("drop", (event) => {
        event.preventDefault();
        zone.classList.remove("dropzone-over");
        start(event.dataTransfer.files);
    });
    return h("div", { class: "upload" }, zone, list);
}

// One line in the upload list: name, size, a progress bar and the outcome.
export function uploadItem(file, verb = "Uploading") {
    const progress = h("progress", { max: 100, value: 0, "aria-label": `${verb} ${file.name}` });
    const status = h("span", { class: "upload-status" }, "Waiting");
    const element = h("li", { class: "upload-item" },
        h("span", { class: "upload-name" }, file.name), h("span", { class: "muted" }, fmt.bytes(file.size)), progress, status);
    return {
        element,
        progress(fraction) {
            progress.value = Math.round(fraction * 100);
            status.textContent = `${Math.round(fraction * 100)} %`;
        },
        done(text) {
            progress.value = 100;
            status.textContent = text;
            element.classList.add("upload-done");
        },
        failed(text) {
            status.textContent = text;
            element.classList.add("upload-failed");
        },
    };
}

async function send({ file, item }, collection, onUploaded) {
    const form = new FormData();
    if (collection) form.append("collection", collection);
    form.append("file", file, file.name);
    try {
        const doc = await upload("POST", "/v1/documents", form, (fraction) => item.progress(fraction));
        item.done(doc?.status === "ready" ? "Already uploaded" : "Uploaded: queued for processing");
        if (doc) onUploaded(doc);
    } catch (error) {
        item.failed(error.message);
    }
}

// Replaces one document's file (PUT): asks for a file, uploads it with progress into `list`.
export function pickAndReplace(doc, list, onUploaded) {
    const input = h("input", { type: "file", class: "visually-hidden", "aria-label": `New file for ${doc.filename}` });
    input.addEventListener("change", async () => {
        const file = input.files[0];
        input.remove();
        if (!file) return;
        const item = uploadItem(file, "Replacing with");
        list.prepend(item.element);
        const form = new FormData();
        form.append("file", file, file.name);
        try {
            const updated = await upload("PUT", `/v1/documents/${encodeURIComponent(doc.id)}`, form, (f) => item.progress(f));
            item.done("Uploaded: the new version is queued; the old one answers until it is ready");
            if (updated) onUploaded(updated);
        } catch (error) {
            item.failed(error.message);
        }
    });
    input.addEventListener("cancel", () => input.remove());
    document.body.append(input);
    input.click();
}
