//! axum extractors for the caller (feature `axum`).
//!
//! [`Authenticated`] and [`Principal`] implement axum 0.8's
//! `FromRequestParts` and `OptionalFromRequestParts`:
//!
//! | extractor | signed request | anonymous request | layer missing |
//! |---|---|---|---|
//! | `Authenticated`, `Principal` | the caller | the layer's "unsigned" error (S3 `AccessDenied`, `MissingAuthenticationToken`) | 500 |
//! | `Option<Authenticated>`, `Option<Principal>` | `Some(caller)` | `None` | 500 |
//!
//! A missing layer is a configuration error, not the client's: it is never
//! mistaken for an anonymous caller.
//!
//! ```
//! use axum::{routing::get, Router};
//! use tower_sigv4::identity::{Principal, StaticCredentials};
//! use tower_sigv4::{Authenticated, SigV4Layer};
//!
//! async fn whoami(principal: Principal) -> String {
//!     principal.arn().to_owned()
//! }
//!
//! async fn maybe(caller: Option<Authenticated>) -> String {
//!     caller.map_or("anonymous".into(), |c| c.access_key_id().to_owned())
//! }
//!
//! let store = StaticCredentials::builder()
//!     .root("111122223333", "AKIAIOSFODNN7EXAMPLE", "secret")
//!     .build()
//!     .unwrap();
//! let app: Router = Router::new()
//!     .route("/whoami", get(whoami))
//!     .route("/maybe", get(maybe))
//!     .layer(SigV4Layer::new(store));
//! # let _ = app;
//! ```

use std::fmt;

use axum_core::body::Body;
use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use http::{header, HeaderValue, StatusCode};

use crate::authenticated::{Anonymous, Authenticated};
use crate::error::AuthError;
use crate::identity::Principal;

/// Why [`Authenticated`] or [`Principal`] could not be extracted.
#[derive(Debug, Clone)]
pub struct AuthRejection {
    kind: RejectionKind,
}

#[derive(Debug, Clone)]
enum RejectionKind {
    MissingLayer,
    Anonymous(Box<AuthError>),
}

/// The kinds of [`AuthRejection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthRejectionKind {
    /// The route is not behind [`SigV4Layer`](crate::SigV4Layer): a server
    /// configuration error (500).
    MissingLayer,
    /// The request is unsigned (let through as anonymous) and the handler
    /// requires a caller: answered as the layer answers unsigned requests.
    Anonymous,
}

impl AuthRejection {
    /// What went wrong.
    pub fn kind(&self) -> AuthRejectionKind {
        match self.kind {
            RejectionKind::MissingLayer => AuthRejectionKind::MissingLayer,
            RejectionKind::Anonymous(_) => AuthRejectionKind::Anonymous,
        }
    }

    fn missing_layer() -> Self {
        AuthRejection {
            kind: RejectionKind::MissingLayer,
        }
    }
}

impl fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            RejectionKind::MissingLayer => f.write_str(
                "no authenticated caller in the request extensions: is the route behind SigV4Layer?",
            ),
            RejectionKind::Anonymous(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for AuthRejection {}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self.kind {
            RejectionKind::MissingLayer => {
                let mut response = Response::new(Body::from(
                    "Missing request extension: SigV4Layer is not applied to this route",
                ));
                *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                response
            }
            RejectionKind::Anonymous(error) => error.render().map(Body::new),
        }
    }
}

fn caller(parts: &Parts) -> Result<Option<&Authenticated>, AuthRejection> {
    if let Some(a) = parts.extensions.get::<Authenticated>() {
        return Ok(Some(a));
    }
    if parts.extensions.get::<Anonymous>().is_some() {
        return Ok(None);
    }
    Err(AuthRejection::missing_layer())
}

fn required(parts: &Parts) -> Result<&Authenticated, AuthRejection> {
    match caller(parts)? {
        Some(a) => Ok(a),
        None => {
            let anonymous = parts
                .extensions
                .get::<Anonymous>()
                .ok_or_else(AuthRejection::missing_layer)?;
            Err(AuthRejection {
                kind: RejectionKind::Anonymous(Box::new(anonymous.to_error())),
            })
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        required(parts).cloned()
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Authenticated {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        caller(parts).map(|a| a.cloned())
    }
}

/// The caller's [`Principal`] (a clone of the one in [`Authenticated`]).
impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        required(parts).map(|a| Principal::clone(a.principal()))
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Principal {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        caller(parts).map(|a| a.map(|a| Principal::clone(a.principal())))
    }
}
