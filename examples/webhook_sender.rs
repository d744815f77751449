//! Sends a webhook delivery signed with the `aws-sigv4` crate (the AWS SDK
//! for Rust's signer) under the service name `webhook`, to the
//! `webhook_receiver` example.
//!
//! ```text
//! cargo run --example webhook_receiver &
//! cargo run --example webhook_sender                       # a good delivery
//! cargo run --example webhook_sender -- --wrong-secret     # 403 SignatureDoesNotMatch
//! cargo run --example webhook_sender -- --url http://127.0.0.1:9091/hooks
//! ```
//!
//! The signer is independent of the receiver's verifier: nothing here comes
//! from tower-sigv4.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http::{HeaderValue, Request};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

const ACCESS_KEY: &str = "AKIAWEBHOOKSENDER001";
const SECRET: &str = "webhook-sender-secret-EXAMPLEKEY";

#[tokio::main]
async fn main() {
    let mut url = "http://127.0.0.1:9091/hooks".to_owned();
    let mut secret = SECRET.to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => url = args.next().expect("--url URL"),
            "--wrong-secret" => secret = format!("not-{SECRET}"),
            other => {
                eprintln!("usage: webhook_sender [--url URL] [--wrong-secret] (got {other})");
                std::process::exit(2);
            }
        }
    }

    let body = serde_json::json!({
        "event": "invoice.paid",
        "invoice": "in_0042",
        "amount": { "value": "12.50", "currency": "EUR" },
    })
    .to_string();
    let mut request = Request::post(&url)
        .header("content-type", "application/json")
        .header("x-webhook-event", "invoice.paid")
        .body(body.clone())
        .expect("a valid request");

    // Sign as any AWS SDK signs a non-S3 request: the body's hash enters the
    // signature, no x-amz-content-sha256 header is sent.
    let identity: Identity = Credentials::new(ACCESS_KEY, secret, None, None, "example").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("webhook")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters")
        .into();
    let signable = SignableRequest::new(
        request.method().as_str(),
        request.uri().to_string(),
        request
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().expect("ASCII headers"))),
        SignableBody::Bytes(body.as_bytes()),
    )
    .expect("a signable request");
    let (instructions, _signature) = sign(signable, &params)
        .expect("aws-sigv4 signs")
        .into_parts();
    instructions.apply_to_request_http1x(&mut request);
    // hyper adds Host from the URL; aws-sigv4 signed the same authority.
    let host = request
        .uri()
        .authority()
        .expect("an absolute URL")
        .to_string();
    request
        .headers_mut()
        .insert("host", HeaderValue::from_str(&host).expect("a valid host"));

    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let response = client
        .request(request.map(|b| Full::new(Bytes::from(b))))
        .await
        .unwrap_or_else(|e| {
            eprintln!("cannot reach {url}: {e} (is webhook_receiver running?)");
            std::process::exit(1);
        });
    let status = response.status();
    let error_type = response
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let answer = response
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    println!(
        "{status}{}",
        error_type.map(|t| format!(" {t}")).unwrap_or_default()
    );
    println!("{}", String::from_utf8_lossy(&answer).trim_end());
    if !status.is_success() {
        std::process::exit(1);
    }
}
