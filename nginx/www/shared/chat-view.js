// The chat itself, shared by the full page (/chat/{widget_id}) and the widget's panel: header, the
// conversation, the composer, and what happens when a question is sent. The caller loads the
// widget's public config first (the widget needs it before it draws its launcher).
import { errorMessage } from './api.js';
import { assistantMessage, noteMessage, userMessage } from './message.js';
import { el, safeURL } from './render.js';
import { clearSession, loadSession, saveSession } from './store.js';
import { applyTheme, themeMode } from './theme.js';

// mountChat(container, {client, widgetId, config, themeTarget, onClose?}) → {focus()}.
// themeTarget gets the colour variables (the page's root element, or the widget's wrapper).
export function mountChat(container, { client, widgetId, config, themeTarget, onClose }) {
  const theme = config.theme || {};
  const title = theme.title || 'Ask us anything';
  let session = loadSession(widgetId);
  let busy = false;
  let handedOff = false;

  const modes = themeMode((mode) => { applyTheme(themeTarget, theme, mode); syncToggle(); });
  applyTheme(themeTarget, theme, modes.mode);

  // Header: avatar, title, light/dark, "talk to a person", and (widget) close.
  const toggle = el('button', { type: 'button', class: 'pc-icon-button', testid: 'theme-toggle', 'aria-label': 'Dark theme', onclick: () => modes.toggle() });
  const syncToggle = () => {
    const dark = modes.mode === 'dark';
    toggle.setAttribute('aria-pressed', String(dark));
    toggle.textContent = dark ? '☾' : '☀';
  };
  syncToggle();
  const handoffButton = el('button', { type: 'button', class: 'pc-button-secondary', testid: 'handoff', onclick: () => handoff() }, 'Talk to a person');
  const avatarURL = safeURL(theme.avatar_url);
  const header = el('header', { class: 'pc-header' },
    avatarURL ? el('img', { class: 'pc-avatar', src: avatarURL, alt: '', width: '32', height: '32' }) : null,
    el('h1', { class: 'pc-title', text: title }),
    el('div', { class: 'pc-actions' }, handoffButton, toggle,
      onClose ? el('button', { type: 'button', class: 'pc-icon-button', 'aria-label': 'Close chat', onclick: onClose, text: '✕' }) : null));

  // The conversation. Not a live region itself (every streamed token would be read out): the
  // finished answer is announced through `announcer`.
  const log = el('ol', { class: 'pc-log', 'aria-label': 'Conversation' });
  const typing = el('div', { class: 'pc-typing', testid: 'typing', hidden: true },
    el('span', { class: 'pc-dots', 'aria-hidden': 'true' }, el('span'), el('span'), el('span')),
    el('span', { class: 'pc-sr', text: 'The assistant is typing' }));
  const scroller = el('section', { class: 'pc-scroll', 'aria-label': 'Messages' }, log, typing);
  const announcer = el('div', { class: 'pc-sr', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const alert = el('p', { class: 'pc-alert', role: 'alert', hidden: true });

  const suggestions = el('div', { class: 'pc-suggestions', role: 'group', 'aria-label': 'Suggested questions' },
    ...(theme.suggested_questions || []).slice(0, 6).map((q) =>
      el('button', { type: 'button', class: 'pc-suggestion', text: q, onclick: () => ask(q) })));

  const composer = el('textarea', {
    id: `pc-composer-${widgetId}`, class: 'pc-composer', testid: 'composer', rows: '1', maxlength: '1000',
    placeholder: 'Type your question…', autocomplete: 'off',
    onkeydown: (event) => {
      // Enter sends, Shift+Enter is a new line; never while an input method is composing.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
    },
  });
  const sendButton = el('button', { type: 'submit', class: 'pc-send', testid: 'send', text: 'Send' });
  const form = el('form', { class: 'pc-form', onsubmit: (event) => { event.preventDefault(); submit(); } },
    el('label', { class: 'pc-sr', for: composer.id, text: 'Your question' }), composer, sendButton);

  container.replaceChildren(el('div', { class: 'pc-chat' }, header, scroller, alert, suggestions, form, announcer));

  const atBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
  const add = (node) => {
    const follow = atBottom();
    log.append(node);
    if (follow) scroller.scrollTop = scroller.scrollHeight;
    return node;
  };
  const showError = (message) => { alert.textContent = message; alert.hidden = !message; };
  const setBusy = (value) => { busy = value; sendButton.disabled = value; typing.hidden = !value; };
  const syncHandoff = () => {
    handoffButton.disabled = handedOff;
    handoffButton.textContent = handedOff ? 'Person requested' : 'Talk to a person';
  };
  const hooks = {
    onHandoff: () => handoff(),
    onFeedback: async (messageID, rating, comment) => {
      try { await client.feedback(messageID, rating, comment, session?.visitor_token); } catch (error) { throw new Error(errorMessage(error)); }
    },
  };

  function showStart() {
    log.replaceChildren();
    if (theme.greeting) add(noteMessage(theme.greeting, 'greeting'));
    suggestions.hidden = suggestions.childElementCount === 0;
  }

  function submit() {
    const question = composer.value.trim();
    if (question && !busy) { composer.value = ''; ask(question); }
  }

  async function ask(question) {
    if (busy) return;
    showError('');
    suggestions.hidden = true;
    add(userMessage(question));
    const answer = assistantMessage(hooks);
    setBusy(true);
    announcer.textContent = '';
    performance.mark('parley:send');
    let first = true;
    try {
      const done = await client.ask(question, session || {}, (event, data) => {
        if (event === 'token') {
          if (first) { first = false; typing.hidden = true; add(answer.element); performance.mark('parley:first-token'); }
          const follow = atBottom();
          answer.append(data.text || '');
          if (follow) scroller.scrollTop = scroller.scrollHeight;
        } else if (event === 'reset') {
          answer.reset();
        } else if (event === 'citations') {
          answer.citations(data);
        }
      });
      if (first) add(answer.element);
      answer.finish(done);
      if (done.conversation_id && (done.visitor_token || session?.visitor_token)) {
        session = { conversation_id: done.conversation_id, visitor_token: done.visitor_token || session.visitor_token };
        saveSession(widgetId, session);
      }
      announcer.textContent = answer.element.querySelector('.pc-text').textContent;
    } catch (error) {
      if (first) composer.value ||= question;
      else answer.fail();
      showError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  async function handoff() {
    if (!session) {
      showError('Ask your question first, then we can pass the conversation to a person.');
      composer.focus();
      return;
    }
    handoffButton.disabled = true;
    try {
      await client.handoff(session.conversation_id, session.visitor_token);
      handedOff = true;
      showError('');
      add(noteMessage("We've passed this conversation to our team. A person will follow up.", 'handoff-note'));
    } catch (error) {
      showError(errorMessage(error));
    }
    syncHandoff();
  }

  // A stored conversation comes back after a reload; one the server no longer knows is forgotten.
  async function restore() {
    showStart();
    if (!session) return;
    try {
      const transcript = await client.transcript(session.conversation_id, session.visitor_token);
      handedOff = Boolean(transcript.handoff_requested);
      syncHandoff();
      if (!transcript.messages?.length) return;
      suggestions.hidden = true;
      for (const message of transcript.messages) {
        if (message.role === 'user') { add(userMessage(message.text)); continue; }
        const answer = assistantMessage(hooks);
        add(answer.element);
        answer.finish(message);
      }
      scroller.scrollTop = scroller.scrollHeight;
    } catch (error) {
      if (error.status === 403 || error.status === 404) {
        clearSession(widgetId);
        session = null;
      } else {
        showError(`Your earlier messages could not be loaded. ${errorMessage(error)}`);
      }
    }
  }

  restore();
  return { focus: () => composer.focus() };
}
