// An answer's text with its [n] markers turned into citation links, and the list of sources they
// point to. Everything is built with createElement/textContent: answers and document titles are
// untrusted text and never parsed as HTML.

// "[1]", "[2, 3]" (markers the generators write; see Sources/Answer/Pipeline/Citations.swift).
const MARKER = /\[(\d+(?:\s*,\s*\d+)*)\]/g;

// splitCitations(text, known) → [{text} | {n}]: markers whose numbers are all in `known` become
// {n} parts (one per number); anything else stays text.
export function splitCitations(text, known) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    const numbers = match[1].split(',').map((s) => Number.parseInt(s, 10));
    if (!numbers.every((n) => known.has(n))) continue;
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    for (const n of numbers) parts.push({ n });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

// safeURL(value) → an http(s) URL string, or null (no javascript:, data: or relative links).
export function safeURL(value) {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key === 'testid') node.dataset.testid = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

const sourceLabel = (c) => `Source ${c.n}: ${c.title || 'untitled document'}${c.page ? `, page ${c.page}` : ''}`;

// A numbered link: to the source's URL when it has one (new tab), else to its entry in the list of
// sources below the answer, which onOpenSource(n) expands and focuses.
function citationLink(citation, onOpenSource) {
  const url = safeURL(citation.url);
  return el('a', {
    class: 'pc-cite', testid: 'citation', href: url || '#', 'aria-label': sourceLabel(citation),
    target: url ? '_blank' : null, rel: url ? 'noopener noreferrer' : null,
    onclick: url ? null : (event) => { event.preventDefault(); onOpenSource(citation.n); },
  }, `[${citation.n}]`);
}

// renderAnswer(container, text, citations, onOpenSource): replaces container's content.
export function renderAnswer(container, text, citations, onOpenSource) {
  const byNumber = new Map((citations || []).map((c) => [c.n, c]));
  container.replaceChildren(...splitCitations(text, new Set(byNumber.keys())).map((part) =>
    'n' in part ? citationLink(byNumber.get(part.n), onOpenSource) : document.createTextNode(part.text)));
}

// renderSources(citations, idPrefix) → a collapsible list (title, page, snippet) or null.
export function renderSources(citations, idPrefix) {
  if (!citations || citations.length === 0) return null;
  const items = citations.map((c) => {
    const url = safeURL(c.url);
    const title = c.title || 'Untitled document';
    return el('li', { id: `${idPrefix}-${c.n}`, tabindex: '-1', class: 'pc-source', value: String(c.n) },
      url ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: title }) : el('strong', { text: title }),
      c.page ? el('span', { class: 'pc-page', text: ` · page ${c.page}` }) : null,
      c.snippet ? el('p', { class: 'pc-snippet', text: c.snippet }) : null);
  });
  const label = citations.length === 1 ? '1 source' : `${citations.length} sources`;
  return el('details', { class: 'pc-sources' }, el('summary', { text: label }), el('ol', {}, ...items));
}
