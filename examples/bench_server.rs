//! A minimal hyper 1 server for the load test (`benches/load/run.sh`): a
//! no-op handler that reads the body to its end and answers `200 ok`, with or
//! without [`SigV4Layer`] in front of it, so that the difference between the
//! two runs is the layer's cost.
//!
//! It also signs the load test's requests ahead of time, with the `aws-sigv4`
//! crate (an independent signer), for the `wrk` scripts:
//!
//! ```text
//! cargo run --release --example bench_server -- sign --host 127.0.0.1:8080 --out /tmp/requests.lua
//! cargo run --release --example bench_server -- serve --port 8080 --auth
//! ```
//!
//! With `--auth`, the credential store is an in-memory one behind
//! [`CachedStore`] (default bounds: 10,000 credentials, 10,000 negative
//! entries for unknown keys), as a deployment with a remote store would run
//! it; the flood of unknown keys in the load test fills those bounds and no
//! more.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use clap::{Parser, Subcommand};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::{Layer, Service};
use tower_sigv4::identity::{CachedStore, StaticCredentials};
use tower_sigv4::{SigV4Layer, SigV4Settings};

const ACCOUNT: &str = "111122223333";
const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const REGION: &str = "us-east-1";

#[derive(Parser)]
#[command(about = "The load test's server and request signer")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serves a no-op handler on 127.0.0.1.
    Serve {
        /// The port (0: any free port, see `--port-file`).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// A file to write the bound port to, once listening.
        #[arg(long)]
        port_file: Option<std::path::PathBuf>,
        /// Puts `SigV4Layer` in front of the handler.
        #[arg(long)]
        auth: bool,
        /// Tokio worker threads (0: a single-threaded runtime).
        #[arg(long, default_value_t = 0)]
        workers: usize,
    },
    /// Writes the signed requests as a Lua table for `wrk`.
    Sign {
        /// The `host[:port]` the requests are sent to (it is signed).
        #[arg(long)]
        host: String,
        /// The Lua file to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    match Args::parse().command {
        Command::Serve {
            port,
            port_file,
            auth,
            workers,
        } => {
            let runtime = if workers == 0 {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?
            } else {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(workers)
                    .enable_all()
                    .build()?
            };
            runtime.block_on(serve(port, port_file, auth))
        }
        Command::Sign { host, out } => {
            std::fs::write(&out, signed_requests_lua(&host))?;
            Ok(())
        }
    }
}

/// Reads the body to its end (a verified body reports a mismatch there) and
/// answers 200.
async fn no_op<B>(request: Request<B>) -> Result<Response<Full<Bytes>>, Infallible>
where
    B: http_body::Body,
{
    let mut body = pin!(request.into_body());
    while let Some(frame) = body.frame().await {
        if frame.is_err() {
            return Ok(Response::builder()
                .status(400)
                .body(Full::from("bad body"))
                .expect("static response"));
        }
    }
    Ok(Response::new(Full::from("ok")))
}

async fn serve(
    port: u16,
    port_file: Option<std::path::PathBuf>,
    auth: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let port = listener.local_addr()?.port();
    if let Some(path) = port_file {
        std::fs::write(path, port.to_string())?;
    }
    eprintln!(
        "bench_server: listening on 127.0.0.1:{port}, {} the layer",
        if auth { "with" } else { "without" }
    );
    if auth {
        let store = StaticCredentials::builder()
            .root(ACCOUNT, AKID, SECRET)
            .build()?;
        let settings = SigV4Settings::default()
            .with_region(REGION)
            .with_service("s3")
            .with_service("kms");
        let layer = SigV4Layer::with_settings(CachedStore::new(store), settings);
        accept_loop(listener, layer.layer(tower::service_fn(no_op))).await
    } else {
        accept_loop(listener, tower::service_fn(no_op::<Incoming>)).await
    }
}

async fn accept_loop<S, B>(
    listener: TcpListener,
    service: S,
) -> Result<(), Box<dyn std::error::Error>>
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                .await;
        });
    }
}

// ---------------------------------------------------------------------------
// Signing ahead of time
// ---------------------------------------------------------------------------

/// A request signed by `aws-sigv4` at the current time.
struct Signed {
    method: &'static str,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn aws_sign(
    service: &str,
    method: &'static str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    presigned: bool,
) -> Signed {
    let mut settings = SigningSettings::default();
    if service == "s3" {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    if presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        // Long enough for the whole run; within the 7-day maximum.
        settings.expires_in = Some(Duration::from_secs(3600));
    }
    let identity = Credentials::new(AKID, SECRET, None, None, "load-test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name(service)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .expect("signing parameters")
        .into();
    let signable_body = if presigned {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(body)
    };
    let signable = SignableRequest::new(method, url, headers.iter().copied(), signable_body)
        .expect("signable request");
    let (instructions, _) = sign(signable, &params).expect("signs").into_parts();
    let mut request = Request::builder()
        .method(method)
        .uri(url)
        .body(())
        .expect("request");
    for (n, v) in headers {
        request.headers_mut().append(
            http::HeaderName::from_bytes(n.as_bytes()).expect("name"),
            http::HeaderValue::from_str(v).expect("value"),
        );
    }
    instructions.apply_to_request_http1x(&mut request);
    Signed {
        method,
        path: request
            .uri()
            .path_and_query()
            .expect("path")
            .as_str()
            .to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().expect("ASCII").to_owned()))
            .collect(),
        body: body.to_vec(),
    }
}

/// A Lua string literal holding `bytes` exactly.
fn lua_string(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b" -_.~/:;,=&%+{}[]()@!*'".contains(&b) {
            s.push(b as char);
        } else {
            write!(s, "\\{b:03}").expect("write to a String");
        }
    }
    s.push('"');
    s
}

fn lua_request(name: &str, r: &Signed) -> String {
    let mut s = format!(
        "  {name} = {{\n    method = {},\n",
        lua_string(r.method.as_bytes())
    );
    writeln!(s, "    path = {},", lua_string(r.path.as_bytes())).expect("write");
    s.push_str("    headers = {\n");
    for (n, v) in &r.headers {
        writeln!(
            s,
            "      [{}] = {},",
            lua_string(n.as_bytes()),
            lua_string(v.as_bytes())
        )
        .expect("write");
    }
    s.push_str("    },\n");
    writeln!(s, "    body = {},", lua_string(&r.body)).expect("write");
    s.push_str("  },\n");
    s
}

/// The two workloads: a presigned S3 GET (replayable until it expires) and a
/// header-signed KMS-style POST with a 200-byte body (replayable within the
/// 15-minute skew window); and what the unknown-key flood needs.
fn signed_requests_lua(host: &str) -> String {
    let presigned = aws_sign(
        "s3",
        "GET",
        &format!("http://{host}/examplebucket/photos/cat.jpg"),
        &[],
        b"",
        true,
    );
    let mut body = String::from(
        r#"{"KeyId":"alias/example","Plaintext":"SGVsbG8sIHdvcmxkIQ==","EncryptionContext":{"purpose":"load"},"Pad":""#,
    );
    while body.len() < 198 {
        body.push('x');
    }
    body.push_str("\"}");
    let kms = aws_sign(
        "kms",
        "POST",
        &format!("http://{host}/"),
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "TrentService.Encrypt"),
        ],
        body.as_bytes(),
        false,
    );
    let amz_date = kms
        .headers
        .iter()
        .find(|(n, _)| n == "x-amz-date")
        .map(|(_, v)| v.clone())
        .expect("x-amz-date");
    let mut lua = String::from(
        "-- Written by `bench_server sign`: requests signed by aws-sigv4.\nreturn {\n",
    );
    lua.push_str(&lua_request("presigned_get", &presigned));
    lua.push_str(&lua_request("kms_post", &kms));
    writeln!(lua, "  amz_date = {},", lua_string(amz_date.as_bytes())).expect("write");
    writeln!(lua, "  region = {},", lua_string(REGION.as_bytes())).expect("write");
    lua.push_str("}\n");
    lua
}
