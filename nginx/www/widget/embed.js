// The embeddable widget: a launcher button and a chat panel inside an open shadow root, so the
// host page's CSS cannot reach in and ours cannot leak out. Styles are fetched and adopted as
// constructable sheets (the host's CSP then needs only script-src and connect-src for Parley).
import { createClient, errorMessage, WIDGET_ID } from '../shared/api.js';
import { mountChat } from '../shared/chat-view.js';
import { icon } from '../shared/icons.js';
import { el } from '../shared/render.js';
import { applyTheme, themeMode } from '../shared/theme.js';

async function sheet(url) {
  const response = await fetch(url, { credentials: 'omit', mode: 'cors' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const styles = new CSSStyleSheet();
  await styles.replace(await response.text());
  return styles;
}

// embed(script): mounts the widget named by script's data-widget; throws with a readable reason.
export async function embed(script) {
  const widgetId = script.dataset.widget || '';
  if (!WIDGET_ID.test(widgetId)) throw new Error('data-widget must be a widget id (wid_…)');
  if (document.querySelector(`[data-parley-widget="${widgetId}"]`)) return; // included twice
  const origin = new URL(script.src).origin;
  const client = createClient(origin, widgetId);
  let config;
  let sheets;
  try {
    [config, sheets] = await Promise.all([
      client.config(),
      Promise.all([sheet(`${origin}/shared/chat.css`), sheet(`${origin}/widget/widget.css`)]),
    ]);
  } catch (error) {
    // A site that is not in allowed_origins fails CORS, which the browser reports as a network error.
    throw new Error(error.status ? errorMessage(error) : 'Parley refused this site or could not be reached');
  }
  const theme = config.theme || {};
  const title = theme.title || 'Chat';

  const host = el('div', { 'data-parley-widget': widgetId });
  const shadow = host.attachShadow({ mode: 'open' });
  shadow.adoptedStyleSheets = sheets;

  const panel = el('div', { class: 'pw-panel', id: 'pw-panel', testid: 'panel', role: 'dialog', 'aria-label': title, hidden: true });
  const launcher = el('button', {
    type: 'button', class: 'pw-launcher', testid: 'launcher', 'aria-controls': 'pw-panel', 'aria-expanded': 'false',
    'aria-label': `Open chat: ${title}`, onclick: () => (panel.hidden ? open() : close()),
  }, icon('chat', 26));
  const frame = el('div', { class: 'pw', 'data-position': theme.position === 'bottom-left' ? 'bottom-left' : 'bottom-right' }, panel, launcher);
  shadow.append(frame);

  // The launcher is themed before the chat is first opened; mountChat takes over from then on.
  const modes = themeMode((mode) => applyTheme(frame, theme, mode));
  applyTheme(frame, theme, modes.mode);

  let chat = null;
  function open() {
    chat ||= mountChat(panel, { client, widgetId, config, themeTarget: frame, onClose: close });
    panel.hidden = false;
    frame.dataset.open = '';
    launcher.setAttribute('aria-expanded', 'true');
    launcher.setAttribute('aria-label', `Close chat: ${title}`);
    chat.focus();
  }
  function close() {
    panel.hidden = true;
    delete frame.dataset.open;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-label', `Open chat: ${title}`);
    launcher.focus();
  }
  panel.addEventListener('keydown', (event) => { if (event.key === 'Escape') close(); });

  document.body.append(host);
}
