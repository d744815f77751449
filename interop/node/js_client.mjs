// The AWS SDK for JavaScript v3 against the tower-sigv4 demo: every case of
// the interop suite.
//
// Usage: node js_client.mjs ENDPOINT TRANSPORT RESULTS_FILE [CA_FILE]
// (for HTTPS, the runner sets NODE_EXTRA_CA_CERTS to CA_FILE before Node starts)

import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { Readable } from "node:stream";
import { crc32 } from "node:zlib";

import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
  paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const [ENDPOINT, TRANSPORT, RESULTS_FILE, CA] = process.argv.slice(2);
const HTTPS = ENDPOINT.startsWith("https://");
const REGION = "us-east-1";
const ACCOUNT = "111122223333";
const ROOT = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const ALICE = { accessKeyId: "AKIAI44QH8DHBEXAMPLE", secretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY" };
const ALICE_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/demo-role`;
const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/demo-role/js-session`;
const BUCKET = `interop-js-${TRANSPORT}`;
const MIB = 1024 * 1024;
const KEYS = {
  "key-punctuation": "punct/+=:@!*'(),;$&~.txt",
  "key-spaces": "spaces/a b  c   d.txt",
  "key-percent": "percent/100%/%41%2F%zz.txt",
  "key-double-slash": "double//slash///x.txt",
  "key-trailing-slash": "trailing/slash/",
  "key-utf8": "utf8/ünïcødé/日本語/😀.txt",
};

let failed = 0;
function record(testCase, ok, detail = "") {
  const row = { client: "js-sdk-v3", transport: TRANSPORT, case: testCase, ok, detail: String(detail).slice(0, 400) };
  appendFileSync(RESULTS_FILE, JSON.stringify(row) + "\n");
  if (!ok) failed++;
  console.log(`[js-sdk-v3/${TRANSPORT}] ${ok ? "PASS" : "FAIL"} ${testCase} ${ok ? "" : detail}`);
}

async function run(testCase, fn) {
  try {
    record(testCase, true, (await fn()) ?? "");
  } catch (e) {
    console.error(e);
    record(testCase, false, `${e.name}: ${e.message}`);
  }
}

function check(cond, message) {
  if (!cond) throw new Error(typeof message === "string" ? message : JSON.stringify(message));
}

// Deterministic bytes, the same recipe as the Python clients.
function payload(label, size = 1024) {
  const seed = createHash("sha256").update(label).digest();
  const chunks = [];
  let total = 0;
  for (let counter = 0n; total < size; counter++) {
    const c = Buffer.alloc(8);
    c.writeBigUInt64BE(counter);
    const block = createHash("sha256").update(Buffer.concat([seed, c])).digest();
    chunks.push(block);
    total += block.length;
  }
  return Buffer.concat(chunks).subarray(0, size);
}

const crc32Base64 = (b) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out.toString("base64");
};
// A signed body hash is 64 hex digits; say so rather than print it.
const shortMode = (mode) => (/^[0-9a-f]{64}$/.test(mode ?? "") ? "signed SHA-256" : mode);
const sha256 = (b) => createHash("sha256").update(b).digest("hex");

function s3(creds, extra = {}) {
  return new S3Client({
    endpoint: ENDPOINT,
    region: REGION,
    forcePathStyle: true,
    credentials: creds,
    // One attempt: a failure shows as it is, not hidden by a retry.
    maxAttempts: 1,
    ...extra,
  });
}

function sts(creds, extra = {}) {
  return new STSClient({ endpoint: ENDPOINT, region: REGION, credentials: creds, maxAttempts: 1, ...extra });
}

// Records the headers of the signed requests a client sends for `command`.
function capture(client, command) {
  const seen = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command) {
        const headers = {};
        for (const [k, v] of Object.entries(args.request.headers)) headers[k.toLowerCase()] = v;
        seen.push(headers);
      }
      return next(args);
    },
    { step: "deserialize", name: `capture-${command}`, priority: "low" },
  );
  return seen;
}

async function expectError(code, fn) {
  try {
    await fn();
  } catch (e) {
    const got = e.name === "Error" || !e.name ? e.Code : e.name;
    check(got === code, `expected ${code}, got ${got}: ${e.message}`);
    return e;
  }
  throw new Error(`expected ${code}, the call succeeded`);
}

function curl(url, method = "GET", data = undefined) {
  const args = ["-sS", "-g", "--max-time", "30", "-X", method, "-o", "-", "-w", "\n%{http_code}"];
  if (CA) args.push("--cacert", CA);
  if (data !== undefined) args.push("--data-binary", "@-", "-H", "Content-Type:");
  args.push(url);
  const out = execFileSync("curl", args, { input: data, maxBuffer: 64 * MIB });
  const cut = out.lastIndexOf(0x0a);
  return { status: Number(out.subarray(cut + 1).toString()), body: out.subarray(0, cut) };
}

const xmlField = (body, name) => {
  const m = body.toString().match(new RegExp(`<${name}>([^<]*)</${name}>`));
  return m && m[1];
};

const alice = s3(ALICE);
const stored = [];
const session = {};

async function main() {
  const started = Date.now();
  await alice.send(new CreateBucketCommand({ Bucket: BUCKET }));

  await run("sts-root", async () => {
    const r = await sts(ROOT).send(new GetCallerIdentityCommand({}));
    check(r.Arn === `arn:aws:iam::${ACCOUNT}:root` && r.UserId === ACCOUNT && r.Account === ACCOUNT, r);
  });
  await run("sts-alice", async () => {
    const r = await sts(ALICE).send(new GetCallerIdentityCommand({}));
    check(r.Arn === ALICE_ARN && /^AIDA[A-Z0-9]{16,}$/.test(r.UserId) && r.Account === ACCOUNT, r);
  });
  await run("sts-assumed-role", async () => {
    const r = await sts(ALICE).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: "js-session" }));
    check(r.AssumedRoleUser.Arn === SESSION_ARN, r.AssumedRoleUser);
    check(r.Credentials.AccessKeyId.startsWith("ASIA"), r.Credentials.AccessKeyId);
    session.creds = {
      accessKeyId: r.Credentials.AccessKeyId,
      secretAccessKey: r.Credentials.SecretAccessKey,
      sessionToken: r.Credentials.SessionToken,
    };
    const me = await sts(session.creds).send(new GetCallerIdentityCommand({}));
    check(me.Arn === SESSION_ARN && me.Account === ACCOUNT, me);
    check(me.UserId === r.AssumedRoleUser.AssumedRoleId && /^AROA[A-Z0-9]{16,}:js-session$/.test(me.UserId), me);
  });
  await run("sts-root-assume-denied", async () => {
    const e = await expectError("AccessDenied", () =>
      sts(ROOT).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: "root-try" })),
    );
    check(e.message === "Roles may not be assumed by root accounts.", e.message);
  });

  for (const [testCase, key] of Object.entries(KEYS)) {
    await run(testCase, async () => {
      const data = payload(testCase);
      await alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data }));
      const got = await alice.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      check(Buffer.from(await got.Body.transformToByteArray()).equals(data), "the bytes read back differ");
      check(got.Metadata["writer-arn"] === ALICE_ARN, got.Metadata);
      stored.push(key);
    });
  }

  await run("writer-arn", async () => {
    await s3(session.creds).send(new PutObjectCommand({ Bucket: BUCKET, Key: "writer/by-role.txt", Body: "role" }));
    stored.push("writer/by-role.txt");
    const head = await alice.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "writer/by-role.txt" }));
    check(head.Metadata["writer-arn"] === SESSION_ARN, head.Metadata);
  });

  await run("put-default-checksum", async () => {
    const client = s3(ALICE);
    const sent = capture(client, "PutObjectCommand");
    const data = payload("default-checksum", 3 * MIB + 17);
    // A stream body: the SDK frames it as aws-chunked with a trailing checksum.
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "checksum/default", Body: Readable.from([data]), ContentLength: data.length }),
    );
    stored.push("checksum/default");
    const mode = sent.at(-1)["x-amz-content-sha256"];
    if (HTTPS) {
      check(mode === "STREAMING-UNSIGNED-PAYLOAD-TRAILER", `sent ${mode}`);
      check(sent.at(-1)["x-amz-trailer"] === "x-amz-checksum-crc32", sent.at(-1));
    }
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "checksum/default", ChecksumMode: "ENABLED" }));
    check(got.ChecksumCRC32 === crc32Base64(data), got.ChecksumCRC32);
    check(Buffer.from(await got.Body.transformToByteArray()).equals(data), "the bytes read back differ");
    return `x-amz-content-sha256: ${shortMode(mode)}`;
  });

  await run("put-crc64nvme", async () => {
    const client = s3(ALICE);
    const sent = capture(client, "PutObjectCommand");
    const data = payload("crc64", 2 * MIB + 5);
    const put = await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "checksum/crc64nvme",
        Body: Readable.from([data]),
        ContentLength: data.length,
        ChecksumAlgorithm: "CRC64NVME",
      }),
    );
    stored.push("checksum/crc64nvme");
    const mode = sent.at(-1)["x-amz-content-sha256"];
    if (HTTPS) {
      check(mode === "STREAMING-UNSIGNED-PAYLOAD-TRAILER", `sent ${mode}`);
      check(sent.at(-1)["x-amz-trailer"] === "x-amz-checksum-crc64nvme", sent.at(-1));
    }
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "checksum/crc64nvme", ChecksumMode: "ENABLED" }));
    check(got.ChecksumCRC64NVME === put.ChecksumCRC64NVME, [got.ChecksumCRC64NVME, put.ChecksumCRC64NVME]);
    check(Buffer.from(await got.Body.transformToByteArray()).equals(data), "the bytes read back differ");
    return `x-amz-content-sha256: ${shortMode(mode)}`;
  });

  await run("put-when-required", async () => {
    const client = s3(ALICE, { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
    const sent = capture(client, "PutObjectCommand");
    const data = payload("when-required", MIB + 3);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "checksum/when-required", Body: data }));
    stored.push("checksum/when-required");
    const headers = sent.at(-1);
    check(!("x-amz-trailer" in headers), headers);
    check(!Object.keys(headers).some((k) => k.startsWith("x-amz-checksum-")), headers);
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "checksum/when-required" }));
    check(Buffer.from(await got.Body.transformToByteArray()).equals(data), "the bytes read back differ");
    return `x-amz-content-sha256: ${shortMode(headers["x-amz-content-sha256"])}`;
  });

  await run("multipart-20mib", async () => {
    const key = "multipart/20MiB.bin";
    const data = payload("multipart", 20 * MIB);
    const created = await alice.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: "CRC32" }));
    const parts = [];
    for (let n = 1, off = 0; off < data.length; n++, off += 5 * MIB) {
      const chunk = data.subarray(off, off + 5 * MIB);
      const r = await alice.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: created.UploadId, PartNumber: n, Body: chunk, ChecksumAlgorithm: "CRC32" }),
      );
      parts.push({ PartNumber: n, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32 });
    }
    await alice.send(
      new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: created.UploadId, MultipartUpload: { Parts: parts } }),
    );
    stored.push(key);
    const got = await alice.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    check(got.ETag.endsWith(`-${parts.length}"`), got.ETag);
    check(sha256(Buffer.from(await got.Body.transformToByteArray())) === sha256(data), "download differs");
    return `parts: ${parts.length}`;
  });

  await run("empty-object", async () => {
    await alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: "empty", Body: Buffer.alloc(0) }));
    stored.push("empty");
    const got = await alice.send(new GetObjectCommand({ Bucket: BUCKET, Key: "empty" }));
    check(got.ContentLength === 0, got.ContentLength);
    check((await got.Body.transformToByteArray()).length === 0, "not empty");
  });

  await run("list-keys", async () => {
    const keys = [];
    for await (const page of paginateListObjectsV2({ client: alice, pageSize: 2 }, { Bucket: BUCKET })) {
      for (const o of page.Contents ?? []) keys.push(o.Key);
    }
    check(JSON.stringify([...keys].sort()) === JSON.stringify([...stored].sort()), { keys, stored });
  });

  await run("presigned-get", async () => {
    const key = "presigned/get a+b=c&d.txt";
    const data = payload(key);
    await alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data }));
    const url = await getSignedUrl(alice, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 300 });
    check(url.includes("X-Amz-Signature="), url);
    const r = curl(url);
    check(r.status === 200, [r.status, r.body.toString().slice(0, 300)]);
    check(r.body.equals(data), "curl read different bytes");
  });

  await run("presigned-put", async () => {
    const key = "presigned/put (1).txt";
    const data = payload(key, 70000);
    // The presigner signs a checksum of the empty body unless checksums are
    // calculated only when required (AWS's advice for presigned uploads).
    const signer = s3(ALICE, { requestChecksumCalculation: "WHEN_REQUIRED" });
    const url = await getSignedUrl(signer, new PutObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 300 });
    const r = curl(url, "PUT", data);
    check(r.status === 200, [r.status, r.body.toString().slice(0, 300)]);
    const got = await alice.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    check(Buffer.from(await got.Body.transformToByteArray()).equals(data), "stored bytes differ");
    check(got.Metadata["writer-arn"] === ALICE_ARN, got.Metadata);
  });

  await run("presigned-get-session-token", async () => {
    const url = await getSignedUrl(s3(session.creds), new GetObjectCommand({ Bucket: BUCKET, Key: KEYS["key-utf8"] }), {
      expiresIn: 300,
    });
    check(url.includes("X-Amz-Security-Token="), url);
    const r = curl(url);
    check(r.status === 200, [r.status, r.body.toString().slice(0, 300)]);
    check(r.body.equals(payload("key-utf8")), "curl read different bytes");
  });

  const wrong = { accessKeyId: ALICE.accessKeyId, secretAccessKey: "wrong" + ALICE.secretAccessKey.slice(5) };
  await run("err-wrong-secret", () =>
    expectError("SignatureDoesNotMatch", () => s3(wrong).send(new ListObjectsV2Command({ Bucket: BUCKET }))).then(() => ""),
  );
  await run("err-wrong-secret-sts", () =>
    expectError("SignatureDoesNotMatch", () => sts(wrong).send(new GetCallerIdentityCommand({}))).then(() => ""),
  );
  await run("err-skew", () =>
    expectError("RequestTimeTooSkewed", () =>
      s3(ALICE, { systemClockOffset: -20 * 60 * 1000 }).send(new ListObjectsV2Command({ Bucket: BUCKET })),
    ).then(() => ""),
  );
  await run("err-presigned-expired", async () => {
    const url = await getSignedUrl(alice, new GetObjectCommand({ Bucket: BUCKET, Key: "empty" }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 3600 * 1000),
    });
    const r = curl(url);
    check(r.status === 403, [r.status, r.body.toString().slice(0, 300)]);
    check(xmlField(r.body, "Code") === "AccessDenied", r.body.toString());
    check(xmlField(r.body, "Message") === "Request has expired", r.body.toString());
  });
  await run("err-expired-session", async () => {
    const r = await sts(ALICE).send(
      new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: "js-expired", DurationSeconds: 900 }),
    );
    check(r.Credentials.Expiration < new Date(), `the session expires at ${r.Credentials.Expiration}`);
    const creds = {
      accessKeyId: r.Credentials.AccessKeyId,
      secretAccessKey: r.Credentials.SecretAccessKey,
      sessionToken: r.Credentials.SessionToken,
    };
    await expectError("ExpiredToken", () => s3(creds).send(new ListObjectsV2Command({ Bucket: BUCKET })));
    await expectError("ExpiredToken", () => sts(creds).send(new GetCallerIdentityCommand({})));
  });
  const unknown = { accessKeyId: "AKIAUNKNOWNEXAMPLE00", secretAccessKey: ALICE.secretAccessKey };
  await run("err-unknown-key", () =>
    expectError("InvalidAccessKeyId", () => s3(unknown).send(new ListObjectsV2Command({ Bucket: BUCKET }))).then(() => ""),
  );
  await run("err-unknown-key-sts", () =>
    expectError("InvalidClientTokenId", () => sts(unknown).send(new GetCallerIdentityCommand({}))).then(() => ""),
  );

  console.log(`[js-sdk-v3/${TRANSPORT}] done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
