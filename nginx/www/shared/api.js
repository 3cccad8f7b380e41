// The public widget API (/v1/public/widgets/{id}/…), as the chat page and the widget call it. No API
// key: the widget id is publishable, and a conversation is continued or read with the visitor
// token its first answer handed out.
import { readEventStream } from './sse.js';

export const WIDGET_ID = /^wid_[a-z0-9]{20}$/;

// An HTTP or stream failure, with the problem+json body when the server sent one.
export class ApiError extends Error {
  constructor(status, problem = {}, retryAfter = null) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

// errorMessage(error) → a sentence a visitor can act on (never a stack trace or a status code alone).
export function errorMessage(error) {
  if (!(error instanceof ApiError)) {
    return "Can't reach the assistant. Check your connection and try again.";
  }
  const { status, problem, retryAfter } = error;
  if (status === 429) {
    const wait = retryAfter > 0 ? `${retryAfter} second${retryAfter === 1 ? '' : 's'}` : 'a moment';
    return `Too many questions in a short time. Please wait ${wait} and try again.`;
  }
  if (status === 403) return "This chat isn't available on this website.";
  if (status === 404) return "This chat doesn't exist or has been switched off.";
  if (status === 0) return 'The answer was cut off. Please ask again.';
  if (status >= 500) return 'The assistant is unavailable right now. Please try again shortly.';
  return problem.detail || `Something went wrong (HTTP ${status}).`;
}

async function failure(response) {
  let problem = {};
  try { problem = await response.json(); } catch { /* not JSON: the status says enough */ }
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') || '', 10);
  return new ApiError(response.status, problem, Number.isFinite(retryAfter) ? retryAfter : null);
}

// createClient(origin, widgetId): the calls, against the Parley origin the page or script came from.
export function createClient(origin, widgetId) {
  const base = `${origin}/v1/public/widgets/${encodeURIComponent(widgetId)}`;
  const path = (...parts) => `${base}/${parts.map(encodeURIComponent).join('/')}`;

  // Cookies are never sent: these routes authenticate with the visitor token, and an admin's
  // session cookie on the same origin would make a POST need a CSRF token.
  async function send(method, url, { body, token, accept = 'application/json', signal } = {}) {
    const headers = { Accept: accept };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers['X-Visitor-Token'] = token;
    const response = await fetch(url, {
      method, headers, signal, credentials: 'omit', mode: 'cors',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await failure(response);
    return response;
  }
  const json = async (...args) => {
    const response = await send(...args);
    return response.status === 204 ? null : response.json();
  };

  return {
    config: () => json('GET', base),
    transcript: (conversationID, token) => json('GET', path('conversations', conversationID), { token }),
    feedback: (messageID, rating, comment, token) =>
      json('POST', path('messages', messageID, 'feedback'), { body: comment ? { rating, comment } : { rating }, token }),
    handoff: (conversationID, token) => json('POST', path('conversations', conversationID, 'handoff'), { body: {}, token }),

    // ask(question, session, onEvent, signal) → the `done` envelope. Streams `token`, `reset` and
    // `citations` to onEvent as they come; a JSON reply (a proxy that strips streaming) is played
    // back as one token. Throws ApiError for an `error` event or a stream cut before `done`.
    async ask(question, session, onEvent, signal) {
      const body = { question };
      if (session.conversation_id) body.conversation_id = session.conversation_id;
      if (session.visitor_token) body.visitor_token = session.visitor_token;
      const response = await send('POST', `${base}/query`, {
        body, token: session.visitor_token, accept: 'text/event-stream', signal,
      });
      if (!(response.headers.get('Content-Type') || '').includes('text/event-stream')) {
        const answer = await response.json();
        onEvent('token', { text: answer.answer });
        onEvent('citations', answer.citations || []);
        return answer;
      }
      let done = null;
      let problem = null;
      await readEventStream(response.body, ({ event, data }) => {
        let value;
        try { value = JSON.parse(data); } catch { return; }
        if (event === 'done') done = value;
        else if (event === 'error') problem = value;
        else onEvent(event, value);
      });
      if (problem) throw new ApiError(problem.status || 500, problem);
      if (!done) throw new ApiError(0, { detail: 'The answer was cut off.' });
      return done;
    },
  };
}
