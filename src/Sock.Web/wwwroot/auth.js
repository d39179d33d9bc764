// Logging in (SASL PLAIN, IRCv3 sasl 3.2) and registering (draft/account-registration REGISTER)
// while the connection registers, so rooms are joined already logged in. The password stays in
// this object's memory only: reconnects log in again with it, and uploads send it to /files.

const CHUNK = 400; // SASL payloads go in chunks of 400 base64 bytes; an exact multiple ends with "+"

/** UTF-8 text as base64 (btoa alone takes only Latin-1). */
export function base64Utf8(text) {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

// What the server said, made readable on the login page.
function reason(text) {
  return text.replace(/^SASL authentication failed:?\s*/i, '').replace(/^Authentication failed:?\s*/i, '') || 'invalid account name or password';
}

export class AccountAuth {
  /** mode: 'login' or 'register'; account: the account name (the nick when registering). */
  constructor(mode, account, password, email = '') {
    this.mode = mode;
    this.account = account;
    this.password = password;
    this.email = email;
    this.reset();
  }

  reset() { this.holding = false; this.heldWelcome = false; this.afterConnect = false; }

  get caps() { return this.mode === 'register' ? ['draft/account-registration'] : ['sasl']; }

  /** After CAP ACK. True when CAP END waits for the login (or this gave up and closed). */
  begin(irc) {
    if (this.mode === 'login') {
      const mechs = irc.capValues.get('sasl');
      if (!irc.caps.has('sasl') || (mechs && !mechs.split(',').includes('PLAIN'))) return this.fail(irc, 'This server does not offer SASL PLAIN login');
      irc.send('AUTHENTICATE PLAIN');
      this.holding = true;
      return true;
    }
    if (!irc.caps.has('draft/account-registration')) return this.fail(irc, 'This server does not offer account registration');
    const value = irc.capValues.get('draft/account-registration') || '';
    if (value.split(',').includes('before-connect')) { this.sendRegister(irc); this.holding = true; return true; }
    this.afterConnect = true; // --register-before-connect false: REGISTER once connected
    return false;
  }

  sendRegister(irc) { irc.send(`REGISTER * ${this.email || '*'} :${this.password}`); }

  /** A line from the server; true when it was this login's and nobody else needs it. */
  receive(irc, m) {
    const p = m.params;
    switch (m.command) {
      case 'AUTHENTICATE':
        if (p[0] !== '+' || this.mode !== 'login') return true;
        {
          const b64 = base64Utf8(`${this.account}\0${this.account}\0${this.password}`);
          for (let i = 0; i < b64.length; i += CHUNK) irc.send(`AUTHENTICATE ${b64.slice(i, i + CHUNK)}`);
          if (b64.length % CHUNK === 0) irc.send('AUTHENTICATE +');
        }
        return true;
      case '903': case '907': this.succeeded(irc); return true;
      case '902': case '904': case '905': case '906': this.fail(irc, `Login failed: ${reason(p[p.length - 1] ?? '')}`); return true;
      case 'REGISTER':
        if (p[0] === 'SUCCESS') {
          this.mode = 'login'; // the account exists now: a reconnect logs in to it
          this.succeeded(irc);
        } else if (p[0] === 'VERIFICATION_REQUIRED') {
          this.fail(irc, `Account ${p[1]} created, but it must be verified before you can log in: ${p[p.length - 1]}`);
        }
        return true;
      case 'FAIL':
        if (p[0] !== 'REGISTER') return false;
        this.fail(irc, `Registration failed: ${p[p.length - 1]}`);
        return true;
      case '433':
        // Registering names the account after the nick: another nick would register another account.
        if (this.mode !== 'register' || irc.registered) return false;
        this.fail(irc, `Registration failed: the nick ${p[1]} is in use`);
        return true;
      case '376': case '422':
        if (!this.afterConnect) return false;
        this.afterConnect = false;
        this.heldWelcome = true; // rooms wait until the account exists
        this.sendRegister(irc);
        return true;
      default:
        return false;
    }
  }

  succeeded(irc) {
    if (this.holding) { this.holding = false; irc.send('CAP END'); }
    if (this.heldWelcome) { this.heldWelcome = false; irc.emit('registered', irc.nick); }
  }

  fail(irc, text) {
    this.reset();
    irc.emit('auth-failed', text);
    irc.close();
    return true;
  }

  /** HTTP Basic credentials for /files, for the account the server logged us in to. */
  authorization(account) { return `Basic ${base64Utf8(`${account || this.account}:${this.password}`)}`; }
}
