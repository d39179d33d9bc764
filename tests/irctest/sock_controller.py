"""irctest controller for `sock chat serve`.

Modelled on irctest/controllers/ngircd.py. irctest starts one server per test and
asks for what that test needs (a connection password, TLS, history, services, a
WebSocket listener); this controller turns that into `sock chat serve` flags.

The server binary: env SOCK_BIN (an executable, or a `sock.dll` run with `dotnet`),
default the Debug build of src/Sock.Cli in this repository.

Run it with tests/irctest/run.sh (it patches irctest's conftest.py for Debian's
pytest and puts this directory on PYTHONPATH), e.g.
    tests/irctest/run.sh --controller sock -k Lusers
"""

import os
from pathlib import Path
import shutil
import socket
import time
from typing import List, Optional, Set, Type

from irctest import patma
from irctest.basecontrollers import BaseServerController, DirectoryBasedController, ProcessStopped
from irctest.runner import NotImplementedByController
from irctest.specifications import Capabilities

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO / "src" / "Sock.Cli" / "bin" / "Debug" / "net10.0" / "sock"

SERVER_NAME = "My.Little.Server"  # irctest expects this name in numerics
SERVICES_SERVER_NAME = "My.Little.Services"  # the services' server in irctest's other controllers
OPER = "operuser:operpassword"  # the operator irctest's OPER/KILL/WALLOPS tests use
HISTORY = 1000  # messages kept per channel: more than any chathistory test sends
MOTD = "irctest server: sock chat serve"
SERVER_INFO = "test server"  # the description every irctest controller gives (LINKS checks it)


def sock_command() -> List[str]:
    """The argv prefix that runs sock: SOCK_BIN, or the repository's Debug build."""
    path = Path(os.environ.get("SOCK_BIN") or DEFAULT_BIN)
    if not path.exists():
        raise FileNotFoundError(
            f"sock binary not found at {path}: build it (dotnet build src/Sock.Cli) "
            "or set SOCK_BIN to the executable or to sock.dll"
        )
    if path.suffix == ".dll":
        return [shutil.which("dotnet") or "dotnet", str(path)]
    return [str(path)]


class SockController(BaseServerController, DirectoryBasedController):
    software_name = "Sock"
    # EXTERNAL needs a client certificate registered with NickServ CERT ADD; irctest's
    # EXTERNAL tests bring their own certificates, which sock takes, so it is listed too.
    supported_sasl_mechanisms: Set[str] = {"PLAIN", "SCRAM-SHA-256"}
    supports_sts = False
    # $m:nick!user@host (src/Sock.Chat/ExtBans.cs): irctest cannot discover a mute extban's letter.
    extban_mute_char = "m"
    # Capabilities sock advertises (of those irctest knows): a CAP NAK of one of these is a
    # failure, not a skip. Add each one the server starts to offer.
    capabilities = frozenset(
        {
            Capabilities.ACCOUNT_NOTIFY,
            Capabilities.ACCOUNT_TAG,
            Capabilities.AWAY_NOTIFY,
            Capabilities.BATCH,
            Capabilities.ECHO_MESSAGE,
            Capabilities.EXTENDED_JOIN,
            Capabilities.EXTENDED_MONITOR,
            Capabilities.LABELED_RESPONSE,
            Capabilities.MESSAGE_REDACTION,
            Capabilities.MESSAGE_TAGS,
            Capabilities.MULTILINE,
            Capabilities.READ_MARKER,
            Capabilities.MULTI_PREFIX,
            Capabilities.SERVER_TIME,
            Capabilities.SETNAME,
        }
    )
    # ISUPPORT values sock must send (isupport.py::testValues checks them). Add a token here
    # when the server starts enforcing it (BOT, ELIST, INVEX, MONITOR, WHOX, ...).
    isupport = {
        "CHANTYPES": "#",
        "CHATHISTORY": str(HISTORY),  # from --history: the flag reaches ISUPPORT
        "NETWORK": patma.ANYSTR,
        "ELIST": "CMNTU",  # LIST filters: creation time, masks, negated masks, topic age, user counts
        "STATUSMSG": "@+",  # PRIVMSG @#chan / +#chan
    }
    # Poll for the listening port often: sock is up in well under a second.
    _port_wait_interval = 0.02

    def _ergo_always_on(self) -> Optional[str]:
        """The always-on policy a test asks Ergo for (its ergo_config hook, run on an empty config), if any."""
        hook = getattr(self.test_config, "ergo_config", None)
        if hook is None:
            return None
        config: dict = {"accounts": {"multiclient": {}}}
        try:
            hook(config)
        except (KeyError, TypeError):
            return None  # it changes parts of Ergo's config sock has no counterpart for
        value = config["accounts"]["multiclient"].get("always-on")
        return value if value in ("off", "opt-in", "opt-out") else None

    def run(
        self,
        hostname: str,
        port: int,
        *,
        password: Optional[str],
        ssl: bool,
        run_services: bool,
        faketime: Optional[str],
        websocket_hostname: Optional[str],
        websocket_port: Optional[int],
    ) -> None:
        # run_services: sock has no separate services process to start (its NickServ and
        # ChanServ are built in); they are shown on a services server of their own (below).
        assert self.proc is None
        self.port = port
        self.hostname = hostname
        self.create_config()
        assert self.directory

        args = [
            "chat",
            "serve",
            "--bind",
            hostname,
            "--port",
            str(port),
            "--name",
            SERVER_NAME,
            "--oper",
            OPER,
            "--history",
            str(HISTORY),
            "--motd",
            MOTD,
            "--server-info",
            SERVER_INFO,
        ]
        # Like Ergo's test config (bcrypt cost 4): the least work RFC 7677 allows, so the many
        # registrations and logins of the suite do not spend its time budget hashing.
        args += ["--password-iterations", "4096", "--min-password", "1"]  # irctest registers "bar"
        args += ["--register-before-connect", "true" if self.test_config.account_registration_before_connect else "false"]
        if self.test_config.account_registration_requires_email:
            args += ["--require-email"]
        # A test that sets Ergo's accounts.multiclient.always-on (read_marker.py's service tests ask
        # for opt-out) gets sock's --always-on with the same value.
        always_on = self._ergo_always_on()
        if always_on is not None:
            args += ["--always-on", always_on]
        if run_services:
            # sock's services are built in; shown on a server of their own, as irctest's other
            # controllers link theirs (links.py::testLinksWithServices expects it in LINKS).
            args += ["--services-server", SERVICES_SERVER_NAME]
        if password is not None:
            args += ["--password", password]
        if ssl:
            self.gen_ssl()
            args += ["--tls", "--cert", str(self.pem_path), "--key", str(self.key_path)]
        if websocket_hostname is not None or websocket_port is not None:
            # irctest's WebSocket client connects to its own port: one more listener, which (as
            # every sock listener) speaks HTTP and so IRC over WebSocket too.
            args += ["--listen", f"{websocket_hostname}:{websocket_port}"]

        if faketime and shutil.which("faketime"):
            faketime_cmd = ["faketime", "-f", faketime]
            self.faketime_enabled = True
        else:
            faketime_cmd = []

        # sock's log (stdout) goes to the test's captured output with IRCTEST_DEBUG_LOGS=1;
        # otherwise its stderr is kept, to say why it stopped (see check_is_alive).
        command = [*faketime_cmd, *sock_command(), *args]
        if self.debug_mode:
            self.proc = self.execute(command, proc_name="sock")
        else:
            self.stderr_path = self.directory / "sock.stderr"
            with open(self.stderr_path, "wb") as stderr:
                self.proc = self.execute(command, proc_name="sock", stderr=stderr)

    def check_is_alive(self) -> None:
        try:
            super().check_is_alive()
        except ProcessStopped as e:
            path = getattr(self, "stderr_path", None)
            said = path.read_text(errors="replace").strip()[-500:] if path and path.exists() else ""
            raise ProcessStopped(f"{e}: {said}" if said else str(e)) from None

    def wait_for_port(self) -> None:
        """Like the base class, but fast: poll every 20 ms, and speak IRC.

        The base class sends a bare `QUIT`, which sock takes for a plain-text
        client (only CAP/NICK/USER/PASS start IRC), and then waits a full second
        for an answer. Here: `CAP LS 302` + `QUIT`, and wait for the server to
        close, so the probe connection is gone before the test counts users."""
        started_at = time.time()
        while not self.port_open:
            self.check_is_alive()
            try:
                c = socket.create_connection((self.hostname, self.port), timeout=5.0)
            except ConnectionRefusedError:
                if time.time() - started_at >= 60:
                    raise
                time.sleep(self._port_wait_interval)
                continue
            try:
                c.sendall(b"CAP LS 302\r\nQUIT :chkport\r\n")
                while c.recv(4096):
                    pass
            except (ConnectionResetError, BrokenPipeError, socket.timeout):
                pass
            finally:
                c.close()
            self.port_open = True

    def wait_for_services(self) -> None:
        # Nothing to wait for: no separate services process (see run()).
        self.wait_for_port()

    def registerUser(self, case, username: str, password: Optional[str] = None) -> None:  # type: ignore
        """Registers as a user would: connect, then `NS REGISTER password` to the built-in NickServ."""
        assert password
        client = case.addClient(show_io=False)
        case.sendLine(client, "CAP LS 302")
        case.sendLine(client, "NICK " + username)
        case.sendLine(client, "USER r e g :user")
        case.sendLine(client, "CAP END")
        while case.getRegistrationMessage(client).command != "001":
            pass
        case.getMessages(client)
        case.sendLine(client, "NS REGISTER " + password)
        msg = case.getMessage(client)
        assert msg.params == [username, "Account created"], msg
        case.sendLine(client, "QUIT")
        case.assertDisconnected(client)


def get_irctest_controller_class() -> Type[SockController]:
    return SockController
