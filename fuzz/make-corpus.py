#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<harness>/: small, real examples of each input.
Run from anywhere; the files are committed, so this only needs running again to change them."""
import hashlib, os, struct

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
seeds = {}

def seed(harness, name, data):
    seeds.setdefault(harness, {})[name] = data if isinstance(data, bytes) else data.encode()

# IRC messages: registration, tags with escapes, a source, trailing parameters.
seed("irc-message", "register", "CAP LS 302\r\nNICK alice\r\nUSER alice 0 * :Alice Liddell\r\n")
seed("irc-message", "tagged", "@time=2026-01-01T00:00:00.000Z;msgid=abc;+draft/reply=x\\sy\\:z :bob!b@host PRIVMSG #room :hello world\r\n")
seed("irc-message", "misc", "PING :token\r\n:server 001 alice :Welcome\r\nMODE #room +o-v alice bob\r\n@a;b= TAGMSG #r\r\n")

# Plain lines: byte 0 picks the chunk size; telnet negotiation (IAC DO/WILL, a subnegotiation).
seed("plain-lines", "hello", b"\x03hello\r\nworld\n/quit\n")
seed("plain-lines", "telnet", b"\x05\xff\xfd\x01\xff\xfb\x03\xff\xfa\x18\x01\xff\xf0hi there\r\n")
seed("plain-lines", "long", b"\x10" + b"x" * 100 + b"\nshort\n")

# Plain sessions: slash commands as nc or telnet would send them.
seed("plain-session", "commands", "/nick bob\n/join #x\nhello all\n/me waves\n/who\n/rooms\n/topic a topic\n/history 3\n/msg bob hi\n/whois bob\n/away lunch\n/away\n/part\n/quit bye\n")
seed("plain-session", "telnet", b"\xff\xfd\x01hello\r\n//not a command\r\n/invite peer #x\r\n")

# IRC sessions (after registration in #fuzz, beside peer).
seed("irc-session", "room", "JOIN #a,#b\r\nPRIVMSG #a :hi\r\nNOTICE peer :n\r\nTOPIC #fuzz :new\r\nNAMES #fuzz\r\nWHO #fuzz\r\nWHOIS peer\r\nLIST\r\nKICK #fuzz peer :bye\r\nPART #a :gone\r\n")
seed("irc-session", "caps", "MONITOR + peer,other\r\nMONITOR L\r\nAWAY :out\r\nSETNAME :New Name\r\n@+typing=active TAGMSG #fuzz\r\nINVITE peer #b\r\nISON peer fuzz\r\nUSERHOST peer\r\nWHOWAS nobody\r\n")
seed("irc-session", "multiline", "BATCH +m draft/multiline #fuzz\r\n@batch=m PRIVMSG #fuzz :line one\r\n@batch=m;draft/multiline-concat PRIVMSG #fuzz :more\r\nBATCH -m\r\n")
seed("irc-session", "services", "NS REGISTER secret\r\nREGISTER * * secret\r\nCS REGISTER #fuzz\r\nAUTHENTICATE PLAIN\r\nREDACT #fuzz abc :oops\r\nMARKREAD #fuzz timestamp=2026-01-01T00:00:00.000Z\r\n")

# CHATHISTORY parameters (each line follows "CHATHISTORY ").
seed("chathistory", "all", "LATEST #fuzz * 10\nLATEST peer * 5\nBEFORE #fuzz timestamp=2099-01-01T00:00:00.000Z 5\nAFTER #fuzz timestamp=2000-01-01T00:00:00.000Z 3\n"
     "AROUND #fuzz timestamp=2026-01-01T00:00:00Z 4\nBETWEEN #fuzz timestamp=2000-01-01T00:00:00.000Z timestamp=2099-01-01T00:00:00.000Z 10\n"
     "AFTER #fuzz msgid=nope 2\nTARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2099-01-01T00:00:00.000Z 10\n")

# MODE parameters (each line follows "MODE ").
seed("mode", "room", "#fuzz\n#fuzz +o peer\n#fuzz +ntk key\n#fuzz +l 10\n#fuzz -l\n#fuzz +b *!*@host\n#fuzz b\n#fuzz +beI a!b@c d!e@f g!h@i\n#fuzz -o+v peer peer\n#fuzz +imsp\n#fuzz +z\n")
seed("mode", "user", "fuzz\nfuzz +iwB\nfuzz -o\nfuzz +x\npeer +i\n")

# The chat port's first bytes: byte 0 picks the read size.
seed("http-detect", "get", b"\x40GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\r\n")
seed("http-detect", "irc", b"\x04CAP LS 302\r\nNICK a\r\n")
seed("http-detect", "plain", b"\x08get me a coffee\n")
seed("http-detect", "tls", b"\x10\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
seed("http-detect", "slow", b"\x03POST /x HTT")

# WebSocket: byte 0 (bit 0: binary frames out; the rest: read size), then masked client frames.
def frame(opcode, payload, fin=True, key=b"\x11\x22\x33\x44"):
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    head += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))
seed("websocket", "text", b"\x40" + frame(1, b"NICK alice\r\n") + frame(1, b"USER a 0 * :A") + frame(8, b"\x03\xe8"))
seed("websocket", "fragmented", b"\x21" + frame(1, b"PRIVMSG #a :he", fin=False) + frame(0, b"llo") + frame(9, b"ping") + frame(2, b"PING :x\n"))
seed("websocket", "long", b"\x80" + frame(1, b"x" * 600))

# Transfer, receiver side: what a sender sends (hello, manifest, one file, DONE).
def text(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b
def entry(kind, name, size, mode, mtime):
    return bytes([kind]) + text(name) + struct.pack(">QIq", size, mode, mtime)
content = b"hello"
hello = b"SOCKXFER" + bytes([1, 2, 0])  # version 1, SHA-256, flags 0
manifest = b"\x01" + struct.pack(">I", 2) + entry(2, "d", 0, 0o755, 1_700_000_000_000_000_000) + entry(1, "d/a.txt", len(content), 0o644, 1_700_000_000_000_000_000)
data = b"\x03" + struct.pack(">I", 1) + b"\x04" + struct.pack(">I", len(content)) + content + b"\x05\x00" + hashlib.sha256(content).digest() + b"\x06"
seed("transfer-receive", "one-file", hello + manifest + data)
seed("transfer-receive", "empty", hello + b"\x01" + struct.pack(">I", 0) + b"\x06")
seed("transfer-receive", "error", hello + b"\x7f" + text("disk full"))

# Transfer, sender side: the receiver's PLAN (offset per entry) and RESULT (status per entry).
entries = 3  # the harness offers d, d/a.txt and b
seed("transfer-send", "ok", b"\x02" + struct.pack(">I", entries) + struct.pack(">QQQ", 0, 0, 0) + b"\x07" + struct.pack(">I", entries) + b"\x00\x00\x00")
seed("transfer-send", "resume", b"\x02" + struct.pack(">I", entries) + struct.pack(">QQQ", 0, 2, 0) + b"\x07" + struct.pack(">I", entries) + b"\x00\x01\x00")
seed("transfer-send", "refused", b"\x7f" + text("refused unsafe path"))

# DCC: the CTCP body after the \x01 delimiters.
seed("dcc", "send", "SEND file.txt 2130706433 5000 1024")
seed("dcc", "quoted", 'SEND "my file.txt" 2130706433 5000 1024')
seed("dcc", "passive", "SEND report.pdf 2130706433 0 4096 17")
seed("dcc", "ipv6", "SEND a.bin ::1 6000 10")
seed("dcc", "resume", "RESUME file.txt 5000 512")
seed("dcc", "accept", "ACCEPT file.txt 0 512 17")

# Proxy replies: byte 0 % 5 picks the reply kind (Socks5Method, Socks5Auth, Socks5Connect,
# Socks4Connect, HttpConnect), byte 0 / 5 the read size.
seed("proxy", "socks5-method", b"\x0a\x05\x02")
seed("proxy", "socks5-auth", b"\x06\x01\x00")
seed("proxy", "socks5-ipv4", b"\x07\x05\x00\x00\x01\x7f\x00\x00\x01\x1f\x90")
seed("proxy", "socks5-domain", b"\x0c\x05\x00\x00\x03\x09localhost\x1f\x90")
seed("proxy", "socks5-refused", b"\x02\x05\x05")
seed("proxy", "socks4", b"\x03\x00\x5a\x00\x00\x00\x00\x00\x00")
seed("proxy", "http-200", b"\x31HTTP/1.1 200 Connection established\r\n\r\n")
seed("proxy", "http-407", b"\x09HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\n\r\n")

# The cluster bus: room events as the room script publishes them, and node notices.
seed("cluster-bus", "message", 'R 3f2a9c1b0d4e 17 {"K":1,"T":1700000000123,"F":"ann","P":"ann!a@127.0.0.1","To":"#x","X":"hello","Id":"n1-7","N":"n1","H":true}')
seed("cluster-bus", "join", 'R 3f2a9c1b0d4e 1 {"K":3,"T":1,"F":"bob","P":"bob!b@h","To":"#x","X":"","E":"Bob","Id":"n2-1","N":"n2","U":{"Node":"n2","Nick":"bob","User":"b","Host":"h","Real":"Bob","SignOn":1},"S":1}')
seed("cluster-bus", "multiline", 'R e 9 {"K":1,"F":"c","To":"#x","X":"a\\nb","Id":"i","L":[{"T":"a"},{"T":"b","C":true}],"C":"+typing=active","Au":2}')
seed("cluster-bus", "batch", 'R 3f2a9c1b0d4e 18 {"K":1,"T":1,"F":"ann","P":"ann!a@h","To":"#x","X":"one","Id":"n1-8","N":"n1","H":true}\n{"K":1,"T":2,"F":"ann","P":"ann!a@h","To":"#x","X":"two","Id":"n1-9","N":"n1","H":true}')
seed("cluster-bus", "notice", 'U {"Kind":"quit","Node":"n2","Reason":"bye","U":{"Nick":"bob"}}')

for harness, files in seeds.items():
    folder = os.path.join(root, harness)
    os.makedirs(folder, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
print(f"{sum(len(f) for f in seeds.values())} seeds in {len(seeds)} corpora under {root}")
