//! [`Authorizer`] (the decision, usable from a handler) and
//! [`AuthorizeLayer`] (the same in front of a service).

use std::fmt;
use std::sync::Arc;

use http::request::Parts;
use tower_layer::Layer;

use super::context::GlobalKeys;
use super::decision::{
    authorized, check_decision, AuthorizeError, AuthorizeErrorKind, AuthorizeSettings, Authorized,
    Check, RequestChecks,
};
use super::service::AuthorizeService;
use super::store::{policy_set, PolicyStore};
use crate::policy::{AccessRequest, PrincipalInfo, RequestContext};
use crate::response::ErrorProtocol;
use crate::{Anonymous, Authenticated};

/// Decides requests against a [`PolicyStore`]: the part of
/// [`AuthorizeLayer`] a handler can call itself, for example after parsing
/// a body the layer does not read.
///
/// Cloning is cheap (one reference count).
pub struct Authorizer<P> {
    shared: Arc<Shared<P>>,
}

struct Shared<P> {
    store: P,
    settings: AuthorizeSettings,
}

impl<P> Clone for Authorizer<P> {
    fn clone(&self) -> Self {
        Authorizer {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<P> fmt::Debug for Authorizer<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorizer")
            .field("settings", &self.shared.settings)
            .finish_non_exhaustive()
    }
}

impl<P: PolicyStore> Authorizer<P> {
    /// An authorizer with the default settings.
    pub fn new(store: P) -> Self {
        Self::with_settings(store, AuthorizeSettings::default())
    }

    /// An authorizer with `settings`.
    pub fn with_settings(store: P, settings: AuthorizeSettings) -> Self {
        Authorizer {
            shared: Arc::new(Shared { store, settings }),
        }
    }

    /// The store.
    pub fn store(&self) -> &P {
        &self.shared.store
    }

    /// The settings.
    pub fn settings(&self) -> &AuthorizeSettings {
        &self.shared.settings
    }

    /// The error protocol of a request: that of its credential scope's
    /// service, or the [`Anonymous`] marker's; the error when the request
    /// carries neither (the layers are misordered).
    pub fn protocol_of(&self, parts: &Parts) -> Result<ErrorProtocol, AuthorizeError> {
        let settings = &self.shared.settings;
        match (
            parts.extensions.get::<Authenticated>(),
            parts.extensions.get::<Anonymous>(),
        ) {
            (Some(c), _) => Ok(settings.protocol_for(c.service())),
            (None, Some(a)) => Ok(a.protocol()),
            (None, None) => Err(AuthorizeError::new(
                AuthorizeErrorKind::NotAuthenticated,
                settings.default_error_protocol,
                settings.clock().now(),
                "The request reached AuthorizeLayer without Authenticated or Anonymous in \
                 its extensions: place AuthorizeLayer inside SigV4Layer."
                    .to_owned(),
            )),
        }
    }

    /// Decides `checks` for the request whose head is `parts` (which holds
    /// the [`Authenticated`] or [`Anonymous`] that [`SigV4Layer`](crate::SigV4Layer)
    /// put there). Every check must allow; the first that does not is the
    /// error, in the protocol of the request's service.
    pub async fn authorize(
        &self,
        parts: &Parts,
        checks: &[Check],
    ) -> Result<Authorized, AuthorizeError> {
        let settings = &self.shared.settings;
        let store = &self.shared.store;
        let now = settings.clock().now();
        let protocol = self.protocol_of(parts)?;
        let caller = parts.extensions.get::<Authenticated>();

        let (principal, caller_policies) = match caller {
            Some(c) => {
                let policies = store
                    .principal_policies(c.principal(), c.access_key_id())
                    .await
                    .map_err(|e| AuthorizeError::store(protocol, now, e))?;
                let mut info = PrincipalInfo::from(&**c.principal());
                for (k, v) in &policies.tags {
                    info = info.with_tag(k, v);
                }
                (info, Some(policies))
            }
            None => (PrincipalInfo::anonymous(), None),
        };
        let globals = GlobalKeys::gather(
            parts,
            caller,
            &settings.source_ip,
            settings.secure_transport,
            now,
            caller_policies
                .as_ref()
                .is_some_and(|p| p.multi_factor_auth),
        );

        let mut decisions = Vec::with_capacity(checks.len());
        for check in checks {
            let resource = store
                .resource_policies(check.resource())
                .await
                .map_err(|e| AuthorizeError::store(protocol, now, e))?;
            let set = policy_set(caller_policies.as_ref(), check.resource(), &resource);
            let context = globals
                .apply(check.apply(RequestContext::builder(principal.clone())))
                .build();
            let mut request = AccessRequest::new(check.action(), check.resource(), &context);
            if let Some(grant) = check.new_grant() {
                request = request.with_new_grant(grant);
            }
            let evaluation = set.evaluate(&request);
            let record = evaluation.to_record();
            if !evaluation.is_allowed() {
                let message = evaluation
                    .access_denied_message(principal.arn(), check.action(), check.resource())
                    .map(|m| m.with_quoted_resource(protocol.is_s3()).to_string())
                    .unwrap_or_default();
                let error =
                    AuthorizeError::denied(protocol, now, message, check_decision(check, record));
                #[cfg(feature = "tracing")]
                tracing::info!(
                    target: "tower_sigv4",
                    caller = principal.arn(),
                    action = check.action(),
                    resource = check.resource(),
                    reason = error.message(),
                    "access denied"
                );
                return Err(error);
            }
            decisions.push(check_decision(check, record));
        }
        Ok(authorized(principal, decisions))
    }
}

/// Decides every request against IAM-style policies before the inner
/// service sees it. Place it inside [`SigV4Layer`](crate::SigV4Layer)
/// (after it, in `ServiceBuilder` order): it reads the
/// [`Authenticated`] caller (or the [`Anonymous`] marker) the signature
/// layer put in the extensions. See the [module docs](super) for an example.
///
/// The application says what each request asks for with a
/// [`RequestChecks`] (a closure `Fn(&Parts, &[u8]) -> Result<Vec<Check>, ErrorReport>`).
pub struct AuthorizeLayer<P, F> {
    authorizer: Authorizer<P>,
    checks: Arc<F>,
}

impl<P: PolicyStore, F: RequestChecks> AuthorizeLayer<P, F> {
    /// A layer with the default settings.
    pub fn new(store: P, checks: F) -> Self {
        Self::from_authorizer(Authorizer::new(store), checks)
    }

    /// A layer with `settings`.
    pub fn with_settings(store: P, settings: AuthorizeSettings, checks: F) -> Self {
        Self::from_authorizer(Authorizer::with_settings(store, settings), checks)
    }

    /// A layer around an existing authorizer (sharing its store).
    pub fn from_authorizer(authorizer: Authorizer<P>, checks: F) -> Self {
        AuthorizeLayer {
            authorizer,
            checks: Arc::new(checks),
        }
    }

    /// The authorizer.
    pub fn authorizer(&self) -> &Authorizer<P> {
        &self.authorizer
    }
}

impl<P, F> Clone for AuthorizeLayer<P, F> {
    fn clone(&self) -> Self {
        AuthorizeLayer {
            authorizer: self.authorizer.clone(),
            checks: Arc::clone(&self.checks),
        }
    }
}

impl<P, F> fmt::Debug for AuthorizeLayer<P, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizeLayer")
            .field("authorizer", &self.authorizer)
            .finish_non_exhaustive()
    }
}

impl<P, F, I> Layer<I> for AuthorizeLayer<P, F> {
    type Service = AuthorizeService<I, P, F>;

    fn layer(&self, inner: I) -> Self::Service {
        AuthorizeService::new(inner, self.authorizer.clone(), Arc::clone(&self.checks))
    }
}
