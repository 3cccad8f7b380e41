// Server-sent events read from a fetch() response. EventSource only issues GETs, and a question is a
// POST with a JSON body, so the stream is parsed here (the WHATWG event-stream format).

// splitEvents(buffer) → [events, rest]: the complete events in buffer and the unfinished tail,
// which the caller keeps until more bytes arrive. Comments (":" lines, heartbeats) are skipped.
export function splitEvents(buffer) {
  // A chunk may end between "\r" and "\n": hold the "\r" back so it is not read as two line ends.
  let held = '';
  if (buffer.endsWith('\r')) { held = '\r'; buffer = buffer.slice(0, -1); }
  const text = buffer.replace(/\r\n?/g, '\n');
  const blocks = text.split('\n\n');
  const rest = blocks.pop() + held;
  const events = [];
  for (const block of blocks) {
    const event = { event: 'message', data: [], id: null };
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') event.data.push(value);
      else if (field === 'event') event.event = value;
      else if (field === 'id') event.id = value;
    }
    // Per the format, a block without data lines dispatches nothing.
    if (event.data.length) events.push({ event: event.event, data: event.data.join('\n'), id: event.id });
  }
  return [events, rest];
}

// readEventStream(body, onEvent): calls onEvent({event, data, id}) for each event of a
// ReadableStream of bytes, until the stream ends. An unterminated last event is dropped, as
// EventSource does: it may be cut mid-way.
export async function readEventStream(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    let events;
    [events, buffer] = splitEvents(buffer + value);
    for (const event of events) onEvent(event);
  }
}
