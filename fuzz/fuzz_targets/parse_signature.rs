//! The signature parser (header and presigned query) and the checks that
//! need no secret, over arbitrary requests.
//!
//! Beyond "no panic, no hang": a parsed signature keeps the promises of its
//! type (signed headers lowercase, sorted, unique and within the limit;
//! `X-Amz-Expires` in 1..=604800; lengths within the limits), and every
//! error renders a code, a status and a message in every dialect.
#![no_main]

mod common;

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tower_sigv4::sigv4::{self, Dialect, Error, Limits, SignatureLocation, VerifySettings};

use common::RawRequest;

fn settings() -> &'static [VerifySettings; 2] {
    static SETTINGS: OnceLock<[VerifySettings; 2]> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        [
            VerifySettings::default(),
            // Small limits, so that the fuzzer reaches every bound quickly.
            VerifySettings::default()
                .with_region("us-east-1")
                .with_service("s3")
                .with_service("service")
                .with_max_presigned_expiry(Duration::from_secs(3600))
                .with_limits(
                    Limits::default()
                        .with_max_authorization_len(300)
                        .with_max_signed_headers(4)
                        .with_max_query_params(8)
                        .with_max_header_value_len(40)
                        .with_max_security_token_len(32)
                        .with_max_uri_len(200),
                ),
        ]
    })
}

fn exercise_error(e: &Error) {
    for dialect in [Dialect::S3, Dialect::Query, Dialect::Json] {
        assert!(!e.aws_code(dialect).is_empty());
        let status = e.status(dialect);
        assert!((400..=500).contains(&status), "status {status}");
        assert!(!e.message(dialect).is_empty());
    }
    let _ = format!("{e} {e:?}");
}

fuzz_target!(|data: &[u8]| {
    let raw = RawRequest::parse(data);
    let view = raw.view();
    for settings in settings() {
        let signed = match sigv4::parse(&view, settings) {
            Ok(Some(signed)) => signed,
            Ok(None) => continue,
            Err(e) => {
                exercise_error(&e);
                continue;
            }
        };
        let limits = &settings.limits;

        let names: Vec<&str> = signed.signed_headers().iter().collect();
        assert!(!names.is_empty(), "an empty signed-header list parsed");
        assert!(names.len() <= limits.max_signed_headers);
        assert_eq!(names.len(), signed.signed_headers().len());
        for pair in names.windows(2) {
            assert!(
                pair[0] < pair[1],
                "signed headers not sorted or repeated: {names:?}"
            );
        }
        for name in &names {
            assert!(!name.is_empty());
            assert!(!name.bytes().any(|b| b.is_ascii_uppercase()), "{name:?}");
            assert!(signed.signed_headers().contains(name));
        }
        match signed.location() {
            SignatureLocation::Header => {
                assert!(signed.expires().is_none());
                assert!(view.headers().contains_key(http::header::AUTHORIZATION));
            }
            SignatureLocation::Query => {
                let expires = signed.expires().expect("a presigned request has an expiry");
                assert!((1..=604_800).contains(&expires), "X-Amz-Expires {expires}");
            }
            _ => {}
        }
        if let Some(token) = signed.security_token() {
            assert!(token.len() <= limits.max_security_token_len);
        }
        let scope = signed.scope();
        assert_eq!(scope.date().len(), 8);
        assert!(scope.date().bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            scope.to_string(),
            format!(
                "{}/{}/{}/aws4_request",
                scope.date(),
                scope.region(),
                scope.service()
            )
        );
        assert_eq!(signed.date().as_str().len(), 16);
        assert_eq!(signed.clone().into_owned(), signed);
        let _ = format!("{signed:?}");

        // The cheap checks at the request's own time and a day later.
        let at = signed.date().to_system_time();
        for now in [at, at + Duration::from_secs(86_400)] {
            if let Err(e) = sigv4::check(&signed, &view, settings, now) {
                exercise_error(&e);
            }
        }
    }
});
