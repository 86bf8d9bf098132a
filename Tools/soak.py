#!/usr/bin/env python3
"""Soak test of `semantic-draw serve` (docs/RELIABILITY.md "Soak"): starts the server with the
built-in tiny-random model, runs SESSIONS WebSocket sessions that play and edit their masks and
prompts for DURATION seconds, then a disconnect storm (many connections closed abruptly, some in
the middle of a frame), and checks that the server still answers. Reports frames per session
(fairness: max/min), the server's RSS at start, after the warm-up, at the end of the sessions and
after the storm, and every error. Exits 1 when a check fails:

- an `error` message, a broken connection or a protocol violation in a soak session;
- a session starved: fewer than MIN_SHARE of the mean frame count (default 0.5), or max/min over
  MAX_RATIO (default 2.0);
- RSS growth from after the warm-up to the end above max(RSS_GROWTH_MIB, 25 % of the warm RSS);
- the server not answering afterwards: GET /api/info, and a new session that gets `ready` and a
  frame (so the storm leaked no session slot).

Python standard library only (a small RFC 6455 client below). Usage:
    python3 Tools/soak.py --binary .build/debug/semantic-draw [--duration 600] [--sessions 20]
"""
import argparse
import base64
import json
import os
import random
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zlib


class WebSocket:
    """A minimal client: text and binary messages, ping/pong, close; frames from the client are masked."""

    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"no upgrade: {head[:80]!r}")
        self.send_lock = threading.Lock()

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _send_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", length)
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        with self.send_lock:
            self.sock.sendall(header + mask + masked)

    def send(self, message):
        self._send_frame(0x1, json.dumps(message).encode())

    def receive(self):
        """The next message: a dict (JSON text) or bytes (binary)."""
        parts, opcode = [], None
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            frame_opcode = first & 0x0F
            if frame_opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if frame_opcode == 0xA:
                continue
            if frame_opcode == 0x8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                raise ConnectionError(f"the server closed the session (code {code})")
            if frame_opcode != 0x0:
                opcode = frame_opcode
            parts.append(payload)
            if first & 0x80:
                data = b"".join(parts)
                return json.loads(data) if opcode == 0x1 else data

    def close(self):
        try:
            self._send_frame(0x8, struct.pack(">H", 1000))
        except OSError:
            pass
        self.sock.close()

    def abort(self):
        """Closes the TCP connection at once (RST), as a crashed browser tab does."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


def png_data_url(width, height, inside):
    raw = b"".join(b"\x00" + bytes(255 if inside(x, y) else 0 for x in range(width)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Session(threading.Thread):
    """Plays and, every `edit_seconds`, sends a new mask (a moving disc) or a new prompt."""

    def __init__(self, number, port, stop, edit_seconds):
        super().__init__(daemon=True)
        self.number, self.port, self.stop, self.edit_seconds = number, port, stop, edit_seconds
        self.frames = 0
        self.edits = 0
        self.errors = []
        self.random = random.Random(number)

    def run(self):
        try:
            socket_ = WebSocket(self.port)
            ready = socket_.receive()
            if ready.get("type") != "ready":
                raise RuntimeError(f"first message {ready}")
            width, height = ready["width"], ready["height"]
            socket_.send({"type": "brush", "id": "b1", "prompt": f"a cat number {self.number}"})
            socket_.send({"type": "mask", "id": "b1", "mask": png_data_url(width, height, lambda x, y: x < width // 2)})
            socket_.send({"type": "play"})
            next_edit = time.monotonic() + self.edit_seconds
            expecting_jpeg = False
            while not self.stop.is_set():
                message = socket_.receive()
                if isinstance(message, bytes):
                    if not expecting_jpeg or not message.startswith(b"\xff\xd8"):
                        raise RuntimeError("a binary message that is not the announced JPEG")
                    expecting_jpeg = False
                    self.frames += 1
                elif message.get("type") == "frame":
                    expecting_jpeg = True
                elif message.get("type") == "error":
                    self.errors.append(message.get("message"))
                if time.monotonic() >= next_edit:
                    next_edit += self.edit_seconds
                    self.edits += 1
                    if self.edits % 4 == 0:
                        socket_.send({"type": "brush", "id": "b1", "prompt": f"a cat number {self.number}, edit {self.edits}"})
                    else:
                        cx, cy, r = (self.random.randrange(width), self.random.randrange(height), self.random.randrange(4, width // 2))
                        socket_.send({"type": "mask", "id": "b1",
                                      "mask": png_data_url(width, height, lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 < r * r)})
            socket_.send({"type": "pause"})
            socket_.close()
        except Exception as error:  # every failure is reported, none stops the other sessions
            self.errors.append(f"{type(error).__name__}: {error}")


def storm(port, connections, threads):
    """Connections that start playing and are cut at once or mid-frame; returns (done, refused, failures)."""
    counts = {"done": 0, "refused": 0}
    failures = []
    lock = threading.Lock()

    def worker(seed):
        generator = random.Random(seed)
        for _ in range(connections // threads):
            try:
                socket_ = WebSocket(port, timeout=30)
                first = socket_.receive()
                if first.get("type") == "error":
                    with lock:
                        counts["refused"] += 1
                    socket_.abort()
                    continue
                if generator.random() < 0.7:
                    socket_.send({"type": "brush", "id": "s", "prompt": "a storm"})
                    socket_.send({"type": "play"})
                    time.sleep(generator.random() * 0.3)
                if generator.random() < 0.5:
                    socket_.abort()
                else:
                    socket_.sock.close()                 # no close frame either
                with lock:
                    counts["done"] += 1
            except Exception as error:
                with lock:
                    failures.append(f"{type(error).__name__}: {error}")

    workers = [threading.Thread(target=worker, args=(seed,), daemon=True) for seed in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return counts["done"], counts["refused"], failures


def still_answers(port):
    """GET /api/info, then a fresh session gets `ready`, plays and receives one frame."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/info", timeout=30) as response:
        json.load(response)
    socket_ = WebSocket(port)
    ready = socket_.receive()
    if ready.get("type") != "ready":
        raise RuntimeError(f"a new session got {ready} instead of ready")
    socket_.send({"type": "brush", "id": "b1", "prompt": "after the storm"})
    socket_.send({"type": "play"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if isinstance(socket_.receive(), bytes):
            socket_.close()
            return
    raise RuntimeError("no frame within 120 s after the storm")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=".build/debug/semantic-draw")
    parser.add_argument("--duration", type=float, default=600, help="seconds the sessions play (default 600)")
    parser.add_argument("--warm-up", type=float, default=None, help="seconds before counting (default: 10 %% of the duration, at most 60)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--edit-seconds", type=float, default=2.0, help="each session edits a mask or prompt this often")
    parser.add_argument("--storm", type=int, default=400, help="connections in the disconnect storm")
    parser.add_argument("--max-ratio", type=float, default=2.0)
    parser.add_argument("--min-share", type=float, default=0.5)
    parser.add_argument("--rss-growth-mib", type=float, default=64.0)
    arguments = parser.parse_args()
    warm_up = arguments.warm_up if arguments.warm_up is not None else min(60.0, arguments.duration * 0.1)

    work = tempfile.mkdtemp(prefix="semantic-draw-soak-")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen([arguments.binary, "serve", "--model", "tiny-random", "--tiny-vae", "tiny-random",
                               "--width", "64", "--height", "64", "--port", str(port), "--data-dir", os.path.join(work, "data"),
                               "--maximum-sessions", str(arguments.sessions + 4)], stdout=log, stderr=subprocess.STDOUT)
    failures = []
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/info", timeout=5).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"the server exited (log {log.name})")
                time.sleep(0.2)
        rss = {"start": rss_mib(server.pid)}
        stop = threading.Event()
        sessions = [Session(number, port, stop, arguments.edit_seconds) for number in range(arguments.sessions)]
        for session in sessions:
            session.start()
        time.sleep(warm_up)
        rss["after warm-up"] = rss_mib(server.pid)
        counted_from = [session.frames for session in sessions]
        time.sleep(arguments.duration - warm_up)
        frames = [session.frames - start for session, start in zip(sessions, counted_from)]
        rss["end of sessions"] = rss_mib(server.pid)
        stop.set()
        for session in sessions:
            session.join(timeout=60)
        done, refused, storm_failures = storm(port, arguments.storm, 20)
        time.sleep(2)
        rss["after storm"] = rss_mib(server.pid)
        try:
            still_answers(port)
            answers = True
        except Exception as error:
            answers = False
            failures.append(f"the server does not answer after the storm: {error}")
        rss["after check"] = rss_mib(server.pid)
        if server.poll() is not None:
            failures.append(f"the server exited with {server.returncode}")

        mean = sum(frames) / len(frames)
        ratio = max(frames) / min(frames) if min(frames) > 0 else float("inf")
        print(f"soak: {arguments.sessions} sessions, {arguments.duration:.0f} s (warm-up {warm_up:.0f} s), edits every {arguments.edit_seconds} s")
        print(f"frames per session after warm-up: min {min(frames)}, max {max(frames)}, mean {mean:.1f}, max/min {ratio:.2f}, "
              f"total {sum(frames)} ({sum(frames) / (arguments.duration - warm_up):.1f} frames/s)")
        print(f"edits per session: {min(s.edits for s in sessions)}...{max(s.edits for s in sessions)}")
        print("server RSS (MiB): " + ", ".join(f"{name} {value:.0f}" for name, value in rss.items()))
        print(f"disconnect storm: {done} connections cut, {refused} refused at the session limit, {len(storm_failures)} failed")
        print(f"server still answers: {'yes' if answers else 'NO'}")
        for session in sessions:
            for error in session.errors:
                failures.append(f"session {session.number}: {error}")
        failures += [f"storm: {failure}" for failure in storm_failures[:10]]
        if min(frames) < arguments.min_share * mean or ratio > arguments.max_ratio:
            failures.append(f"unfair or starved: frames {sorted(frames)}")
        growth_bound = max(arguments.rss_growth_mib, 0.25 * rss["after warm-up"])
        if rss["after check"] - rss["after warm-up"] > growth_bound:
            failures.append(f"RSS grew {rss['after check'] - rss['after warm-up']:.0f} MiB after the warm-up (bound {growth_bound:.0f} MiB)")
    except Exception as error:
        failures.append(f"{type(error).__name__}: {error}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    if failures:
        print("SOAK FAILED:")
        for failure in failures:
            print("  " + failure)
        print(f"server log: {log.name}")
        sys.exit(1)
    print("soak: passed")


if __name__ == "__main__":
    main()
