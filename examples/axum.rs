//! axum 0.8 with `SigV4Layer`: handlers that know who is calling.
//!
//! ```text
//! cargo run --example axum --features axum
//! ```
//!
//! The API is signed like an API Gateway API (service `execute-api`), so
//! any SigV4 signer reaches it: `awscurl`, the AWS SDKs' signers, or this
//! crate's `webhook_sender` example pointed at it. Unsigned or badly signed
//! requests never reach a handler; the layer answers them in the REST-JSON
//! protocol API Gateway speaks.
//!
//! ```text
//! GET /whoami   the caller's ARN, user id and account, as JSON
//! GET /public   answers signed and anonymous callers alike (route_layer
//!               does not cover it)
//! ```

#[tokio::main]
async fn main() {
    use std::net::SocketAddr;

    use axum::routing::get;
    use axum::{Json, Router};
    use tower_sigv4::identity::{Principal, StaticCredentials};
    use tower_sigv4::{Authenticated, ErrorProtocol, ServiceConfig, SigV4Layer, SigV4Settings};

    // The handler takes the principal straight from the request: with the
    // `axum` feature, `Principal` and `Authenticated` are extractors.
    async fn whoami(principal: Principal, caller: Authenticated) -> Json<serde_json::Value> {
        Json(serde_json::json!({
            "arn": principal.arn(),
            "userId": principal.user_id(),
            "account": principal.account().as_str(),
            "accessKeyId": caller.access_key_id(),
            "region": caller.region(),
            "presigned": caller.is_presigned(),
        }))
    }

    async fn public() -> &'static str {
        "no signature needed here\n"
    }

    let store = StaticCredentials::builder()
        .root(
            "111122223333",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .user(
            "arn:aws:iam::111122223333:user/alice",
            "AKIAI44QH8DHBEXAMPLE",
            "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        )
        .build()
        .expect("valid identities");
    let settings = SigV4Settings::default()
        .with_region("us-east-1")
        .with_service_config("execute-api", ServiceConfig::new(ErrorProtocol::RestJson));

    let app = Router::new()
        .route("/whoami", get(whoami))
        // route_layer: only the routes above are verified.
        .route_layer(SigV4Layer::with_settings(store, settings))
        .route("/public", get(public));

    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9092".to_owned())
        .parse()
        .expect("usage: axum [ADDR]");
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("the address is free");
    println!(
        "listening on http://{} (service execute-api, region us-east-1)",
        listener.local_addr().expect("bound")
    );
    axum::serve(listener, app).await.expect("the server runs");
}
