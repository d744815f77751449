"""The AWS CLI (v1, from PyPI) against the tower-sigv4 demo: every case of the
interop suite that the CLI can express, each one an `aws` command line run
through the CLI's own entry point.

Usage: awscli_client.py ENDPOINT TRANSPORT RESULTS_FILE [CA_FILE]
"""

import contextlib
import datetime
import hashlib
import io
import json
import logging
import os
import re
import sys
import tempfile
import time

import awscli  # noqa: F401 - makes `botocore` the CLI's own copy from here on
import awscli.clidriver

from common import (
    ACCOUNT,
    ALICE,
    ALICE_ARN,
    KEYS,
    MIB,
    REGION,
    ROLE_ARN,
    ROOT,
    ROOT_ARN,
    Results,
    ShiftedClock,
    check,
    crc32_b64,
    curl,
    error_code,
    error_message,
    payload,
    short_mode,
    use_signer,
)

ENDPOINT, TRANSPORT, RESULTS_FILE = sys.argv[1:4]
CA = sys.argv[4] if len(sys.argv) > 4 else None
HTTPS = ENDPOINT.startswith("https://")
BUCKET = f"interop-awscli-{TRANSPORT}"
WORK = tempfile.mkdtemp(prefix="awscli-")
BASE_ENV = dict(os.environ)
# botocore's own signer, as `pip install awscli` (without awscrt) has it.
use_signer("python")

# The CLI's config: path-style addressing and SigV4 presigning (the README's
# client settings), nothing from the host's own ~/.aws.
CONFIG = os.path.join(WORK, "config")
with open(CONFIG, "w") as f:
    f.write("[default]\ns3 =\n  addressing_style = path\n  signature_version = s3v4\n")
# Without signature_version, `aws s3 presign` makes SigV2 URLs in us-east-1.
DEFAULT_CONFIG = os.path.join(WORK, "config-default")
with open(DEFAULT_CONFIG, "w") as f:
    f.write("[default]\ns3 =\n  addressing_style = path\n")


def aws(args, creds=ALICE, token=None, skew=None, extra_env=None, check_ok=True, config=None):
    """Runs `aws --endpoint-url ENDPOINT ARGS`: (exit code, stdout, stderr).

    The command runs in this process through the CLI's own entry point
    (awscli.clidriver, what the `aws` script calls), with a fresh driver and
    session each time, the environment set as for a separate process, and
    its output captured: the same code path as `aws` on a shell, without
    paying the CLI's second of start-up for each of the suite's commands.
    """
    # AWS_DATA_PATH is the CLI's own (set when awscli is imported).
    env = {
        k: v
        for k, v in BASE_ENV.items()
        if (not k.startswith("AWS_") or k == "AWS_DATA_PATH") and k not in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")
    }
    env.update(
        AWS_ACCESS_KEY_ID=creds[0],
        AWS_SECRET_ACCESS_KEY=creds[1],
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=config or CONFIG,
        AWS_SHARED_CREDENTIALS_FILE=os.path.join(WORK, "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_MAX_ATTEMPTS="1",
        AWS_RETRY_MODE="standard",
        AWS_PAGER="",
    )
    if token:
        env["AWS_SESSION_TOKEN"] = token
    if CA:
        env["AWS_CA_BUNDLE"] = CA
    env.update(extra_env or {})
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    try:
        clock = ShiftedClock(skew) if skew else contextlib.nullcontext()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), clock:
            rc = awscli.clidriver.create_clidriver().main(["--endpoint-url", ENDPOINT] + args)
    finally:
        os.environ.clear()
        os.environ.update(BASE_ENV)
        # --debug hangs a handler on the captured stream; take it down.
        for name in ("", "botocore", "awscli", "s3transfer"):
            logger = logging.getLogger(name)
            for handler in list(logger.handlers):
                if getattr(handler, "stream", None) is err:
                    logger.removeHandler(handler)
    out, err = out.getvalue(), err.getvalue()
    if check_ok and rc != 0:
        raise AssertionError(f"aws {' '.join(args[:3])} failed ({rc}): {err.strip()[-300:]}")
    return rc, out, err


def aws_json(args, **kw):
    return json.loads(aws(args + ["--output", "json"], **kw)[1] or "null")


def expect_cli_error(code, args, **kw):
    rc, _, err = aws(args, check_ok=False, **kw)
    check(rc != 0, f"expected {code}, the command succeeded")
    check(f"({code})" in err, f"expected {code}: {err.strip()[-300:]}")
    return err


def write(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


def sent_headers(debug_log, operation):
    """The headers of the request the CLI logged at --debug for `operation`."""
    # botocore logs "Sending http request: <AWSPreparedRequest ... headers={...}>"
    found = re.findall(r"Sending http request: <AWSPreparedRequest stream_output=\w+, method=(\w+), url=([^,]+), headers=(\{.*?\})>", debug_log)
    check(found, "no request in the debug log")
    return found[-1][2]


results = Results("awscli", TRANSPORT, RESULTS_FILE)
stored = []
session = {}


def sts_root():
    r = aws_json(["sts", "get-caller-identity"], creds=ROOT)
    check((r["Arn"], r["UserId"], r["Account"]) == (ROOT_ARN, ACCOUNT, ACCOUNT), r)


def sts_alice():
    r = aws_json(["sts", "get-caller-identity"])
    check(r["Arn"] == ALICE_ARN and re.fullmatch(r"AIDA[A-Z0-9]{16,}", r["UserId"]) and r["Account"] == ACCOUNT, r)


def sts_assumed_role():
    r = aws_json(["sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "cli-session"])
    c = r["Credentials"]
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/demo-role/cli-session"
    check(r["AssumedRoleUser"]["Arn"] == arn, r["AssumedRoleUser"])
    session["creds"] = (c["AccessKeyId"], c["SecretAccessKey"])
    session["token"] = c["SessionToken"]
    me = aws_json(["sts", "get-caller-identity"], creds=session["creds"], token=session["token"])
    check(me["Arn"] == arn and me["Account"] == ACCOUNT, me)
    check(me["UserId"] == r["AssumedRoleUser"]["AssumedRoleId"], me)
    check(re.fullmatch(r"AROA[A-Z0-9]{16,}:cli-session", me["UserId"]), me)


def sts_root_assume_denied():
    err = expect_cli_error(
        "AccessDenied",
        ["sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "root-try"],
        creds=ROOT,
    )
    check("Roles may not be assumed by root accounts." in err, err)


def put_get(case):
    key = KEYS[case]
    data = payload(case)
    src = write(f"{case}.in", data)
    out = os.path.join(WORK, f"{case}.out")
    aws(["s3api", "put-object", "--bucket", BUCKET, "--key", key, "--body", src])
    got = aws_json(["s3api", "get-object", "--bucket", BUCKET, "--key", key, out])
    check(read(out) == data, "the bytes read back differ")
    check(got["Metadata"].get("writer-arn") == ALICE_ARN, got["Metadata"])
    stored.append(key)


def writer_arn():
    src = write("role.in", b"role")
    aws(["s3", "cp", src, f"s3://{BUCKET}/writer/by-role.txt", "--no-progress"], creds=session["creds"], token=session["token"])
    stored.append("writer/by-role.txt")
    head = aws_json(["s3api", "head-object", "--bucket", BUCKET, "--key", "writer/by-role.txt"])
    want = f"arn:aws:sts::{ACCOUNT}:assumed-role/demo-role/cli-session"
    check(head["Metadata"].get("writer-arn") == want, head["Metadata"])


def checksum_put(key, data, extra_args=(), extra_env=None):
    src = write(key.replace("/", "_"), data)
    _, out, err = aws(
        ["s3api", "put-object", "--bucket", BUCKET, "--key", key, "--body", src, "--debug"] + list(extra_args),
        extra_env=extra_env,
    )
    stored.append(key)
    return json.loads(out), sent_headers(err, "PutObject")


def get_checked(key, data):
    out = os.path.join(WORK, "checked.out")
    got = aws_json(["s3api", "get-object", "--bucket", BUCKET, "--key", key, "--checksum-mode", "ENABLED", out])
    check(read(out) == data, "the bytes read back differ")
    return got


def put_default_checksum():
    data = payload("default-checksum", 3 * MIB + 17)
    _, headers = checksum_put("checksum/default", data)
    if HTTPS:
        check("STREAMING-UNSIGNED-PAYLOAD-TRAILER" in headers, headers)
        check(re.search(r"'x-amz-trailer': b?'x-amz-checksum-crc32'", headers, re.I), headers)
    else:
        check("x-amz-checksum-crc32" in headers, headers)
    got = get_checked("checksum/default", data)
    check(got.get("ChecksumCRC32") == crc32_b64(data), got)
    mode = re.search(r"'x-amz-content-sha256': b?'([^']*)'", headers, re.I)
    return f"x-amz-content-sha256: {short_mode(mode.group(1) if mode else '')}"


def put_crc64nvme():
    data = payload("crc64", 2 * MIB + 5)
    put, headers = checksum_put("checksum/crc64nvme", data, ["--checksum-algorithm", "CRC64NVME"])
    mode = re.search(r"'x-amz-content-sha256': b?'([^']*)'", headers, re.I)
    if HTTPS:
        check("STREAMING-UNSIGNED-PAYLOAD-TRAILER" in headers, headers)
        check(re.search(r"'x-amz-trailer': b?'x-amz-checksum-crc64nvme'", headers, re.I), headers)
    got = get_checked("checksum/crc64nvme", data)
    check(got.get("ChecksumCRC64NVME") == put.get("ChecksumCRC64NVME"), (got, put))
    return f"x-amz-content-sha256: {short_mode(mode.group(1) if mode else '')}"


def put_when_required():
    data = payload("when-required", MIB + 3)
    _, headers = checksum_put(
        "checksum/when-required",
        data,
        extra_env={"AWS_REQUEST_CHECKSUM_CALCULATION": "when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required"},
    )
    check(not re.search(r"x-amz-trailer|x-amz-checksum-", headers, re.I), headers)
    mode = re.search(r"'x-amz-content-sha256': b?'([^']*)'", headers, re.I)
    out = os.path.join(WORK, "wr.out")
    aws(["s3api", "get-object", "--bucket", BUCKET, "--key", "checksum/when-required", out])
    check(read(out) == data, "the bytes read back differ")
    return f"x-amz-content-sha256: {short_mode(mode.group(1) if mode else '')}"


def multipart():
    data = payload("multipart", 20 * MIB)
    src = write("big.in", data)
    out = os.path.join(WORK, "big.out")
    key = "multipart/20MiB.bin"
    _, _, err = aws(["s3", "cp", src, f"s3://{BUCKET}/{key}", "--debug", "--no-progress"])
    stored.append(key)
    parts = len(re.findall(r"Making request for OperationModel\(name=UploadPart\)", err))
    check(parts == 3, f"{parts} UploadPart requests")
    head = aws_json(["s3api", "head-object", "--bucket", BUCKET, "--key", key])
    check(head["ContentLength"] == len(data) and head["ETag"].endswith('-3"'), head)
    aws(["s3", "cp", f"s3://{BUCKET}/{key}", out, "--no-progress"])
    check(hashlib.sha256(read(out)).digest() == hashlib.sha256(data).digest(), "download differs")
    return f"parts: {parts}"


def empty_object():
    src = write("empty.in", b"")
    out = os.path.join(WORK, "empty.out")
    aws(["s3api", "put-object", "--bucket", BUCKET, "--key", "empty", "--body", src])
    stored.append("empty")
    got = aws_json(["s3api", "get-object", "--bucket", BUCKET, "--key", "empty", out])
    check(got["ContentLength"] == 0 and read(out) == b"", got)


def list_keys():
    keys = aws_json(["s3api", "list-objects-v2", "--bucket", BUCKET, "--page-size", "2", "--query", "Contents[].Key"])
    check(sorted(keys or []) == sorted(stored), f"listed {keys}, stored {stored}")


def presign(key, creds=ALICE, token=None, expires=300, **kw):
    _, out, _ = aws(["s3", "presign", f"s3://{BUCKET}/{key}", "--expires-in", str(expires)], creds=creds, token=token, **kw)
    return out.strip()


def presigned_get():
    key = "presigned/get a+b=c&d.txt"
    data = payload(key)
    aws(["s3api", "put-object", "--bucket", BUCKET, "--key", key, "--body", write("pg.in", data)])
    url = presign(key)
    check("X-Amz-Signature=" in url, url)
    status, body = curl(url, ca=CA)
    check(status == 200 and body == data, (status, body[:300]))


def presigned_get_session_token():
    url = presign(KEYS["key-utf8"], creds=session["creds"], token=session["token"])
    check("X-Amz-Security-Token=" in url, url)
    status, body = curl(url, ca=CA)
    check(status == 200 and body == payload("key-utf8"), (status, body[:300]))


def sigv2_presign_refused():
    url = presign("empty", config=DEFAULT_CONFIG)
    check("AWSAccessKeyId=" in url and "Signature=" in url, url)
    status, body = curl(url, ca=CA)
    check(status == 400 and error_code(body) == "InvalidRequest", (status, body[:300]))
    message = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
    check(error_message(body) == message, body)


WRONG = (ALICE[0], "wrong" + ALICE[1][5:])
UNKNOWN = ("AKIAUNKNOWNEXAMPLE00", ALICE[1])


def expired_session():
    r = aws_json(
        ["sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "cli-expired", "--duration-seconds", "900"]
    )
    c = r["Credentials"]
    expiry = datetime.datetime.fromisoformat(c["Expiration"].replace("Z", "+00:00"))
    check(expiry < datetime.datetime.now(datetime.timezone.utc), f"the session expires at {expiry}")
    creds = (c["AccessKeyId"], c["SecretAccessKey"])
    expect_cli_error("ExpiredToken", ["s3api", "list-objects-v2", "--bucket", BUCKET], creds=creds, token=c["SessionToken"])
    expect_cli_error("ExpiredToken", ["sts", "get-caller-identity"], creds=creds, token=c["SessionToken"])


def presigned_expired():
    url = presign("empty", expires=60, skew=-3600)
    status, body = curl(url, ca=CA)
    check(status == 403 and error_code(body) == "AccessDenied", (status, body[:300]))
    check(error_message(body) == "Request has expired", body)


def main():
    started = time.monotonic()
    aws(["s3", "mb", f"s3://{BUCKET}"])
    results.run("sts-root", sts_root)
    results.run("sts-alice", sts_alice)
    results.run("sts-assumed-role", sts_assumed_role)
    results.run("sts-root-assume-denied", sts_root_assume_denied)
    for case in KEYS:
        results.run(case, lambda case=case: put_get(case))
    results.run("writer-arn", writer_arn)
    results.run("put-default-checksum", put_default_checksum)
    results.run("put-crc64nvme", put_crc64nvme)
    results.run("put-when-required", put_when_required)
    results.run("multipart-20mib", multipart)
    results.run("empty-object", empty_object)
    results.run("list-keys", list_keys)
    results.run("presigned-get", presigned_get)
    results.run("presigned-get-session-token", presigned_get_session_token)
    results.run("sigv2-presign-refused", sigv2_presign_refused)
    results.run("err-wrong-secret", lambda: expect_cli_error("SignatureDoesNotMatch", ["s3api", "list-objects-v2", "--bucket", BUCKET], creds=WRONG) and None)
    results.run("err-wrong-secret-sts", lambda: expect_cli_error("SignatureDoesNotMatch", ["sts", "get-caller-identity"], creds=WRONG) and None)
    results.run("err-skew", lambda: expect_cli_error("RequestTimeTooSkewed", ["s3api", "list-objects-v2", "--bucket", BUCKET], skew=-1200) and None)
    results.run("err-presigned-expired", presigned_expired)
    results.run("err-expired-session", expired_session)
    results.run("err-unknown-key", lambda: expect_cli_error("InvalidAccessKeyId", ["s3api", "list-objects-v2", "--bucket", BUCKET], creds=UNKNOWN) and None)
    results.run("err-unknown-key-sts", lambda: expect_cli_error("InvalidClientTokenId", ["sts", "get-caller-identity"], creds=UNKNOWN) and None)
    print(f"[awscli/{TRANSPORT}] done in {time.monotonic() - started:.1f}s", flush=True)


if __name__ == "__main__":
    main()
