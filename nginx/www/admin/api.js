// The console's one way to reach the API: same-origin requests carrying the session cookie and,
// for anything that changes state, the CSRF token the session answer gave us. Errors come back
// as ApiError built from the RFC 9457 problem body, so sections can show `title: detail`.

import { readEventStream } from "/shared/sse.js";

const state = { csrf: null, onUnauthorized: null };

export function setCSRF(token) {
    state.csrf = token || null;
}

// Called when a request answers 401 (the session expired or was signed out elsewhere).
export function onUnauthorized(handler) {
    state.onUnauthorized = handler;
}

export class ApiError extends Error {
    constructor(status, problem) {
        const title = problem?.title || `HTTP ${status}`;
        super(problem?.detail ? `${title}: ${problem.detail}` : title);
        this.status = status;
        this.type = problem?.type || null;
        this.detail = problem?.detail || null;
        this.requestID = problem?.request_id || null;
        this.retryAfter = null;
    }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function headersFor(method, extra = {}) {
    const headers = { Accept: "application/json", ...extra };
    if (!SAFE_METHODS.has(method) && state.csrf) headers["X-CSRF-Token"] = state.csrf;
    return headers;
}

async function problemFrom(response) {
    let problem = null;
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) {
        try {
            problem = await response.json();
        } catch {
            problem = null;
        }
    }
    const error = new ApiError(response.status, problem);
    error.retryAfter = response.headers.get("Retry-After");
    if (!error.requestID) error.requestID = response.headers.get("X-Request-ID");
    return error;
}

function unauthorized(error, path) {
    // The session routes answer 401 as part of their normal flow; everything else means the
    // session is gone and the page should ask to sign in again.
    if (error.status === 401 && !path.startsWith("/v1/auth/") && state.onUnauthorized) state.onUnauthorized(error);
}

// api("GET", "/v1/documents", {query: {limit: 20}}) → parsed JSON (null for 204).
export async function api(method, path, { body, query, signal, headers } = {}) {
    const url = withQuery(path, query);
    const init = { method, credentials: "same-origin", headers: headersFor(method, headers), signal };
    if (body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    if (!response.ok) {
        const error = await problemFrom(response);
        unauthorized(error, path);
        throw error;
    }
    if (response.status === 204) return null;
    const text = await response.text();
    return text ? JSON.parse(text) : null;
}

export function withQuery(path, query) {
    if (!query) return path;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
        if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
    }
    const text = params.toString();
    return text ? `${path}?${text}` : path;
}

// Uploads one multipart body with XMLHttpRequest, because fetch cannot report upload progress.
// onProgress(fraction 0…1). Resolves with the parsed answer, rejects with ApiError.
export function upload(method, path, formData, onProgress) {
    return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open(method, path);
        xhr.withCredentials = true;
        for (const [name, value] of Object.entries(headersFor(method))) xhr.setRequestHeader(name, value);
        xhr.upload.onprogress = (event) => {
            if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
        };
        xhr.onerror = () => reject(new ApiError(0, { title: "Network error", detail: "The upload did not reach the server." }));
        xhr.onabort = () => reject(new ApiError(0, { title: "Cancelled" }));
        xhr.onload = () => {
            let parsed = null;
            try {
                parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
            } catch {
                parsed = null;
            }
            if (xhr.status >= 200 && xhr.status < 300) {
                resolve(parsed);
                return;
            }
            const error = new ApiError(xhr.status, parsed);
            error.requestID = error.requestID || xhr.getResponseHeader("X-Request-ID");
            unauthorized(error, path);
            reject(error);
        };
        xhr.send(formData);
    });
}

// POSTs JSON and reads the answer as server-sent events (EventSource cannot POST), calling
// onEvent(name, data) for each event with its JSON data parsed. Resolves when the stream ends.
export async function stream(path, body, onEvent, signal) {
    const response = await fetch(path, {
        method: "POST",
        credentials: "same-origin",
        headers: headersFor("POST", { Accept: "text/event-stream", "Content-Type": "application/json" }),
        body: JSON.stringify(body),
        signal,
    });
    if (!response.ok) {
        const error = await problemFrom(response);
        unauthorized(error, path);
        throw error;
    }
    // One event-stream reader for every page (shared with the chat page and the widget).
    await readEventStream(response.body, ({ event, data }) => {
        let parsed = data;
        try {
            parsed = JSON.parse(data);
        } catch {
            // Not JSON: hand the raw text on.
        }
        onEvent(event, parsed);
    });
}

// Runs fn over items, at most `limit` at a time, keeping the order.
export async function mapLimit(items, limit, fn) {
    const results = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next;
            next += 1;
            results[index] = await fn(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}
