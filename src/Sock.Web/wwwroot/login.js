// The start page: connect as a guest, log in, or register. Only the nick and the choice between
// guest and account are remembered (localStorage); the password never is (the browser's own
// password manager may offer to keep it, which is the user's choice).

const $ = id => document.getElementById(id);
const form = {
  el: $('login-form'), nick: $('login-nick'), nickHint: $('nick-hint'), rooms: $('login-rooms'),
  secret: $('login-secret'), password: $('login-password'), emailField: $('login-email-field'), email: $('login-email'),
  submit: $('login-submit'), status: $('login-status'), error: $('login-error'),
};

const MODES = {
  guest: { button: 'Connect', hint: '', autocomplete: 'current-password' },
  login: { button: 'Log in', hint: '(your account)', autocomplete: 'current-password' },
  register: { button: 'Register', hint: '(becomes your account)', autocomplete: 'new-password' },
};

export function mode() { return form.el.querySelector('input[name="mode"]:checked').value; }

function setMode(value) {
  const radio = form.el.querySelector(`input[name="mode"][value="${value}"]`);
  if (radio) radio.checked = true;
  showMode();
}

function showMode() {
  const m = MODES[mode()];
  form.submit.textContent = m.button;
  form.nickHint.textContent = m.hint;
  form.secret.hidden = mode() === 'guest';
  form.password.required = mode() !== 'guest';
  form.password.autocomplete = m.autocomplete;
  form.emailField.hidden = mode() !== 'register';
}

/** Calls onSubmit({ mode, nick, password, email, rooms }) when the form is sent. */
export function setupLogin(onSubmit) {
  for (const radio of form.el.querySelectorAll('input[name="mode"]')) radio.addEventListener('change', showMode);
  // What the user typed or chose before this script ran (a slow connection) stays as it is.
  if (!form.nick.value) form.nick.value = localStorage.getItem('sock.nick') || '';
  if (mode() === 'guest') setMode(localStorage.getItem('sock.mode') === 'login' ? 'login' : 'guest');
  else showMode();
  form.el.addEventListener('submit', e => {
    e.preventDefault();
    form.error.textContent = '';
    onSubmit({
      mode: mode(), nick: form.nick.value.trim(), password: form.password.value, email: form.email.value.trim(),
      rooms: form.rooms.value.split(',').map(s => s.trim()).filter(Boolean),
    });
  });
  return form;
}

/** Remembers what is not secret: the nick, and whether it is an account. */
export function remember(nick, isAccount) {
  localStorage.setItem('sock.nick', nick);
  localStorage.setItem('sock.mode', isAccount ? 'login' : 'guest');
}

export function busy(text) {
  form.status.textContent = text;
  form.submit.disabled = Boolean(text);
}

/** Back on the start page with the server's reason; the password is asked for again. */
export function showError(text, nextMode) {
  busy('');
  if (nextMode) setMode(nextMode);
  form.error.textContent = text;
  form.password.value = '';
  (mode() === 'guest' ? form.nick : form.password).focus();
}
