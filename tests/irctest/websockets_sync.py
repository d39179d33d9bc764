"""`websockets.sync.client` for Debian's websockets 10.4, so irctest's WebSocket tests run.

irctest's websocket.py imports `websockets.sync.client.connect` (websockets >= 11); Debian 12
ships python3-websockets 10.4, and PyPI is not reachable here. websockets 11's sync client is a
thin blocking loop around the library's sans-I/O protocol, and 10.4 already has that protocol
(`websockets.client.ClientConnection`: the handshake, framing, masking, ping/pong and close
handling). This module is that thin loop, with the subset of the 11 API irctest calls:
`connect(uri, subprotocols=…)`, `.subprotocol`, `.send(str | bytes)`, `.recv(timeout=…)`
(str for a text message, bytes for a binary one, TimeoutError when nothing came) and `.close()`.

Loaded as a pytest plugin (`-p websockets_sync` in run.sh) before irctest's modules are
collected; it does nothing when the real `websockets.sync` is importable.
"""

import collections
import socket
import sys
import time
import types

try:
    import websockets.sync.client  # noqa: F401  (websockets >= 11: nothing to do)
except ImportError:
    import websockets
    import websockets.client
    import websockets.connection
    from websockets.exceptions import ConnectionClosedOK, InvalidHandshake
    from websockets.frames import Opcode
    from websockets.http11 import Response
    from websockets.uri import parse_uri

    class ClientConnection:
        def __init__(self, sock: socket.socket, protocol: "websockets.client.ClientConnection"):
            self.socket = sock
            self.protocol = protocol
            self._messages: collections.deque = collections.deque()
            self._fragments: list = []
            self._fragment_opcode = None
            self._eof = False

        @property
        def subprotocol(self):
            return self.protocol.subprotocol

        def _flush(self) -> None:
            for data in self.protocol.data_to_send():
                if data:
                    self.socket.sendall(data)
                else:  # the protocol's end of stream: half-close
                    try:
                        self.socket.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass

        def _take(self, event) -> None:
            if isinstance(event, Response):
                return
            if event.opcode in (Opcode.TEXT, Opcode.BINARY):
                self._fragment_opcode = event.opcode
                self._fragments = [event.data]
            elif event.opcode == Opcode.CONT:
                self._fragments.append(event.data)
            else:  # ping, pong, close: the protocol answers them itself
                return
            if event.fin:
                data = b"".join(self._fragments)
                # Strict UTF-8 on text messages, as websockets 11's recv (it raises on invalid text).
                self._messages.append(data.decode("utf-8") if self._fragment_opcode == Opcode.TEXT else data)
                self._fragments = []

        def _read(self, deadline) -> None:
            """One read from the socket (waiting at most until deadline), fed to the protocol."""
            if self._eof:
                raise self.protocol.close_exc
            if deadline is None:
                self.socket.settimeout(None)
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("timed out")
                self.socket.settimeout(left)
            try:
                data = self.socket.recv(65536)
            except socket.timeout:
                raise TimeoutError("timed out") from None
            if data:
                self.protocol.receive_data(data)
            else:
                self._eof = True
                self.protocol.receive_eof()
            self._flush()
            for event in self.protocol.events_received():
                self._take(event)

        def recv(self, timeout=None):
            deadline = None if timeout is None else time.monotonic() + timeout
            while not self._messages:
                self._read(deadline)
            return self._messages.popleft()

        def send(self, message) -> None:
            if isinstance(message, str):
                self.protocol.send_text(message.encode("utf-8"))
            else:
                self.protocol.send_binary(bytes(message))
            self._flush()

        def close(self, code: int = 1000, reason: str = "") -> None:
            try:
                self.protocol.send_close(code, reason)
                self._flush()
                deadline = time.monotonic() + 2
                while not self._eof:  # wait for the server's close frame and end of stream
                    self._read(deadline)
            except (OSError, TimeoutError, ConnectionClosedOK, websockets.exceptions.ConnectionClosed):
                pass
            finally:
                self.socket.close()

    def connect(uri: str, *, subprotocols=None, open_timeout: float = 10, **kwargs) -> ClientConnection:
        wsuri = parse_uri(uri)
        sock = socket.create_connection((wsuri.host, wsuri.port), timeout=open_timeout)
        # As asyncio does for its transports: small frames go out at once, not behind Nagle's wait.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        protocol = websockets.client.ClientConnection(wsuri, subprotocols=subprotocols)
        conn = ClientConnection(sock, protocol)
        protocol.send_request(protocol.connect())
        conn._flush()
        deadline = time.monotonic() + open_timeout
        try:
            while protocol.state == websockets.connection.State.CONNECTING:
                conn._read(deadline)
            if protocol.handshake_exc is not None:
                raise protocol.handshake_exc
        except (OSError, TimeoutError, InvalidHandshake):
            sock.close()
            raise
        return conn

    sync = types.ModuleType("websockets.sync")
    client = types.ModuleType("websockets.sync.client")
    client.ClientConnection = ClientConnection
    client.connect = connect
    sync.client = client
    websockets.sync = sync
    sys.modules["websockets.sync"] = sync
    sys.modules["websockets.sync.client"] = client
