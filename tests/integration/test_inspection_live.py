"""Threat emulation from outside: swaks sends mail with attachments through the real
mta-gateway, which has the real mta-emulator-mock judge them and delivers to an aiosmtpd
next hop; Python's email package reads what arrived."""

import email
import email.policy
import io
import re
import subprocess
import time
import urllib.request
import zipfile

import pytest

from conftest import BIN_DIR, accepts_connections, free_port, wait_for

# Split so that this file is not itself the test string.
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
BENIGN = b"Quarterly figures, nothing to see.\n" * 40


class Emulator:
    def __init__(self, folder, behaviour=None, extra_arguments=()):
        self.port = free_port()
        self.arguments = [BIN_DIR / "mta-emulator-mock", "--listen", f"127.0.0.1:{self.port}",
                          "--seed", "7", *extra_arguments]
        if behaviour:
            config = folder / "emulator.yaml"
            config.write_text(behaviour)
            self.arguments += ["--config", config]
        self.log = folder / "emulator.log"
        self.process = None

    def start(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.arguments, stderr=log)
        wait_for(lambda: accepts_connections(self.port), "the emulator to listen")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def emulator_factory(tmp_path):
    started = []

    def make(behaviour=None, extra_arguments=()):
        emulator = Emulator(tmp_path, behaviour, extra_arguments)
        emulator.start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


def emulation_section(port, fail_mode="close", extra=""):
    return ("emulation:\n"
            f"  url: http://127.0.0.1:{port}\n"
            "  max_delay: 2m\n"
            "  poll_interval: 1s\n"
            "  request_timeout: 5s\n"
            f"  fail_mode: {fail_mode}\n" + extra)


def swaks(port, tmp_path, attachments, timeout=60):
    """Sends one mail with the given (name, bytes) attachments; returns (seconds, output)."""
    arguments = ["swaks", "--server", f"127.0.0.1:{port}", "--from", "alice@sender.example",
                 "--to", "bob@corp.example", "--helo", "client.example",
                 "--header", "Subject: figures", "--body", "See the attached files.\n",
                 "--header", "X-Threat-Emulation: \"forged\" sha256=00; benign",
                 "--pipeline", "--timeout", f"{timeout}s"]
    for name, content in attachments:
        path = tmp_path / name
        path.write_bytes(content)
        arguments += ["--attach-type", "application/octet-stream", "--attach-name", name,
                      "--attach", f"@{path}"]
    started = time.monotonic()
    result = subprocess.run(arguments, capture_output=True, text=True, timeout=timeout)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^<\S* +250 2\.0\.0 .*queued as", result.stdout, re.M), result.stdout
    return elapsed, result.stdout


def delivered(next_hop, limit=20):
    wait_for(lambda: len(next_hop.messages) == 1, "the next hop to receive the message", limit)
    raw = next_hop.messages[0].original_content
    return raw, email.message_from_bytes(raw, policy=email.policy.default)


def verdicts(message):
    return [str(value) for value in message.get_all("X-Threat-Emulation", [])]


def attachment_payloads(message):
    return {part.get_filename(): part.get_payload(decode=True)
            for part in message.iter_attachments() if part.get_filename()}


def notices(message):
    return [part.get_content() for part in message.walk()
            if part.get_content_type() == "text/plain" and "was removed" in part.get_content()]


def test_eicar_is_removed_and_the_benign_file_arrives_byte_identical(
        tmp_path, next_hop, gateway_factory, emulator_factory):
    emulator = emulator_factory()
    gateway = gateway_factory(next_hop.port, emulation_section(emulator.port))
    gateway.start()
    _, transcript = swaks(gateway.port, tmp_path, [("eicar.com", EICAR), ("figures.txt", BENIGN)])

    raw, message = delivered(next_hop)
    assert EICAR not in raw
    fields = verdicts(message)
    assert len(fields) == 2, fields  # the forged one is gone
    assert re.fullmatch(r'"eicar\.com" sha256=[0-9a-f]{64}; malicious; removed', fields[0])
    assert re.fullmatch(r'"figures\.txt" sha256=[0-9a-f]{64}; benign', fields[1])
    assert attachment_payloads(message) == {"figures.txt": BENIGN}
    (notice,) = notices(message)
    assert "eicar.com" in notice and "malicious" in notice

    # The metrics endpoint counts the files by outcome.
    with urllib.request.urlopen(f"http://127.0.0.1:{gateway.metrics_port}/metrics",
                                timeout=10) as page:
        metrics = page.read().decode()
    assert "\nmta_files_malicious_total 1\n" in metrics
    assert "\nmta_files_benign_total 1\n" in metrics

    # The benign part's bytes as swaks sent them (its base64 lines) arrive unchanged.
    sent_lines = [line[4:] for line in transcript.splitlines() if line.startswith(" -> ")]
    sent = "\r\n".join(sent_lines).encode()
    benign_part = sent[sent.index(b'name="figures.txt"'):]
    benign_part = benign_part[:benign_part.index(b"\r\n--")]
    assert benign_part in raw


def test_eicar_inside_a_zip_is_removed(tmp_path, next_hop, gateway_factory, emulator_factory):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("inner/eicar.txt", EICAR)
    emulator = emulator_factory()
    gateway = gateway_factory(next_hop.port, emulation_section(emulator.port))
    gateway.start()
    swaks(gateway.port, tmp_path, [("invoice.zip", archive.getvalue()), ("figures.txt", BENIGN)])

    raw, message = delivered(next_hop)
    assert archive.getvalue() not in raw
    fields = verdicts(message)
    assert fields[0].startswith('"invoice.zip" sha256=') and fields[0].endswith("malicious; removed")
    assert attachment_payloads(message) == {"figures.txt": BENIGN}


def test_the_original_of_a_stripped_mail_goes_to_the_quarantine_address(
        tmp_path, next_hop, gateway_factory, emulator_factory):
    emulator = emulator_factory()
    quarantine = "quarantine:\n  address: vault@corp.example\n"
    gateway = gateway_factory(next_hop.port, emulation_section(emulator.port) + quarantine)
    gateway.start()
    swaks(gateway.port, tmp_path, [("eicar.com", EICAR), ("figures.txt", BENIGN)])

    wait_for(lambda: len(next_hop.messages) == 2, "the stripped mail and its quarantine copy")
    (copy,) = [m for m in next_hop.messages if m.rcpt_tos == ["vault@corp.example"]]
    (stripped,) = [m for m in next_hop.messages if m.rcpt_tos == ["bob@corp.example"]]
    assert EICAR not in stripped.original_content
    assert copy.mail_from in ("", "<>")

    message = email.message_from_bytes(copy.original_content, policy=email.policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    note, attached = list(message.iter_parts())
    assert "malicious; removed" in note.get_content()
    assert "<alice@sender.example>" in note.get_content()
    assert attached.get_content_type() == "message/rfc822"
    original = attached.get_content()
    assert original["Subject"] == "figures"
    assert attachment_payloads(original) == {"eicar.com": EICAR, "figures.txt": BENIGN}


def self_signed(folder, name, subject_alt_name):
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    f"/CN={name}", "-addext", f"subjectAltName={subject_alt_name}",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.mark.parametrize("trusted", [True, False])
def test_over_https_the_service_is_checked_against_emulation_ca_file(
        tmp_path, next_hop, gateway_factory, emulator_factory, trusted):
    cert, key = self_signed(tmp_path, "sandbox", "IP:127.0.0.1")
    stranger, _ = self_signed(tmp_path, "stranger", "IP:127.0.0.1")
    emulator = emulator_factory(extra_arguments=["--certificate", cert, "--private-key", key])
    emulation = ("emulation:\n"
                 f"  url: https://127.0.0.1:{emulator.port}\n"
                 f"  ca_file: {cert if trusted else stranger}\n"
                 "  max_delay: 1m\n  poll_interval: 1s\n  request_timeout: 5s\n"
                 "  fail_mode: close\n")
    gateway = gateway_factory(next_hop.port, emulation)
    gateway.start()
    swaks(gateway.port, tmp_path, [("eicar.com", EICAR)])

    raw, message = delivered(next_hop)
    assert EICAR not in raw
    (field,) = verdicts(message)
    if trusted:
        assert field.endswith("; malicious; removed"), field
    else:
        assert field.endswith("; not-scanned (unreachable); removed"), field


@pytest.mark.parametrize("fail_mode", ["open", "close"])
def test_with_the_emulator_down_the_fail_mode_decides(tmp_path, next_hop, gateway_factory,
                                                       fail_mode):
    nobody = free_port()
    gateway = gateway_factory(next_hop.port, emulation_section(nobody, fail_mode))
    gateway.start()
    swaks(gateway.port, tmp_path, [("report.pdf", BENIGN)])

    raw, message = delivered(next_hop)
    (field,) = verdicts(message)
    if fail_mode == "open":
        assert field.endswith("; not-scanned (unreachable); delivered")
        assert attachment_payloads(message) == {"report.pdf": BENIGN}
    else:
        assert field.endswith("; not-scanned (unreachable); removed")
        assert attachment_payloads(message) == {}
        (notice,) = notices(message)
        assert "report.pdf" in notice


@pytest.mark.parametrize("mode", ["mta", "inline"])
def test_a_slow_sandbox_holds_the_source_only_in_inline_mode(tmp_path, next_hop,
                                                             gateway_factory, emulator_factory,
                                                             mode):
    emulator = emulator_factory("default:\n  verdict: benign\n  delay: 30s\n")
    gateway = gateway_factory(next_hop.port, f"mode: {mode}\n" + emulation_section(emulator.port))
    gateway.start()
    elapsed, _ = swaks(gateway.port, tmp_path, [("eicar.com", EICAR)], timeout=120)

    if mode == "mta":
        assert elapsed < 5, f"mta mode held the source {elapsed:.1f}s"
        assert next_hop.messages == []  # still with the sandbox
    else:
        assert elapsed >= 30, f"inline mode answered after {elapsed:.1f}s"
    raw, message = delivered(next_hop, limit=60)
    assert EICAR not in raw
    assert verdicts(message) == [verdicts(message)[0]]
    assert verdicts(message)[0].endswith("malicious; removed")
