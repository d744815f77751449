//! A webhook receiver that accepts deliveries signed with SigV4 under its
//! own service name, `webhook`.
//!
//! ```text
//! cargo run --example webhook_receiver             # listens on 127.0.0.1:9091
//! cargo run --example webhook_sender               # in another shell
//! ```
//!
//! SigV4 is not only for AWS: any party that holds an access key can sign
//! requests with any SigV4 signer (the AWS SDKs' signers, `aws-sigv4`,
//! botocore's `SigV4Auth`, `awscurl --service webhook`), and the receiver
//! knows who sent each delivery and that its body arrived as signed. The
//! sender signs no `x-amz-content-sha256` header, as with most non-S3
//! services: the layer then reads the body (up to its buffered-body cap),
//! hashes it into the signature check and hands the handler the verified
//! bytes.
//!
//! Each sender has its own key; the principal's ARN names it. Failures are
//! answered in REST-JSON (`x-amzn-ErrorType` and `{"message": …}`).

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tower::ServiceBuilder;
use tower_sigv4::identity::StaticCredentials;
use tower_sigv4::{
    Authenticated, ErrorProtocol, ServiceConfig, SigV4Layer, SigV4Settings, VerifiedBody,
};

/// The key the `webhook_sender` example signs with.
pub const SENDER_ACCESS_KEY: &str = "AKIAWEBHOOKSENDER001";
/// Its secret.
pub const SENDER_SECRET: &str = "webhook-sender-secret-EXAMPLEKEY";
/// The ARN the sender is known by.
pub const SENDER_ARN: &str = "arn:aws:iam::444455556666:user/webhooks/billing-service";

/// The largest delivery read: the layer's buffered-body cap (the default,
/// 1 MiB) already bounds a body that signs no hash header.
const MAX_DELIVERY: usize = 1 << 20;

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
}

async fn deliver(
    req: Request<VerifiedBody<Incoming>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let Some(sender) = req.extensions().get::<Authenticated>().cloned() else {
        // Unreachable behind the layer; a 500 says the wiring is wrong.
        return Ok(text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "no caller\n".into(),
        ));
    };
    if req.method() != Method::POST || req.uri().path() != "/hooks" {
        return Ok(text(StatusCode::NOT_FOUND, "POST /hooks\n".into()));
    }
    let event = req
        .headers()
        .get("x-webhook-event")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unnamed")
        .to_owned();
    let body = match http_body_util::Limited::new(req.into_body(), MAX_DELIVERY)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            return Ok(text(
                StatusCode::BAD_REQUEST,
                format!("unreadable body: {e}\n"),
            ))
        }
    };
    println!(
        "{event} from {} ({} bytes, signed {:?}): {}",
        sender.principal().arn(),
        body.len(),
        sender.signing_time(),
        String::from_utf8_lossy(&body)
    );
    Ok(text(
        StatusCode::ACCEPTED,
        format!("accepted {event} from {}\n", sender.principal().arn()),
    ))
}

#[tokio::main]
async fn main() {
    let store = StaticCredentials::builder()
        .user(SENDER_ARN, SENDER_ACCESS_KEY, SENDER_SECRET)
        .build()
        .expect("valid identities");
    // Only `webhook` requests, in one region; a webhook has no business
    // with UNSIGNED-PAYLOAD, which ServiceConfig::new leaves off.
    let settings = SigV4Settings::default()
        .with_region("us-east-1")
        .with_service_config("webhook", ServiceConfig::new(ErrorProtocol::RestJson));
    let service = ServiceBuilder::new()
        .layer(SigV4Layer::with_settings(store, settings))
        .service_fn(deliver);

    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9091".to_owned())
        .parse()
        .expect("usage: webhook_receiver [ADDR]");
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("the address is free");
    println!(
        "listening on http://{} (service webhook, region us-east-1)",
        listener.local_addr().expect("bound")
    );
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            if let Err(e) = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("connection from {peer}: {e}");
            }
        });
    }
}
