// Small SVG charts for the analytics section: a line chart (one or more series) and a bar chart,
// each with a y axis of round ticks, date labels on x, an accessible <title>/<desc>, and a
// <title> on every point so hovering (or a screen reader) gives the exact value. Colors come
// from CSS classes (admin.css), so both themes apply.

import { s } from "./dom.js";

const WIDTH = 560;
const HEIGHT = 240;
const MARGIN = { top: 16, right: 32, bottom: 36, left: 72 };

// Round tick values from 0 to at least `max`: steps of 1, 2, 2.5 or 5 × 10^n.
export function niceTicks(max, count = 4) {
    if (!(max > 0)) return [0, 1];
    const rough = max / count;
    const magnitude = 10 ** Math.floor(Math.log10(rough));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough);
    const ticks = [];
    for (let value = 0; value < max + step / 2; value += step) ticks.push(Number(value.toPrecision(12)));
    if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
    return ticks;
}

// At most `room` evenly spaced label indexes out of n, always the first and the last.
export function labelIndexes(n, room = 6) {
    if (n <= room) return [...Array(n).keys()];
    const step = (n - 1) / (room - 1);
    return [...new Set([...Array(room).keys()].map((i) => Math.round(i * step)))];
}

function frame(title, description) {
    const titleID = `chart-title-${Math.random().toString(36).slice(2)}`;
    const svg = s("svg", {
        viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img", "aria-labelledby": titleID,
        preserveAspectRatio: "xMidYMid meet",
    });
    svg.append(s("title", { id: titleID }, title), s("desc", {}, description));
    return svg;
}

function axes(svg, ticks, format, labels, xFor) {
    const plotBottom = HEIGHT - MARGIN.bottom;
    const top = ticks[ticks.length - 1];
    const yFor = (value) => plotBottom - (value / top) * (plotBottom - MARGIN.top);
    const grid = s("g", { class: "chart-axis", "aria-hidden": "true" });
    for (const tick of ticks) {
        const y = yFor(tick);
        grid.append(
            s("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y, y2: y, class: "chart-grid" }),
            s("text", { x: MARGIN.left - 8, y: y + 4, "text-anchor": "end" }, format(tick)),
        );
    }
    for (const i of labelIndexes(labels.length)) {
        grid.append(s("text", { x: xFor(i), y: HEIGHT - 12, "text-anchor": "middle" }, shortDate(labels[i])));
    }
    grid.append(s("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: plotBottom, y2: plotBottom, class: "chart-baseline" }));
    svg.append(grid);
    return yFor;
}

// "2026-11-21" → "Nov 21"; anything else is shown as given.
function shortDate(text) {
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(text));
    if (!match) return String(text);
    const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    return date.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

function finite(values) {
    return values.filter((v) => typeof v === "number" && Number.isFinite(v));
}

// lineChart({title, description, labels, series: [{name, values, className}], format})
// Missing values (null) break the line instead of drawing it to zero.
export function lineChart({ title, description, labels, series, format = String, max }) {
    const svg = frame(title, description);
    const top = max ?? Math.max(0, ...series.flatMap((one) => finite(one.values)));
    const ticks = niceTicks(top);
    const span = WIDTH - MARGIN.left - MARGIN.right;
    const xFor = (i) => MARGIN.left + (labels.length <= 1 ? span / 2 : (i / (labels.length - 1)) * span);
    const yFor = axes(svg, ticks, format, labels, xFor);
    for (const [index, one] of series.entries()) {
        const group = s("g", { class: `chart-series ${one.className || `series-${index}`}` });
        let path = "";
        let pen = "M";
        one.values.forEach((value, i) => {
            if (typeof value !== "number" || !Number.isFinite(value)) {
                pen = "M";
                return;
            }
            path += `${pen}${xFor(i).toFixed(1)},${yFor(value).toFixed(1)} `;
            pen = "L";
            group.append(s("circle", { cx: xFor(i), cy: yFor(value), r: 3 },
                s("title", {}, `${one.name}, ${labels[i]}: ${format(value)}`)));
        });
        if (path) group.prepend(s("path", { d: path.trim(), fill: "none" }));
        svg.append(group);
    }
    return svg;
}

// barChart({title, description, labels, values, format})
export function barChart({ title, description, labels, values, format = String, className = "series-0" }) {
    const svg = frame(title, description);
    const ticks = niceTicks(Math.max(0, ...finite(values)));
    const span = WIDTH - MARGIN.left - MARGIN.right;
    const slot = span / Math.max(1, labels.length);
    const xFor = (i) => MARGIN.left + slot * (i + 0.5);
    const yFor = axes(svg, ticks, format, labels, xFor);
    const group = s("g", { class: `chart-series chart-bars ${className}` });
    const barWidth = Math.max(1, slot * 0.7);
    values.forEach((value, i) => {
        const v = typeof value === "number" && Number.isFinite(value) ? value : 0;
        const y = yFor(v);
        group.append(s("rect", { x: xFor(i) - barWidth / 2, y, width: barWidth, height: HEIGHT - MARGIN.bottom - y },
            s("title", {}, `${labels[i]}: ${format(v)}`)));
    });
    svg.append(group);
    return svg;
}

// A legend for a multi-series chart (the series' CSS classes color the swatches).
export function legend(series) {
    const list = document.createElement("ul");
    list.className = "chart-legend";
    series.forEach((one, index) => {
        const item = document.createElement("li");
        const swatch = document.createElement("span");
        swatch.className = `chart-swatch ${one.className || `series-${index}`}`;
        swatch.setAttribute("aria-hidden", "true");
        item.append(swatch, document.createTextNode(one.name));
        list.append(item);
    });
    return list;
}
