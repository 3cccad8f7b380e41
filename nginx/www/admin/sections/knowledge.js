// Knowledge: upload documents, watch them go through ingestion (the list polls every 2 s while
// anything is queued or processing), read why one failed, preview its chunks, replace or delete
// it, and manage collections.

import { api } from "../api.js";
import { field, fill, fmt, h, notice } from "../dom.js";
import { READ_ONLY_HINT } from "../session.js";
import { collectionsPanel } from "./collections.js";
import { pickAndReplace, uploadZone } from "./upload.js";

const PAGE = 50;
const POLL_MS = 2000;
const BUSY = new Set(["queued", "processing"]);

export function mount(container, { caps }) {
    const state = { docs: new Map(), rows: new Map(), cursor: null, timer: null, alive: true, filter: { collection: "", status: "" } };
    const message = h("div", { "aria-live": "polite" });
    const tbody = h("tbody");
    const more = h("button", { type: "button", class: "button-secondary", hidden: true }, "Load more");
    const uploadTarget = h("select", { name: "collection", disabled: !caps.write });
    const filterCollection = h("select", { name: "filter-collection" }, h("option", { value: "" }, "All collections"));
    const filterStatus = h("select", { name: "filter-status" },
        ...["", "queued", "processing", "ready", "failed"].map((s) => h("option", { value: s }, s || "Any status")));
    const replaceList = h("ul", { class: "upload-list", "aria-label": "Replacements", "aria-live": "polite" });

    const collections = collectionsPanel({
        enabled: caps.write,
        onChange(list) {
            const chosen = uploadTarget.value;
            uploadTarget.replaceChildren(h("option", { value: "" }, "default"),
                ...list.filter((c) => c.name !== "default").map((c) => h("option", { value: c.name }, `${c.name} (${c.visibility})`)));
            uploadTarget.value = list.some((c) => c.name === chosen) ? chosen : "";
            const filtered = filterCollection.value;
            filterCollection.replaceChildren(h("option", { value: "" }, "All collections"),
                ...list.map((c) => h("option", { value: c.name }, c.name)));
            filterCollection.value = filtered;
        },
    });

    const upsert = (doc, atTop = false) => {
        state.docs.set(doc.id, doc);
        const existing = state.rows.get(doc.id);
        if (existing) {
            existing.update(doc);
            return;
        }
        const row = documentRow(doc, caps, {
            onReplace: () => pickAndReplace(doc, replaceList, (updated) => { upsert(updated); schedule(); }),
            onDelete: () => remove(doc),
        });
        state.rows.set(doc.id, row);
        if (atTop) tbody.prepend(row.element, row.preview);
        else tbody.append(row.element, row.preview);
    };

    const remove = async (doc) => {
        if (!window.confirm(`Delete ${doc.title || doc.filename}? Its chunks leave search at once.`)) return;
        try {
            await api("DELETE", `/v1/documents/${encodeURIComponent(doc.id)}`);
            const row = state.rows.get(doc.id);
            row?.element.remove();
            row?.preview.remove();
            state.rows.delete(doc.id);
            state.docs.delete(doc.id);
            message.replaceChildren(notice("success", `Deleted ${doc.title || doc.filename}.`));
            collections.reload();
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    };

    const query = (extra) => ({ collection: state.filter.collection, status: state.filter.status, ...extra });

    const loadFirst = async () => {
        try {
            const page = await api("GET", "/v1/documents", { query: query({ limit: PAGE }) });
            if (!state.alive) return;
            tbody.replaceChildren();
            state.rows.clear();
            state.docs.clear();
            for (const doc of page.data) upsert(doc);
            state.cursor = page.next_cursor || null;
            more.hidden = !state.cursor;
            if (!page.data.length) tbody.append(h("tr", { class: "empty-row" }, h("td", { colspan: 7, class: "muted" }, "No documents yet.")));
            schedule();
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    };

    // While anything is busy: refetch the newest documents (where busy ones are) and update rows
    // in place, so focus and open previews survive the refresh.
    const poll = async () => {
        state.timer = null;
        if (!state.alive) return;
        try {
            const limit = Math.min(100, Math.max(PAGE, state.docs.size));
            const page = await api("GET", "/v1/documents", { query: query({ limit }) });
            if (!state.alive) return;
            const known = new Set(state.docs.keys());
            for (const doc of [...page.data].reverse()) upsert(doc, !known.has(doc.id));
        } catch (error) {
            message.replaceChildren(notice("error", `Refreshing the list failed: ${error.message}`));
        }
        schedule();
    };

    const schedule = () => {
        if (!state.alive || state.timer) return;
        if ([...state.docs.values()].some((d) => BUSY.has(d.status))) state.timer = setTimeout(poll, POLL_MS);
    };

    more.addEventListener("click", async () => {
        try {
            const page = await api("GET", "/v1/documents", { query: query({ limit: PAGE, cursor: state.cursor }) });
            for (const doc of page.data) upsert(doc);
            state.cursor = page.next_cursor || null;
            more.hidden = !state.cursor;
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    });
    for (const select of [filterCollection, filterStatus]) {
        select.addEventListener("change", () => {
            state.filter = { collection: filterCollection.value, status: filterStatus.value };
            loadFirst();
        });
    }

    container.append(
        h("h1", {}, "Knowledge"),
        h("section", { class: "card", "aria-labelledby": "upload-title" },
            h("h2", { id: "upload-title" }, "Upload"),
            field("Into collection", uploadTarget),
            uploadZone({
                enabled: caps.write,
                collection: () => uploadTarget.value,
                onUploaded: (doc) => {
                    tbody.querySelector(".empty-row")?.remove();
                    upsert(doc, !state.docs.has(doc.id));
                    schedule();
                    collections.reload();
                },
            }),
            caps.write ? null : h("p", { class: "field-hint" }, READ_ONLY_HINT),
            replaceList),
        h("section", { class: "card", "aria-labelledby": "documents-title" },
            h("h2", { id: "documents-title" }, "Documents"),
            h("div", { class: "inline-form" }, field("Collection", filterCollection), field("Status", filterStatus)),
            message,
            h("div", { class: "table-wrap" }, h("table", { class: "table documents" },
                h("thead", {}, h("tr", {}, ...["Document", "Collection", "Status", "Chunks", "Size", "Updated", "Actions"]
                    .map((label) => h("th", { scope: "col" }, label)))),
                tbody)),
            more),
        collections.element);

    collections.reload();
    loadFirst();
    return () => {
        state.alive = false;
        clearTimeout(state.timer);
    };
}

// One document as a table row plus a hidden row for its chunk preview. update(doc) rewrites the
// cells that change while ingestion runs; the actions cell is built once.
function documentRow(doc, caps, { onReplace, onDelete }) {
    const name = h("td", { class: "doc-name" });
    const collection = h("td");
    const status = h("td");
    const chunks = h("td", { class: "num" });
    const size = h("td", { class: "num" });
    const updated = h("td");
    const previewCell = h("td", { colspan: 7 });
    const preview = h("tr", { class: "preview-row", hidden: true }, previewCell);
    const previewButton = h("button", { type: "button", class: "button-secondary", "aria-expanded": "false" }, "Chunks");
    const actions = h("td", { class: "actions" }, previewButton,
        h("button", { type: "button", class: "button-secondary", disabled: !caps.write, on: { click: onReplace } }, "Replace"),
        h("button", { type: "button", class: "button-danger", disabled: !caps.write, on: { click: onDelete } }, "Delete"));
    const element = h("tr", { testid: "document-row" }, name, collection, status, chunks, size, updated, actions);

    let current = doc;
    previewButton.addEventListener("click", () => {
        const open = preview.hidden;
        preview.hidden = !open;
        previewButton.setAttribute("aria-expanded", String(open));
        if (open) loadChunks(current, previewCell);
    });

    const update = (next) => {
        current = next;
        element.dataset.status = next.status;
        element.dataset.id = next.id;
        fill(name, h("span", { class: "doc-title" }, next.title || next.filename),
            next.title ? h("span", { class: "muted doc-file" }, next.filename) : null,
            next.version > 1 ? h("span", { class: "muted doc-file" }, `version ${next.version}`) : null);
        fill(collection, next.collection, " ", next.visibility ? h("span", { class: `badge badge-${next.visibility}` }, next.visibility) : null);
        status.replaceChildren(statusCell(next));
        chunks.textContent = fmt.number(next.chunk_count);
        size.textContent = fmt.bytes(next.byte_size);
        updated.textContent = fmt.dateTime(next.updated_at || next.created_at);
    };
    update(doc);
    return { element, preview, update };
}

function statusCell(doc) {
    const parts = [h("span", { class: `status status-${doc.status}` }, doc.status)];
    if (BUSY.has(doc.status)) {
        parts.push(h("progress", { max: 100, value: doc.progress || 0, "aria-label": `Progress of ${doc.title || doc.filename}` }),
            h("span", { class: "muted" }, doc.stage ? `${doc.stage}, ${doc.progress || 0} %` : `${doc.progress || 0} %`));
    }
    if (doc.status === "failed" && doc.error) parts.push(h("span", { class: "failure" }, doc.error));
    return h("div", { class: "status-cell" }, ...parts);
}

async function loadChunks(doc, cell, cursor = null) {
    if (!cursor) cell.replaceChildren(h("p", { class: "muted" }, "Loading chunks…"));
    try {
        const page = await api("GET", `/v1/documents/${encodeURIComponent(doc.id)}/chunks`, { query: { limit: 20, cursor } });
        if (!cursor) cell.replaceChildren();
        cell.querySelector(".chunks-more")?.remove();
        if (!page.data.length && !cursor) {
            cell.append(h("p", { class: "muted" }, doc.status === "ready" ? "This document has no chunks." : "No chunks yet: the document is not ready."));
            return;
        }
        const list = cell.querySelector("ol") || cell.appendChild(h("ol", { class: "chunks" }));
        for (const chunk of page.data) {
            const pages = chunk.page_start ? (chunk.page_end && chunk.page_end !== chunk.page_start ? `pages ${chunk.page_start}–${chunk.page_end}` : `page ${chunk.page_start}`) : null;
            list.append(h("li", { class: "chunk" },
                h("div", { class: "chunk-meta muted" }, `#${chunk.ordinal}`, pages ? ` · ${pages}` : "",
                    chunk.heading_path?.length ? ` · ${chunk.heading_path.join(" › ")}` : "", ` · ${fmt.number(chunk.token_count)} tokens`),
                h("p", { class: "chunk-text" }, chunk.text)));
        }
        if (page.next_cursor) {
            cell.append(h("button", { type: "button", class: "button-secondary chunks-more", on: { click: () => loadChunks(doc, cell, page.next_cursor) } }, "More chunks"));
        }
    } catch (error) {
        cell.replaceChildren(notice("error", error.message));
    }
}
