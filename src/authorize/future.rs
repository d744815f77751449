//! [`ResponseFuture`]: the future of [`AuthorizeService`](super::AuthorizeService).

use http::Request;

use super::service::AuthorizeBody;
use crate::future::GatedResponseFuture;

/// The response future of [`AuthorizeService`](super::AuthorizeService):
/// first the decision (which awaits the policy store and, when asked to,
/// reads the body), then the inner service's future.
pub type ResponseFuture<I, B> = GatedResponseFuture<I, Request<AuthorizeBody<B>>>;
