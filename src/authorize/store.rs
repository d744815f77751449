//! Where the policies come from: the [`PolicyStore`] trait and
//! [`MemoryPolicyStore`].

use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, RwLock};

use crate::identity::Principal;
use crate::policy::{Grant, PolicyDocument, PolicySet, ResourceRule};

/// What a store knows about a caller: the identity-based policies of the
/// user or role (and its groups), the permissions boundary, the session
/// policies of the credentials, the principal tags, and whether the session
/// was created with MFA.
///
/// Documents are held behind `Arc`, so a store hands out cheap clones.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PrincipalPolicies {
    /// Identity-based policies of the user or role (and the user's groups).
    pub identity: Vec<Arc<PolicyDocument>>,
    /// The permissions boundary of the user or role.
    pub boundary: Option<Arc<PolicyDocument>>,
    /// The session policies passed when the credentials were issued (role
    /// sessions and federated users only; ignored for long-term keys).
    pub session: Vec<Arc<PolicyDocument>>,
    /// `aws:PrincipalTag/*`: the user's or role's tags and the session tags.
    pub tags: Vec<(String, String)>,
    /// `aws:MultiFactorAuthPresent` for temporary credentials: whether the
    /// session was created with MFA. Long-term keys never carry the key.
    pub multi_factor_auth: bool,
}

impl PrincipalPolicies {
    /// No policy, no tag: the caller has no permissions of its own.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an identity-based policy.
    pub fn with_identity_policy(mut self, policy: impl Into<Arc<PolicyDocument>>) -> Self {
        self.identity.push(policy.into());
        self
    }

    /// Sets the permissions boundary.
    pub fn with_permissions_boundary(mut self, policy: impl Into<Arc<PolicyDocument>>) -> Self {
        self.boundary = Some(policy.into());
        self
    }

    /// Adds a session policy.
    pub fn with_session_policy(mut self, policy: impl Into<Arc<PolicyDocument>>) -> Self {
        self.session.push(policy.into());
        self
    }

    /// Adds a principal tag.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// Sets [`multi_factor_auth`](Self::multi_factor_auth).
    pub fn with_multi_factor_auth(mut self, present: bool) -> Self {
        self.multi_factor_auth = present;
        self
    }
}

/// What a store knows about a resource: its resource-based policy (a KMS key
/// policy, a bucket policy, …), the rule for its type, the account that owns
/// it when its ARN does not say (S3), and its KMS grants.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ResourcePolicies {
    /// The resource's policy.
    pub policy: Option<Arc<PolicyDocument>>,
    /// Overrides the rule the policy's kind implies. With neither a policy
    /// nor a rule, a KMS ARN (`arn:…:kms:…`) still takes
    /// [`ResourceRule::ResourcePolicyMustAllow`] (only grants can allow), and
    /// other resources [`ResourceRule::EitherSideAllows`].
    pub rule: Option<ResourceRule>,
    /// The owning account, for ARNs without one (`arn:aws:s3:::bucket`).
    pub account: Option<String>,
    /// The KMS grants on the key.
    pub grants: Vec<Arc<Grant>>,
}

impl ResourcePolicies {
    /// No policy and no grant.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the resource's policy.
    pub fn with_policy(mut self, policy: impl Into<Arc<PolicyDocument>>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// Sets [`rule`](Self::rule).
    pub fn with_rule(mut self, rule: ResourceRule) -> Self {
        self.rule = Some(rule);
        self
    }

    /// Sets [`account`](Self::account).
    pub fn with_account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// Adds a grant.
    pub fn with_grant(mut self, grant: impl Into<Arc<Grant>>) -> Self {
        self.grants.push(grant.into());
        self
    }
}

/// Whether an ARN names a KMS resource (`arn:PARTITION:kms:…`).
fn is_kms_arn(arn: &str) -> bool {
    let mut parts = arn.splitn(4, ':');
    parts.next() == Some("arn") && parts.nth(1) == Some("kms")
}

/// Assembles the [`PolicySet`] for one caller and one resource (reference
/// counts only, no document is copied).
///
/// A KMS key whose store returns no key policy and no rule is still a KMS
/// key: its key policy must allow, so with none, only grants can.
pub(crate) fn policy_set(
    caller: Option<&PrincipalPolicies>,
    resource_arn: &str,
    resource: &ResourcePolicies,
) -> PolicySet {
    let mut set = PolicySet::new();
    if let Some(p) = caller {
        for doc in &p.identity {
            set = set.with_identity_policy(Arc::clone(doc));
        }
        if let Some(b) = &p.boundary {
            set = set.with_permissions_boundary(Arc::clone(b));
        }
        for doc in &p.session {
            set = set.with_session_policy(Arc::clone(doc));
        }
    }
    if let Some(doc) = &resource.policy {
        set = set.with_resource_policy(Arc::clone(doc));
    }
    match resource.rule {
        Some(rule) => set = set.with_resource_rule(rule),
        None if resource.policy.is_none() && is_kms_arn(resource_arn) => {
            set = set.with_resource_rule(ResourceRule::ResourcePolicyMustAllow)
        }
        None => {}
    }
    if let Some(account) = &resource.account {
        set = set.with_resource_account(account);
    }
    for g in &resource.grants {
        set = set.with_grant(Arc::clone(g));
    }
    set
}

/// Supplies the policies that decide a request.
///
/// A native `async fn`-style trait like
/// [`CredentialStore`](crate::identity::CredentialStore): implementations
/// may write `async fn`, and the futures must be `Send`. It is implemented
/// for `Arc<T>` and `&T`, for closures through [`policy_store_fn`], and by
/// [`MemoryPolicyStore`].
///
/// The [`AuthorizeLayer`](super::AuthorizeLayer) asks for the caller's
/// policies once per request (not for anonymous callers) and for each
/// checked resource's policies once per check. A store backed by a database
/// caches as it sees fit: the documents are parsed once and shared behind `Arc`.
pub trait PolicyStore: Send + Sync {
    /// The policies of `principal`, signing with `access_key_id` (session
    /// policies belong to the temporary credentials, not to the role).
    fn principal_policies(
        &self,
        principal: &Principal,
        access_key_id: &str,
    ) -> impl Future<Output = Result<PrincipalPolicies, PolicyStoreError>> + Send;

    /// The policies of `resource` (its ARN as the check names it).
    fn resource_policies(
        &self,
        resource: &str,
    ) -> impl Future<Output = Result<ResourcePolicies, PolicyStoreError>> + Send;
}

impl<T: PolicyStore> PolicyStore for Arc<T> {
    fn principal_policies(
        &self,
        principal: &Principal,
        access_key_id: &str,
    ) -> impl Future<Output = Result<PrincipalPolicies, PolicyStoreError>> + Send {
        (**self).principal_policies(principal, access_key_id)
    }

    fn resource_policies(
        &self,
        resource: &str,
    ) -> impl Future<Output = Result<ResourcePolicies, PolicyStoreError>> + Send {
        (**self).resource_policies(resource)
    }
}

impl<T: PolicyStore> PolicyStore for &T {
    fn principal_policies(
        &self,
        principal: &Principal,
        access_key_id: &str,
    ) -> impl Future<Output = Result<PrincipalPolicies, PolicyStoreError>> + Send {
        (**self).principal_policies(principal, access_key_id)
    }

    fn resource_policies(
        &self,
        resource: &str,
    ) -> impl Future<Output = Result<ResourcePolicies, PolicyStoreError>> + Send {
        (**self).resource_policies(resource)
    }
}

/// A [`PolicyStore`] made of two closures; see [`policy_store_fn`].
#[derive(Clone, Copy)]
pub struct PolicyStoreFn<A, R> {
    principals: A,
    resources: R,
}

/// Makes a [`PolicyStore`] of two closures, one for callers and one for
/// resources, as tower's `service_fn` makes a service. The futures cannot
/// borrow the arguments: copy what they need.
///
/// ```
/// use std::sync::Arc;
/// use tower_sigv4::authorize::{policy_store_fn, PolicyStore, PrincipalPolicies, ResourcePolicies};
/// use tower_sigv4::identity::Principal;
/// use tower_sigv4::policy::{PolicyDocument, PolicyKind};
///
/// let admin = Arc::new(PolicyDocument::parse(
///     r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
///     PolicyKind::Identity,
/// )?);
/// let store = policy_store_fn(
///     move |principal: &Principal, _akid: &str| {
///         let admin = principal.arn().ends_with(":user/admin").then(|| admin.clone());
///         async move {
///             let mut policies = PrincipalPolicies::new();
///             if let Some(doc) = admin {
///                 policies = policies.with_identity_policy(doc);
///             }
///             Ok(policies)
///         }
///     },
///     |_resource: &str| async { Ok(ResourcePolicies::new()) },
/// );
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let admin: Principal = "arn:aws:iam::111122223333:user/admin".parse().unwrap();
/// assert_eq!(store.principal_policies(&admin, "AKIA").await.unwrap().identity.len(), 1);
/// # });
/// # Ok::<(), tower_sigv4::policy::PolicyError>(())
/// ```
pub fn policy_store_fn<A, R>(principals: A, resources: R) -> PolicyStoreFn<A, R> {
    PolicyStoreFn {
        principals,
        resources,
    }
}

impl<A, AF, R, RF> PolicyStore for PolicyStoreFn<A, R>
where
    A: Fn(&Principal, &str) -> AF + Send + Sync,
    AF: Future<Output = Result<PrincipalPolicies, PolicyStoreError>> + Send,
    R: Fn(&str) -> RF + Send + Sync,
    RF: Future<Output = Result<ResourcePolicies, PolicyStoreError>> + Send,
{
    fn principal_policies(
        &self,
        principal: &Principal,
        access_key_id: &str,
    ) -> impl Future<Output = Result<PrincipalPolicies, PolicyStoreError>> + Send {
        (self.principals)(principal, access_key_id)
    }

    fn resource_policies(
        &self,
        resource: &str,
    ) -> impl Future<Output = Result<ResourcePolicies, PolicyStoreError>> + Send {
        (self.resources)(resource)
    }
}

impl<A, R> fmt::Debug for PolicyStoreFn<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyStoreFn").finish_non_exhaustive()
    }
}

/// A [`PolicyStore`] could not answer (its backend failed). The layer
/// answers with a server error (500) and never allows.
#[derive(Clone)]
pub struct PolicyStoreError {
    source: Arc<dyn StdError + Send + Sync>,
}

impl PolicyStoreError {
    /// Wraps the backend's error.
    pub fn backend(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        PolicyStoreError {
            source: Arc::from(source.into()),
        }
    }
}

impl fmt::Debug for PolicyStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyStoreError")
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for PolicyStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the policy store failed: {}", self.source)
    }
}

impl StdError for PolicyStoreError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

#[derive(Debug, Default)]
struct Tables {
    /// By principal ARN: the user's ARN, the role's ARN (with its path) for
    /// its sessions, the federated user's ARN, the root ARN.
    principals: HashMap<String, PrincipalPolicies>,
    /// By access key id: session policies and session tags.
    sessions: HashMap<String, PrincipalPolicies>,
    /// By resource ARN.
    resources: HashMap<String, ResourcePolicies>,
}

/// A [`PolicyStore`] held in memory, for tests, demos and small deployments.
///
/// Caller policies are registered by ARN: a user's ARN, a role's ARN (its
/// sessions inherit them; `aws:PrincipalArn` is the role ARN), a federated
/// user's or the root user's ARN. Session policies, session tags and MFA
/// belong to temporary credentials and are registered by access key id.
///
/// Resource policies are registered by ARN and apply to that ARN and to
/// every ARN under it after a `/`: a bucket policy registered for
/// `arn:aws:s3:::amzn-s3-demo-bucket` decides `…:amzn-s3-demo-bucket/photos/cat.jpg`
/// too, the most specific registration winning. Grants are registered
/// under their key's ARN.
///
/// It can change while it serves ([`MemoryPolicyStore::put_grant`],
/// [`MemoryPolicyStore::remove_grant`]): `CreateGrant` and `RetireGrant`
/// handlers update it in place.
///
/// ```
/// use tower_sigv4::authorize::MemoryPolicyStore;
/// use tower_sigv4::policy::{PolicyDocument, PolicyKind};
///
/// let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/// let store = MemoryPolicyStore::new()
///     .with_resource_policy(key, PolicyDocument::parse(
///         r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow",
///            "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}}"#,
///         PolicyKind::KeyPolicy,
///     )?)
///     .with_identity_policy("arn:aws:iam::111122223333:user/alice", PolicyDocument::parse(
///         r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}"#,
///         PolicyKind::Identity,
///     )?);
/// # let _ = store;
/// # Ok::<(), tower_sigv4::policy::PolicyError>(())
/// ```
#[derive(Debug, Default)]
pub struct MemoryPolicyStore {
    tables: RwLock<Tables>,
}

impl MemoryPolicyStore {
    /// An empty store: every request is implicitly denied.
    pub fn new() -> Self {
        Self::default()
    }

    fn edit(self, f: impl FnOnce(&mut Tables)) -> Self {
        {
            let mut t = self.tables.write().unwrap_or_else(|e| e.into_inner());
            f(&mut t);
        }
        self
    }

    /// Attaches an identity-based policy to a user, role, federated user or root ARN.
    pub fn with_identity_policy(
        self,
        principal_arn: &str,
        policy: impl Into<Arc<PolicyDocument>>,
    ) -> Self {
        let policy = policy.into();
        self.edit(|t| {
            t.principals
                .entry(principal_arn.to_owned())
                .or_default()
                .identity
                .push(policy)
        })
    }

    /// Sets the permissions boundary of a user or role.
    pub fn with_permissions_boundary(
        self,
        principal_arn: &str,
        policy: impl Into<Arc<PolicyDocument>>,
    ) -> Self {
        let policy = policy.into();
        self.edit(|t| {
            t.principals
                .entry(principal_arn.to_owned())
                .or_default()
                .boundary = Some(policy)
        })
    }

    /// Tags a user or role (`aws:PrincipalTag/key`).
    pub fn with_principal_tag(self, principal_arn: &str, key: &str, value: &str) -> Self {
        self.edit(|t| {
            t.principals
                .entry(principal_arn.to_owned())
                .or_default()
                .tags
                .push((key.to_owned(), value.to_owned()))
        })
    }

    /// Adds a session policy to the temporary credentials `access_key_id`.
    pub fn with_session_policy(
        self,
        access_key_id: &str,
        policy: impl Into<Arc<PolicyDocument>>,
    ) -> Self {
        let policy = policy.into();
        self.edit(|t| {
            t.sessions
                .entry(access_key_id.to_owned())
                .or_default()
                .session
                .push(policy)
        })
    }

    /// Adds a session tag to the temporary credentials `access_key_id`
    /// (it wins over a principal tag of the same key, as in AWS).
    pub fn with_session_tag(self, access_key_id: &str, key: &str, value: &str) -> Self {
        self.edit(|t| {
            t.sessions
                .entry(access_key_id.to_owned())
                .or_default()
                .tags
                .push((key.to_owned(), value.to_owned()))
        })
    }

    /// Records that the temporary credentials `access_key_id` were issued
    /// with MFA (`aws:MultiFactorAuthPresent` is `true`).
    pub fn with_multi_factor_auth(self, access_key_id: &str) -> Self {
        self.edit(|t| {
            t.sessions
                .entry(access_key_id.to_owned())
                .or_default()
                .multi_factor_auth = true
        })
    }

    /// Sets the resource policy (or KMS key policy) of a resource.
    pub fn with_resource_policy(
        self,
        resource_arn: &str,
        policy: impl Into<Arc<PolicyDocument>>,
    ) -> Self {
        let policy = policy.into();
        self.edit(|t| {
            t.resources
                .entry(resource_arn.to_owned())
                .or_default()
                .policy = Some(policy)
        })
    }

    /// Sets the rule of a resource (see [`ResourcePolicies::rule`]).
    pub fn with_resource_rule(self, resource_arn: &str, rule: ResourceRule) -> Self {
        self.edit(|t| t.resources.entry(resource_arn.to_owned()).or_default().rule = Some(rule))
    }

    /// Names the account owning a resource whose ARN has none (an S3 bucket).
    pub fn with_resource_account(self, resource_arn: &str, account: &str) -> Self {
        self.edit(|t| {
            t.resources
                .entry(resource_arn.to_owned())
                .or_default()
                .account = Some(account.to_owned())
        })
    }

    /// Adds a grant (under its key's ARN).
    pub fn with_grant(self, grant: Grant) -> Self {
        self.put_grant(grant);
        self
    }

    /// Adds a grant while the store serves.
    pub fn put_grant(&self, grant: Grant) {
        let mut t = self.tables.write().unwrap_or_else(|e| e.into_inner());
        t.resources
            .entry(grant.key_arn().to_owned())
            .or_default()
            .grants
            .push(Arc::new(grant));
    }

    /// Removes the grant `grant_id` of `key_arn` (`RetireGrant`,
    /// `RevokeGrant`); whether it was there.
    pub fn remove_grant(&self, key_arn: &str, grant_id: &str) -> bool {
        let mut t = self.tables.write().unwrap_or_else(|e| e.into_inner());
        let Some(r) = t.resources.get_mut(key_arn) else {
            return false;
        };
        let before = r.grants.len();
        r.grants.retain(|g| g.id() != grant_id);
        r.grants.len() != before
    }

    fn caller(&self, principal: &Principal, access_key_id: &str) -> PrincipalPolicies {
        let t = self.tables.read().unwrap_or_else(|e| e.into_inner());
        let mut out = t
            .principals
            .get(principal.canonical_arn())
            .cloned()
            .unwrap_or_default();
        if matches!(
            principal,
            Principal::AssumedRole(_) | Principal::FederatedUser(_)
        ) {
            if let Some(s) = t.sessions.get(access_key_id) {
                out.session.extend(s.session.iter().cloned());
                // Session tags override the role's tags of the same key.
                out.tags
                    .retain(|(k, _)| !s.tags.iter().any(|(sk, _)| sk.eq_ignore_ascii_case(k)));
                out.tags.extend(s.tags.iter().cloned());
                out.multi_factor_auth = s.multi_factor_auth;
            }
        }
        out
    }

    fn resource(&self, resource: &str) -> ResourcePolicies {
        let t = self.tables.read().unwrap_or_else(|e| e.into_inner());
        let mut candidate = resource;
        loop {
            if let Some(r) = t.resources.get(candidate) {
                return r.clone();
            }
            match candidate.rfind('/') {
                Some(i) => candidate = &candidate[..i],
                None => return ResourcePolicies::default(),
            }
        }
    }
}

impl PolicyStore for MemoryPolicyStore {
    fn principal_policies(
        &self,
        principal: &Principal,
        access_key_id: &str,
    ) -> impl Future<Output = Result<PrincipalPolicies, PolicyStoreError>> + Send {
        std::future::ready(Ok(self.caller(principal, access_key_id)))
    }

    fn resource_policies(
        &self,
        resource: &str,
    ) -> impl Future<Output = Result<ResourcePolicies, PolicyStoreError>> + Send {
        std::future::ready(Ok(self.resource(resource)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;

    fn doc(text: &str, kind: PolicyKind) -> PolicyDocument {
        PolicyDocument::parse(text, kind).unwrap()
    }

    #[test]
    fn resources_match_by_prefix_then_slash() {
        let bucket = doc(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#,
            PolicyKind::ResourceBased,
        );
        let store = MemoryPolicyStore::new()
            .with_resource_policy("arn:aws:s3:::b", bucket)
            .with_resource_account("arn:aws:s3:::b", "111122223333");
        assert!(store.resource("arn:aws:s3:::b/x/y.txt").policy.is_some());
        assert!(store.resource("arn:aws:s3:::b").policy.is_some());
        // A bucket whose name only starts with "b" is another bucket.
        assert!(store.resource("arn:aws:s3:::bb/x").policy.is_none());
        assert_eq!(
            store.resource("arn:aws:s3:::b/k").account.as_deref(),
            Some("111122223333")
        );
    }

    #[test]
    fn sessions_inherit_role_policies_and_add_their_own() {
        let role_policy = doc(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            PolicyKind::Identity,
        );
        let session_policy = doc(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
            PolicyKind::Session,
        );
        let store = MemoryPolicyStore::new()
            .with_identity_policy("arn:aws:iam::111122223333:role/R", role_policy)
            .with_principal_tag("arn:aws:iam::111122223333:role/R", "team", "blue")
            .with_session_policy("ASIAEXAMPLE", session_policy)
            .with_session_tag("ASIAEXAMPLE", "Team", "red")
            .with_multi_factor_auth("ASIAEXAMPLE");
        let session: Principal = "arn:aws:sts::111122223333:assumed-role/R/s1"
            .parse()
            .unwrap();
        let p = store.caller(&session, "ASIAEXAMPLE");
        assert_eq!(p.identity.len(), 1);
        assert_eq!(p.session.len(), 1);
        assert_eq!(p.tags, vec![("Team".to_owned(), "red".to_owned())]);
        assert!(p.multi_factor_auth);
        // Other credentials of the same role carry no session policy.
        let other = store.caller(&session, "ASIAOTHER");
        assert!(other.session.is_empty());
        assert!(!other.multi_factor_auth);
    }

    #[test]
    fn kms_arns() {
        assert!(is_kms_arn("arn:aws:kms:us-east-1:111122223333:key/k"));
        assert!(is_kms_arn("arn:aws-cn:kms:cn-north-1:111122223333:alias/a"));
        assert!(!is_kms_arn("arn:aws:s3:::kms"));
        assert!(!is_kms_arn("*"));
    }

    #[test]
    fn grants_come_and_go() {
        let key = "arn:aws:kms:us-east-1:111122223333:key/k";
        let store = MemoryPolicyStore::new();
        store.put_grant(
            Grant::builder(key, "arn:aws:iam::111122223333:user/alice")
                .operation(crate::policy::GrantOperation::Decrypt)
                .id("g1")
                .build()
                .unwrap(),
        );
        assert_eq!(store.resource(key).grants.len(), 1);
        assert!(!store.remove_grant(key, "g2"));
        assert!(store.remove_grant(key, "g1"));
        assert!(store.resource(key).grants.is_empty());
    }
}
