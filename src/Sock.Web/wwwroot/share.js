// Sharing files: the 📎 button and drag-and-drop onto the chat, a progress bar per upload, and
// the link said in the room it was shared to (so IRC and plain users see it too).
import { fileLimits, uploadFile, size } from './upload.js';

const $ = id => document.getElementById(id);
const ui = {
  chat: $('chat'), button: $('upload-button'), input: $('upload-input'), list: $('uploads'),
  hint: $('drop-hint'), hintRoom: $('drop-room'),
};
const DONE_SHOWN_FOR = 6000;

/** Every upload of this page: { name, size, room, loaded, percent, status, url, error } (tests read it too). */
export const uploads = [];
let hooks = null;

function row(u) {
  const li = document.createElement('li');
  li.className = 'upload';
  const name = document.createElement('span'); name.className = 'name'; name.textContent = u.name;
  const bar = document.createElement('progress'); bar.max = 100; bar.value = 0;
  bar.setAttribute('aria-label', `Uploading ${u.name}`);
  const state = document.createElement('span'); state.className = 'state';
  const close = document.createElement('button');
  close.type = 'button'; close.className = 'icon'; close.textContent = '×';
  close.setAttribute('aria-label', `Cancel ${u.name}`);
  close.addEventListener('click', () => { if (u.abort && u.status === 'uploading') u.abort(); li.remove(); hooks?.focus(); });
  li.append(name, bar, state, close);
  ui.list.append(li);
  return { li, bar, state, close };
}

function update(u) {
  const { li, bar, state, close } = u.view;
  li.dataset.status = u.status;
  bar.value = u.percent;
  if (u.status === 'uploading') state.textContent = `${u.percent}% of ${size(u.size)}`;
  else if (u.status === 'done') { state.textContent = `shared in ${u.room}`; close.setAttribute('aria-label', `Dismiss ${u.name}`); }
  else {
    bar.hidden = true;
    state.textContent = u.error;
    state.setAttribute('role', 'alert');
    close.setAttribute('aria-label', `Dismiss ${u.name}`);
  }
}

// The row shows the file's name; the text says why it was not shared.
function refuse(u, text) {
  u.status = 'error'; u.error = text;
  update(u);
}

function tooBig(file, max) {
  let [have, may] = [size(file.size), size(max)];
  if (have === may) [have, may] = [`${file.size} bytes`, `${max} bytes`]; // "4 MiB; at most 4 MiB" would puzzle
  return `too big: ${have}; files may be at most ${may} here`;
}

/** Uploads each file and says its link in the room that was open when it was chosen. */
export async function share(files) {
  if (!hooks) return;
  const room = hooks.target();
  const limits = await fileLimits();
  for (const file of files) {
    const u = { name: file.name, size: file.size, room, loaded: 0, percent: 0, status: 'uploading', url: null, error: null };
    uploads.push(u);
    u.view = row(u);
    update(u);
    const authorization = hooks.authorization();
    if (!limits.enabled) { refuse(u, 'this server does not share files'); continue; }
    if (!room) { refuse(u, 'open a room to share it in first'); continue; }
    if (!authorization) { refuse(u, 'log in to share files (guests cannot upload)'); continue; }
    if (file.size > limits.maxUpload) { refuse(u, tooBig(file, limits.maxUpload)); continue; }
    const job = uploadFile(file, authorization, (loaded, total) => {
      u.loaded = loaded;
      u.percent = total > 0 ? Math.min(100, Math.floor((loaded * 100) / total)) : 100;
      update(u);
    });
    u.abort = job.abort;
    job.promise.then(result => {
      u.status = 'done'; u.percent = 100; u.url = result.url;
      update(u);
      hooks.say(room, `shared ${result.name} (${size(result.size)}): ${result.url}`);
      setTimeout(() => u.view.li.remove(), DONE_SHOWN_FOR);
    }, e => refuse(u, e.message));
  }
}

const hasFiles = e => e.dataTransfer && [...e.dataTransfer.types].includes('Files');

/**
 * target(): the room to share in; authorization(): HTTP Basic credentials or null (a guest);
 * say(room, text); focus(): back to the message box.
 */
export function setupSharing(h) {
  hooks = h;
  ui.button.addEventListener('click', () => ui.input.click());
  ui.input.addEventListener('change', () => { share([...ui.input.files]); ui.input.value = ''; hooks.focus(); });
  let depth = 0; // dragenter/leave fire for every child crossed
  ui.chat.addEventListener('dragenter', e => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    ui.hintRoom.textContent = hooks.target() || 'this room';
    ui.hint.hidden = false;
  });
  ui.chat.addEventListener('dragover', e => { if (hasFiles(e)) { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; } });
  ui.chat.addEventListener('dragleave', e => { if (hasFiles(e) && --depth <= 0) { depth = 0; ui.hint.hidden = true; } });
  ui.chat.addEventListener('drop', e => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    ui.hint.hidden = true;
    share([...e.dataTransfer.files]);
  });
  // A file dropped beside the chat must not replace the page with itself.
  for (const type of ['dragover', 'drop']) document.addEventListener(type, e => { if (hasFiles(e)) e.preventDefault(); });
}

/** The 📎 button shows when the server shares files. */
export async function showShareButton() {
  ui.button.hidden = !(await fileLimits()).enabled;
}
