//! The AWS SDK for Rust (`aws-sdk-s3`, `aws-sdk-sts`) against the demo
//! server, over HTTP and over HTTPS: every case of the interop suite.
//!
//! The demo runs in process (its modules are included from
//! `examples/demo/`), behind the real `SigV4Layer`, on a loopback port. The
//! SDK signs with its own signer (`aws-sigv4`), frames uploads as it does
//! against AWS (`STREAMING-UNSIGNED-PAYLOAD-TRAILER` with CRC32 or
//! CRC64NVME over HTTPS), and reads the demo's errors with its own parsers.
//! Presigned URLs are fetched with curl, a client that knows nothing of AWS.
//!
//! Each test prints a pass/fail table; with `INTEROP_RESULTS=FILE` it also
//! appends its rows to FILE for the suite's combined table
//! (`interop/run.sh`).

#[path = "../examples/demo"]
#[allow(dead_code)]
mod demo {
    pub mod app;
    pub mod checksum;
    pub mod config;
    pub mod s3;
    pub mod server;
    pub mod sts;
    pub mod tls;
    pub mod xml;
}

use std::fmt;
use std::future::Future;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RequestChecksumCalculation,
    ResponseChecksumValidation, RuntimeComponents, SharedHttpClient,
};
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload, CompletedPart};
use aws_smithy_async::time::TimeSource;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use demo::app::{Demo, DemoOptions};
use demo::config::Identities;

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "111122223333";
const ROOT: (&str, &str) = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
);
const ALICE: (&str, &str) = (
    "AKIAI44QH8DHBEXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
);
const ALICE_ARN: &str = "arn:aws:iam::111122223333:user/alice";
const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/demo-role";
const SESSION_ARN: &str = "arn:aws:sts::111122223333:assumed-role/demo-role/rust-session";
const MIB: usize = 1 << 20;
const KEYS: [(&str, &str); 6] = [
    ("key-punctuation", "punct/+=:@!*'(),;$&~.txt"),
    ("key-spaces", "spaces/a b  c   d.txt"),
    ("key-percent", "percent/100%/%41%2F%zz.txt"),
    ("key-double-slash", "double//slash///x.txt"),
    ("key-trailing-slash", "trailing/slash/"),
    ("key-utf8", "utf8/ünïcødé/日本語/😀.txt"),
];

type CaseResult = Result<String, String>;

/// A demo serving on a loopback port for the duration of a test.
struct Running {
    url: String,
    transport: &'static str,
    http_client: SharedHttpClient,
    ca_file: Option<PathBuf>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(path) = &self.ca_file {
            let _ = std::fs::remove_file(path);
        }
    }
}

async fn start(https: bool) -> Running {
    // As the suite runs it: STS sessions stamped 1000 s in the past, so that
    // DurationSeconds=900 yields an already expired session.
    let demo = Demo::new(DemoOptions {
        identities: Identities::builtin(),
        sts_clock_offset: -1000,
        limits: demo::s3::Limits::default(),
    })
    .expect("the built-in identities build");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let port = listener.local_addr().unwrap().port();
    if https {
        let tls = demo::tls::generate().expect("a certificate");
        let ca_file = std::env::temp_dir().join(format!(
            "tower-sigv4-interop-rust-{}-{port}.pem",
            std::process::id()
        ));
        std::fs::write(&ca_file, &tls.ca_pem).expect("the CA file is written");
        let http_client = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .tls_context(
                TlsContext::builder()
                    .with_trust_store(
                        TrustStore::empty().with_pem_certificate(tls.ca_pem.as_bytes()),
                    )
                    .build()
                    .expect("a TLS context"),
            )
            .build_https();
        let service = demo::app::service(demo, "https");
        Running {
            url: format!("https://127.0.0.1:{port}"),
            transport: "https",
            http_client,
            ca_file: Some(ca_file),
            task: demo::server::spawn(listener, Some(tls.config), service),
        }
    } else {
        let service = demo::app::service(demo, "http");
        Running {
            url: format!("http://127.0.0.1:{port}"),
            transport: "http",
            http_client: aws_smithy_http_client::Builder::new().build_http(),
            ca_file: None,
            task: demo::server::spawn(listener, None, service),
        }
    }
}

#[derive(Clone)]
struct Keys {
    id: String,
    secret: String,
    token: Option<String>,
}

impl Keys {
    fn long_term((id, secret): (&str, &str)) -> Self {
        Keys {
            id: id.to_owned(),
            secret: secret.to_owned(),
            token: None,
        }
    }

    fn credentials(&self) -> Credentials {
        Credentials::new(&self.id, &self.secret, self.token.clone(), None, "interop")
    }
}

/// A clock that runs `behind` the real one.
#[derive(Debug)]
struct Behind(Duration);

impl TimeSource for Behind {
    fn now(&self) -> SystemTime {
        SystemTime::now() - self.0
    }
}

/// One request's headers, names lowercased.
type Headers = Vec<(String, String)>;

/// Records the headers of the signed requests, as they go on the wire.
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Vec<Headers>>>);

impl Capture {
    fn last(&self, name: &str) -> Option<String> {
        let seen = self.0.lock().unwrap();
        let headers = seen.last()?;
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "capture"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        let headers = context
            .request()
            .headers()
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect();
        self.0.lock().unwrap().push(headers);
        Ok(())
    }
}

fn s3_config(run: &Running, keys: &Keys) -> aws_sdk_s3::config::Builder {
    aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(&run.url)
        .force_path_style(true)
        .credentials_provider(keys.credentials())
        .http_client(run.http_client.clone())
        // One attempt: a failure shows as it is, not hidden by a retry.
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
}

fn s3(run: &Running, keys: &Keys) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(s3_config(run, keys).build())
}

fn sts(run: &Running, keys: &Keys) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new(REGION))
        .endpoint_url(&run.url)
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            &keys.id,
            &keys.secret,
            keys.token.clone(),
            None,
            "interop",
        ))
        .http_client(run.http_client.clone())
        .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

/// Deterministic bytes, the same recipe as the Python and Node clients.
fn payload(label: &str, size: usize) -> Vec<u8> {
    let seed = Sha256::digest(label.as_bytes());
    let mut out = Vec::with_capacity(size + 32);
    let mut counter = 0u64;
    while out.len() < size {
        let mut h = Sha256::new();
        h.update(seed);
        h.update(counter.to_be_bytes());
        out.extend_from_slice(&h.finalize());
        counter += 1;
    }
    out.truncate(size);
    out
}

fn crc32_b64(data: &[u8]) -> String {
    let crc = crc_fast::checksum(crc_fast::CrcAlgorithm::Crc32IsoHdlc, data) as u32;
    base64::engine::general_purpose::STANDARD.encode(crc.to_be_bytes())
}

fn ensure(cond: bool, message: impl fmt::Display) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(message.to_string())
    }
}

fn expect_code<T: fmt::Debug, E: ProvideErrorMetadata + fmt::Debug>(
    result: Result<T, E>,
    code: &str,
) -> Result<E, String> {
    match result {
        Ok(value) => Err(format!("expected {code}, the call succeeded: {value:?}")),
        Err(err) if err.code() == Some(code) => Ok(err),
        Err(err) => Err(format!("expected {code}, got {:?}: {err:?}", err.code())),
    }
}

/// Fetches a URL with curl: (status, body).
async fn curl(
    run: &Running,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    data: Option<&[u8]>,
) -> Result<(u16, Vec<u8>), String> {
    let mut cmd = tokio::process::Command::new("curl");
    cmd.args(["-sS", "-g", "--max-time", "30", "-X", method, "-o", "-"])
        .args(["-w", "\n%{http_code}"]);
    if let Some(ca) = &run.ca_file {
        cmd.arg("--cacert").arg(ca);
    }
    for (name, value) in headers {
        cmd.arg("-H").arg(format!("{name}: {value}"));
    }
    if data.is_some() {
        cmd.args(["--data-binary", "@-", "-H", "Content-Type:"]);
    }
    cmd.arg(url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("curl could not start (is it installed?): {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let body = data.map(<[u8]>::to_vec).unwrap_or_default();
    let writer = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt as _;
        let _ = stdin.write_all(&body).await;
    });
    let out = child.wait_with_output().await.map_err(|e| e.to_string())?;
    let _ = writer.await;
    if !out.status.success() {
        return Err(format!(
            "curl failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let cut = out
        .stdout
        .iter()
        .rposition(|b| *b == b'\n')
        .ok_or("curl printed no status")?;
    let status = std::str::from_utf8(&out.stdout[cut + 1..])
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .ok_or("curl printed no status")?;
    Ok((status, out.stdout[..cut].to_vec()))
}

fn xml_field(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + text[start..].find(&format!("</{name}>"))?;
    Some(text[start..end].to_owned())
}

/// The rows of one transport's run.
struct Report {
    transport: &'static str,
    rows: Vec<(String, bool, String)>,
}

impl Report {
    async fn run<F: Future<Output = CaseResult>>(&mut self, case: &str, fut: F) {
        let outcome = tokio::time::timeout(Duration::from_secs(120), fut)
            .await
            .unwrap_or_else(|_| Err("timed out after 120 s".to_owned()));
        let (ok, detail) = match outcome {
            Ok(detail) => (true, detail),
            Err(detail) => (false, detail),
        };
        println!(
            "[rust-sdk/{}] {} {case} {}",
            self.transport,
            if ok { "PASS" } else { "FAIL" },
            if ok { "" } else { detail.as_str() }
        );
        self.rows.push((case.to_owned(), ok, detail));
    }

    fn finish(self) {
        println!("\nrust-sdk over {}:", self.transport);
        for (case, ok, _) in &self.rows {
            println!("  {:<32} {}", case, if *ok { "PASS" } else { "FAIL" });
        }
        if let Ok(path) = std::env::var("INTEROP_RESULTS") {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .expect("the results file opens");
            for (case, ok, detail) in &self.rows {
                let row = serde_json::json!({
                    "client": "rust-sdk",
                    "transport": self.transport,
                    "case": case,
                    "ok": ok,
                    "detail": detail.chars().take(400).collect::<String>(),
                });
                writeln!(file, "{row}").expect("the results file is written");
            }
        }
        let failed: Vec<_> = self
            .rows
            .iter()
            .filter(|(_, ok, _)| !ok)
            .map(|(case, _, detail)| format!("{case}: {detail}"))
            .collect();
        assert!(
            failed.is_empty(),
            "{} case(s) failed over {}:\n{}",
            failed.len(),
            self.transport,
            failed.join("\n")
        );
    }
}

async fn read_all(
    output: aws_sdk_s3::operation::get_object::GetObjectOutput,
) -> Result<Vec<u8>, String> {
    output
        .body
        .collect()
        .await
        .map(|b| b.into_bytes().to_vec())
        .map_err(|e| format!("reading the body: {e}"))
}

async fn all_cases(run: &Running) {
    let bucket = format!("interop-rust-{}", run.transport);
    let alice = Keys::long_term(ALICE);
    let root = Keys::long_term(ROOT);
    let alice_s3 = s3(run, &alice);
    alice_s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("CreateBucket");
    let mut report = Report {
        transport: run.transport,
        rows: Vec::new(),
    };
    let stored = Mutex::new(Vec::<String>::new());
    let session: Mutex<Option<Keys>> = Mutex::new(None);

    report
        .run("sts-root", async {
            let r = sts(run, &root)
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            ensure(
                r.arn() == Some("arn:aws:iam::111122223333:root")
                    && r.user_id() == Some(ACCOUNT)
                    && r.account() == Some(ACCOUNT),
                format!("{r:?}"),
            )?;
            Ok(String::new())
        })
        .await;

    report
        .run("sts-alice", async {
            let r = sts(run, &alice)
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let user_id = r.user_id().unwrap_or_default();
            ensure(
                r.arn() == Some(ALICE_ARN)
                    && user_id.starts_with("AIDA")
                    && user_id.len() >= 20
                    && user_id[4..]
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                    && r.account() == Some(ACCOUNT),
                format!("{r:?}"),
            )?;
            Ok(String::new())
        })
        .await;

    report
        .run("sts-assumed-role", async {
            let r = sts(run, &alice)
                .assume_role()
                .role_arn(ROLE_ARN)
                .role_session_name("rust-session")
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let user = r.assumed_role_user().ok_or("no AssumedRoleUser")?;
            let creds = r.credentials().ok_or("no Credentials")?;
            ensure(user.arn() == SESSION_ARN, format!("{user:?}"))?;
            ensure(
                creds.access_key_id().starts_with("ASIA"),
                creds.access_key_id(),
            )?;
            let keys = Keys {
                id: creds.access_key_id().to_owned(),
                secret: creds.secret_access_key().to_owned(),
                token: Some(creds.session_token().to_owned()),
            };
            *session.lock().unwrap() = Some(keys.clone());
            let me = sts(run, &keys)
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let user_id = me.user_id().unwrap_or_default();
            ensure(
                me.arn() == Some(SESSION_ARN)
                    && me.account() == Some(ACCOUNT)
                    && user_id == user.assumed_role_id()
                    && user_id.starts_with("AROA")
                    && user_id.ends_with(":rust-session"),
                format!("{me:?}"),
            )?;
            Ok(String::new())
        })
        .await;

    report
        .run("sts-root-assume-denied", async {
            let err = expect_code(
                sts(run, &root)
                    .assume_role()
                    .role_arn(ROLE_ARN)
                    .role_session_name("root-try")
                    .send()
                    .await,
                "AccessDenied",
            )?;
            ensure(
                err.message() == Some("Roles may not be assumed by root accounts."),
                format!("{:?}", err.message()),
            )?;
            Ok(String::new())
        })
        .await;

    for (case, key) in KEYS {
        report
            .run(case, async {
                let data = payload(case, 1024);
                alice_s3
                    .put_object()
                    .bucket(&bucket)
                    .key(key)
                    .body(ByteStream::from(data.clone()))
                    .send()
                    .await
                    .map_err(|e| format!("PutObject: {e:?}"))?;
                let got = alice_s3
                    .get_object()
                    .bucket(&bucket)
                    .key(key)
                    .send()
                    .await
                    .map_err(|e| format!("GetObject: {e:?}"))?;
                let writer = got.metadata().and_then(|m| m.get("writer-arn")).cloned();
                ensure(read_all(got).await? == data, "the bytes read back differ")?;
                ensure(writer.as_deref() == Some(ALICE_ARN), format!("{writer:?}"))?;
                stored.lock().unwrap().push(key.to_owned());
                Ok(String::new())
            })
            .await;
    }

    report
        .run("writer-arn", async {
            let keys = session.lock().unwrap().clone().ok_or("no session")?;
            s3(run, &keys)
                .put_object()
                .bucket(&bucket)
                .key("writer/by-role.txt")
                .body(ByteStream::from_static(b"role"))
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            stored.lock().unwrap().push("writer/by-role.txt".into());
            let head = alice_s3
                .head_object()
                .bucket(&bucket)
                .key("writer/by-role.txt")
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let writer = head.metadata().and_then(|m| m.get("writer-arn"));
            ensure(
                writer.map(String::as_str) == Some(SESSION_ARN),
                format!("{writer:?}"),
            )?;
            Ok(String::new())
        })
        .await;

    report
        .run("put-default-checksum", async {
            let capture = Capture::default();
            let client = aws_sdk_s3::Client::from_conf(
                s3_config(run, &alice).interceptor(capture.clone()).build(),
            );
            let data = payload("default-checksum", 3 * MIB + 17);
            // A streamed body (a file): the SDK frames it as aws-chunked
            // with a trailing checksum; an in-memory body gets a header.
            let file = TempFile::new(run, "default", &data)?;
            client
                .put_object()
                .bucket(&bucket)
                .key("checksum/default")
                .body(file.stream().await?)
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            stored.lock().unwrap().push("checksum/default".into());
            let mode = capture.last("x-amz-content-sha256").unwrap_or_default();
            let trailer = capture.last("x-amz-trailer");
            if run.transport == "https" {
                ensure(
                    mode == "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                    format!("sent {mode}"),
                )?;
                ensure(
                    trailer.as_deref() == Some("x-amz-checksum-crc32"),
                    format!("{trailer:?}"),
                )?;
            } else {
                ensure(
                    trailer.is_some() || capture.last("x-amz-checksum-crc32").is_some(),
                    "no CRC32 sent",
                )?;
            }
            let got = client
                .get_object()
                .bucket(&bucket)
                .key("checksum/default")
                .checksum_mode(ChecksumMode::Enabled)
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let crc = got.checksum_crc32().map(str::to_owned);
            ensure(
                crc.as_deref() == Some(crc32_b64(&data).as_str()),
                format!("{crc:?}"),
            )?;
            ensure(read_all(got).await? == data, "the bytes read back differ")?;
            Ok(format!("x-amz-content-sha256: {}", short_mode(&mode)))
        })
        .await;

    report
        .run("put-crc64nvme", async {
            let capture = Capture::default();
            let client = aws_sdk_s3::Client::from_conf(
                s3_config(run, &alice).interceptor(capture.clone()).build(),
            );
            let data = payload("crc64", 2 * MIB + 5);
            let file = TempFile::new(run, "crc64", &data)?;
            let put = client
                .put_object()
                .bucket(&bucket)
                .key("checksum/crc64nvme")
                .checksum_algorithm(ChecksumAlgorithm::Crc64Nvme)
                .body(file.stream().await?)
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            stored.lock().unwrap().push("checksum/crc64nvme".into());
            let mode = capture.last("x-amz-content-sha256").unwrap_or_default();
            if run.transport == "https" {
                ensure(
                    mode == "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                    format!("sent {mode}"),
                )?;
                let trailer = capture.last("x-amz-trailer");
                ensure(
                    trailer.as_deref() == Some("x-amz-checksum-crc64nvme"),
                    format!("{trailer:?}"),
                )?;
            }
            let got = client
                .get_object()
                .bucket(&bucket)
                .key("checksum/crc64nvme")
                .checksum_mode(ChecksumMode::Enabled)
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            ensure(
                got.checksum_crc64_nvme().is_some()
                    && got.checksum_crc64_nvme() == put.checksum_crc64_nvme(),
                format!(
                    "{:?} vs {:?}",
                    got.checksum_crc64_nvme(),
                    put.checksum_crc64_nvme()
                ),
            )?;
            ensure(read_all(got).await? == data, "the bytes read back differ")?;
            Ok(format!("x-amz-content-sha256: {}", short_mode(&mode)))
        })
        .await;

    report
        .run("put-when-required", async {
            let capture = Capture::default();
            let client = aws_sdk_s3::Client::from_conf(
                s3_config(run, &alice)
                    .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
                    .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
                    .interceptor(capture.clone())
                    .build(),
            );
            let data = payload("when-required", MIB + 3);
            client
                .put_object()
                .bucket(&bucket)
                .key("checksum/when-required")
                .body(ByteStream::from(data.clone()))
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            stored.lock().unwrap().push("checksum/when-required".into());
            let sent = capture
                .0
                .lock()
                .unwrap()
                .last()
                .cloned()
                .unwrap_or_default();
            ensure(
                !sent
                    .iter()
                    .any(|(k, _)| k == "x-amz-trailer" || k.starts_with("x-amz-checksum-")),
                format!("{sent:?}"),
            )?;
            let got = client
                .get_object()
                .bucket(&bucket)
                .key("checksum/when-required")
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            ensure(read_all(got).await? == data, "the bytes read back differ")?;
            let mode = capture.last("x-amz-content-sha256").unwrap_or_default();
            Ok(format!("x-amz-content-sha256: {}", short_mode(&mode)))
        })
        .await;

    report
        .run("multipart-20mib", async {
            let key = "multipart/20MiB.bin";
            let data = payload("multipart", 20 * MIB);
            let capture = Capture::default();
            let client = aws_sdk_s3::Client::from_conf(
                s3_config(run, &alice).interceptor(capture.clone()).build(),
            );
            let created = client
                .create_multipart_upload()
                .bucket(&bucket)
                .key(key)
                .checksum_algorithm(ChecksumAlgorithm::Crc32)
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let upload_id = created.upload_id().ok_or("no UploadId")?;
            let mut parts = Vec::new();
            for (i, chunk) in data.chunks(5 * MIB).enumerate() {
                let number = i as i32 + 1;
                let part = client
                    .upload_part()
                    .bucket(&bucket)
                    .key(key)
                    .upload_id(upload_id)
                    .part_number(number)
                    .checksum_algorithm(ChecksumAlgorithm::Crc32)
                    .body(ByteStream::from(chunk.to_vec()))
                    .send()
                    .await
                    .map_err(|e| format!("UploadPart {number}: {e:?}"))?;
                parts.push(
                    CompletedPart::builder()
                        .part_number(number)
                        .set_e_tag(part.e_tag().map(str::to_owned))
                        .set_checksum_crc32(part.checksum_crc32().map(str::to_owned))
                        .build(),
                );
            }
            let part_mode = capture.last("x-amz-content-sha256").unwrap_or_default();
            let count = parts.len();
            client
                .complete_multipart_upload()
                .bucket(&bucket)
                .key(key)
                .upload_id(upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            stored.lock().unwrap().push(key.into());
            let got = client
                .get_object()
                .bucket(&bucket)
                .key(key)
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let etag = got.e_tag().unwrap_or_default().to_owned();
            ensure(etag.ends_with(&format!("-{count}\"")), &etag)?;
            ensure(
                Sha256::digest(read_all(got).await?) == Sha256::digest(&data),
                "download differs",
            )?;
            Ok(format!(
                "parts: {count}, part mode: {}",
                short_mode(&part_mode)
            ))
        })
        .await;

    report
        .run("empty-object", async {
            alice_s3
                .put_object()
                .bucket(&bucket)
                .key("empty")
                .body(ByteStream::from_static(b""))
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            stored.lock().unwrap().push("empty".into());
            let got = alice_s3
                .get_object()
                .bucket(&bucket)
                .key("empty")
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            ensure(
                got.content_length() == Some(0),
                format!("{:?}", got.content_length()),
            )?;
            ensure(read_all(got).await?.is_empty(), "not empty")?;
            Ok(String::new())
        })
        .await;

    report
        .run("list-keys", async {
            let mut keys = Vec::new();
            let mut pages = alice_s3
                .list_objects_v2()
                .bucket(&bucket)
                .max_keys(2)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| format!("{e:?}"))?;
                keys.extend(
                    page.contents()
                        .iter()
                        .filter_map(|o| o.key().map(str::to_owned)),
                );
            }
            let mut want = stored.lock().unwrap().clone();
            keys.sort();
            want.sort();
            ensure(keys == want, format!("listed {keys:?}, stored {want:?}"))?;
            Ok(String::new())
        })
        .await;

    let presign = |seconds| {
        PresigningConfig::expires_in(Duration::from_secs(seconds)).expect("a valid expiry")
    };

    report
        .run("presigned-get", async {
            let key = "presigned/get a+b=c&d.txt";
            let data = payload(key, 1024);
            alice_s3
                .put_object()
                .bucket(&bucket)
                .key(key)
                .body(ByteStream::from(data.clone()))
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let url = alice_s3
                .get_object()
                .bucket(&bucket)
                .key(key)
                .presigned(presign(300))
                .await
                .map_err(|e| format!("{e:?}"))?;
            ensure(url.uri().contains("X-Amz-Signature="), url.uri())?;
            let (status, body) = curl(run, "GET", url.uri(), &[], None).await?;
            ensure(
                status == 200 && body == data,
                format!("{status} {}", String::from_utf8_lossy(&body)),
            )?;
            Ok(String::new())
        })
        .await;

    report
        .run("presigned-put", async {
            let key = "presigned/put (1).txt";
            let data = payload(key, 70_000);
            // As AWS advises for presigned uploads: no checksum of a body
            // the signer never saw.
            let signer = aws_sdk_s3::Client::from_conf(
                s3_config(run, &alice)
                    .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
                    .build(),
            );
            let url = signer
                .put_object()
                .bucket(&bucket)
                .key(key)
                .presigned(presign(300))
                .await
                .map_err(|e| format!("{e:?}"))?;
            let headers: Vec<(String, String)> = url
                .headers()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let (status, body) = curl(run, "PUT", url.uri(), &headers, Some(&data)).await?;
            ensure(
                status == 200,
                format!("{status} {}", String::from_utf8_lossy(&body)),
            )?;
            let got = alice_s3
                .get_object()
                .bucket(&bucket)
                .key(key)
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let writer = got.metadata().and_then(|m| m.get("writer-arn")).cloned();
            ensure(read_all(got).await? == data, "stored bytes differ")?;
            ensure(writer.as_deref() == Some(ALICE_ARN), format!("{writer:?}"))?;
            Ok(String::new())
        })
        .await;

    report
        .run("presigned-get-session-token", async {
            let keys = session.lock().unwrap().clone().ok_or("no session")?;
            let url = s3(run, &keys)
                .get_object()
                .bucket(&bucket)
                .key(KEYS[5].1)
                .presigned(presign(300))
                .await
                .map_err(|e| format!("{e:?}"))?;
            ensure(url.uri().contains("X-Amz-Security-Token="), url.uri())?;
            let (status, body) = curl(run, "GET", url.uri(), &[], None).await?;
            ensure(
                status == 200 && body == payload("key-utf8", 1024),
                format!("{status} {}", String::from_utf8_lossy(&body)),
            )?;
            Ok(String::new())
        })
        .await;

    let wrong = Keys::long_term((ALICE.0, "wrongbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"));
    report
        .run("err-wrong-secret", async {
            expect_code(
                s3(run, &wrong)
                    .list_objects_v2()
                    .bucket(&bucket)
                    .send()
                    .await,
                "SignatureDoesNotMatch",
            )?;
            Ok(String::new())
        })
        .await;
    report
        .run("err-wrong-secret-sts", async {
            expect_code(
                sts(run, &wrong).get_caller_identity().send().await,
                "SignatureDoesNotMatch",
            )?;
            Ok(String::new())
        })
        .await;

    report
        .run("err-skew", async {
            let skewed = aws_sdk_s3::Client::from_conf(
                s3_config(run, &alice)
                    .time_source(Behind(Duration::from_secs(20 * 60)))
                    .build(),
            );
            expect_code(
                skewed.list_objects_v2().bucket(&bucket).send().await,
                "RequestTimeTooSkewed",
            )?;
            Ok(String::new())
        })
        .await;

    report
        .run("err-presigned-expired", async {
            let config = PresigningConfig::builder()
                .start_time(SystemTime::now() - Duration::from_secs(3600))
                .expires_in(Duration::from_secs(60))
                .build()
                .map_err(|e| e.to_string())?;
            let url = alice_s3
                .get_object()
                .bucket(&bucket)
                .key("empty")
                .presigned(config)
                .await
                .map_err(|e| format!("{e:?}"))?;
            let (status, body) = curl(run, "GET", url.uri(), &[], None).await?;
            ensure(
                status == 403
                    && xml_field(&body, "Code").as_deref() == Some("AccessDenied")
                    && xml_field(&body, "Message").as_deref() == Some("Request has expired"),
                format!("{status} {}", String::from_utf8_lossy(&body)),
            )?;
            Ok(String::new())
        })
        .await;

    report
        .run("err-expired-session", async {
            let r = sts(run, &alice)
                .assume_role()
                .role_arn(ROLE_ARN)
                .role_session_name("rust-expired")
                .duration_seconds(900)
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let creds = r.credentials().ok_or("no Credentials")?;
            let expiry = SystemTime::try_from(*creds.expiration()).map_err(|e| e.to_string())?;
            ensure(expiry < SystemTime::now(), "the session has not expired")?;
            let keys = Keys {
                id: creds.access_key_id().to_owned(),
                secret: creds.secret_access_key().to_owned(),
                token: Some(creds.session_token().to_owned()),
            };
            expect_code(
                s3(run, &keys)
                    .list_objects_v2()
                    .bucket(&bucket)
                    .send()
                    .await,
                "ExpiredToken",
            )?;
            expect_code(
                sts(run, &keys).get_caller_identity().send().await,
                "ExpiredToken",
            )?;
            Ok(String::new())
        })
        .await;

    let unknown = Keys::long_term(("AKIAUNKNOWNEXAMPLE00", ALICE.1));
    report
        .run("err-unknown-key", async {
            expect_code(
                s3(run, &unknown)
                    .list_objects_v2()
                    .bucket(&bucket)
                    .send()
                    .await,
                "InvalidAccessKeyId",
            )?;
            Ok(String::new())
        })
        .await;
    report
        .run("err-unknown-key-sts", async {
            expect_code(
                sts(run, &unknown).get_caller_identity().send().await,
                "InvalidClientTokenId",
            )?;
            Ok(String::new())
        })
        .await;

    report.finish();
}

/// A file of test data, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(run: &Running, label: &str, data: &[u8]) -> Result<Self, String> {
        let path = std::env::temp_dir().join(format!(
            "tower-sigv4-interop-rust-{}-{}-{label}.bin",
            std::process::id(),
            run.transport
        ));
        std::fs::write(&path, data).map_err(|e| format!("writing {}: {e}", path.display()))?;
        Ok(TempFile(path))
    }

    async fn stream(&self) -> Result<ByteStream, String> {
        ByteStream::from_path(&self.0)
            .await
            .map_err(|e| format!("reading {}: {e}", self.0.display()))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A signed body hash is 64 hex digits; say so rather than print it.
fn short_mode(mode: &str) -> &str {
    if mode.len() == 64 && mode.bytes().all(|b| b.is_ascii_hexdigit()) {
        "signed SHA-256"
    } else {
        mode
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_sdk_over_http() {
    let run = start(false).await;
    all_cases(&run).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_sdk_over_https() {
    let run = start(true).await;
    all_cases(&run).await;
}
