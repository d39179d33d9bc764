// Rendering helpers. Everything a user wrote is put into the page as text nodes, never as markup.

export function nickColour(nick) {
  let h = 0;
  for (const ch of nick.toLowerCase()) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return `nick-c${h % 12}`;
}

export function timeOf(tags) {
  const t = tags && tags.time ? new Date(tags.time) : new Date();
  return isNaN(t) ? new Date() : t;
}

export function clock(date) {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/** Appends text to el with http(s) links made clickable (as elements, never as HTML). */
export function appendLinkified(el, text) {
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    if (m.index > last) el.append(document.createTextNode(text.slice(last, m.index)));
    const a = document.createElement('a');
    a.href = m[0];
    a.textContent = m[0];
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    el.append(a);
    last = m.index + m[0].length;
  }
  if (last < text.length) el.append(document.createTextNode(text.slice(last)));
}

/** IRC formatting codes (colours, bold…) are dropped: the text stays readable. */
export function stripFormatting(text) {
  return text.replace(/\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g, '');
}
