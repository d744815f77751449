#!/usr/bin/env python3
"""Generate SigV4 test vectors with botocore's own signers.

Every vector is a request signed by botocore (``SigV4Auth``, ``S3SigV4Auth``,
``SigV4QueryAuth``, ``S3SigV4QueryAuth``) at a fixed time with fixed
credentials, recorded as a server receives it: method, request target, header
lines in order, body. Botocore's canonical request and string to sign are
captured from the signer's own methods while it signs.

The output is deterministic: run it twice and the JSON is byte-identical.

    python3 -m venv /tmp/vec-venv
    /tmp/vec-venv/bin/pip install -r test-vectors/requirements.txt
    /tmp/vec-venv/bin/python test-vectors/generate.py

writes ``test-vectors/botocore.json`` (``--out`` picks another file and
``--check`` fails if the committed file differs from a fresh run).
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import sys
import zlib
from urllib.parse import urlsplit

import botocore
import botocore.auth
from botocore.auth import (
    S3SigV4Auth,
    S3SigV4QueryAuth,
    SigV4Auth,
    SigV4QueryAuth,
)
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.utils import percent_encode, percent_encode_sequence

# ---------------------------------------------------------------------------
# Fixed inputs
# ---------------------------------------------------------------------------

# Secrets and tokens deliberately hold `+`, `/` and `=`: they must reach the
# HMAC as raw bytes, and the token must survive percent-encoding in a query.
CREDENTIALS = {
    "example": ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None),
    "plus-slash-equals": (
        "AKIAIOSFODNN7EXAMPLE",
        "a+b/c=d+/=e+f/g==h/i+j=k/l+m/n=o+p/q==",
        None,
    ),
    "session": (
        "ASIAQEXAMPLE7SESSION",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+"
        "Ex4mPl3/token+with/slashes=and+plus==",
    ),
    "long-session": (
        "ASIA5LONGTOKENEXAMPLE",
        "Zm9v+YmFy/YmF6==/cXV4+cXV1eA==",
        # A few KB, as real STS tokens are, with every base64 special.
        "FwoGZXIvYXdzE" + "".join(
            base64.b64encode(hashlib.sha256(str(i).encode()).digest()).decode()
            for i in range(60)
        ),
    ),
    # An access key id holding `/`: the scope is the last four parts.
    "slash-key": ("AKID/WITH/SLASH", "c2VjcmV0+/=c2VjcmV0", None),
}

# (signing time, region) pairs, used round-robin.
TIMES = [
    datetime.datetime(2015, 8, 30, 12, 36, 0),
    datetime.datetime(2013, 5, 24, 0, 0, 0),
    datetime.datetime(2024, 2, 29, 23, 59, 59),
    datetime.datetime(2023, 12, 31, 23, 59, 30),
    datetime.datetime(2025, 6, 1, 8, 15, 42),
    datetime.datetime(2026, 1, 1, 0, 0, 1),
]
REGIONS = [
    "us-east-1",
    "us-west-2",
    "eu-central-1",
    "ap-southeast-2",
    "cn-north-1",
    "us-gov-west-1",
    "sa-east-1",
]

USER_AGENT = f"Botocore/{botocore.__version__} vector-generator"

# Characters the issue names, plus a few that must be encoded in any case.
SPECIALS = "+=:@!*'(),;$&~"


class Counter:
    def __init__(self):
        self.n = 0

    def next(self):
        self.n += 1
        return self.n


COUNTER = Counter()


def pick(seq, i):
    return seq[i % len(seq)]


# ---------------------------------------------------------------------------
# Signing and recording
# ---------------------------------------------------------------------------


def sign(
    *,
    name,
    description,
    signer_cls,
    service,
    region,
    when,
    creds,
    method,
    url,
    params=None,
    headers=(),
    data=None,
    context=None,
    expires=None,
    path_rule,
    verify_offset=30,
):
    akid, secret, token = CREDENTIALS[creds]
    credentials = Credentials(akid, secret, token)
    if expires is None:
        signer = signer_cls(credentials, service, region)
    else:
        signer = signer_cls(credentials, service, region, expires=expires)

    captured = {}
    orig_sts = signer.string_to_sign
    orig_sig = signer.signature

    def capture_sts(request, canonical_request):
        captured["canonical_request"] = canonical_request
        sts = orig_sts(request, canonical_request)
        captured["string_to_sign"] = sts
        return sts

    def capture_sig(string_to_sign, request):
        sig = orig_sig(string_to_sign, request)
        captured["signature"] = sig
        return sig

    signer.string_to_sign = capture_sts
    signer.signature = capture_sig

    request = AWSRequest(method=method, url=url, params=params, data=data)
    for hname, hvalue in headers:
        # HTTPHeaders appends on assignment, so repeated names stay repeated.
        request.headers[hname] = hvalue
    if context:
        request.context.update(context)

    # Freeze botocore's clock the way its own tests do.
    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *a, **k: when
    try:
        signer.add_auth(request)
    finally:
        botocore.auth.get_current_datetime = saved

    prepared = request.prepare()
    body = prepared.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")

    parts = urlsplit(prepared.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query

    # What the server sees: the HTTP client writes Host and Accept-Encoding
    # first, then the request's header lines in order (repeats kept), then
    # Content-Length for methods with a body. Parsers strip leading and
    # trailing whitespace from values; inner runs arrive as sent.
    wire = []
    if "host" not in {k.lower() for k in request.headers.keys()}:
        wire.append(["Host", botocore.auth._host_from_url(prepared.url)])
    wire.append(["Accept-Encoding", "identity"])
    for hname, hvalue in request.headers.items():
        wire.append([hname, hvalue.strip(" \t")])
    if method not in ("GET", "HEAD", "OPTIONS") and "content-length" not in {
        k.lower() for k, _ in wire
    }:
        wire.append(["Content-Length", str(len(body))])

    try:
        text = body.decode("utf-8")
        body_rec = {"encoding": "utf-8", "data": text}
    except UnicodeDecodeError:
        body_rec = {"encoding": "base64", "data": base64.b64encode(body).decode()}

    signed_at = when.strftime("%Y%m%dT%H%M%SZ")
    verify_at = when + datetime.timedelta(seconds=verify_offset)
    location = "query" if issubclass(signer_cls, SigV4QueryAuth) else "header"
    vid = f"{COUNTER.next():03d}-{name}"
    return {
        "id": vid,
        "description": description,
        "signer": f"botocore.auth.{signer_cls.__name__}",
        "location": location,
        "method": method,
        "url": prepared.url,
        "target": target,
        "headers": wire,
        "body": body_rec,
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "credentials": {
            "access_key_id": akid,
            "secret_access_key": secret,
            "session_token": token,
        },
        "region": region,
        "service": service,
        "path_rule": path_rule,
        "signed_at": signed_at,
        "verify_at": verify_at.strftime("%Y%m%dT%H%M%SZ"),
        "verify_at_unix": int(
            verify_at.replace(tzinfo=datetime.timezone.utc).timestamp()
        ),
        "expires": expires,
        "canonical_request": captured["canonical_request"],
        "string_to_sign": captured["string_to_sign"],
        "signature": captured["signature"],
        "expected": "verify",
    }


# ---------------------------------------------------------------------------
# S3
# ---------------------------------------------------------------------------

# (name, key as a string, or a pre-encoded wire key when it starts with "=")
S3_KEYS = [
    ("plain", "photos/2024/cat.jpg"),
    ("plus-equals", "a+b=c"),
    ("colon-at-bang", "k:e@y!"),
    ("star-quote-parens", "star*quote'(paren),semi;dollar$amp&tilde~"),
    ("all-specials", "x" + SPECIALS + "y"),
    ("spaces", "with space/and  two   spaces "),
    ("utf8", "utf8/\u20acuro/\u65e5\u672c\u8a9e/\U0001f600.txt"),
    ("utf8-combining", "cafe\u0301/na\u00efve"),
    ("tilde", "~tilde~only~"),
    ("percent-literal", "100%/a%2Fb"),
    ("trailing-slash", "dir/sub/"),
    ("double-slash", "a//b///c"),
    ("dot-segments", "a/./b/../c"),
    ("leading-dotdot", "../up/./"),
    ("lone-dot", "."),
    ("question-hash", "what?#not-a-fragment"),
    ("brackets-pipes", "[x]{y}|z^`\"<>\\"),
    ("mixed-case", "MiXeD/CaSe.TXT"),
    ("unreserved", "AZaz09-._~"),
    ("leading-slash-key", "/rooted"),
    ("encoded-slash", "=a%2Fb%2Fc"),
    ("encoded-slash-mixed", "=dir/x%2Fy/z"),
]


def s3_key_path(key):
    if key.startswith("="):
        return key[1:]
    return percent_encode(key, safe="/~")


def s3_cases():
    out = []
    i = 0
    hosts = [
        ("path", "https://s3.{region}.amazonaws.com", "/{bucket}/{key}"),
        ("virtual", "https://{bucket}.s3.{region}.amazonaws.com", "/{key}"),
        ("local", "http://localhost:9000", "/{bucket}/{key}"),
        ("ipv6", "http://[::1]:9000", "/{bucket}/{key}"),
    ]
    creds_cycle = ["example", "plus-slash-equals", "session", "example", "long-session"]

    def url_for(i, key_path, bucket="examplebucket"):
        region = pick(REGIONS, i)
        _, base, path = pick(hosts, i)
        return region, base.format(region=region, bucket=bucket) + path.format(
            bucket=bucket, key=key_path
        )

    # Header auth: GET every key.
    for name, key in S3_KEYS:
        region, url = url_for(i, s3_key_path(key))
        out.append(
            sign(
                name=f"s3-get-{name}",
                description=f"S3 GetObject, header auth, key {name}",
                signer_cls=S3SigV4Auth,
                service="s3",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="GET",
                url=url,
                headers=[("User-Agent", USER_AGENT)],
                path_rule="s3",
                verify_offset=i * 7 % 300,
            )
        )
        i += 1

    # Header auth: PUT every key with a body, metadata and an Expect header.
    for j, (name, key) in enumerate(S3_KEYS):
        region, url = url_for(i, s3_key_path(key))
        if j % 3 == 2:
            data = bytes(range(256)) * 3
        elif j % 3 == 1:
            data = b""
        else:
            data = f"body of {key}\n".encode("utf-8")
        out.append(
            sign(
                name=f"s3-put-{name}",
                description=f"S3 PutObject, header auth, key {name}, {len(data)}-byte body",
                signer_cls=S3SigV4Auth,
                service="s3",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i + 1),
                method="PUT",
                url=url,
                data=data,
                headers=[
                    ("Content-Type", "application/octet-stream"),
                    ("x-amz-meta-origin", "vector " + name),
                    ("Expect", "100-continue"),
                    ("User-Agent", USER_AGENT),
                ],
                path_rule="s3",
                verify_offset=(i * 13) % 800,
            )
        )
        i += 1

    # Query strings on buckets and objects (header auth). Pre-encoded the way
    # botocore's serializer writes them (percent_encode_sequence).
    queries = [
        ("list-v2", "/", [("list-type", "2"), ("prefix", "photos/ 2024"), ("delimiter", "/")]),
        ("acl-valueless", "/", "acl"),
        ("uploads-valueless", "/big%20file.bin", "uploads"),
        ("versioning-valueless-and-value", "/", "versioning&x-id=GetBucketVersioning"),
        ("upload-part", "/big%20file.bin", [("partNumber", "7"), ("uploadId", "VXBsb2FkIElE+/=")]),
        ("repeated-keys", "/", [("a", "2"), ("a", "1"), ("a", "10"), ("b", "")]),
        ("empty-values", "/", [("a", ""), ("b", ""), ("", "empty-key")]),
        ("prefix-sharing", "/", [("a1", "4"), ("a.b", "3"), ("a-b", "2"), ("a", "1"), ("a_b", "5"), ("A", "0"), ("a~", "6")]),
        ("special-values", "/", [("prefix", SPECIALS), ("marker", "a b\u20ac\U0001f600"), ("x", "%2F/%")]),
        ("special-keys", "/", [(SPECIALS, "v"), ("sp ace", "v"), ("\u00fc", "v")]),
        ("response-overrides", "/report.pdf", [("response-content-disposition", 'attachment; filename="q 1.pdf"'), ("response-content-type", "application/pdf"), ("versionId", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo")]),
        ("encoded-equals-in-value", "/", [("q", "a=b=c"), ("r", "==")]),
    ]
    for qname, path, query in queries:
        region = pick(REGIONS, i)
        base = f"https://examplebucket.s3.{region}.amazonaws.com{path}"
        if isinstance(query, str):
            url = base + "?" + query
        else:
            url = base + "?" + percent_encode_sequence(query)
        out.append(
            sign(
                name=f"s3-query-{qname}",
                description=f"S3 request with query {qname}, header auth",
                signer_cls=S3SigV4Auth,
                service="s3",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="GET",
                url=url,
                path_rule="s3",
                verify_offset=i % 60,
            )
        )
        i += 1

    # The same queries given as params: botocore's preparer writes them with
    # urlencode (`+` for a space), the signer canonicalizes from the params.
    for qname, path, query in queries:
        if isinstance(query, str) or not query:
            continue
        region = pick(REGIONS, i)
        out.append(
            sign(
                name=f"s3-params-{qname}",
                description=f"S3 request with query {qname} from params (`+` for spaces on the wire)",
                signer_cls=S3SigV4Auth,
                service="s3",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i + 2),
                method="GET",
                url=f"https://s3.{region}.amazonaws.com/examplebucket{path}",
                params=list(query),
                path_rule="s3",
                verify_offset=i % 90,
            )
        )
        i += 1

    # Headers: whitespace runs, repeated lines, names in mixed case.
    header_sets = [
        ("whitespace-runs", [("x-amz-meta-spaced", "  a   b    c  "), ("X-Amz-Meta-Other", "one  two")]),
        ("repeated-lines", [("x-amz-meta-tag", "one"), ("X-Amz-Meta-Tag", "two"), ("x-amz-meta-tag", "three  four")]),
        ("repeated-with-commas", [("x-amz-meta-list", "a,b"), ("x-amz-meta-list", " c , d ")]),
        ("mixed-case-names", [("X-AMZ-META-UPPER", "VALUE"), ("x-Amz-Meta-lower", "value")]),
        ("punctuation-values", [("x-amz-meta-p", SPECIALS + '"<>?#[]{}|\\^`'), ("Content-Disposition", 'attachment; filename="a b.txt"')]),
        ("standard-headers", [("Content-Type", "text/plain; charset=utf-8"), ("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="), ("Cache-Control", "no-cache"), ("x-amz-acl", "public-read"), ("x-amz-storage-class", "STANDARD_IA")]),
        ("range", [("Range", "bytes=0-9,20-29")]),
        ("explicit-host-port", [("Host", "s3.local.test:8443"), ("x-amz-meta-a", "b")]),
        ("if-match", [("If-Match", '"686897696a7c876b7e"'), ("If-None-Match", "*")]),
        ("sse-c", [("x-amz-server-side-encryption-customer-algorithm", "AES256"), ("x-amz-server-side-encryption-customer-key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="), ("x-amz-server-side-encryption-customer-key-MD5", "7kPnWKlVHGfwK5wPFEzC5Q==")]),
    ]
    for hname, hs in header_sets:
        region = pick(REGIONS, i)
        method = "GET" if hname in ("range", "if-match") else "PUT"
        out.append(
            sign(
                name=f"s3-headers-{hname}",
                description=f"S3 {method} with headers: {hname}",
                signer_cls=S3SigV4Auth,
                service="s3",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method=method,
                url=f"https://examplebucket.s3.{region}.amazonaws.com/headers/{hname}.txt",
                data=b"header vector body" if method == "PUT" else None,
                headers=list(hs) + [("User-Agent", USER_AGENT)],
                path_rule="s3",
                verify_offset=i % 120,
            )
        )
        i += 1

    # Payload modes besides a signed hash.
    for j, (name, key) in enumerate(S3_KEYS[:6]):
        region = pick(REGIONS, i)
        out.append(
            sign(
                name=f"s3-unsigned-payload-{name}",
                description="S3 PutObject over HTTPS with payload signing disabled (UNSIGNED-PAYLOAD)",
                signer_cls=S3SigV4Auth,
                service="s3",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="PUT",
                url=f"https://examplebucket.s3.{region}.amazonaws.com/{s3_key_path(key)}",
                data=b"not hashed by the signer",
                headers=[("Content-MD5", base64.b64encode(hashlib.md5(b"not hashed by the signer").digest()).decode())],
                context={"client_config": Config(s3={"payload_signing_enabled": False})},
                path_rule="s3",
                verify_offset=i % 100,
            )
        )
        i += 1

    for j, payload in enumerate([b"hello world", b"", "\u20ac".encode() * 100]):
        region = pick(REGIONS, i)
        crc = base64.b64encode(zlib.crc32(payload).to_bytes(4, "big")).decode()
        chunked = b""
        if payload:
            chunked += b"%x\r\n%s\r\n" % (len(payload), payload)
        chunked += b"0\r\nx-amz-checksum-crc32:" + crc.encode() + b"\r\n\r\n"
        out.append(
            sign(
                name=f"s3-streaming-unsigned-trailer-{j}",
                description="S3 PutObject with an aws-chunked body and a CRC32 trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER)",
                signer_cls=S3SigV4Auth,
                service="s3",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="PUT",
                url=f"https://examplebucket.s3.{region}.amazonaws.com/chunked/{j}.bin",
                data=chunked,
                headers=[
                    ("Content-Encoding", "aws-chunked"),
                    ("X-Amz-Decoded-Content-Length", str(len(payload))),
                    ("X-Amz-Trailer", "x-amz-checksum-crc32"),
                    ("X-Amz-Sdk-Checksum-Algorithm", "CRC32"),
                ],
                context={"checksum": {"request_algorithm": {"in": "trailer", "name": "x-amz-checksum-crc32", "algorithm": "crc32"}}},
                path_rule="s3",
                verify_offset=5,
            )
        )
        i += 1

    # Presigned GET, PUT, HEAD, DELETE over the key list.
    methods = ["GET", "PUT", "HEAD", "DELETE"]
    expires_cycle = [3600, 1, 60, 604800, 900, 86400]
    for j, (name, key) in enumerate(S3_KEYS):
        region, url = url_for(i, s3_key_path(key))
        method = pick(methods, j)
        expires = pick(expires_cycle, j)
        out.append(
            sign(
                name=f"s3-presigned-{method.lower()}-{name}",
                description=f"S3 presigned {method}, key {name}, expires {expires}",
                signer_cls=S3SigV4QueryAuth,
                service="s3",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method=method,
                url=url,
                expires=expires,
                path_rule="s3",
                verify_offset=min(expires - 1, (i * 11) % 600),
            )
        )
        i += 1

    # Presigned with extra signed query parameters and headers.
    extras = [
        ("response-overrides", "GET", [("response-content-disposition", 'attachment; filename="r\u00e9sum\u00e9 1.pdf"'), ("response-content-type", "application/pdf")], []),
        ("version-id", "GET", [("versionId", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo")], []),
        ("x-id", "GET", [("x-id", "GetObject")], []),
        ("upload-part", "PUT", [("partNumber", "3"), ("uploadId", "abc+def/ghi=")], []),
        ("specials-in-values", "GET", [("response-cache-control", SPECIALS), ("prefix", "a b/\u20ac")], []),
        ("prefix-sharing", "GET", [("a", "1"), ("a-b", "2"), ("a.b", "3"), ("a1", "4")], []),
        ("empty-value", "GET", [("empty", ""), ("tagging", "")], []),
        ("signed-content-type", "PUT", [], [("Content-Type", "image/png")]),
        ("signed-meta-and-acl", "PUT", [("x-id", "PutObject")], [("x-amz-acl", "private"), ("X-Amz-Meta-Owner", "a  b")]),
        ("signed-sse", "PUT", [], [("x-amz-server-side-encryption", "aws:kms"), ("x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:us-east-1:111122223333:key/1234abcd")]),
        ("signed-checksum", "PUT", [], [("x-amz-checksum-crc32", "DUoRhQ==")]),
        ("explicit-host", "GET", [("x-id", "GetObject")], [("Host", "files.example.com:8080")]),
    ]
    for j, (ename, method, qparams, hs) in enumerate(extras):
        region = pick(REGIONS, i)
        key = pick(S3_KEYS, j * 5)[1]
        url = f"https://s3.{region}.amazonaws.com/examplebucket/{s3_key_path(key)}"
        if qparams:
            url += "?" + percent_encode_sequence(qparams)
        out.append(
            sign(
                name=f"s3-presigned-extra-{ename}",
                description=f"S3 presigned {method} with extra signed parameters: {ename}",
                signer_cls=S3SigV4QueryAuth,
                service="s3",
                region=region,
                when=pick(TIMES, i),
                creds=pick(["session", "long-session", "plus-slash-equals"], j),
                method=method,
                url=url,
                headers=hs,
                expires=pick([3600, 300, 604800], j),
                path_rule="s3",
                verify_offset=60 + j,
            )
        )
        i += 1

    # An access key id with `/` in both locations.
    for cls, loc in ((S3SigV4Auth, "header"), (S3SigV4QueryAuth, "query")):
        out.append(
            sign(
                name=f"s3-slash-access-key-{loc}",
                description="S3 GET signed by an access key id that holds `/`",
                signer_cls=cls,
                service="s3",
                region="us-east-1",
                when=TIMES[0],
                creds="slash-key",
                method="GET",
                url="https://examplebucket.s3.amazonaws.com/slash/key.txt",
                expires=600 if loc == "query" else None,
                path_rule="s3",
                verify_offset=10,
            )
        )
    return out


# ---------------------------------------------------------------------------
# Other services (double-encoded, normalized paths)
# ---------------------------------------------------------------------------

API_PATHS = [
    ("plain", "/prod/items/123"),
    ("root", "/"),
    ("empty-labels-double-slash", "/prod//items///123"),
    # Not "/prod/items/.": botocore drops the trailing slash that RFC 3986
    # (and aws-sigv4) keep there, so no verifier can agree with both.
    ("dot", "/prod/./items/./x"),
    ("dot-trailing-slash", "/prod/items/./"),
    ("dotdot", "/prod/items/../orders/7"),
    ("leading-dotdot", "/../../prod/x"),
    ("trailing-slash", "/prod/items/"),
    ("encoded-space", "/prod/items/a%20b"),
    ("encoded-specials", "/prod/" + percent_encode(SPECIALS, safe="~")),
    ("raw-subdelims", "/prod/a!b$c&d'e(f)g*h+i,j;k=l:m@n"),
    ("encoded-utf8", "/prod/" + percent_encode("\u20ac/\u65e5\u672c/\U0001f600", safe="~")),
    ("encoded-slash-label", "/prod/" + percent_encode("a/b", safe="~") + "/c"),
    ("encoded-percent", "/prod/" + percent_encode("100%", safe="~")),
    ("tilde-unreserved", "/prod/AZaz09-._~"),
    ("lowercase-hex", "/prod/a%2fb%e2%82%ac"),
    ("dot-encoded", "/prod/%2E/x"),
    ("dots-in-names", "/prod/.hidden/..name../v1.2"),
]


def other_cases():
    out = []
    i = 1000  # a different rotation from the S3 cases
    creds_cycle = ["example", "session", "plus-slash-equals", "long-session"]

    # execute-api: every path, GET with a query and POST with a JSON body.
    api_queries = [
        [],
        [("q", "a b"), ("sort", "-date")],
        [("a", "1"), ("a-b", "2"), ("a.b", "3"), ("a1", "4"), ("a", "0")],
        [("filter", SPECIALS), ("name", "\u00fcber \u20ac")],
        [("empty", ""), ("flag", "")],
    ]
    for j, (name, path) in enumerate(API_PATHS):
        region = pick(REGIONS, i)
        host = f"https://abc123.execute-api.{region}.amazonaws.com"
        q = pick(api_queries, j)
        url = host + path + ("?" + percent_encode_sequence(q) if q else "")
        out.append(
            sign(
                name=f"apigw-get-{name}",
                description=f"execute-api GET, header auth, path {name}",
                signer_cls=SigV4Auth,
                service="execute-api",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="GET",
                url=url,
                headers=[("Accept", "application/json"), ("User-Agent", USER_AGENT)],
                path_rule="double-encoded-normalized",
                verify_offset=(i * 3) % 400,
            )
        )
        i += 1
        body = json.dumps({"path": name, "v": SPECIALS + " \u20ac"}, ensure_ascii=False, sort_keys=True)
        out.append(
            sign(
                name=f"apigw-post-{name}",
                description=f"execute-api POST with a JSON body, header auth, path {name}",
                signer_cls=SigV4Auth,
                service="execute-api",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="POST",
                url=host + path,
                data=body.encode("utf-8"),
                headers=[("Content-Type", "application/json"), ("x-api-key", "k  e  y")],
                path_rule="double-encoded-normalized",
                verify_offset=(i * 5) % 400,
            )
        )
        i += 1

    # KMS JSON protocol.
    kms_ops = [
        ("Encrypt", {"KeyId": "alias/my-key", "Plaintext": "SGVsbG8gV29ybGQ+Lz0=", "EncryptionContext": {"dept": "a b+c/d=e"}}),
        ("Decrypt", {"CiphertextBlob": "AQICAHh+/==", "KeyId": "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}),
        ("ListKeys", {}),
        ("GenerateDataKey", {"KeyId": "alias/\u00e9t\u00e9", "KeySpec": "AES_256"}),
        ("CreateGrant", {"KeyId": "1234abcd", "GranteePrincipal": "arn:aws:iam::111122223333:role/r", "Operations": ["Decrypt"]}),
        ("DescribeKey", {"KeyId": "mrk-1234abcd12ab34cd56ef1234567890ab"}),
    ]
    for j, (op, payload) in enumerate(kms_ops * 2):
        region = pick(REGIONS, i)
        body = json.dumps(payload, sort_keys=True, ensure_ascii=(j % 2 == 0))
        extra = [("X-Amz-Target", f"TrentService.{op}"), ("Content-Type", "application/x-amz-json-1.1")]
        if j >= len(kms_ops):
            extra.append(("x-amz-meta-ignored", "repeated"))
            extra.append(("X-Amz-Meta-Ignored", "  lines   here "))
        out.append(
            sign(
                name=f"kms-{op.lower()}-{j}",
                description=f"KMS {op} (JSON 1.1 POST), header auth",
                signer_cls=SigV4Auth,
                service="kms",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="POST",
                url=f"https://kms.{region}.amazonaws.com/",
                data=body.encode("utf-8"),
                headers=extra + [("User-Agent", USER_AGENT)],
                path_rule="double-encoded-normalized",
                verify_offset=(i * 17) % 850,
            )
        )
        i += 1

    # DynamoDB JSON 1.0.
    for j, tbl in enumerate(["Music", "t\u00e4ble-with.dots_and-dashes"]):
        region = pick(REGIONS, i)
        body = json.dumps({"TableName": tbl, "Key": {"Artist": {"S": "No One You Know"}}}, sort_keys=True)
        out.append(
            sign(
                name=f"dynamodb-getitem-{j}",
                description="DynamoDB GetItem (JSON 1.0 POST), header auth",
                signer_cls=SigV4Auth,
                service="dynamodb",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="POST",
                url=f"https://dynamodb.{region}.amazonaws.com/",
                data=body.encode("utf-8"),
                headers=[("X-Amz-Target", "DynamoDB_20120810.GetItem"), ("Content-Type", "application/x-amz-json-1.0")],
                path_rule="double-encoded-normalized",
                verify_offset=j,
            )
        )
        i += 1

    # Lambda REST: ARNs in a path label, so `:` is encoded on the wire and
    # double-encoded in the canonical URI.
    for j, fn in enumerate(["my-function", "arn:aws:lambda:us-west-2:111122223333:function:my-function:PROD", "fn:$LATEST"]):
        region = pick(REGIONS, i)
        path = f"/2015-03-31/functions/{percent_encode(fn, safe='~')}/invocations"
        out.append(
            sign(
                name=f"lambda-invoke-{j}",
                description="Lambda Invoke (REST JSON), function name in the path",
                signer_cls=SigV4Auth,
                service="lambda",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="POST",
                url=f"https://lambda.{region}.amazonaws.com{path}?Qualifier=v%241",
                data=b'{"hello": "world"}',
                headers=[("X-Amz-Invocation-Type", "RequestResponse"), ("X-Amz-Log-Type", "Tail")],
                path_rule="double-encoded-normalized",
                verify_offset=3,
            )
        )
        i += 1

    # STS and IAM query protocol: form bodies (POST) and query strings (GET).
    forms = [
        ("sts", "sts.amazonaws.com", "us-east-1", {"Action": "GetCallerIdentity", "Version": "2011-06-15"}),
        ("sts", "sts.{region}.amazonaws.com", None, {"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::111122223333:role/demo", "RoleSessionName": "s+e=s,s.i@o-n", "DurationSeconds": "3600"}),
        ("iam", "iam.amazonaws.com", "us-east-1", {"Action": "ListUsers", "Version": "2010-05-08", "PathPrefix": "/division abc/"}),
        ("iam", "iam.amazonaws.com", "us-east-1", {"Action": "CreateUser", "Version": "2010-05-08", "UserName": "alice+bob=@,.", "Tags.member.1.Key": "k \u20ac", "Tags.member.1.Value": SPECIALS}),
        ("sts", "sts.{region}.amazonaws.com", None, {"Action": "GetSessionToken", "Version": "2011-06-15", "DurationSeconds": "900", "SerialNumber": "arn:aws:iam::111122223333:mfa/user", "TokenCode": "123456"}),
    ]
    for j, (svc, hostfmt, fixed_region, params) in enumerate(forms):
        for variant in ("post-form", "get-query"):
            region = fixed_region or pick(REGIONS, i)
            host = hostfmt.format(region=region)
            if variant == "post-form":
                kwargs = dict(
                    method="POST",
                    url=f"https://{host}/",
                    data=dict(params),
                    headers=[("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                )
            else:
                kwargs = dict(
                    method="GET",
                    url=f"https://{host}/?" + percent_encode_sequence(sorted(params.items())),
                )
            out.append(
                sign(
                    name=f"{svc}-{params['Action'].lower()}-{variant}",
                    description=f"{svc.upper()} {params['Action']}, query protocol, {variant}",
                    signer_cls=SigV4Auth,
                    service=svc,
                    region=region,
                    when=pick(TIMES, i),
                    creds=pick(creds_cycle, i),
                    path_rule="double-encoded-normalized",
                    verify_offset=(i * 7) % 500,
                    **kwargs,
                )
            )
            i += 1

    # The same query keys through params (`+` for spaces on the wire).
    for j, q in enumerate(api_queries[1:]):
        region = pick(REGIONS, i)
        out.append(
            sign(
                name=f"apigw-params-{j}",
                description="execute-api GET with the query from params (`+` for spaces on the wire)",
                signer_cls=SigV4Auth,
                service="execute-api",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="GET",
                url=f"https://abc123.execute-api.{region}.amazonaws.com/prod/search",
                params=list(q),
                path_rule="double-encoded-normalized",
                verify_offset=i % 50,
            )
        )
        i += 1

    # Header edge cases on a non-S3 service.
    for hname, hs in [
        ("whitespace-runs", [("X-Custom", "  a   b    c  "), ("x-amz-meta-x", "p  q")]),
        ("repeated-lines", [("X-Custom", "one"), ("x-custom", "two"), ("X-Custom", "three   3")]),
        ("mixed-case-names", [("CONTENT-TYPE", "Application/JSON"), ("x-AMZ-target", "Svc.Op")]),
        ("punctuation", [("X-Custom", SPECIALS + '"?#'), ("Accept", "text/html, application/xhtml+xml;q=0.9")]),
    ]:
        region = pick(REGIONS, i)
        out.append(
            sign(
                name=f"apigw-headers-{hname}",
                description=f"execute-api POST with headers: {hname}",
                signer_cls=SigV4Auth,
                service="execute-api",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="POST",
                url=f"https://abc123.execute-api.{region}.amazonaws.com/prod/h",
                data=b"{}",
                headers=hs,
                path_rule="double-encoded-normalized",
                verify_offset=1,
            )
        )
        i += 1

    # Presigned, non-S3: the payload line is the hash of the (empty) body.
    # STS GetCallerIdentity as EKS tokens are built, with a signed header.
    for j, region in enumerate(["us-east-1", "us-west-2", "eu-central-1"]):
        host = "sts.amazonaws.com" if region == "us-east-1" else f"sts.{region}.amazonaws.com"
        out.append(
            sign(
                name=f"sts-presigned-eks-token-{region}",
                description="STS GetCallerIdentity presigned with a signed x-k8s-aws-id header (EKS token)",
                signer_cls=SigV4QueryAuth,
                service="sts",
                region=region,
                when=pick(TIMES, i),
                creds=pick(["session", "example", "long-session"], j),
                method="GET",
                url=f"https://{host}/?Action=GetCallerIdentity&Version=2011-06-15",
                headers=[("x-k8s-aws-id", f"my-cluster-{j}")],
                expires=60,
                path_rule="double-encoded-normalized",
                verify_offset=59 if j == 0 else 0,
            )
        )
        i += 1
    # RDS IAM authentication tokens.
    for j, user in enumerate(["db_user", "us er+/=@!", "\u00fcser"]):
        region = pick(REGIONS, i)
        out.append(
            sign(
                name=f"rds-db-auth-token-{j}",
                description="RDS IAM authentication token (SigV4QueryAuth, host with a port)",
                signer_cls=SigV4QueryAuth,
                service="rds-db",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="GET",
                url=f"https://mydb.cluster-abc.{region}.rds.amazonaws.com:3306/?Action=connect&DBUser={percent_encode(user)}",
                expires=900,
                path_rule="double-encoded-normalized",
                verify_offset=899 if j == 0 else 100,
            )
        )
        i += 1
    # execute-api presigned (WebSocket connect style) over assorted paths.
    for j, (name, path) in enumerate(API_PATHS):
        if j % 2:
            continue
        region = pick(REGIONS, i)
        q = pick(api_queries, j)
        url = f"https://ws123.execute-api.{region}.amazonaws.com{path}" + ("?" + percent_encode_sequence(q) if q else "")
        out.append(
            sign(
                name=f"apigw-presigned-{name}",
                description=f"execute-api presigned GET, path {name}",
                signer_cls=SigV4QueryAuth,
                service="execute-api",
                region=region,
                when=pick(TIMES, i),
                creds=pick(creds_cycle, i),
                method="GET",
                url=url,
                expires=pick([300, 3600, 604800], j),
                path_rule="double-encoded-normalized",
                verify_offset=30,
            )
        )
        i += 1
    # IAM presigned GET with a query-protocol action and extra parameters.
    out.append(
        sign(
            name="iam-presigned-listusers",
            description="IAM ListUsers presigned GET with extra operation parameters",
            signer_cls=SigV4QueryAuth,
            service="iam",
            region="us-east-1",
            when=TIMES[0],
            creds="session",
            method="GET",
            url="https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fdivision%20abc%2F&MaxItems=10",
            expires=300,
            path_rule="double-encoded-normalized",
            verify_offset=20,
        )
    )
    # A secret with `+ / =` and an access key id with `/`, non-S3.
    for cls, loc in ((SigV4Auth, "header"), (SigV4QueryAuth, "query")):
        out.append(
            sign(
                name=f"apigw-slash-access-key-{loc}",
                description="execute-api GET signed by an access key id that holds `/`",
                signer_cls=cls,
                service="execute-api",
                region="eu-central-1",
                when=TIMES[2],
                creds="slash-key",
                method="GET",
                url="https://abc123.execute-api.eu-central-1.amazonaws.com/prod/x",
                expires=600 if loc == "query" else None,
                path_rule="double-encoded-normalized",
                verify_offset=10,
            )
        )
    return out


def build():
    vectors = s3_cases() + other_cases()
    ids = [v["id"] for v in vectors]
    assert len(ids) == len(set(ids)), "duplicate vector ids"
    for v in vectors:
        # Sanity: botocore's own invariants, so a botocore change that breaks
        # them shows up here rather than as a confusing Rust failure.
        assert v["string_to_sign"].split("\n")[3] == hashlib.sha256(
            v["canonical_request"].encode("utf-8")
        ).hexdigest()
        assert v["signature"] in v["target"] or any(
            v["signature"] in value for _, value in v["headers"]
        )
    return {
        "generator": "test-vectors/generate.py",
        "botocore_version": botocore.__version__,
        "count": len(vectors),
        "vectors": vectors,
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "botocore.json"))
    ap.add_argument("--check", action="store_true", help="fail if the file differs from a fresh run")
    args = ap.parse_args()
    doc = build()
    text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.check:
        with open(args.out, encoding="utf-8") as f:
            old = json.load(f)
        if old != doc:
            sys.exit(f"{args.out} differs from a fresh run of generate.py")
        print(f"{args.out}: {doc['count']} vectors, up to date")
        return
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {doc['count']} vectors to {args.out}")


if __name__ == "__main__":
    main()
