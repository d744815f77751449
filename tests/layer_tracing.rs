//! The `tracing` feature: one event per failure, with the reason, the access
//! key id and the scope, and never a secret, a derived key or the signature
//! the server expected (computed here by the `aws-sigv4` crate with the right
//! secret, and searched for in every event, response and `Debug` output).
#![cfg(feature = "tracing")]

#[path = "layer_support.rs"]
mod support;

use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use aws_sigv4::http_request::SignableBody;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use support::*;
use tower::{ServiceBuilder, ServiceExt};
use tower_sigv4::identity::{ManualClock, StaticCredentials};
use tower_sigv4::sigv4::SigningKey;
use tower_sigv4::{SigV4Layer, SigV4Settings, VerifiedBody};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records every event as `name=value` text.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, "{}={} ", field.name(), value);
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        if event.metadata().target() != "tower_sigv4" {
            return;
        }
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn signed(secret: &str, body: &'static [u8], claimed: &'static [u8]) -> Request<Full<Bytes>> {
    let mut req = Request::put("http://localhost/bucket/key")
        .header("host", "localhost")
        .body(Full::new(Bytes::from_static(body)))
        .unwrap();
    Signing::new("s3")
        .key(ROOT_AKID, secret)
        .sign(&mut req, SignableBody::Bytes(claimed));
    req
}

fn signature_of(req: &Request<Full<Bytes>>) -> String {
    req.headers()["authorization"]
        .to_str()
        .unwrap()
        .rsplit("Signature=")
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn one_event_per_failure_and_no_secret_anywhere() {
    let recorder = Recorder::default();
    let events = recorder.0.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut seen = String::new();

    tracing::subscriber::with_default(recorder, || {
        rt.block_on(async {
            let store = StaticCredentials::builder()
                .root("111122223333", ROOT_AKID, ROOT_SECRET)
                .build()
                .unwrap();
            let settings = SigV4Settings::default()
                .with_region("us-east-1")
                .with_service("s3")
                .with_clock(Arc::new(ManualClock::new(t0())));
            let service = ServiceBuilder::new()
                .layer(SigV4Layer::with_settings(store, settings))
                .service_fn(|req: Request<VerifiedBody<Full<Bytes>>>| async move {
                    let text = match req.into_body().collect().await {
                        Ok(_) => "ok".to_owned(),
                        Err(e) => format!("{e} {e:?}"),
                    };
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(text))))
                });

            // 1. A wrong secret. The signature the server expects is the one
            //    made with the right secret: it must appear nowhere.
            let expected = signature_of(&signed(ROOT_SECRET, b"data", b"data"));
            let request = signed("wrong-secret", b"data", b"data");
            let response = service.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), 403);
            let error = response
                .extensions()
                .get::<tower_sigv4::AuthError>()
                .unwrap()
                .clone();
            let _ = write!(seen, "{error} {error:?} ");
            seen.push_str(&String::from_utf8_lossy(
                &response.into_body().collect().await.unwrap().to_bytes(),
            ));

            // 2. An unknown key.
            let mut request = signed(ROOT_SECRET, b"data", b"data");
            let auth = request.headers()["authorization"]
                .to_str()
                .unwrap()
                .replace(ROOT_AKID, "AKIAUNKNOWNEXAMPLE00");
            request
                .headers_mut()
                .insert("authorization", auth.parse().unwrap());
            let response = service.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), 403);

            // 3. A body that differs from its signed hash (reported by the body).
            let request = signed(ROOT_SECRET, b"other", b"data");
            let response = service.clone().oneshot(request).await.unwrap();
            let text = response.into_body().collect().await.unwrap().to_bytes();
            let text = String::from_utf8_lossy(&text).into_owned();
            assert!(text.contains("x-amz-content-sha256"), "{text}");
            seen.push_str(&text);

            // 4. A success: no event.
            let response = service
                .oneshot(signed(ROOT_SECRET, b"data", b"data"))
                .await
                .unwrap();
            assert_eq!(response.status(), 200);

            let events = events.lock().unwrap().clone();
            assert_eq!(events.len(), 3, "{events:#?}");
            assert!(
                events[0].contains("code=SignatureDoesNotMatch"),
                "{}",
                events[0]
            );
            assert!(
                events[0].contains(&format!("access_key_id={ROOT_AKID}")),
                "{}",
                events[0]
            );
            assert!(
                events[0].contains("scope=20250101/us-east-1/s3/aws4_request"),
                "{}",
                events[0]
            );
            assert!(
                events[1].contains("code=InvalidAccessKeyId"),
                "{}",
                events[1]
            );
            assert!(
                events[1].contains("access_key_id=AKIAUNKNOWNEXAMPLE00"),
                "{}",
                events[1]
            );
            assert!(
                events[2].contains("code=XAmzContentSHA256Mismatch"),
                "{}",
                events[2]
            );
            for e in &events {
                seen.push_str(e);
            }

            let key = SigningKey::derive(ROOT_SECRET.as_bytes(), "20250101", "us-east-1", "s3");
            for secret in [
                ROOT_SECRET.to_owned(),
                expected,
                hex::encode(key.as_bytes()),
            ] {
                assert!(!seen.contains(&secret), "{secret} leaked into: {seen}");
            }
        })
    });
}
