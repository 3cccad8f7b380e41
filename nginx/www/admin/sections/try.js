// "Try it": ask the tenant's knowledge a question as the signed-in user would through the API.
// The session's role decides which collections answer (admins and agents: internal ones too).
// Answers stream over POST /v1/query as server-sent events: `token` adds text, `reset` drops
// the text so far (the provider failed; the fallback answer follows), `done` has the whole answer.

import { stream } from "../api.js";
import { h, notice } from "../dom.js";
import { answerBody, answerFacts } from "../answer-view.js";

export function mount(container) {
    const state = { conversationID: null, controller: null };
    const log = h("ol", { class: "chat-log", "aria-live": "polite", "aria-label": "Conversation" });
    const composer = h("textarea", { name: "question", rows: 3, maxlength: 1000, required: true, testid: "composer",
        placeholder: "Ask something your documents answer…" });
    const send = h("button", { type: "submit", class: "button-primary", testid: "send" }, "Ask");
    const reset = h("button", { type: "button", class: "button-secondary" }, "New conversation");
    const form = h("form", { class: "composer" }, h("label", { class: "field" }, h("span", { class: "field-label" }, "Question"), composer),
        h("div", { class: "composer-actions" }, reset, send));

    composer.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            form.requestSubmit();
        }
    });
    reset.addEventListener("click", () => {
        state.controller?.abort();
        state.conversationID = null;
        log.replaceChildren();
        composer.focus();
    });
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const question = composer.value.trim();
        if (!question || send.disabled) return;
        composer.value = "";
        send.disabled = true;
        log.append(h("li", { class: "message message-user", testid: "message-user" }, question));
        const answer = h("li", { class: "message message-assistant", testid: "message-assistant", "aria-busy": "true" },
            h("span", { class: "typing", testid: "typing" }, "Thinking…"));
        log.append(answer);
        answer.scrollIntoView({ block: "nearest" });
        let text = "";
        state.controller = new AbortController();
        try {
            const body = { question, stream: true };
            if (state.conversationID) body.conversation_id = state.conversationID;
            await stream("/v1/query", body, (name, data) => {
                if (name === "token") {
                    text += data.text || "";
                    answer.replaceChildren(h("div", { class: "answer-text" }, text));
                } else if (name === "reset") {
                    text = "";
                    answer.replaceChildren(h("span", { class: "typing" }, "Retrying with another generator…"));
                } else if (name === "done") {
                    state.conversationID = data.conversation_id || state.conversationID;
                    answer.replaceChildren(answerBody(data.answer, data.citations), answerFacts(data));
                } else if (name === "error") {
                    const problem = data || {};
                    answer.replaceChildren(notice("error", problem.detail ? `${problem.title}: ${problem.detail}` : problem.title || "The answer failed."));
                }
            }, state.controller.signal);
        } catch (error) {
            if (error.name !== "AbortError") answer.replaceChildren(notice("error", error.message));
        } finally {
            answer.removeAttribute("aria-busy");
            send.disabled = false;
            state.controller = null;
            composer.focus();
        }
    });

    container.append(h("h1", {}, "Try it"),
        h("p", { class: "muted" }, "Questions here are answered exactly as the API answers them, from the collections your role can read."),
        h("section", { class: "card chat" }, log, form));
    composer.focus();
    return () => state.controller?.abort();
}
