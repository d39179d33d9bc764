#!/usr/bin/env python3
"""Soak driver for `sock chat serve` (bench/soak.sh starts the server and runs this).

Thousands of clients against one server, for a bounded time:
  stable   connect (plain or IRC), join one of ROOMS rooms before the talk starts, stay, read, some talk
  churn    connect, join a random room, talk a little, then /part and join another, /quit, close,
           or reset (RST), and reconnect after a random pause, until the end
  stall    connect, join #stall (where one client sends 1 KB lines FIRE_RATE times a second),
           then never read again (the server must cut them: SendQ exceeded)
At the end: every stable client must have received every message sent to its room by a session that
ended cleanly (or was still open), in order, uncorrupted; messages of reset sessions may be cut short
but never reordered. Prints one JSON object of counts.
"""
import asyncio, json, os, random, resource, socket, struct, sys, time

HOST = "127.0.0.1"
PORT = int(sys.argv[1])
CLIENTS = int(os.environ.get("CLIENTS", "1000"))
DURATION = float(os.environ.get("DURATION", "90"))
ROOMS = int(os.environ.get("ROOMS", "8"))
STALL = float(os.environ.get("STALL_FRACTION", "0.03"))
CHURN = float(os.environ.get("CHURN_FRACTION", "0.35"))
TALKERS = float(os.environ.get("TALKER_FRACTION", "0.2"))  # of stable clients
RATE = float(os.environ.get("RATE", "0.5"))  # messages/s per talker
SIZE = int(os.environ.get("SIZE", "160"))
SEED = int(os.environ.get("SEED", "1"))
DEBUG = os.environ.get("DEBUG") == "1"
FIRE_RATE = float(os.environ.get("FIRE_RATE", "200"))
random.seed(SEED)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

rooms = [f"#soak{i}" for i in range(ROOMS)]
stats = {k: 0 for k in ["connects", "connectFailures", "sessions", "resets", "quits", "closes", "partJoins",
                        "sent", "sentRequired", "sentOptional", "delivered", "missing", "outOfOrder", "corrupt",
                        "stalled", "stalledCut", "stalledNotCut", "stableClients", "stableBroken", "ircClients", "plainClients"]}
# sid -> (room, required?, count sent); required streams must reach every stable member of the room in full.
streams = {}
talking = asyncio.Event()
ending = False
session_ids = iter(range(1, 1 << 60))
ends = {}  # session -> how it ended (debug)


def pad(prefix: str) -> str:
    return prefix + " " + "x" * max(0, SIZE - len(prefix) - 1)


class Client:
    def __init__(self, irc: bool, small_buffer=False):
        self.irc = irc
        self.small = small_buffer
        self.session = next(session_ids)
        self.nick = f"s{self.session}"
        self.room = None
        self.visit = 0
        self.seq = 0
        self.last = {}  # sid -> last seq received
        self.broken = False
        self.reader = self.writer = self.sock = None
        self.pumping = False
        self.stable = False  # only stable clients are held to order (a joiner gets the history replayed)
        self.want = None  # (marker, future) while the read task runs and a reply is awaited

    async def connect(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self.small:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setblocking(False)
        try:
            await asyncio.wait_for(asyncio.get_running_loop().sock_connect(s, (HOST, PORT)), 30)
        except (OSError, asyncio.TimeoutError):
            s.close()
            stats["connectFailures"] += 1
            raise
        self.sock = s
        self.reader, self.writer = await asyncio.open_connection(sock=s, limit=2048 if self.small else 1 << 20)
        stats["connects"] += 1
        stats["sessions"] += 1
        if self.irc:
            self.writer.write(f"NICK {self.nick}\r\nUSER s 0 * :soak\r\n".encode())
            await self.expect(b" 001 ")
        else:
            self.writer.write(f"/nick {self.nick}\n".encode())
            await self.expect(f"known as {self.nick}".encode())

    async def expect(self, marker: bytes, timeout=120):
        if self.pumping:
            # The read task owns the stream: it hands the line over.
            fut = asyncio.get_running_loop().create_future()
            self.want = (marker, fut)
            try:
                return await asyncio.wait_for(fut, timeout)
            finally:
                self.want = None
        async def loop():
            while True:
                line = await self.reader.readline()
                if not line:
                    raise ConnectionError("closed")
                self.handle(line)
                if marker in line:
                    return line
        return await asyncio.wait_for(loop(), timeout)

    async def join(self, room):
        if self.irc:
            if self.room:
                self.writer.write(f"PART {self.room}\r\n".encode())
            self.writer.write(f"JOIN {room}\r\n".encode())
            await self.expect(f" 366 {self.nick} {room} ".encode())
        else:
            self.writer.write(f"/join {room}\n".encode())
            await self.expect(f"* you joined {room}".encode())
        self.room = room
        self.visit += 1
        self.seq = 0

    def handle(self, line: bytes):
        if self.want and self.want[0] in line and not self.want[1].done():
            self.want[1].set_result(line)
        if self.irc and line.startswith(b"PING"):
            self.writer.write(b"PONG" + line[4:])
            return
        at = line.find(b"SOAK ")
        if at < 0:
            return
        parts = line[at:].rstrip(b"\r\n").split(b" ")
        try:
            sid, seq = parts[1].decode(), int(parts[2])
        except (IndexError, ValueError):
            stats["corrupt"] += 1
            self.broken = True
            return
        if len(line[at:].rstrip(b"\r\n")) != SIZE or parts[3].strip(b"x"):
            stats["corrupt"] += 1
            self.broken = True
        if seq != self.last.get(sid, 0) + 1 and self.stable:
            stats["outOfOrder"] += 1
            self.broken = True
            if DEBUG and stats["outOfOrder"] <= 10:
                print(f"gap: {self.nick} ({'irc' if self.irc else 'plain'}) in {self.room}: {sid} after {self.last.get(sid, 0)} got {seq}: {line!r}", file=sys.stderr)
        self.last[sid] = seq
        stats["delivered"] += 1

    def say(self, required: bool):
        self.seq += 1
        sid = f"{self.session}.{self.visit}"
        text = pad(f"SOAK {sid} {self.seq}")
        self.writer.write((f"PRIVMSG {self.room} :{text}\r\n" if self.irc else text + "\n").encode())
        streams[sid] = (self.room, required, self.seq)
        stats["sent"] += 1

    async def read_forever(self):
        self.pumping = True
        try:
            while True:
                line = await self.reader.readline()
                if not line:
                    return
                self.handle(line)
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            return

    def reset(self):
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


async def churner():
    await talking.wait()
    while not ending:
        c = Client(irc=random.random() < 0.5)
        try:
            await c.connect()
            await c.join(random.choice(rooms))
            reading = asyncio.create_task(c.read_forever())
            for _ in range(random.randint(0, 3)):
                if random.random() < 0.3:
                    await c.join(random.choice([r for r in rooms if r != c.room]))
                    stats["partJoins"] += 1
                # Whether the message must arrive is decided by how the session ends: marked now, fixed below.
                c.say(required=True)
                await c.writer.drain()
                await asyncio.sleep(random.uniform(0.1, 2))
            end = random.random()
            if end < 0.3:
                # RST: what was sent in this visit may be lost; it may not be reordered.
                for sid in list(streams):
                    if sid.startswith(f"{c.session}."):
                        room, _, n = streams[sid]
                        streams[sid] = (room, False, n)
                c.reset()
                ends[str(c.session)] = "reset"
                stats["resets"] += 1
            elif end < 0.7:
                c.writer.write(b"QUIT :bye\r\n" if c.irc else b"/quit bye\n")
                await c.writer.drain()
                ends[str(c.session)] = "quit"
                await asyncio.wait_for(reading, 10)
                stats["quits"] += 1
            else:
                # A clean close: FIN after the last message, then read to the end (closing with
                # unread bytes would be a reset, which is the case above).
                c.writer.write_eof()
                ends[str(c.session)] = "close"
                await asyncio.wait_for(reading, 10)
                c.writer.close()
                stats["closes"] += 1
            reading.cancel()
        except (OSError, ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            # Cut off mid-session (not by us): what it sent need not have arrived.
            ends[str(c.session)] = ends.get(str(c.session), "") + " error"
            for sid in list(streams):
                if sid.startswith(f"{c.session}."):
                    room, _, n = streams[sid]
                    streams[sid] = (room, False, n)
        await asyncio.sleep(random.uniform(0.05, 1.5))


async def staller(room):
    c = Client(irc=False, small_buffer=True)
    c.nick = f"stall{c.session}"
    await c.connect()
    await c.join(room)
    stats["stalled"] += 1
    return c  # and never read again


async def drain_cut(c: Client, timeout: float) -> bool:
    """Whether the server cut this stalled client: what is left ends with its last words and EOF."""
    tail = b""
    try:
        async def loop():
            nonlocal tail
            while chunk := await c.reader.read(65536):
                tail = (tail + chunk)[-4096:]
        await asyncio.wait_for(loop(), timeout)
    except (OSError, ConnectionError):
        pass  # a reset after the last words
    except asyncio.TimeoutError:
        return False
    return b"* disconnected: SendQ exceeded" in tail


async def main():
    global ending
    n_stall = max(1, int(CLIENTS * STALL))
    n_churn = int(CLIENTS * CHURN)
    n_stable = CLIENTS - n_stall - n_churn
    stables = [Client(irc=i % 2 == 1) for i in range(n_stable)]
    for c in stables:
        c.stable = True
    stats["ircClients"] = sum(c.irc for c in stables)
    stats["plainClients"] = n_stable - stats["ircClients"]
    gate = asyncio.Semaphore(100)

    async def start_stable(c, talker):
        async with gate:
            await c.connect()
            await c.join(random.choice(rooms))
        reading = asyncio.create_task(c.read_forever())
        await talking.wait()
        while talker and not ending:
            await asyncio.sleep(random.expovariate(RATE))
            if ending:
                break
            c.say(required=True)
            await c.writer.drain()
        return reading

    t0 = time.monotonic()
    talkers = set(random.sample(range(n_stable), max(1, int(n_stable * TALKERS))))
    stable_tasks = [asyncio.create_task(start_stable(c, i in talkers)) for i, c in enumerate(stables)]
    # Wait until every stable client has joined (the talk starts after, so every stream is whole for them).
    while sum(1 for c in stables if c.room) < n_stable:
        if any(t.done() and t.exception() for t in stable_tasks):
            raise next(t.exception() for t in stable_tasks if t.done() and t.exception())
        await asyncio.sleep(0.2)
    # Stalled clients sit in their own room with a firehose (1 KB lines, FIRE_RATE a second): enough
    # to fill any socket buffers and the server's queue within the run, and no reader to check.
    stallers = [await staller("#stall") for _ in range(n_stall)]
    fire = Client(irc=False)
    await fire.connect()
    await fire.join("#stall")
    fire_reading = asyncio.create_task(fire.read_forever())

    async def firehose():
        # Ten bursts a second. The kernel lets a socket's send buffer grow to tcp_wmem's maximum
        # (4 MiB here) for a client that does not read, before the server's --max-queue even
        # starts to fill: the firehose must pass that within the run.
        burst = ("FIRE " + "x" * 1000 + "\n").encode() * max(1, int(FIRE_RATE / 10))
        while not ending:
            fire.writer.write(burst)
            await fire.writer.drain()
            await asyncio.sleep(0.1)
    setup = time.monotonic() - t0
    print(f"soak: {n_stable} stable ({stats['ircClients']} IRC), {n_stall} stalled, {n_churn} churning; set up in {setup:.1f}s; talking for {DURATION:.0f}s", file=sys.stderr, flush=True)
    talking.set()
    churners = [asyncio.create_task(churner()) for _ in range(n_churn)]
    fire_task = asyncio.create_task(firehose())
    await asyncio.sleep(DURATION)
    ending = True
    await asyncio.gather(*churners, return_exceptions=True)
    await fire_task
    fire_reading.cancel()
    readers = await asyncio.gather(*stable_tasks)
    # Quiet: wait until every stable client has every required message, or nothing moves for 20 s.
    by_room = {r: [(sid, n) for sid, (room, req, n) in streams.items() if req and room == r] for r in rooms}
    def missing_for(c):
        # Not its own messages: neither protocol echoes them here.
        own = f"{c.session}."
        return sum(n - min(n, c.last.get(sid, 0)) for sid, n in by_room[c.room] if not sid.startswith(own))
    def missing_now():
        return sum(missing_for(c) for c in stables)
    last_delivered, still = -1, time.monotonic()
    while True:
        m = missing_now()
        if m == 0:
            break
        if stats["delivered"] != last_delivered:
            last_delivered, still = stats["delivered"], time.monotonic()
        elif time.monotonic() - still > 20:
            break
        await asyncio.sleep(1)
    stats["missing"] = missing_now()
    if DEBUG:
        shown = 0
        for c in stables:
            for sid, n in by_room[c.room]:
                if c.last.get(sid, 0) < n and shown < 15 and not sid.startswith(f"{c.session}."):
                    shown += 1
                    print(f"missing: {c.nick} ({'irc' if c.irc else 'plain'}) in {c.room}: {sid} got {c.last.get(sid, 0)} of {n}, ended {ends.get(sid.split('.')[0], 'open')}", file=sys.stderr)
    for c in stables:
        if c.broken or missing_for(c) > 0:
            stats["stableBroken"] += 1
    stats["stableClients"] = n_stable
    stats["sentRequired"] = sum(n for (_, req, n) in streams.values() if req)
    stats["sentOptional"] = sum(n for (_, req, n) in streams.values() if not req)
    cut = await asyncio.gather(*(drain_cut(c, 15) for c in stallers))
    stats["stalledCut"] = sum(cut)
    stats["stalledNotCut"] = len(cut) - sum(cut)
    for c in stables:
        c.writer.write(b"QUIT :done\r\n" if c.irc else b"/quit done\n")
    await asyncio.sleep(1)
    for c in stables:
        c.writer.close()
    for r in readers:
        r.cancel()
    stats["seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(stats))


asyncio.run(main())
