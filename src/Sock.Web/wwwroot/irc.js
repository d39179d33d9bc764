// IRC over WebSocket (IRCv3 text.ircv3.net): one line per frame, tags parsed, CAPs negotiated,
// reconnect with backoff. Knows nothing of the page: it emits events the UI listens to.

const WANTED_CAPS = ['server-time', 'message-tags', 'echo-message', 'multi-prefix', 'batch',
  'draft/chathistory', 'away-notify', 'labeled-response', 'draft/multiline'];

// An IRC line is 512 bytes with its CRLF, tags apart; the server refuses (417) a message that would pass
// it once relayed with our prefix, so a longer one goes as a draft/multiline batch of concatenated parts.
const LINE_BYTES = 510;
const CONCAT = 'draft/multiline-concat';
const utf8 = new TextEncoder();
const bytesOf = s => utf8.encode(s).length;

/** The text in parts of at most `budget` bytes of UTF-8, cut between characters (after a space when one is near). */
export function splitUtf8(text, budget) {
  const parts = [];
  let part = '', bytes = 0, space = -1;
  for (const ch of text) {
    const n = bytesOf(ch);
    if (bytes + n > budget && part) {
      const cut = space >= part.length * 3 / 4 ? space + 1 : part.length;
      parts.push(part.slice(0, cut));
      part = part.slice(cut); bytes = bytesOf(part); space = -1;
    }
    if (ch === ' ') space = part.length;
    part += ch; bytes += n;
  }
  parts.push(part);
  return parts;
}

/** A draft/multiline batch as one message: its lines joined ('\n', or nothing before a concatenated part), with the opening BATCH's tags and source. */
export function joinMultiline(b) {
  if (!b.messages.length) return null;
  const text = b.messages.map((m, i) => (i > 0 && !(CONCAT in m.tags) ? '\n' : '') + (m.params[1] ?? '')).join('');
  return { tags: { ...b.open.tags }, prefix: b.open.prefix, nick: b.open.nick, command: b.messages[0].command, params: [b.target, text] };
}

const TAG_ESCAPES = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };

export function parseLine(line) {
  const msg = { tags: {}, prefix: '', nick: '', command: '', params: [] };
  let i = 0;
  if (line[0] === '@') {
    const end = line.indexOf(' ');
    for (const pair of line.slice(1, end).split(';')) {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const raw = eq < 0 ? '' : pair.slice(eq + 1);
      msg.tags[key] = raw.replace(/\\(.)/g, (_, c) => TAG_ESCAPES[c] ?? c);
    }
    i = end + 1;
  }
  while (line[i] === ' ') i++;
  if (line[i] === ':') {
    const end = line.indexOf(' ', i);
    msg.prefix = line.slice(i + 1, end);
    msg.nick = msg.prefix.split('!')[0];
    i = end + 1;
  }
  const rest = line.slice(i);
  const trailing = rest.indexOf(' :');
  const head = trailing < 0 ? rest : rest.slice(0, trailing);
  const words = head.split(' ').filter(w => w.length > 0);
  msg.command = (words.shift() || '').toUpperCase();
  msg.params = words;
  if (trailing >= 0) msg.params.push(rest.slice(trailing + 2));
  else if (rest.startsWith(':')) msg.params = [rest.slice(1)];
  return msg;
}

export class IrcClient extends EventTarget {
  /** auth: an AccountAuth to log in or register with while connecting, or null for a guest. */
  constructor(url, nick, auth = null) {
    super();
    this.url = url;
    this.nick = nick;
    this.auth = auth;
    this.account = null;
    this.caps = new Set();
    this.capValues = new Map();
    this.isupport = {};
    this.registered = false;
    this.backoff = 1000;
    this.closedByUser = false;
    this.batches = new Map();
    this.batchSeq = 0;
    this.prefix = null; // nick!user@host as the server relays it (seen on our own JOIN)
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }

  connect() {
    this.closedByUser = false;
    const ws = new WebSocket(this.url, ['text.ircv3.net']);
    this.ws = ws;
    this.caps.clear();
    this.capValues.clear();
    this.registered = false;
    this.account = null;
    if (this.auth) this.auth.reset();
    ws.onopen = () => {
      this.emit('status', 'registering');
      this.send('CAP LS 302');
      this.send(`NICK ${this.nick}`);
      this.send(`USER ${this.nick.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 10) || 'web'} 0 * :sock web client`);
    };
    ws.onmessage = e => { if (typeof e.data === 'string') this.receive(e.data); };
    ws.onclose = () => {
      const was = this.registered;
      this.registered = false;
      this.emit('status', 'disconnected');
      if (this.closedByUser) return;
      // Back off 1 s, 2 s, 4 s … up to 30 s; a connection that had registered starts again at 1 s.
      const delay = was ? 1000 : this.backoff;
      this.backoff = Math.min(this.backoff * 2, 30000);
      this.emit('reconnecting', delay);
      setTimeout(() => this.connect(), delay);
    };
  }

  close() {
    this.closedByUser = true;
    if (this.ws) this.ws.close();
  }

  send(line) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(line);
  }

  receive(line) {
    const m = parseLine(line);
    if (m.command === 'PING') { this.send(`PONG :${m.params[0] ?? ''}`); return; }
    if (m.command === 'CAP') { this.onCap(m); return; }
    if (m.command === 'BATCH') { this.onBatch(m); return; }
    if (this.auth && this.auth.receive(this, m)) return;
    if (m.command === '900') { this.account = m.params[2]; this.emit('account', this.account); }
    if (m.command === '901') { this.account = null; this.emit('account', null); }
    if (m.command === '001') {
      this.nick = m.params[0];
      this.registered = true;
      this.backoff = 1000;
    }
    if (m.command === '005') {
      for (const token of m.params.slice(1, -1)) {
        const [k, v] = token.split('=');
        this.isupport[k] = v ?? true;
      }
    }
    if (m.command === '376' || m.command === '422') this.emit('registered', this.nick);
    if (m.command === 'NICK' && m.nick === this.nick) { this.nick = m.params[0]; if (this.prefix) this.prefix = this.nick + this.prefix.slice(this.prefix.indexOf('!')); }
    if (m.command === 'JOIN' && m.nick === this.nick) this.prefix = m.prefix;
    if (m.command === '433' && !this.registered) {
      this.nick = this.nick.slice(0, 28) + '_';
      this.send(`NICK ${this.nick}`);
      return;
    }
    this.deliver(m);
  }

  /** A message to its batch when it belongs to an open one, else to the page. */
  deliver(m) {
    const batch = m.tags.batch && this.batches.get(m.tags.batch);
    if (batch) { batch.messages.push(m); return; }
    this.emit('message', m);
  }

  /**
   * PRIVMSG of any length: one line when it fits, else a draft/multiline batch of concatenated parts
   * (several messages without the cap). Returns an error text when the server's multiline limits refuse it.
   */
  say(target, text) {
    const head = `PRIVMSG ${target} :`;
    // Until our JOIN has shown the prefix, assume a long one (a 64-byte host).
    const prefix = this.prefix ?? `${this.nick}!${'u'.repeat(10)}@${'h'.repeat(64)}`;
    const parts = splitUtf8(text, LINE_BYTES - bytesOf(`:${prefix} ${head}`));
    if (parts.length === 1) { this.send(head + text); return null; }
    if (!this.caps.has('draft/multiline')) { for (const p of parts) this.send(head + p); return null; }
    const limits = Object.fromEntries((this.capValues.get('draft/multiline') || '').split(',').map(kv => kv.split('=')));
    const maxBytes = Number(limits['max-bytes'] || Infinity), maxLines = Number(limits['max-lines'] || Infinity);
    if (bytesOf(text) > maxBytes || parts.length > maxLines) return `Message too long: ${bytesOf(text)} bytes, the server takes ${maxBytes}`;
    const id = `w${++this.batchSeq}`;
    this.send(`BATCH +${id} draft/multiline ${target}`);
    parts.forEach((p, i) => this.send(`@batch=${id}${i ? ';' + CONCAT : ''} ${head}${p}`));
    this.send(`BATCH -${id}`);
    return null;
  }

  onCap(m) {
    const sub = m.params[1];
    const entries = m.params[m.params.length - 1].split(' ').filter(Boolean);
    const list = entries.map(c => c.split('=')[0]);
    if (sub === 'LS') {
      for (const c of entries) { const eq = c.indexOf('='); if (eq > 0) this.capValues.set(c.slice(0, eq), c.slice(eq + 1)); }
      const offered = new Set(list);
      const more = m.params[2] === '*';
      this.offered = [...(this.offered || []), ...offered];
      if (more) return;
      const want = [...WANTED_CAPS, ...(this.auth ? this.auth.caps : [])].filter(c => this.offered.includes(c));
      this.offered = [];
      if (want.length) this.send(`CAP REQ :${want.join(' ')}`);
      else this.endCaps();
    } else if (sub === 'ACK') {
      for (const c of list) this.caps.add(c);
      this.endCaps();
    } else if (sub === 'NAK') {
      this.endCaps();
    }
  }

  // A login holds CAP END back until it has succeeded (or closes the connection when it fails).
  endCaps() {
    if (this.auth && this.auth.begin(this)) return;
    this.send('CAP END');
  }

  onBatch(m) {
    const ref = m.params[0];
    if (ref[0] === '+') {
      this.batches.set(ref.slice(1), { type: m.params[1], target: m.params[2], messages: [], open: m });
    } else {
      const b = this.batches.get(ref.slice(1));
      this.batches.delete(ref.slice(1));
      if (!b) return;
      // One message of several lines: delivered as one (into the history batch it may sit in).
      if (b.type === 'draft/multiline') { const joined = joinMultiline(b); if (joined) this.deliver(joined); }
      else this.emit('batch', b);
    }
  }

  get hasHistory() { return this.caps.has('draft/chathistory') || 'CHATHISTORY' in this.isupport; }
  get canType() { return this.caps.has('message-tags'); }
}
