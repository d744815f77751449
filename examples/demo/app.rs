//! The demo's service: `SigV4Layer` in front of S3 and STS.
//!
//! The layer verifies every request and puts the caller in the request
//! extensions; the handlers below read it from there and route on the
//! service the request was signed for (`s3` or `sts`), as a real AWS
//! endpoint is one service per host.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::Body;
use http_body_util::Either;
use tower::ServiceBuilder;
use tower_sigv4::body::BoxError;
use tower_sigv4::identity::Principal;
use tower_sigv4::response::{ErrorProtocol, ErrorReport, RequestId};
use tower_sigv4::{Authenticated, ResponseBody, SigV4Layer, SigV4Settings, VerifiedBody};

use super::config::{Identities, IdentityStores, OffsetClock};
use super::s3::{DemoBody, Limits, RequestContext, S3};
use super::sts::Sts;

/// How to build a demo.
pub struct DemoOptions {
    /// Who may call.
    pub identities: Identities,
    /// Test only: seconds added to the clock that stamps STS sessions.
    pub sts_clock_offset: i64,
    /// Limits of the in-memory store.
    pub limits: Limits,
}

/// The state behind every connection: the stores and the two services.
pub struct Demo {
    region: String,
    stores: IdentityStores,
    s3: S3,
    sts: Sts,
}

impl Demo {
    /// Builds the demo.
    pub fn new(options: DemoOptions) -> Result<Arc<Self>, String> {
        let clock = Arc::new(OffsetClock {
            offset_seconds: options.sts_clock_offset,
        });
        let stores = options.identities.build(clock)?;
        let region = options.identities.region.clone();
        Ok(Arc::new(Demo {
            s3: S3::new(&region, options.limits),
            sts: Sts::new(stores.roles.clone()),
            region,
            stores,
        }))
    }

    /// The region the demo answers for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Serves a request from an authenticated `principal`, signed for
    /// `service`.
    pub async fn dispatch<B>(
        &self,
        principal: Arc<Principal>,
        service: &str,
        scheme: &'static str,
        req: Request<B>,
    ) -> Result<Response<DemoBody>, Infallible>
    where
        B: Body<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        let request_id = RequestId::new();
        Ok(match service {
            "s3" => {
                let ctx = RequestContext {
                    principal,
                    request_id,
                    scheme,
                };
                self.s3.handle(&ctx, req).await
            }
            "sts" => self.sts.handle(&principal, &request_id, req).await,
            // The layer only lets the configured services through.
            other => ErrorReport::new(
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
                format!("the demo serves s3 and sts, not {other}"),
            )
            .render_with_id(ErrorProtocol::S3, std::time::SystemTime::now(), &request_id)
            .map(Either::Right),
        })
    }
}

/// The demo's tower service for one listener: `SigV4Layer` over
/// [`Demo::dispatch`]. `scheme` is `http` or `https`.
pub fn service(
    demo: Arc<Demo>,
    scheme: &'static str,
) -> impl tower::Service<
    Request<hyper::body::Incoming>,
    Response = Response<ResponseBody<DemoBody>>,
    Error = Infallible,
    Future = impl Send,
> + Clone
       + Send {
    let settings = SigV4Settings::default()
        .with_region(demo.region())
        .with_service("s3")
        .with_service("sts");
    let layer = SigV4Layer::with_settings(demo.stores.credentials.clone(), settings);
    ServiceBuilder::new().layer(layer).service_fn(
        move |req: Request<VerifiedBody<hyper::body::Incoming>>| {
            let demo = demo.clone();
            async move {
                // The layer rejects unsigned requests, so every request that
                // gets here carries its caller.
                let Some(caller) = req.extensions().get::<Authenticated>().cloned() else {
                    return Ok(ErrorReport::new(
                        StatusCode::FORBIDDEN,
                        "AccessDenied",
                        "Access Denied",
                    )
                    .render(ErrorProtocol::S3, std::time::SystemTime::now())
                    .map(Either::Right));
                };
                demo.dispatch(caller.principal().clone(), caller.service(), scheme, req)
                    .await
            }
        },
    )
}
