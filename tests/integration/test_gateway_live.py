"""The gateway from outside: real processes, real sockets, Debian's own clients."""

import email
import email.policy
import smtplib
import socket
import subprocess

import pytest

from conftest import wait_for


def parse(envelope):
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def test_smtplib_message_arrives_intact_with_a_received_header(next_hop, gateway_factory):
    gateway = gateway_factory(next_hop.port)
    gateway.start()
    body = "Subject: hello\r\n\r\nfirst line\r\n.a line that starts with a dot\r\n"
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=10) as client:
        client.sendmail("alice@sender.example", ["bob@corp.example"], body)

    wait_for(lambda: len(next_hop.messages) == 1, "delivery to the next hop")
    got = next_hop.messages[0]
    assert got.mail_from == "alice@sender.example"
    assert got.rcpt_tos == ["bob@corp.example"]
    message = parse(got)
    assert "by gw.example.net (mta-gateway)" in message["Received"]
    assert got.original_content.endswith(
        b"Subject: hello\r\n\r\nfirst line\r\n.a line that starts with a dot\r\n")


def test_swaks_with_starttls_and_pipelining_delivers(next_hop, gateway_factory, certificate):
    cert, key = certificate
    gateway = gateway_factory(next_hop.port, f"tls:\n  certificate: {cert}\n  private_key: {key}\n")
    gateway.start()
    result = subprocess.run(
        ["swaks", "--server", f"127.0.0.1:{gateway.port}", "--from", "alice@sender.example",
         "--to", "bob@corp.example", "--tls", "--pipeline", "--header", "Subject: over tls"],
        capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "250 2.0.0" in result.stdout

    wait_for(lambda: len(next_hop.messages) == 1, "delivery to the next hop")
    message = parse(next_hop.messages[0])
    assert message["Subject"] == "over tls"
    assert "with ESMTPS" in message["Received"]


def test_relaying_to_another_domain_is_refused(next_hop, gateway_factory):
    gateway = gateway_factory(next_hop.port)
    gateway.start()
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=10) as client:
        client.ehlo()
        client.mail("alice@sender.example")
        code, text = client.rcpt("mallory@elsewhere.example")
        assert (code, text[:5]) == (550, b"5.7.1")
        code, _ = client.rcpt("bob%elsewhere.example@corp.example")
        assert code == 550


def test_a_smuggled_message_is_refused_and_nothing_is_delivered(next_hop, gateway_factory):
    gateway = gateway_factory(next_hop.port)
    gateway.start()
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as raw:
        stream = raw.makefile("rwb")
        assert stream.readline().startswith(b"220")
        stream.write(b"EHLO smuggler\r\n")
        stream.flush()
        while not stream.readline().startswith(b"250 "):
            pass
        stream.write(b"MAIL FROM:<a@sender.example>\r\nRCPT TO:<bob@corp.example>\r\nDATA\r\n")
        stream.flush()
        assert [stream.readline()[:3] for _ in range(3)] == [b"250", b"250", b"354"]
        stream.write(b"Subject: one\r\n\r\nbody\n.\nMAIL FROM:<evil@sender.example>\r\n"
                     b"RCPT TO:<bob@corp.example>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n")
        stream.flush()
        assert stream.readline().startswith(b"554 5.6.0")
        assert stream.readline().startswith(b"221")
    # The gateway's queue is empty: nothing was accepted to deliver later.
    assert gateway.queue("list").stdout == ""
    assert next_hop.messages == []


def test_bdat_chunks_over_a_real_socket_arrive_as_sent(next_hop, gateway_factory):
    gateway = gateway_factory(next_hop.port)
    gateway.start()
    content = b"Subject: chunked\r\n\r\n.a line that DATA would have dot-stuffed\r\nend\r\n"
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as raw:
        stream = raw.makefile("rwb")
        assert stream.readline().startswith(b"220")
        stream.write(b"EHLO chunker\r\n")
        stream.flush()
        offered = []
        while True:
            line = stream.readline()
            offered.append(line[4:].strip())
            if line.startswith(b"250 "):
                break
        assert b"CHUNKING" in offered
        # Envelope and both chunks pipelined in one write, the second chunk LAST.
        stream.write(b"MAIL FROM:<alice@sender.example>\r\nRCPT TO:<bob@corp.example>\r\n"
                     + b"BDAT 20\r\n" + content[:20]
                     + b"BDAT %d LAST\r\n" % (len(content) - 20) + content[20:] + b"QUIT\r\n")
        stream.flush()
        replies = [stream.readline() for _ in range(5)]
        assert [reply[:3] for reply in replies] == [b"250", b"250", b"250", b"250", b"221"]
        assert b"queued as" in replies[3]
    wait_for(lambda: len(next_hop.messages) == 1, "the next hop to receive the message")
    assert next_hop.messages[0].original_content.endswith(b"\r\n" + content)


def test_smtp_source_pushes_1000_messages_over_20_sessions(next_hop, gateway_factory):
    gateway = gateway_factory(next_hop.port)
    gateway.start()
    result = subprocess.run(
        ["smtp-source", "-s", "20", "-m", "1000", "-f", "alice@sender.example", "-t",
         "bob@corp.example", f"127.0.0.1:{gateway.port}"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    wait_for(lambda: len(next_hop.messages) == 1000, "1000 deliveries", limit=120)


def test_kill_9_loses_no_accepted_message(next_hop, gateway_factory):
    # The next hop is down while the gateway accepts three messages.
    next_hop.stop()
    gateway = gateway_factory(next_hop.port)
    gateway.start()
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=10) as client:
        for number in range(3):
            client.sendmail("alice@sender.example", ["bob@corp.example"],
                            f"Subject: survivor {number}\r\n\r\nbody\r\n")
    wait_for(lambda: "deferred" in gateway.queue("list").stdout, "a deferred message")
    gateway.kill()

    # Restarted with the next hop up, and told not to wait for the backoff.
    next_hop.start()
    gateway.start()
    assert gateway.queue("flush").returncode == 0
    wait_for(lambda: len(next_hop.messages) == 3, "the three accepted messages")
    subjects = sorted(parse(m)["Subject"] for m in next_hop.messages)
    assert subjects == ["survivor 0", "survivor 1", "survivor 2"]


def test_check_config_names_file_line_and_key(tmp_path):
    from conftest import BIN_DIR
    bad = tmp_path / "bad.yaml"
    bad.write_text("hostname: gw.example.net\nlisten: 127.0.0.1:25\nmode: sideways\n")
    result = subprocess.run([BIN_DIR / "mta-gateway", "--check-config", bad],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert f"{bad}:3: mode:" in result.stderr
