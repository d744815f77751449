//! hyper 1 with `SigV4Layer`, no framework: an accept loop, hyper-util's
//! connection builder, and a `tower::ServiceBuilder` stack.
//!
//! ```text
//! cargo run --example hyper
//! ```
//!
//! A small S3-style endpoint (service `s3`, region `us-east-1`): every
//! request must be signed; the handler reads the verified body to its end
//! and answers with who sent it and the SHA-256 of what arrived, in the
//! headers `x-caller-arn` and `x-body-sha256` of an empty 200 (S3 clients
//! take a 200 with a body they cannot parse for an error). Reading to
//! the end matters: a body whose bytes do not match the signed
//! `x-amz-content-sha256` ends with an error instead of its last frame, and
//! the handler turns it into S3's `XAmzContentSHA256Mismatch`.
//!
//! ```text
//! export AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE
//! export AWS_SECRET_ACCESS_KEY=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
//! aws --endpoint-url http://127.0.0.1:9093 --region us-east-1 s3api put-object \
//!     --bucket any --key hello.txt --body README.md
//! ```

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::SystemTime;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Either, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use sha2::{Digest as _, Sha256};
use tower::ServiceBuilder;
use tower_sigv4::identity::StaticCredentials;
use tower_sigv4::response::{ErrorBody, ErrorProtocol};
use tower_sigv4::{Authenticated, SigV4Layer, SigV4Settings, VerifiedBody, VerifiedBodyError};

/// The largest body the handler reads; the layer bounds what it buffers
/// itself, the handler bounds what it collects.
const MAX_BODY: usize = 16 << 20;

async fn handle(
    req: Request<VerifiedBody<Incoming>>,
) -> Result<Response<Either<Full<Bytes>, ErrorBody>>, Infallible> {
    // The layer lets no unverified request through: the caller is here.
    let caller = req
        .extensions()
        .get::<Authenticated>()
        .cloned()
        .expect("SigV4Layer puts the caller in the extensions");
    let what = format!("{} {}", req.method(), req.uri().path());
    let body = http_body_util::Limited::new(req.into_body(), MAX_BODY);
    match body.collect().await {
        Ok(collected) => {
            let bytes = collected.to_bytes();
            let sha256 = hex::encode(Sha256::digest(&bytes));
            println!(
                "{what}: {} bytes from {} (sha256 {sha256})",
                bytes.len(),
                caller.principal().arn(),
            );
            let response = Response::builder()
                .header("x-caller-arn", caller.principal().arn())
                .header("x-body-sha256", sha256)
                .body(Either::Left(Full::new(Bytes::new())))
                .expect("ASCII header values");
            Ok(response)
        }
        Err(err) => match err.downcast_ref::<VerifiedBodyError>() {
            // The bytes are not those the client signed.
            Some(mismatch) => Ok(mismatch
                .to_report()
                .render(ErrorProtocol::S3, SystemTime::now())
                .map(Either::Right)),
            None => {
                let mut response = Response::new(Either::Left(Full::new(Bytes::from(format!(
                    "could not read the body: {err}\n"
                )))));
                *response.status_mut() = StatusCode::BAD_REQUEST;
                Ok(response)
            }
        },
    }
}

#[tokio::main]
async fn main() {
    let store = StaticCredentials::builder()
        .user(
            "arn:aws:iam::111122223333:user/alice",
            "AKIAI44QH8DHBEXAMPLE",
            "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        )
        .build()
        .expect("valid identities");
    let settings = SigV4Settings::default()
        .with_region("us-east-1")
        .with_service("s3");
    // One layer for the whole server: it holds the settings and the
    // verifier's caches, and is cloned into each connection's service.
    let service = ServiceBuilder::new()
        .layer(SigV4Layer::with_settings(store, settings))
        .service_fn(handle);

    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9093".to_owned())
        .parse()
        .expect("usage: hyper [ADDR]");
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("the address is free");
    println!(
        "listening on http://{} (service s3, region us-east-1)",
        listener.local_addr().expect("bound")
    );
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: back off, keep serving.
                eprintln!("accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            let io = TokioIo::new(stream);
            if let Err(e) = auto::Builder::new(TokioExecutor::new())
                .serve_connection(io, service)
                .await
            {
                eprintln!("connection from {peer}: {e}");
            }
        });
    }
}
