//! The layer in axum 0.8: `Router::layer`, `Router::route_layer` and
//! `axum::serve`, with handlers extracting the caller (feature `axum`).
#![cfg(feature = "axum")]

#[path = "layer_support.rs"]
mod support;

use std::sync::Arc;

use aws_sigv4::http_request::SignableBody;
use axum::body::Body;
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use support::*;
use tower::ServiceExt;
use tower_sigv4::axum::{AuthRejection, AuthRejectionKind};
use tower_sigv4::identity::{ManualClock, Principal, StaticCredentials};
use tower_sigv4::{AuthError, Authenticated, SigV4Layer, SigV4Settings, UnsignedRequests};

fn layer(unsigned: UnsignedRequests) -> SigV4Layer<StaticCredentials> {
    let store = StaticCredentials::builder()
        .root("111122223333", ROOT_AKID, ROOT_SECRET)
        .user(ALICE_ARN, ALICE_AKID, ALICE_SECRET)
        .build()
        .unwrap();
    let settings = SigV4Settings::default()
        .with_region("us-east-1")
        .with_service("s3")
        .with_unsigned_requests(unsigned)
        .with_clock(Arc::new(ManualClock::new(t0())));
    SigV4Layer::with_settings(store, settings)
}

async fn whoami(principal: Principal) -> String {
    principal.arn().to_owned()
}

async fn maybe(caller: Option<Authenticated>) -> String {
    match caller {
        Some(c) => format!("{} {}", c.access_key_id(), c.scope()),
        None => "anonymous".to_owned(),
    }
}

async fn upload(caller: Authenticated, body: Bytes) -> String {
    format!("{} wrote {} bytes", caller.principal().arn(), body.len())
}

fn signed(method: &str, path: &str, body: &'static [u8], signing: Signing) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("http://localhost{path}"))
        .header("host", "localhost")
        .body(Body::from(body))
        .unwrap();
    signing.sign(&mut req, SignableBody::Bytes(body));
    req
}

async fn text(response: axum::response::Response) -> (StatusCode, String) {
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn router_layer_hands_the_principal_to_handlers() {
    let app = Router::new()
        .route("/whoami", get(whoami))
        .route("/maybe", get(maybe))
        .route("/upload", post(upload))
        .layer(layer(UnsignedRequests::Reject));

    let req = signed(
        "GET",
        "/whoami",
        b"",
        Signing::new("s3").key(ALICE_AKID, ALICE_SECRET),
    );
    let (status, body) = text(app.clone().oneshot(req).await.unwrap()).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ALICE_ARN));

    let req = signed("GET", "/maybe", b"", Signing::new("s3"));
    let (status, body) = text(app.clone().oneshot(req).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        format!("{ROOT_AKID} 20250101/us-east-1/s3/aws4_request")
    );

    // The body extractor reads the VerifiedBody: the hash is checked.
    let req = signed("POST", "/upload", b"twelve bytes", Signing::new("s3"));
    let (status, body) = text(app.clone().oneshot(req).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, "arn:aws:iam::111122223333:root wrote 12 bytes");

    // A failure is a response (no HandleErrorLayer), with the error attached.
    let req = signed(
        "GET",
        "/whoami",
        b"",
        Signing::new("s3").key(ALICE_AKID, "wrong"),
    );
    let response = app.clone().oneshot(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let error = response.extensions().get::<AuthError>().expect("the error");
    assert_eq!(error.code(), "SignatureDoesNotMatch");
    let (_, body) = text(response).await;
    assert_eq!(
        xml_elements(body.as_bytes())["Code"],
        "SignatureDoesNotMatch"
    );

    // Unsigned: refused before any handler runs.
    let req = Request::get("http://localhost/maybe")
        .body(Body::empty())
        .unwrap();
    let (status, body) = text(app.oneshot(req).await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(xml_elements(body.as_bytes())["Code"], "AccessDenied");
}

#[tokio::test]
async fn route_layer_guards_only_its_routes() {
    let app = Router::new()
        .route("/whoami", get(whoami))
        .route_layer(layer(UnsignedRequests::Reject))
        .route("/health", get(|| async { "ok" }));

    let req = signed("GET", "/whoami", b"", Signing::new("s3"));
    let (status, body) = text(app.clone().oneshot(req).await.unwrap()).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "arn:aws:iam::111122223333:root")
    );

    let req = Request::get("http://localhost/whoami")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.clone().oneshot(req).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // Routes added after route_layer, and unknown routes, are not guarded.
    let req = Request::get("http://localhost/health")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.clone().oneshot(req).await.unwrap().status(),
        StatusCode::OK
    );
    let req = Request::get("http://localhost/nowhere")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.oneshot(req).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn anonymous_callers_and_a_missing_layer_are_told_apart() {
    let app = Router::new()
        .route("/whoami", get(whoami))
        .route("/maybe", get(maybe))
        .layer(layer(UnsignedRequests::Anonymous));
    let unsigned = |path: &str| {
        Request::get(format!("http://localhost{path}"))
            .body(Body::empty())
            .unwrap()
    };
    let (status, body) = text(app.clone().oneshot(unsigned("/maybe")).await.unwrap()).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "anonymous"));
    // A handler that needs a caller answers as the layer would have.
    let (status, body) = text(app.clone().oneshot(unsigned("/whoami")).await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(xml_elements(body.as_bytes())["Code"], "AccessDenied");

    // Without the layer: a server error, never an anonymous caller.
    let bare = Router::new()
        .route("/whoami", get(whoami))
        .route("/maybe", get(maybe));
    for path in ["/whoami", "/maybe"] {
        let response = bare.clone().oneshot(unsigned(path)).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{path}"
        );
    }
}

#[test]
fn rejections_say_what_happened() {
    use axum::extract::FromRequestParts;
    let (mut parts, ()) = Request::new(()).into_parts();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let rejection: AuthRejection = rt
        .block_on(<Authenticated as FromRequestParts<()>>::from_request_parts(
            &mut parts,
            &(),
        ))
        .unwrap_err();
    assert_eq!(rejection.kind(), AuthRejectionKind::MissingLayer);
    assert!(rejection.to_string().contains("SigV4Layer"));
}

#[tokio::test]
async fn axum_serve_on_loopback() {
    let app = Router::new()
        .route("/whoami", get(whoami))
        .layer(layer(UnsignedRequests::Reject));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut req = Request::get(format!("http://{addr}/whoami"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    Signing::new("s3")
        .key(ALICE_AKID, ALICE_SECRET)
        .sign(&mut req, SignableBody::Bytes(b""));
    let answer = send(req).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, ALICE_ARN);

    let req = Request::get(format!("http://{addr}/whoami"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    let answer = send(req).await;
    assert_eq!(answer.status, 403);
    answer.assert_error_headers();
    assert_eq!(answer.code(), "AccessDenied");
}
