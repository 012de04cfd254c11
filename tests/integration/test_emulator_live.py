"""The emulator mock from outside: the real program on loopback, spoken to with urllib."""

import hashlib
import json
import signal
import ssl
import subprocess
import urllib.request

from conftest import BIN_DIR, accepts_connections, free_port, wait_for

# Split so that this file is not itself the test string.
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
API = "/tecloud/api/v1/file"


def post(port, path, body, content_type):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body,
                                     headers={"Content-Type": content_type}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())["response"]


def upload(port, file_name, content):
    boundary = "emulator-live-boundary"
    request = json.dumps({"request": {"file_name": file_name, "features": ["te"],
                                      "sha256": hashlib.sha256(content).hexdigest()}})
    body = (f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="request"\r\n'
            "Content-Type: application/json\r\n\r\n"
            f"{request}\r\n"
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + content + \
        f"\r\n--{boundary}--\r\n".encode()
    return post(port, f"{API}/upload", body, f"multipart/form-data; boundary={boundary}")


def query(port, content):
    body = json.dumps({"request": {"sha256": hashlib.sha256(content).hexdigest(),
                                   "features": ["te"]}}).encode()
    return post(port, f"{API}/query", body, "application/json")


def test_eicar_upload_is_malicious_and_sigterm_exits_0(tmp_path):
    port = free_port()
    log = tmp_path / "emulator.log"
    with open(log, "wb") as stderr:
        process = subprocess.Popen([BIN_DIR / "mta-emulator-mock", "--listen",
                                    f"127.0.0.1:{port}"], stderr=stderr)
    try:
        wait_for(lambda: accepts_connections(port), "the emulator to listen")
        assert query(port, EICAR)["status"]["code"] == 1004
        uploaded = upload(port, "eicar.com", EICAR)
        assert uploaded["status"] == {"code": 1002, "label": "UPLOAD_SUCCESS"}
        found = query(port, EICAR)
        assert found["status"]["code"] == 1001
        assert found["te"]["combined_verdict"] == "malicious"
        upload(port, "clean.txt", b"nothing to see")
        assert query(port, b"nothing to see")["te"]["combined_verdict"] == "benign"

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/control/counters",
                                    timeout=10) as response:
            counters = json.loads(response.read())
        assert counters["verdicts"] == {"benign": 1, "malicious": 1, "unknown": 0}
        assert counters["uploads"] == 2
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)
    assert code == 0, log.read_text()
    assert '"event": "emulator.verdict"' in log.read_text()


def test_a_config_with_a_bad_key_exits_2_naming_line_and_key(tmp_path):
    config = tmp_path / "emulator.yaml"
    config.write_text("capacity: 2\ndefault:\n  verdict: benign\n  delya: 5s\n")
    result = subprocess.run([BIN_DIR / "mta-emulator-mock", "--listen",
                             f"127.0.0.1:{free_port()}", "--config", config],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert f"{config}:4: default.delya: unknown key" in result.stderr


def test_bad_usage_exits_2_and_help_exits_0():
    assert subprocess.run([BIN_DIR / "mta-emulator-mock"], capture_output=True,
                          timeout=10).returncode == 2
    assert subprocess.run([BIN_DIR / "mta-emulator-mock", "--listen", "nowhere"],
                          capture_output=True, timeout=10).returncode == 2
    helped = subprocess.run([BIN_DIR / "mta-emulator-mock", "--help"], capture_output=True,
                            text=True, timeout=10)
    assert helped.returncode == 0
    assert "--listen" in helped.stdout


def test_https_with_a_certificate(certificate):
    cert, key = certificate
    port = free_port()
    process = subprocess.Popen([BIN_DIR / "mta-emulator-mock", "--listen", f"127.0.0.1:{port}",
                                "--certificate", cert, "--private-key", key],
                               stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: accepts_connections(port), "the emulator to listen")
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        body = json.dumps({"request": {"sha256": "0" * 64}}).encode()
        request = urllib.request.Request(f"https://127.0.0.1:{port}{API}/query", data=body,
                                         method="POST")
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            assert json.loads(response.read())["response"]["status"]["code"] == 1004
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
