#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets (standard library only).

Sources: the inputs that once failed, in fuzz/regressions/<target>/ (kept so
that every run replays them); AWS's SigV4 suites and the S3 worked examples in ../shared/test-suites
(the shared/ folder beside the repository) and the botocore vectors in
test-vectors/botocore.json. Every request becomes raw HTTP/1.1 bytes, the
input format of parse_signature, canonical_encoding and verify_request; the
aws-chunked examples become inputs of chunked_decoder (see the header of
fuzz_targets/chunked_decoder.rs for its layout).

Usage: fuzz/build_corpus.py [OUT_DIR]   (default: fuzz/corpus)

A missing shared/ folder is an error when CI=true, otherwise a warning.
"""

import base64
import hashlib
import json
import os
import struct
import sys
import zlib
from pathlib import Path
from urllib.parse import quote

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
SHARED = REPO.parent / "shared" / "test-suites"
REQUEST_TARGETS = ["parse_signature", "canonical_encoding", "verify_request"]


def fail_or_warn(message):
    if os.environ.get("CI") == "true":
        sys.exit(f"build_corpus: {message} (CI=true: shared test data must be present)")
    print(f"build_corpus: warning: {message}", file=sys.stderr)


class Corpus:
    def __init__(self, out):
        self.out = out
        self.counts = {}

    def add(self, target, name, data):
        folder = self.out / target
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha1(data).hexdigest()[:12]
        (folder / f"{name}-{digest}").write_bytes(data)
        self.counts[target] = self.counts.get(target, 0) + 1

    def add_request(self, name, data):
        for target in REQUEST_TARGETS:
            self.add(target, name, data)


def raw_request(method, target, headers, body=b""):
    lines = [f"{method} ".encode() + target + b" HTTP/1.1"]
    for name, value in headers:
        lines.append(name.encode() + b":" + value.encode("utf-8", "surrogateescape"))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def suite_requests(corpus):
    """The CRT-format suite (header and query variants) and the 2015 suite."""
    sigv4 = SHARED / "sigv4"
    legacy = SHARED / "sigv4-legacy"
    for folder, patterns in [
        (sigv4, ["request.txt", "header-signed-request.txt", "query-signed-request.txt"]),
        (legacy, ["*.req", "*.sreq"]),
    ]:
        if not folder.is_dir():
            fail_or_warn(f"{folder} is missing")
            continue
        for pattern in patterns:
            for path in sorted(folder.rglob(pattern)):
                name = f"{folder.name}-{path.parent.name}-{path.stem}"
                corpus.add_request(name, path.read_bytes())


def payload_bytes(payload):
    if payload.get("empty"):
        return b""
    if "text" in payload:
        return payload["text"].encode()
    return (payload["repeat"].encode() * payload["len"])[: payload["len"]]


def chunked_body(case):
    expected = case["expected"]
    data = payload_bytes(case["payload"])
    body = b""
    offset = 0
    for chunk in expected["chunks"]:
        n = chunk["data_len"]
        body += chunk["header_line"].encode() + b"\r\n"
        if n:
            body += data[offset : offset + n] + b"\r\n"
            offset += n
    trailer = expected.get("trailer")
    if trailer:
        for line in trailer["canonical_trailer_headers"].splitlines():
            body += line.encode() + b"\r\n"
        body += b"x-amz-trailer-signature:" + trailer["signature"].encode() + b"\r\n"
    return body + b"\r\n", trailer is not None


def chunked_input(mode, flags, declared_len, split, body):
    return bytes([mode, flags]) + struct.pack("<IH", declared_len, split) + body


def s3_examples(corpus):
    folder = SHARED / "s3-examples"
    if not folder.is_dir():
        fail_or_warn(f"{folder} is missing")
        return
    for path in sorted(folder.glob("*.json")):
        case = json.loads(path.read_text())
        expected = case["expected"]
        headers = [tuple(h) for h in case["headers"]]
        target = quote(case["path"], safe="/~").encode()
        if case["auth"] == "query-string":
            url = expected["url"]
            target = url[url.index("/", len("https://")) :].encode()
            corpus.add_request(f"s3-{case['name']}", raw_request(case["method"], target, headers))
            continue
        if case["query"]:
            target += b"?" + "&".join(
                quote(k, safe="-_.~") + ("=" + quote(v, safe="-_.~") if v else "")
                for k, v in case["query"]
            ).encode()
        authorization = expected.get("authorization") or (
            "AWS4-HMAC-SHA256 Credential={}/{}/{}/{}/aws4_request, SignedHeaders={}, Signature={}".format(
                case["access_key_id"], case["timestamp"][:8], case["region"], case["service"],
                expected["signed_headers"], expected["seed_signature"]))
        headers.append(("Authorization", authorization))
        if case["auth"] == "authorization-header-streaming":
            body, trailer = chunked_body(case)
            corpus.add_request(f"s3-{case['name']}", raw_request(case["method"], target, headers, body))
            # chunked_decoder: mode 0 = signed (seed of chunked-upload), 1 =
            # signed with trailer (seed of chunked-upload-trailer); flags bit
            # 4 = check the decoded length; bits 1-3 = checksum 2 (CRC32C).
            mode, flags = (1, 0x10 | (2 << 1)) if trailer else (0, 0x10)
            decoded = len(payload_bytes(case["payload"]))
            for split in (0, 1, 7, 4099):
                corpus.add("chunked_decoder", f"s3-{case['name']}-split{split}",
                           chunked_input(mode, flags, decoded, split, body))
        else:
            corpus.add_request(f"s3-{case['name']}",
                               raw_request(case["method"], target, headers, payload_bytes(case["payload"])))


def unsigned_chunked(corpus):
    """STREAMING-UNSIGNED-PAYLOAD-TRAILER bodies with a CRC32 or SHA-256 trailer."""
    for name, data in [("hello", b"hello"), ("empty", b""), ("two-chunks", b"a" * 9000 + b"b" * 10)]:
        crc = base64.b64encode(struct.pack(">I", zlib.crc32(data))).decode()
        sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
        for algo_index, header, value in [(3, "x-amz-checksum-crc32", crc), (5, "x-amz-checksum-sha256", sha)]:
            body = b""
            rest = data
            while rest:
                piece, rest = rest[:9000], rest[9000:]
                body += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
            body += f"0\r\n{header}:{value}\r\n\r\n".encode()
            flags = 0x10 | (algo_index << 1)
            corpus.add("chunked_decoder", f"unsigned-{name}-{header}",
                       chunked_input(2, flags, len(data), 3, body))
    # Recipes of mode 3 (the harness signs the chunks): intact, flipped, cut.
    for flags, damage in [(0, 0), (1, 0), (0, 40), (1, 90), (3, 60)]:
        recipe = struct.pack("<H", 100) + b"x" * 100 + struct.pack("<H", 5) + b"tail!"
        corpus.add("chunked_decoder", f"recipe-{flags}-{damage}", chunked_input(3, flags, damage, 11, recipe))


def botocore_vectors(corpus):
    path = REPO / "test-vectors" / "botocore.json"
    for vector in json.loads(path.read_text())["vectors"]:
        body = vector["body"]
        data = base64.b64decode(body["data"]) if body["encoding"] == "base64" else body["data"].encode()
        headers = [tuple(h) for h in vector["headers"]]
        target = vector["target"].encode("utf-8", "surrogateescape")
        corpus.add_request(f"botocore-{vector['id']}", raw_request(vector["method"], target, headers, data))


def regressions(corpus):
    """Inputs that once failed (fuzz/regressions/<target>/), replayed first."""
    folder = FUZZ / "regressions"
    for target_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for path in sorted(target_dir.iterdir()):
            corpus.add(target_dir.name, f"regression-{path.name}", path.read_bytes())


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else FUZZ / "corpus"
    corpus = Corpus(out)
    regressions(corpus)
    suite_requests(corpus)
    s3_examples(corpus)
    unsigned_chunked(corpus)
    botocore_vectors(corpus)
    for target, n in sorted(corpus.counts.items()):
        print(f"build_corpus: {n:4} seeds for {target} in {out / target}")


if __name__ == "__main__":
    main()
