// One message in the conversation: the visitor's question, or an answer that streams in, then gets
// its citation links, its sources and the feedback controls.
import { icon } from './icons.js';
import { el, renderAnswer, renderSources } from './render.js';

let serial = 0;

export function userMessage(text) {
  return el('li', { class: 'pc-msg pc-user', testid: 'message-user' }, el('p', { class: 'pc-text', text }));
}

// A note from the page itself (a greeting, a handoff confirmation): not part of the transcript.
export function noteMessage(text, testid) {
  return el('li', { class: 'pc-msg pc-assistant pc-note', testid }, el('p', { class: 'pc-text', text }));
}

// assistantMessage({onFeedback, onHandoff}) → {element, append(text), reset(), finish(answer)}.
// onFeedback(messageID, rating, comment) returns a promise; onHandoff() asks for a person.
export function assistantMessage({ onFeedback, onHandoff }) {
  const idPrefix = `pc-src-${++serial}`;
  const body = el('p', { class: 'pc-text' });
  const element = el('li', { class: 'pc-msg pc-assistant', testid: 'message-assistant', 'aria-busy': 'true' }, body);
  // Streaming appends to one text node (cheap per token); links replace it at the end.
  const streamed = document.createTextNode('');
  body.append(streamed);
  let citations = [];

  function openSource(n) {
    const details = element.querySelector('.pc-sources');
    const item = element.querySelector(`#${idPrefix}-${n}`);
    if (!details || !item) return;
    details.open = true;
    item.focus();
  }

  return {
    element,
    get text() { return streamed.data; },
    append(text) { streamed.appendData(text); },
    reset() { streamed.data = ''; },
    citations(list) { citations = list; },
    // answer: the `done` envelope, or a transcript message ({text, citations, id, feedback?}).
    finish(answer) {
      element.removeAttribute('aria-busy');
      const text = answer.answer ?? answer.text ?? streamed.data;
      citations = answer.citations || citations;
      renderAnswer(body, text, citations, openSource);
      element.append(...[
        renderSources(citations, idPrefix),
        answer.escalate ? escalation(onHandoff) : null,
        (answer.message_id || answer.id) && onFeedback
          ? feedback(answer.message_id || answer.id, answer.feedback?.rating, onFeedback) : null,
      ].filter(Boolean));
    },
    fail() { element.removeAttribute('aria-busy'); element.classList.add('pc-failed'); },
  };
}

function escalation(onHandoff) {
  return el('p', { class: 'pc-escalate' },
    "I'm not sure this fully answers your question. ",
    el('button', { type: 'button', class: 'pc-link-button', onclick: onHandoff, text: 'Talk to a person' }));
}

// Thumbs up/down, then an optional comment. The rating is sent at once (so it counts even if the
// visitor walks away); a comment sends the rating again with it.
function feedback(messageID, initial, onFeedback) {
  let rating = initial || null;
  const status = el('span', { class: 'pc-feedback-status', role: 'status' });
  const comment = el('textarea', {
    testid: 'feedback-comment', rows: '2', maxlength: '1000', class: 'pc-comment-input',
    'aria-label': 'Tell us more (optional)', placeholder: 'Tell us more (optional)',
  });
  const form = el('form', {
    class: 'pc-comment', hidden: true,
    onsubmit: async (event) => {
      event.preventDefault();
      const text = comment.value.trim();
      if (!text || !rating) return;
      status.textContent = 'Sending…';
      try {
        await onFeedback(messageID, rating, text);
        form.hidden = true;
        status.textContent = 'Thanks for your feedback.';
      } catch (error) {
        status.textContent = error.message;
      }
    },
  }, comment, el('button', { type: 'submit', class: 'pc-button-secondary', text: 'Send comment' }));

  const thumb = (value, label) => el('button', {
    type: 'button', class: 'pc-thumb', testid: `feedback-${value}`, 'aria-label': label,
    'aria-pressed': String(rating === value),
    onclick: async () => {
      const previous = rating;
      rating = value;
      sync();
      status.textContent = 'Sending…';
      try {
        await onFeedback(messageID, value, null);
        status.textContent = 'Thanks!';
        form.hidden = false;
      } catch (error) {
        rating = previous;
        sync();
        status.textContent = error.message;
      }
    },
  }, icon(value));
  const up = thumb('up', 'Helpful');
  const down = thumb('down', 'Not helpful');
  const sync = () => {
    up.setAttribute('aria-pressed', String(rating === 'up'));
    down.setAttribute('aria-pressed', String(rating === 'down'));
  };
  return el('div', { class: 'pc-feedback', role: 'group', 'aria-label': 'Was this answer helpful?' }, up, down, status, form);
}
