// /chat/{widget_id}: the full-page chat. nginx serves this page for every id; the id is read from
// the path and the widget's public config decides the rest.
import { createClient, errorMessage, WIDGET_ID } from '/shared/api.js';
import { mountChat } from '/shared/chat-view.js';

const app = document.getElementById('app');
const widgetId = decodeURIComponent(location.pathname.split('/')[2] || '');

function showStatus(message) {
  const status = document.createElement('p');
  status.className = 'chat-status';
  status.setAttribute('role', 'alert');
  status.textContent = message;
  app.replaceChildren(status);
}

if (!WIDGET_ID.test(widgetId)) {
  showStatus('This chat link is incomplete: it should end with a widget id (wid_…).');
} else {
  const client = createClient(location.origin, widgetId);
  try {
    const config = await client.config();
    if (config.theme?.title) document.title = config.theme.title;
    mountChat(app, { client, widgetId, config, themeTarget: document.documentElement }).focus();
  } catch (error) {
    showStatus(errorMessage(error));
  }
}
