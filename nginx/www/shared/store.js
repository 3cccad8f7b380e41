// What the chat remembers in localStorage: per widget, the conversation id and the visitor token
// (so a reload continues the same conversation); globally, the visitor's light/dark choice.
// Storage may be unavailable (private modes, sandboxed frames, quota): the chat then just forgets.

const sessionKey = (widgetId) => `parley:chat:${widgetId}`;

function read(key) {
  try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch { return null; }
}

function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch { /* storage unavailable: nothing to keep */ }
}

export function loadSession(widgetId) {
  const value = read(sessionKey(widgetId));
  return value && typeof value.conversation_id === 'string' && typeof value.visitor_token === 'string' ? value : null;
}

export const saveSession = (widgetId, session) => write(sessionKey(widgetId), session);
export const clearSession = (widgetId) => write(sessionKey(widgetId), null);

export function loadThemeMode() {
  const mode = read('parley:theme');
  return mode === 'light' || mode === 'dark' ? mode : null;
}

export const saveThemeMode = (mode) => write('parley:theme', mode);
