"""boto3 against the tower-sigv4 demo: every case of the interop suite.

Usage: boto3_client.py SIGNER ENDPOINT TRANSPORT RESULTS_FILE [CA_FILE]

SIGNER is "python" (botocore's own signer: a plain `pip install boto3`) or
"crt" (aws-c-auth through awscrt: `pip install boto3[crt]`).
"""

import datetime
import hashlib
import os
import re
import sys
import tempfile
import time

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

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

SIGNER, ENDPOINT, TRANSPORT, RESULTS_FILE = sys.argv[1:5]
CA = sys.argv[5] if len(sys.argv) > 5 else None
CLIENT = "boto3" if SIGNER == "python" else "boto3-crt"
use_signer(SIGNER)
HTTPS = ENDPOINT.startswith("https://")
BUCKET = f"interop-{CLIENT}-{TRANSPORT}"
SIGV2_MESSAGE = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."


def client(service, creds, token=None, **config):
    settings = {
        "signature_version": "s3v4",
        "s3": {"addressing_style": "path"},
        # One attempt: a failure shows as it is, not hidden by a retry.
        "retries": {"mode": "standard", "total_max_attempts": 1},
    }
    settings.update(config)
    return boto3.session.Session().client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=creds[0],
        aws_secret_access_key=creds[1],
        aws_session_token=token,
        verify=CA if HTTPS else None,
        config=Config(**settings),
    )


def capture(c, event):
    """Records the headers of every request `c` sends for `event`."""
    seen = []

    def hook(request, **_):
        seen.append({k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()})

    c.meta.events.register(f"before-send.{event}", hook)
    return seen


def expect_error(code, fn):
    try:
        fn()
    except ClientError as e:
        got = e.response["Error"]["Code"]
        check(got == code, f"expected {code}, got {got}: {e}")
        return e
    raise AssertionError(f"expected {code}, the call succeeded")


results = Results(CLIENT, TRANSPORT, RESULTS_FILE)
alice_s3 = client("s3", ALICE)
stored_keys = []
session = {}


def sts_root():
    r = client("sts", ROOT).get_caller_identity()
    check(r["Arn"] == ROOT_ARN, r)
    check(r["UserId"] == ACCOUNT, r)
    check(r["Account"] == ACCOUNT, r)


def sts_alice():
    r = client("sts", ALICE).get_caller_identity()
    check(r["Arn"] == ALICE_ARN, r)
    check(re.fullmatch(r"AIDA[A-Z0-9]{16,}", r["UserId"]), r)
    check(r["Account"] == ACCOUNT, r)


def sts_assumed_role():
    r = client("sts", ALICE).assume_role(RoleArn=ROLE_ARN, RoleSessionName="boto3-session")
    creds = r["Credentials"]
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/demo-role/boto3-session"
    check(r["AssumedRoleUser"]["Arn"] == arn, r["AssumedRoleUser"])
    check(creds["AccessKeyId"].startswith("ASIA"), creds["AccessKeyId"])
    session["creds"] = (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    me = client("sts", session["creds"][:2], token=session["creds"][2]).get_caller_identity()
    check(me["Arn"] == arn, me)
    check(me["UserId"] == r["AssumedRoleUser"]["AssumedRoleId"], me)
    check(re.fullmatch(r"AROA[A-Z0-9]{16,}:boto3-session", me["UserId"]), me)
    check(me["Account"] == ACCOUNT, me)


def sts_root_assume_denied():
    e = expect_error(
        "AccessDenied",
        lambda: client("sts", ROOT).assume_role(RoleArn=ROLE_ARN, RoleSessionName="root-try"),
    )
    check(e.response["Error"]["Message"] == "Roles may not be assumed by root accounts.", e)


def put_get(case):
    key = KEYS[case]
    data = payload(case)
    alice_s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    got = alice_s3.get_object(Bucket=BUCKET, Key=key)
    check(got["Body"].read() == data, "the bytes read back differ")
    check(got["Metadata"].get("writer-arn") == ALICE_ARN, got["Metadata"])
    stored_keys.append(key)


def list_keys():
    keys = []
    # Two keys a page, so that continuation tokens carry odd keys too.
    for page in alice_s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, PaginationConfig={"PageSize": 2}):
        keys += [o["Key"] for o in page.get("Contents", [])]
    check(sorted(keys) == sorted(stored_keys), f"listed {keys}, stored {stored_keys}")


def writer_arn():
    creds = session["creds"]
    s3 = client("s3", creds[:2], token=creds[2])
    s3.put_object(Bucket=BUCKET, Key="writer/by-role.txt", Body=b"role")
    head = alice_s3.head_object(Bucket=BUCKET, Key="writer/by-role.txt")
    want = f"arn:aws:sts::{ACCOUNT}:assumed-role/demo-role/boto3-session"
    check(head["Metadata"].get("writer-arn") == want, head["Metadata"])
    stored_keys.append("writer/by-role.txt")


def put_default_checksum():
    s3 = client("s3", ALICE)
    sent = capture(s3, "s3.PutObject")
    data = payload("default-checksum", 3 * MIB + 17)
    s3.put_object(Bucket=BUCKET, Key="checksum/default", Body=data)
    stored_keys.append("checksum/default")
    mode = sent[-1].get("x-amz-content-sha256")
    if HTTPS:
        check(mode == "STREAMING-UNSIGNED-PAYLOAD-TRAILER", f"sent {mode}")
        check(sent[-1].get("x-amz-trailer") == "x-amz-checksum-crc32", sent[-1])
    else:
        check("x-amz-checksum-crc32" in sent[-1], sent[-1])
    got = s3.get_object(Bucket=BUCKET, Key="checksum/default", ChecksumMode="ENABLED")
    check(got["ChecksumCRC32"] == crc32_b64(data), got.get("ChecksumCRC32"))
    check(got["Body"].read() == data, "the bytes read back differ")
    return f"x-amz-content-sha256: {short_mode(mode)}"


def put_crc64nvme():
    s3 = client("s3", ALICE)
    sent = capture(s3, "s3.PutObject")
    data = payload("crc64", 2 * MIB + 5)
    put = s3.put_object(Bucket=BUCKET, Key="checksum/crc64nvme", Body=data, ChecksumAlgorithm="CRC64NVME")
    stored_keys.append("checksum/crc64nvme")
    mode = sent[-1].get("x-amz-content-sha256")
    if HTTPS:
        check(mode == "STREAMING-UNSIGNED-PAYLOAD-TRAILER", f"sent {mode}")
        check(sent[-1].get("x-amz-trailer") == "x-amz-checksum-crc64nvme", sent[-1])
    got = s3.get_object(Bucket=BUCKET, Key="checksum/crc64nvme", ChecksumMode="ENABLED")
    check(got["ChecksumCRC64NVME"] == put["ChecksumCRC64NVME"], (got.get("ChecksumCRC64NVME"), put))
    check(got["Body"].read() == data, "the bytes read back differ")
    return f"x-amz-content-sha256: {short_mode(mode)}"


def put_when_required():
    s3 = client(
        "s3",
        ALICE,
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    sent = capture(s3, "s3.PutObject")
    data = payload("when-required", MIB + 3)
    s3.put_object(Bucket=BUCKET, Key="checksum/when-required", Body=data)
    stored_keys.append("checksum/when-required")
    headers = sent[-1]
    check("x-amz-trailer" not in headers, headers)
    check(not any(k.startswith("x-amz-checksum-") for k in headers), headers)
    check(s3.get_object(Bucket=BUCKET, Key="checksum/when-required")["Body"].read() == data, "bytes differ")
    return f"x-amz-content-sha256: {short_mode(headers.get('x-amz-content-sha256', ''))}"


def multipart():
    s3 = client("s3", ALICE)
    parts = capture(s3, "s3.UploadPart")
    data = payload("multipart", 20 * MIB)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "up.bin")
        dst = os.path.join(tmp, "down.bin")
        with open(src, "wb") as f:
            f.write(data)
        config = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=2)
        s3.upload_file(src, BUCKET, "multipart/20MiB.bin", Config=config)
        stored_keys.append("multipart/20MiB.bin")
        check(len(parts) == 3, f"{len(parts)} UploadPart requests")
        head = s3.head_object(Bucket=BUCKET, Key="multipart/20MiB.bin")
        check(head["ContentLength"] == len(data), head)
        check(head["ETag"].endswith('-3"'), head["ETag"])
        s3.download_file(BUCKET, "multipart/20MiB.bin", dst, Config=config)
        with open(dst, "rb") as f:
            check(hashlib.sha256(f.read()).digest() == hashlib.sha256(data).digest(), "download differs")
    return f"parts: {len(parts)}, part mode: {short_mode(parts[0].get('x-amz-content-sha256', ''))}"


def empty_object():
    alice_s3.put_object(Bucket=BUCKET, Key="empty", Body=b"")
    stored_keys.append("empty")
    got = alice_s3.get_object(Bucket=BUCKET, Key="empty")
    check(got["ContentLength"] == 0, got["ContentLength"])
    check(got["Body"].read() == b"", "not empty")


def presigned_get():
    key = "presigned/get a+b=c&d.txt"
    data = payload(key)
    alice_s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    stored_keys.append(key)
    url = alice_s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=300)
    check("X-Amz-Signature=" in url, url)
    status, body = curl(url, ca=CA)
    check(status == 200, (status, body[:300]))
    check(body == data, "curl read different bytes")


def presigned_put():
    key = "presigned/put (1).txt"
    data = payload(key, 70_000)
    url = alice_s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=300)
    status, body = curl(url, method="PUT", data=data, ca=CA)
    check(status == 200, (status, body[:300]))
    stored_keys.append(key)
    got = alice_s3.get_object(Bucket=BUCKET, Key=key)
    check(got["Body"].read() == data, "stored bytes differ")
    check(got["Metadata"].get("writer-arn") == ALICE_ARN, got["Metadata"])


def presigned_get_session_token():
    creds = session["creds"]
    s3 = client("s3", creds[:2], token=creds[2])
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": KEYS["key-utf8"]}, ExpiresIn=300)
    check("X-Amz-Security-Token=" in url, url)
    status, body = curl(url, ca=CA)
    check(status == 200, (status, body[:300]))
    check(body == payload("key-utf8"), "curl read different bytes")


def sigv2_presign_refused():
    # botocore's default for S3 presigning in us-east-1 is still SigV2: the
    # client as most code creates it, without signature_version='s3v4'.
    s3 = client("s3", ALICE, signature_version=None)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "empty"}, ExpiresIn=300)
    check("AWSAccessKeyId=" in url and "Signature=" in url, url)
    status, body = curl(url, ca=CA)
    check(status == 400, (status, body[:300]))
    check(error_code(body) == "InvalidRequest", body[:300])
    check(error_message(body) == SIGV2_MESSAGE, body[:300])


def wrong_secret():
    bad = client("s3", (ALICE[0], "wrong" + ALICE[1][5:]))
    expect_error("SignatureDoesNotMatch", lambda: bad.list_objects_v2(Bucket=BUCKET))


def wrong_secret_sts():
    bad = client("sts", (ALICE[0], "wrong" + ALICE[1][5:]))
    expect_error("SignatureDoesNotMatch", bad.get_caller_identity)


def skew():
    s3 = client("s3", ALICE)
    with ShiftedClock(-20 * 60):
        expect_error("RequestTimeTooSkewed", lambda: s3.list_objects_v2(Bucket=BUCKET))


def presigned_expired():
    with ShiftedClock(-3600):
        url = alice_s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "empty"}, ExpiresIn=60)
    status, body = curl(url, ca=CA)
    check(status == 403, (status, body[:300]))
    check(error_code(body) == "AccessDenied", body[:300])
    check(error_message(body) == "Request has expired", body[:300])


def expired_session():
    r = client("sts", ALICE).assume_role(RoleArn=ROLE_ARN, RoleSessionName="boto3-expired", DurationSeconds=900)
    c = r["Credentials"]
    expiry = c["Expiration"]
    check(expiry < datetime.datetime.now(datetime.timezone.utc), f"the session expires at {expiry}")
    s3 = client("s3", (c["AccessKeyId"], c["SecretAccessKey"]), token=c["SessionToken"])
    expect_error("ExpiredToken", lambda: s3.list_objects_v2(Bucket=BUCKET))
    sts = client("sts", (c["AccessKeyId"], c["SecretAccessKey"]), token=c["SessionToken"])
    expect_error("ExpiredToken", sts.get_caller_identity)


def unknown_key():
    bad = client("s3", ("AKIAUNKNOWNEXAMPLE00", ALICE[1]))
    expect_error("InvalidAccessKeyId", lambda: bad.list_objects_v2(Bucket=BUCKET))


def unknown_key_sts():
    bad = client("sts", ("AKIAUNKNOWNEXAMPLE00", ALICE[1]))
    expect_error("InvalidClientTokenId", bad.get_caller_identity)


def main():
    started = time.monotonic()
    alice_s3.create_bucket(Bucket=BUCKET)
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
    results.run("presigned-put", presigned_put)
    results.run("presigned-get-session-token", presigned_get_session_token)
    results.run("sigv2-presign-refused", sigv2_presign_refused)
    results.run("err-wrong-secret", wrong_secret)
    results.run("err-wrong-secret-sts", wrong_secret_sts)
    results.run("err-skew", skew)
    results.run("err-presigned-expired", presigned_expired)
    results.run("err-expired-session", expired_session)
    results.run("err-unknown-key", unknown_key)
    results.run("err-unknown-key-sts", unknown_key_sts)
    print(f"[{CLIENT}/{TRANSPORT}] done in {time.monotonic() - started:.1f}s", flush=True)


if __name__ == "__main__":
    main()
