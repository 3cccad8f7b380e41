// A widget's theme as CSS custom properties, for light and dark. The tenant picks colours freely, so
// every pair that carries text is checked against WCAG AA (4.5:1) and replaced when it fails:
// a pale brand colour still gets readable links and buttons.
import { loadThemeMode, saveThemeMode } from './store.js';

const LIGHT = { bg: '#ffffff', fg: '#1b1f24', accent: '#2457c5' };
const DARK = { bg: '#16191e', fg: '#e9ebee' };

export function parseHex(color) {
  const match = /^#([0-9a-f]{6})$/i.exec(color || '');
  if (!match) return null;
  const n = Number.parseInt(match[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const hex = (rgb) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

// WCAG 2 relative luminance and contrast ratio.
function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [x, y] = [luminance(parseHex(a)), luminance(parseHex(b))];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

// mix(a, b, t): t of the way from colour a to colour b.
export function mix(a, b, t) {
  const [x, y] = [parseHex(a), parseHex(b)];
  return hex(x.map((c, i) => c + (y[i] - c) * t));
}

// The first colour on the way from `color` towards `toward` that reaches `ratio` against every
// background in `bgs` (text may sit on the page and on a message bubble).
function readable(color, toward, bgs, ratio) {
  for (let t = 0; t <= 1; t += 0.05) {
    const candidate = mix(color, toward, t);
    if (bgs.every((bg) => contrast(candidate, bg) >= ratio)) return candidate;
  }
  return toward;
}

// themeVariables(theme, mode) → { '--pc-bg': '#…', … }. The tenant's background and text colours
// are its light theme; dark mode keeps only the brand (primary) colour.
export function themeVariables(theme = {}, mode = 'light') {
  let { bg, fg } = mode === 'dark' ? DARK : LIGHT;
  if (mode === 'light' && parseHex(theme.background_color) && parseHex(theme.text_color) &&
      contrast(theme.background_color, theme.text_color) >= 4.5) {
    [bg, fg] = [theme.background_color.toLowerCase(), theme.text_color.toLowerCase()];
  }
  const accent = parseHex(theme.primary_color) ? theme.primary_color.toLowerCase() : LIGHT.accent;
  const onAccent = contrast(accent, '#ffffff') >= contrast(accent, '#111111') ? '#ffffff' : '#111111';
  const surface = mix(bg, fg, 0.06);
  return {
    '--pc-bg': bg,
    '--pc-fg': fg,
    '--pc-muted': readable(mix(fg, bg, 0.35), fg, [bg, surface], 4.5),
    '--pc-surface': surface,
    '--pc-border': readable(mix(bg, fg, 0.3), fg, [bg, surface], 3),
    '--pc-accent': accent,
    '--pc-on-accent': onAccent,
    '--pc-link': readable(accent, fg, [bg, surface], 4.5),
  };
}

// The visitor's choice, shared by every switch on the page (the widget's launcher and its chat),
// and kept here too in case storage is unavailable.
let chosen = loadThemeMode();

// A light/dark switch for one element tree: the visitor's choice, else the system's (and
// following it live until the visitor chooses). onChange(mode) runs after every change.
export function themeMode(onChange) {
  const query = matchMedia('(prefers-color-scheme: dark)');
  const current = () => chosen || (query.matches ? 'dark' : 'light');
  query.addEventListener('change', () => { if (!chosen) onChange(current()); });
  return {
    get mode() { return current(); },
    toggle() {
      chosen = current() === 'dark' ? 'light' : 'dark';
      saveThemeMode(chosen);
      onChange(chosen);
    },
  };
}

// applyTheme(element, theme, mode): sets the variables (CSSOM, which CSP allows) and data-theme.
export function applyTheme(element, theme, mode) {
  for (const [name, value] of Object.entries(themeVariables(theme, mode))) element.style.setProperty(name, value);
  element.dataset.theme = mode;
}
