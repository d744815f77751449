"""Prints the interop suite's pass/fail table from the clients' JSON-lines
results, and exits non-zero if any case failed or never reported.

Usage: report.py RESULTS_FILE [CLIENT ...]   (default: every client)
"""

import json
import sys

CASES = [
    ("sts-root", "GetCallerIdentity as root"),
    ("sts-alice", "GetCallerIdentity as alice"),
    ("sts-assumed-role", "AssumeRole, then GetCallerIdentity as the role"),
    ("sts-root-assume-denied", "AssumeRole as root: AccessDenied"),
    ("key-punctuation", "key with + = : @ ! * ' ( ) , ; $ & ~"),
    ("key-spaces", "key with spaces"),
    ("key-percent", "key with %"),
    ("key-double-slash", "key with //"),
    ("key-trailing-slash", "key with a trailing slash"),
    ("key-utf8", "key with UTF-8 multibyte characters"),
    ("writer-arn", "object records its writer's ARN"),
    ("put-default-checksum", "PutObject, default checksum (CRC32)"),
    ("put-crc64nvme", "PutObject, CRC64NVME"),
    ("put-when-required", "PutObject, checksums when_required"),
    ("multipart-20mib", "20 MiB multipart upload and download"),
    ("empty-object", "empty object"),
    ("list-keys", "ListObjectsV2 (2 a page) lists every key"),
    ("presigned-get", "presigned GET via curl"),
    ("presigned-put", "presigned PUT via curl"),
    ("presigned-get-session-token", "presigned GET with a session token"),
    ("sigv2-presign-refused", "SigV2 presigned URL: 400 InvalidRequest"),
    ("err-wrong-secret", "wrong secret: SignatureDoesNotMatch (S3)"),
    ("err-wrong-secret-sts", "wrong secret: SignatureDoesNotMatch (STS)"),
    ("err-skew", "clock 20 min off: RequestTimeTooSkewed"),
    ("err-presigned-expired", "expired presigned URL: AccessDenied"),
    ("err-expired-session", "expired session: ExpiredToken"),
    ("err-unknown-key", "unknown key: InvalidAccessKeyId (S3)"),
    ("err-unknown-key-sts", "unknown key: InvalidClientTokenId (STS)"),
]

CLIENTS = ["boto3", "boto3-crt", "awscli", "js-sdk-v3", "rust-sdk"]
TRANSPORTS = ["http", "https"]

# Cases a client cannot express: the AWS CLI has no presigned PUT; only
# botocore (boto3 and the CLI) still makes SigV2 URLs.
NOT_APPLICABLE = {
    ("awscli", "presigned-put"),
    ("js-sdk-v3", "sigv2-presign-refused"),
    ("rust-sdk", "sigv2-presign-refused"),
}


def main():
    path = sys.argv[1]
    clients = sys.argv[2:] or CLIENTS
    results = {}
    unknown = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            key = (row["client"], row["transport"], row["case"])
            # A case reported twice counts as failed if either run failed.
            previous = results.get(key)
            if previous is None or previous["ok"]:
                results[key] = row
            if row["case"] not in dict(CASES):
                unknown.append(row)

    width = max(len(title) for _, title in CASES) + 2
    cell = 11
    print()
    print("".ljust(width) + "".join(c.ljust(cell) for c in clients))
    print("".ljust(width) + "".join("http https ".ljust(cell) for _ in clients))
    passed = failed = skipped = 0
    failures = []
    for case, title in CASES:
        line = title.ljust(width)
        for client in clients:
            marks = []
            for transport in TRANSPORTS:
                if (client, case) in NOT_APPLICABLE:
                    marks.append("n/a ")
                    skipped += 1
                    continue
                row = results.get((client, transport, case))
                if row is None:
                    marks.append("MISS")
                    failed += 1
                    failures.append(f"{client}/{transport} {case}: no result (the client crashed or was not run)")
                elif row["ok"]:
                    marks.append("PASS")
                    passed += 1
                else:
                    marks.append("FAIL")
                    failed += 1
                    failures.append(f"{client}/{transport} {case}: {row['detail']}")
            line += " ".join(marks).ljust(cell)
        print(line)

    notes = sorted(
        {
            f"{r['client']}/{r['transport']} {r['case']}: {r['detail']}"
            for r in results.values()
            if r["ok"] and r["detail"] and r["case"].startswith(("put-", "multipart"))
        }
    )
    if notes:
        print("\nupload framing seen:")
        for note in notes:
            print("  " + note)
    for row in unknown:
        failures.append(f"{row['client']}/{row['transport']} reported an unknown case {row['case']}")
        failed += 1
    if failures:
        print("\nfailures:")
        for failure in failures:
            print("  " + failure)
    print()
    print(f"interop: {passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
