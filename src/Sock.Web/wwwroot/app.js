// The sock web client: rooms, members, history, typing, slash commands; IRC over the WebSocket.
import { IrcClient } from './irc.js';
import { nickColour, timeOf, clock, appendLinkified, stripFormatting } from './format.js';
import { AccountAuth } from './auth.js';
import { setupLogin, remember, busy, showError } from './login.js';
import { setupSharing, showShareButton, uploads } from './share.js';

const $ = id => document.getElementById(id);
const ui = {
  login: $('login'), loginNick: $('login-nick'), loginRooms: $('login-rooms'), loginError: $('login-error'),
  chat: $('chat'), roomName: $('room-name'), roomTopic: $('room-topic'), status: $('status'),
  roomList: $('room-list'), joinForm: $('join-form'), joinInput: $('join-input'),
  log: $('log'), memberList: $('member-list'), memberCount: $('member-count'), typing: $('typing'),
  composer: $('composer'), input: $('input'), rooms: $('rooms'), members: $('members'),
  toggleRooms: $('toggle-rooms'), toggleMembers: $('toggle-members'),
};

const TYPING_SEND_EVERY = 3000, TYPING_SHOWN_FOR = 6000, HISTORY_PAGE = 50;
const PREFIX_RANK = { '@': 0, '+': 1, '': 2 };
const rooms = new Map();   // name (lower case) → room state; private conversations are keyed by nick
let irc = null, current = null, wanted = [], focusOnJoin = false, selectOnJoin = null;

const isChannel = name => name.startsWith('#');
const key = name => name.toLowerCase();

function room(name) {
  let r = rooms.get(key(name));
  if (!r) {
    r = { name, messages: [], ids: new Set(), unread: 0, mention: false, members: new Map(), topic: '',
      typing: new Map(), joined: false, loadingOlder: false, noOlder: false };
    rooms.set(key(name), r);
    renderRooms();
  }
  return r;
}

// ---- messages -------------------------------------------------------------------------------

function addMessage(r, m) {
  if (m.id && r.ids.has(m.id)) return false; // a catch-up or scrollback overlap: never shown twice
  if (m.id) r.ids.add(m.id);
  const list = r.messages;
  let i = list.length;
  while (i > 0 && list[i - 1].time > m.time) i--;
  list.splice(i, 0, m);
  if (r === current && i === list.length - 1) appendToLog(m, true);
  else if (r === current) renderLog(true);
  if (r !== current || document.hidden) {
    if (m.kind === 'msg' || m.kind === 'action') { r.unread++; if (m.mention) r.mention = true; renderRooms(); }
  }
  return true;
}

function system(r, text, kind = 'system', tags) {
  addMessage(r, { kind, nick: '', text, time: timeOf(tags), id: tags && tags.msgid ? tags.msgid : null });
}

function messageElement(m) {
  const row = document.createElement('div');
  row.className = `msg ${m.kind}${m.mention ? ' mention' : ''}`;
  const t = document.createElement('time');
  t.dateTime = m.time.toISOString();
  t.textContent = clock(m.time);
  t.title = m.time.toLocaleString();
  const body = document.createElement('div');
  body.className = 'body';
  if (m.nick) {
    const n = document.createElement('span');
    n.className = `nick ${nickColour(m.nick)}`;
    n.textContent = m.kind === 'action' ? `* ${m.nick}` : m.nick;
    body.append(n, ' ');
  }
  const text = document.createElement('span');
  text.className = 'text';
  appendLinkified(text, m.text);
  body.append(text);
  row.append(t, body);
  return row;
}

function nearBottom() { return ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 60; }

function appendToLog(m, follow) {
  const stick = nearBottom();
  ui.log.append(messageElement(m));
  if (follow && stick) ui.log.scrollTop = ui.log.scrollHeight;
}

function renderLog(keepPosition) {
  const fromBottom = ui.log.scrollHeight - ui.log.scrollTop;
  const stick = nearBottom();
  ui.log.replaceChildren();
  if (!current) return;
  if (current.noOlder && isChannel(current.name)) {
    const o = document.createElement('div'); o.className = 'older'; o.textContent = 'Start of history'; ui.log.append(o);
  }
  for (const m of current.messages) ui.log.append(messageElement(m));
  ui.log.scrollTop = keepPosition && !stick ? ui.log.scrollHeight - fromBottom : ui.log.scrollHeight;
}

// ---- rooms and members ----------------------------------------------------------------------

function renderRooms() {
  ui.roomList.replaceChildren();
  for (const r of rooms.values()) {
    if (isChannel(r.name) && !r.joined) continue;
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.setAttribute('aria-current', r === current ? 'true' : 'false');
    const label = document.createElement('span'); label.textContent = r.name;
    b.append(label);
    if (r.unread > 0) {
      const u = document.createElement('span'); u.className = 'unread';
      u.textContent = String(r.unread); u.setAttribute('aria-label', `${r.unread} unread${r.mention ? ', mentioned' : ''}`);
      b.append(u);
    }
    b.addEventListener('click', () => { select(r); ui.rooms.classList.remove('open'); ui.input.focus(); });
    li.append(b);
    ui.roomList.append(li);
  }
}

function renderMembers() {
  ui.memberList.replaceChildren();
  if (!current || !isChannel(current.name)) { ui.memberCount.textContent = ''; return; }
  const sorted = [...current.members].sort(([a, pa], [b, pb]) =>
    (PREFIX_RANK[pa[0] ?? ''] ?? 2) - (PREFIX_RANK[pb[0] ?? ''] ?? 2) || a.localeCompare(b));
  ui.memberCount.textContent = `${sorted.length} here`;
  for (const [nick, prefix] of sorted) {
    const li = document.createElement('li');
    const p = document.createElement('span'); p.className = 'prefix'; p.textContent = prefix[0] ?? '';
    p.title = prefix.includes('@') ? 'operator' : prefix.includes('+') ? 'voice' : '';
    const n = document.createElement('span'); n.className = nickColour(nick); n.textContent = nick;
    li.append(p, n);
    ui.memberList.append(li);
  }
}

function renderTyping() {
  const names = current ? [...current.typing.keys()] : [];
  ui.typing.textContent = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
}

function select(r) {
  current = r;
  r.unread = 0; r.mention = false;
  ui.roomName.textContent = r.name;
  ui.roomTopic.textContent = r.topic;
  document.title = `${r.name} — sock chat`;
  renderRooms(); renderMembers(); renderLog(false); renderTyping();
  maybeLoadOlder();
}

function rename(from, to) {
  for (const r of rooms.values()) {
    if (r.members.has(from)) { const p = r.members.get(from); r.members.delete(from); r.members.set(to, p); system(r, `${from} is now known as ${to}`); }
  }
  renderMembers();
}

function setPrefix(r, nick, symbol, on) {
  if (!r.members.has(nick)) return;
  let p = r.members.get(nick).replace(symbol, '');
  if (on) p = [...new Set((p + symbol).split(''))].sort((a, b) => PREFIX_RANK[a] - PREFIX_RANK[b]).join('');
  r.members.set(nick, p);
}

// ---- history --------------------------------------------------------------------------------

function historyRef(m) { return m.id ? `msgid=${m.id}` : `timestamp=${m.time.toISOString()}`; }

function maybeLoadOlder() {
  const r = current;
  if (!r || !irc || !irc.registered || !irc.hasHistory || !isChannel(r.name) || r.loadingOlder || r.noOlder || !r.joined) return;
  if (ui.log.scrollTop > 40 && ui.log.scrollHeight > ui.log.clientHeight) return;
  const oldest = r.messages.find(m => m.kind !== 'system' || m.id);
  if (!oldest) return;
  r.loadingOlder = true;
  irc.send(`CHATHISTORY BEFORE ${r.name} ${historyRef(oldest)} ${HISTORY_PAGE}`);
}

function onHistoryBatch(b) {
  const r = room(b.target);
  let added = 0;
  if (r.loadingOlder) {
    // Older lines go in front as a block, in the server's order (many share a millisecond).
    const older = b.messages.map(m => chatMessage(m)).filter(x => x && x.r === r && !(x.m.id && r.ids.has(x.m.id))).map(x => x.m);
    for (const m of older) if (m.id) r.ids.add(m.id);
    r.messages.unshift(...older);
    added = older.length;
    r.loadingOlder = false;
    if (b.messages.length < HISTORY_PAGE) r.noOlder = true; // a short page reached the start
    if (r === current) renderLog(true);
  } else {
    for (const m of b.messages) if (handleChat(m, true)) added++;
  }
  if (r === current) setTimeout(maybeLoadOlder, 0);
}

// ---- IRC events -----------------------------------------------------------------------------

function conversationFor(m) {
  const target = m.params[0];
  if (isChannel(target)) return room(target);
  return room(m.nick === irc.nick ? target : m.nick);
}

/** A PRIVMSG/NOTICE as a displayable message and its conversation, or null (CTCP, server notices). */
function chatMessage(m) {
  if (m.command !== 'PRIVMSG' && m.command !== 'NOTICE') return null;
  if (!m.nick || m.nick.includes('.')) return null;
  const r = conversationFor(m);
  let text = stripFormatting(m.params[1] ?? '');
  let kind = m.command === 'NOTICE' ? 'notice' : 'msg';
  const action = /^\x01ACTION (.*)\x01?$/.exec(m.params[1] ?? '');
  if (action) { kind = 'action'; text = stripFormatting(action[1].replace(/\x01$/, '')); }
  else if (text.startsWith('\x01')) return null;
  const mention = m.nick !== irc.nick && new RegExp(`\\b${irc.nick.replace(/[^\w]/g, '\\$&')}\\b`, 'i').test(text);
  return { r, m: { kind, nick: m.nick, text, time: timeOf(m.tags), id: m.tags.msgid || null, mention } };
}

/** PRIVMSG/NOTICE, live or from history; true when it was new. */
function handleChat(m, fromHistory = false) {
  if ((m.command === 'PRIVMSG' || m.command === 'NOTICE') && (!m.nick || m.nick.includes('.'))) {
    if (!fromHistory) system(current || room('server'), stripFormatting(m.params[1] ?? ''), 'notice');
    return false;
  }
  const x = chatMessage(m);
  if (!x) return false;
  x.r.typing.delete(m.nick); if (x.r === current) renderTyping();
  return addMessage(x.r, x.m);
}

function onMessage(m) {
  const p = m.params;
  switch (m.command) {
    case 'PRIVMSG': case 'NOTICE': handleChat(m); break;
    case 'JOIN': {
      const r = room(p[0]);
      if (m.nick === irc.nick) {
        r.joined = true; r.members.clear(); r.noOlder = false;
        const last = [...r.messages].reverse().find(x => x.id && x.kind !== 'system');
        if (irc.hasHistory) irc.send(last ? `CHATHISTORY AFTER ${r.name} ${historyRef(last)} 100` : `CHATHISTORY LATEST ${r.name} * ${HISTORY_PAGE}`);
        if (!current || !current.joined || selectOnJoin === key(r.name) || current === r) { selectOnJoin = null; select(r); } else renderRooms();
        if (focusOnJoin) { focusOnJoin = false; ui.input.focus(); }
      } else {
        r.members.set(m.nick, ''); system(r, `${m.nick} joined`, 'system', m.tags);
        if (r === current) renderMembers();
      }
      break;
    }
    case 'PART': case 'KICK': {
      const r = room(p[0]);
      const who = m.command === 'KICK' ? p[1] : m.nick;
      r.members.delete(who);
      system(r, m.command === 'KICK' ? `${who} was kicked by ${m.nick}${p[2] ? ` (${p[2]})` : ''}` : `${who} left${p[1] ? ` (${p[1]})` : ''}`, 'system', m.tags);
      if (who === irc.nick) {
        r.joined = false;
        if (r === current) { const next = [...rooms.values()].find(x => x.joined); if (next) select(next); else renderRooms(); }
        else renderRooms();
      }
      if (r === current) renderMembers();
      break;
    }
    case 'QUIT':
      for (const r of rooms.values()) if (r.members.delete(m.nick)) system(r, `${m.nick} quit${p[0] ? ` (${p[0]})` : ''}`, 'system', m.tags);
      renderMembers();
      break;
    case 'NICK': rename(m.nick, p[0]); break;
    case 'TOPIC': { const r = room(p[0]); r.topic = p[1] ?? ''; system(r, `${m.nick} set the topic: ${r.topic}`, 'system', m.tags); if (r === current) ui.roomTopic.textContent = r.topic; break; }
    case '332': { const r = room(p[1]); r.topic = p[2] ?? ''; if (r === current) ui.roomTopic.textContent = r.topic; break; }
    case '353': {
      const r = room(p[2]);
      for (const entry of (p[3] ?? '').split(' ').filter(Boolean)) {
        const nick = entry.replace(/^[@+]+/, '');
        r.members.set(nick.split('!')[0], entry.slice(0, entry.length - nick.length));
      }
      if (r === current) renderMembers();
      break;
    }
    case 'MODE': {
      if (!isChannel(p[0])) break;
      const r = room(p[0]);
      let on = true, arg = 2;
      for (const c of p[1] ?? '') {
        if (c === '+' || c === '-') { on = c === '+'; continue; }
        if (c === 'o' || c === 'v') setPrefix(r, p[arg++], c === 'o' ? '@' : '+', on);
        else if ('beIkl'.includes(c)) arg += c === 'l' && !on ? 0 : 1;
      }
      system(r, `${m.nick} sets mode ${p.slice(1).join(' ')}`, 'system', m.tags);
      if (r === current) renderMembers();
      break;
    }
    case 'TAGMSG': {
      const state = m.tags['+typing'];
      if (!state || m.nick === irc.nick) break;
      const r = conversationFor(m);
      clearTimeout(r.typing.get(m.nick));
      if (state === 'active' || state === 'paused') r.typing.set(m.nick, setTimeout(() => { r.typing.delete(m.nick); if (r === current) renderTyping(); }, TYPING_SHOWN_FOR));
      else r.typing.delete(m.nick);
      if (r === current) renderTyping();
      break;
    }
    case 'FAIL':
      if (p[0] === 'CHATHISTORY') { for (const r of rooms.values()) r.loadingOlder = false; break; }
      system(current || room('server'), `${p[0]}: ${p[p.length - 1]}`, 'error');
      break;
    case 'ERROR': system(current || room('server'), p[0] ?? 'error', 'error'); break;
    default:
      if (/^[45]\d\d$/.test(m.command)) {
        if (!irc.registered) { ui.loginError.textContent = p[p.length - 1]; }
        system(current || room('server'), p.slice(1).join(' '), 'error');
      }
  }
}

// ---- input: slash commands as a table -------------------------------------------------------

function say(target, text) {
  if (!target) return;
  const refused = irc.say(target, text);
  if (refused) { system(current || room('server'), refused, 'error'); return; }
  // Without echo-message the server does not send our own line back; show it ourselves.
  if (!irc.caps.has('echo-message')) addMessage(room(target), { kind: 'msg', nick: irc.nick, text, time: new Date(), id: null });
}

const COMMANDS = {
  join: args => {
    for (const r of args.split(/[ ,]+/).filter(Boolean)) {
      const name = isChannel(r) ? r : `#${r}`;
      wanted.push(name); selectOnJoin = key(name); irc.send(`JOIN ${name}`);
    }
  },
  part: args => { const [first, ...rest] = args.split(' '); const name = isChannel(first) ? first : current?.name; irc.send(`PART ${name}${(isChannel(first) ? rest.join(' ') : args) ? ` :${isChannel(first) ? rest.join(' ') : args}` : ''}`); },
  msg: args => { const sp = args.indexOf(' '); if (sp < 0) return usage('/msg NICK text'); const to = args.slice(0, sp); say(to, args.slice(sp + 1)); if (!isChannel(to)) select(room(to)); },
  me: args => say(current?.name, `\x01ACTION ${args}\x01`),
  nick: args => irc.send(`NICK ${args.trim()}`),
  topic: args => irc.send(args ? `TOPIC ${current?.name} :${args}` : `TOPIC ${current?.name}`),
  quote: args => irc.send(args),
  help: () => system(current, 'Commands: /join #room, /part [#room] [reason], /msg NICK text, /me action, /nick NEW, /topic [text], /quote RAW. Alt+↑/↓ switches rooms; Esc returns here.'),
};
COMMANDS.j = COMMANDS.join; COMMANDS.query = COMMANDS.msg;

function usage(text) { system(current, `usage: ${text}`, 'error'); }

function submit(text) {
  if (!text) return;
  if (text.startsWith('/') && !text.startsWith('//')) {
    const sp = text.indexOf(' ');
    const name = (sp < 0 ? text.slice(1) : text.slice(1, sp)).toLowerCase();
    const args = sp < 0 ? '' : text.slice(sp + 1).trim();
    const cmd = COMMANDS[name];
    if (cmd) cmd(args); else system(current, `unknown command /${name} (try /help)`, 'error');
    return;
  }
  say(current?.name, text.startsWith('//') ? text.slice(1) : text);
  lastTyping = 0;
}

let lastTyping = 0;
ui.input.addEventListener('input', () => {
  const text = ui.input.value;
  if (!irc || !irc.canType || !current || text.startsWith('/')) return;
  const now = Date.now();
  if (text && now - lastTyping > TYPING_SEND_EVERY) { lastTyping = now; irc.send(`@+typing=active TAGMSG ${current.name}`); }
  if (!text && lastTyping) { lastTyping = 0; irc.send(`@+typing=done TAGMSG ${current.name}`); }
});

ui.composer.addEventListener('submit', e => {
  e.preventDefault();
  submit(ui.input.value.trim());
  ui.input.value = '';
});

ui.joinForm.addEventListener('submit', e => {
  e.preventDefault();
  if (ui.joinInput.value.trim()) COMMANDS.join(ui.joinInput.value.trim());
  ui.joinInput.value = '';
  ui.input.focus();
});

// Keyboard: Alt+↑/↓ between rooms, Esc back to the message box, Tab completes a nick.
document.addEventListener('keydown', e => {
  if (ui.chat.hidden) return;
  if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
    const list = [...rooms.values()].filter(r => r.joined || !isChannel(r.name));
    const i = list.indexOf(current);
    const next = list[(i + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length];
    if (next) { select(next); ui.input.focus(); }
    e.preventDefault();
  } else if (e.key === 'Escape') {
    ui.rooms.classList.remove('open'); ui.members.classList.remove('open'); ui.input.focus();
  }
});
ui.input.addEventListener('keydown', e => {
  if (e.key !== 'Tab' || !current) return;
  const words = ui.input.value.split(' ');
  const partial = words[words.length - 1].toLowerCase();
  if (!partial) return;
  const match = [...current.members.keys()].find(n => n.toLowerCase().startsWith(partial));
  if (match) { e.preventDefault(); words[words.length - 1] = words.length === 1 ? `${match}: ` : `${match} `; ui.input.value = words.join(' '); }
});

ui.log.addEventListener('scroll', () => { if (ui.log.scrollTop < 40) maybeLoadOlder(); });
document.addEventListener('visibilitychange', () => { if (!document.hidden && current) { current.unread = 0; renderRooms(); } });

for (const [button, panel] of [[ui.toggleRooms, ui.rooms], [ui.toggleMembers, ui.members]]) {
  button.addEventListener('click', () => { const open = panel.classList.toggle('open'); button.setAttribute('aria-expanded', String(open)); });
}

// ---- connecting -----------------------------------------------------------------------------

function showChat() {
  ui.login.hidden = true;
  ui.chat.hidden = false;
  showShareButton();
}

/** auth: null for a guest, else { mode: 'login'|'register', password, email }. */
function start(nick, roomsWanted, auth = null) {
  wanted = roomsWanted.map(r => (isChannel(r) ? r : `#${r}`));
  if (irc) irc.close();
  const account = auth ? new AccountAuth(auth.mode, nick, auth.password, auth.email) : null;
  // A guest sees the chat at once; a login stays on the start page until the server has said yes.
  if (account) busy(auth.mode === 'register' ? 'Registering…' : 'Logging in…'); else { remember(nick, false); showChat(); }
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
  const client = new IrcClient(url, nick, account);
  irc = client;
  client.addEventListener('message', e => onMessage(e.detail));
  client.addEventListener('batch', e => { if (e.detail.type === 'chathistory') onHistoryBatch(e.detail); });
  client.addEventListener('status', e => { ui.status.textContent = e.detail === 'disconnected' ? 'disconnected' : 'connecting…'; });
  client.addEventListener('reconnecting', e => { ui.status.textContent = `reconnecting in ${Math.round(e.detail / 1000)} s…`; });
  client.addEventListener('auth-failed', e => {
    if (irc !== client) return;
    // The start page again, with the reason (an account that exists now is logged in to next time).
    ui.chat.hidden = true; ui.login.hidden = false;
    showError(e.detail, client.auth.mode);
  });
  client.addEventListener('registered', () => {
    if (irc !== client) return;
    if (account && ui.chat.hidden) { busy(''); remember(nick, true); showChat(); }
    ui.status.textContent = client.account ? `connected as ${client.nick} (account ${client.account})` : `connected as ${client.nick}`;
    // After a reconnect, every room we were in is joined again (and caught up by CHATHISTORY AFTER).
    const again = [...rooms.values()].filter(r => r.joined).map(r => r.name);
    for (const r of rooms.values()) r.joined = false;
    const all = [...new Set([...wanted, ...again].map(key))].map(k => [...wanted, ...again].find(n => key(n) === k));
    if (all.length) client.send(`JOIN ${all.join(',')}`);
  });
  client.connect();
}

setupLogin(({ mode, nick, password, email, rooms: roomsWanted }) => {
  focusOnJoin = true;
  start(nick, roomsWanted, mode === 'guest' ? null : { mode, password, email });
});

setupSharing({
  target: () => current?.name ?? null,
  authorization: () => (irc && irc.auth && irc.account ? irc.auth.authorization(irc.account) : null),
  say: (target, text) => say(target, text),
  focus: () => ui.input.focus(),
});

const params = new URLSearchParams(location.search);
if (params.get('nick')) ui.loginNick.value = params.get('nick');
if (params.get('join')) ui.loginRooms.value = params.get('join');
if (params.get('nick')) {
  // A shared link (/?nick=NAME&join=%23room): connect and join at once, then type.
  focusOnJoin = true;
  start(params.get('nick'), (params.get('join') || '#lobby').split(',').map(s => s.trim()).filter(Boolean));
}
window.sockChat = { rooms, uploads, get irc() { return irc; } }; // for tests and the curious
