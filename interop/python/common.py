"""What the Python clients of the interop suite share: the demo's identities,
the result recorder, the test data and a curl wrapper."""

import hashlib
import json
import os
import subprocess
import sys
import traceback
import zlib

ACCOUNT = "111122223333"
REGION = "us-east-1"
ROOT = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
ALICE = ("AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY")
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
ALICE_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/demo-role"

# The keys of the key cases, by case id: every character the issue names.
KEYS = {
    "key-punctuation": "punct/+=:@!*'(),;$&~.txt",
    "key-spaces": "spaces/a b  c   d.txt",
    "key-percent": "percent/100%/%41%2F%zz.txt",
    "key-double-slash": "double//slash///x.txt",
    "key-trailing-slash": "trailing/slash/",
    "key-utf8": "utf8/ünïcødé/日本語/😀.txt",
}

MIB = 1024 * 1024


def payload(label, size=1024):
    """Deterministic bytes of `size`, different for each label."""
    seed = hashlib.sha256(label.encode()).digest()
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(seed + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:size])


def short_mode(mode):
    """A signed body hash is 64 hex digits; say so rather than print it."""
    if len(mode) == 64 and all(c in "0123456789abcdef" for c in mode):
        return "signed SHA-256"
    return mode


def crc32_b64(data):
    import base64

    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


class Results:
    """Collects one row per case and appends them to the results file."""

    def __init__(self, client, transport, path):
        self.client = client
        self.transport = transport
        self.path = path
        self.failed = 0

    def record(self, case, ok, detail=""):
        row = {
            "client": self.client,
            "transport": self.transport,
            "case": case,
            "ok": bool(ok),
            "detail": str(detail)[:400],
        }
        if not ok:
            self.failed += 1
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
        mark = "PASS" if ok else "FAIL"
        print(f"[{self.client}/{self.transport}] {mark} {case} {detail if not ok else ''}", flush=True)

    def run(self, case, fn):
        """Runs `fn`; an AssertionError or any exception is a failure."""
        try:
            detail = fn()
            self.record(case, True, detail or "")
        except Exception as e:  # noqa: BLE001 - a case fails on anything
            tb = traceback.format_exc(limit=3)
            print(tb, file=sys.stderr)
            self.record(case, False, f"{type(e).__name__}: {e}")


def curl(url, method="GET", data=None, ca=None, timeout=30):
    """Fetches `url` with curl: (status, body bytes). A plain HTTP client,
    with no AWS knowledge, as a browser or a shell script would be."""
    args = ["curl", "-sS", "-g", "--max-time", str(timeout), "-X", method, "-o", "-", "-w", "\n%{http_code}"]
    if ca:
        args += ["--cacert", ca]
    if data is not None:
        args += ["--data-binary", "@-", "-H", "Content-Type:"]
    args.append(url)
    proc = subprocess.run(args, input=data, capture_output=True, timeout=timeout + 5, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"curl failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    body, _, status = proc.stdout.rpartition(b"\n")
    return int(status), body


def error_code(xml_body):
    """The <Code> of an AWS error document."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml_body)
    for el in root.iter():
        if el.tag.endswith("Code"):
            return el.text
    return None


def error_message(xml_body):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml_body)
    for el in root.iter():
        if el.tag.endswith("Message"):
            return el.text
    return None


def use_signer(kind):
    """Chooses botocore's SigV4 signer.

    "python": botocore's own signer classes, what boto3 and the AWS CLI use
    when awscrt is not installed (a plain `pip install boto3`).
    "crt": aws-c-auth through awscrt, what botocore picks by itself once
    awscrt is installed (`pip install boto3[crt]`).

    The venv has awscrt (botocore needs it for CRC64NVME checksums), so
    without this call every client would use the CRT signer.
    """
    import botocore.auth as auth
    from botocore.compat import HAS_CRT

    if kind == "python":
        auth.AUTH_TYPE_MAPS.update(
            {
                "v4": auth.SigV4Auth,
                "v4-query": auth.SigV4QueryAuth,
                "s3v4": auth.S3SigV4Auth,
                "s3v4-query": auth.S3SigV4QueryAuth,
            }
        )
    elif kind == "crt":
        check(HAS_CRT, "awscrt is not installed")
        check(auth.AUTH_TYPE_MAPS["s3v4"].__module__ == "botocore.crt.auth", "not the CRT signer")
    else:
        raise ValueError(kind)


class ShiftedClock:
    """Moves botocore's signing clock (both signers'), as a client on a
    wrong clock would."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        import datetime

        import botocore.auth

        modules = [botocore.auth]
        try:
            import botocore.crt.auth

            modules.append(botocore.crt.auth)
        except ImportError:
            pass
        shift = datetime.timedelta(seconds=self.seconds)
        self.saved = [(m, m.get_current_datetime) for m in modules]
        for module, real in self.saved:
            module.get_current_datetime = lambda *a, real=real, **k: real(*a, **k) + shift
        return self

    def __exit__(self, *exc):
        for module, real in self.saved:
            module.get_current_datetime = real


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def env_or_die(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set")
    return value
