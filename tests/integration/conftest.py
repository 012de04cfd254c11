"""Fixtures for driving the real mta-gateway program with Debian's own mail clients and
servers over loopback: an aiosmtpd next hop, a gateway process, free ports."""

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

BIN_DIR = Path(os.environ.get("MTA_BIN_DIR", Path(__file__).resolve().parents[2] / "build" / "bin"))
# Every wait below is bounded by this many seconds.
WAIT_LIMIT = 20


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, what, limit=WAIT_LIMIT):
    """Polls `predicate` until it holds; fails the test after `limit` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {limit}s waiting for {what}")


def accepts_connections(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class RecordingHandler:
    """Keeps every message the next hop receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope)
        return "250 2.0.0 stored"


class NextHop:
    def __init__(self, port):
        self.port = port
        self.handler = RecordingHandler()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)


@pytest.fixture
def next_hop():
    hop = NextHop(free_port())
    hop.start()
    yield hop
    hop.stop()


class GatewayProcess:
    def __init__(self, folder, next_hop_port, extra=""):
        self.folder = folder
        self.port = free_port()
        self.metrics_port = free_port()
        self.config = folder / "gateway.yaml"
        self.config.write_text(
            "hostname: gw.example.net\n"
            f"listen: 127.0.0.1:{self.port}\n"
            "accepted_domains: [corp.example]\n"
            "spool_dir: spool\n"
            "routes:\n"
            "  - domain: corp.example\n"
            f"    next_hop: 127.0.0.1:{next_hop_port}\n"
            "    tls: may\n"
            "metrics:\n"
            f"  listen: 127.0.0.1:{self.metrics_port}\n" + extra)
        self.process = None
        self.log = folder / "gateway.log"

    def start(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [BIN_DIR / "mta-gateway", "--config", self.config], stderr=log)
        wait_for(lambda: accepts_connections(self.port), "the gateway to listen")

    def stop(self):
        """SIGTERM; the gateway must exit 0 within 10 seconds (DESIGN.md)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            code = self.process.wait(timeout=10)
            assert code == 0, f"exit code {code}; log:\n{self.log.read_text()}"
        self.process = None

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def queue(self, *arguments):
        return subprocess.run([BIN_DIR / "mta-gateway", "queue", *arguments, "--config",
                               self.config], capture_output=True, text=True, timeout=10)


@pytest.fixture
def gateway_factory(tmp_path):
    started = []

    def make(next_hop_port, extra=""):
        gateway = GatewayProcess(tmp_path, next_hop_port, extra)
        started.append(gateway)
        return gateway

    yield make
    for gateway in started:
        gateway.stop()


@pytest.fixture
def certificate(tmp_path):
    """A self-signed RSA certificate for gw.example.net, made with the openssl command."""
    cert, key = tmp_path / "gw.crt", tmp_path / "gw.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=gw.example.net", "-addext", "subjectAltName=DNS:gw.example.net",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    return cert, key
