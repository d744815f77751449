//! Evaluation: the policies that apply to one request, and the decision.
//!
//! The order follows AWS's "policy evaluation logic":
//!
//! 1. An explicit deny in any policy (identity policies, permissions
//!    boundary, session policy, resource or key policy) ends the evaluation.
//! 2. Within an account, a resource policy that names the caller itself (a
//!    user, a role session, a federated user, `*`) allows on its own; one that
//!    names the role behind a session (or the user behind a federated user)
//!    allows within the permissions boundary and session policy; one that
//!    names the account delegates to the account's identity policies.
//! 3. The identity side is identity policies ∩ permissions boundary (if any)
//!    ∩ session policy (if any; a federated user without one has no
//!    permissions of its own).
//! 4. For most resources either side allows; for KMS keys and role trust
//!    policies the resource policy must allow (with no statement for the
//!    account, IAM policies have no effect).
//! 5. Across accounts both sides must allow: the resource's policy (or a
//!    grant) and the caller's own account.
//!
//! Grants (KMS) only allow, never override a deny, and count as the key's side.

use std::sync::Arc;

use super::context::{PrincipalKind, RequestContext};
use super::document::{
    ActionElement, Effect, PolicyDocument, PolicyKind, PrincipalElement, ResourceElement, Statement,
};
use super::grant::Grant;
use super::matching::Strength;
use super::message::{AccessDeniedMessage, DenialReason};

/// The outcome of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Some policy allows and none denies.
    Allow,
    /// A statement denies.
    ExplicitDeny,
    /// Nothing denies, but a required allow is missing.
    ImplicitDeny,
}

/// The kinds of policy a decision can name.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyType {
    /// Identity-based policies of the user or role.
    IdentityBased,
    /// The resource's policy (bucket policy, key policy, trust policy, …) and grants.
    ResourceBased,
    /// The permissions boundary.
    PermissionsBoundary,
    /// The session policy.
    SessionPolicy,
}

/// Whether a resource's policy must allow a request, or either side may.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceRule {
    /// Within an account, an allow in the resource policy or in the identity
    /// side suffices (most services).
    EitherSideAllows,
    /// The resource policy (or a grant) must allow; identity policies count
    /// only through a statement that names the account (KMS keys, role trust policies).
    ResourcePolicyMustAllow,
}

/// A statement that took part in a decision.
#[derive(Debug, Clone, Copy)]
pub struct StatementRef<'p> {
    policy_type: PolicyType,
    document: &'p PolicyDocument,
    statement: &'p Statement,
}

impl<'p> StatementRef<'p> {
    /// The kind of policy.
    pub fn policy_type(&self) -> PolicyType {
        self.policy_type
    }

    /// The policy's name (see [`PolicyDocument::with_name`]), or its `Id`.
    pub fn policy_name(&self) -> Option<&'p str> {
        self.document.name().or(self.document.id())
    }

    /// The policy document.
    pub fn document(&self) -> &'p PolicyDocument {
        self.document
    }

    /// The statement's `Sid`.
    pub fn sid(&self) -> Option<&'p str> {
        self.statement.sid()
    }

    /// The statement's index in its document.
    pub fn index(&self) -> usize {
        self.statement.index()
    }

    /// The statement's effect.
    pub fn effect(&self) -> Effect {
        self.statement.effect()
    }
}

impl PartialEq for StatementRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.policy_type == other.policy_type
            && std::ptr::eq(self.document, other.document)
            && std::ptr::eq(self.statement, other.statement)
    }
}

/// A decision and the statements (or grant) that decided it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation<'p> {
    decision: Decision,
    deny: Option<StatementRef<'p>>,
    identity: Option<StatementRef<'p>>,
    boundary: Option<StatementRef<'p>>,
    session: Option<StatementRef<'p>>,
    resource: Option<StatementRef<'p>>,
    grant: Option<&'p Grant>,
    missing: Option<PolicyType>,
}

impl<'p> Evaluation<'p> {
    fn empty() -> Self {
        Evaluation {
            decision: Decision::ImplicitDeny,
            deny: None,
            identity: None,
            boundary: None,
            session: None,
            resource: None,
            grant: None,
            missing: None,
        }
    }

    fn explicit(deny: StatementRef<'p>) -> Self {
        Evaluation {
            decision: Decision::ExplicitDeny,
            deny: Some(deny),
            ..Self::empty()
        }
    }

    fn implicit(missing: PolicyType) -> Self {
        Evaluation {
            missing: Some(missing),
            ..Self::empty()
        }
    }

    /// The decision.
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.decision == Decision::Allow
    }

    /// The statement that denied, for [`Decision::ExplicitDeny`].
    pub fn denying_statement(&self) -> Option<StatementRef<'p>> {
        self.deny
    }

    /// The statements that allowed, for [`Decision::Allow`]: the resource
    /// policy's, then the identity policy's, the boundary's and the session
    /// policy's, as far as each took part.
    pub fn allowing_statements(&self) -> impl Iterator<Item = StatementRef<'p>> + '_ {
        [self.resource, self.identity, self.boundary, self.session]
            .into_iter()
            .flatten()
    }

    /// The grant that allowed, when a grant did.
    pub fn allowing_grant(&self) -> Option<&'p Grant> {
        self.grant
    }

    /// For [`Decision::ImplicitDeny`]: the kind of policy whose allow was missing.
    pub fn missing_allow(&self) -> Option<PolicyType> {
        self.missing
    }

    /// Why the request was denied, in AWS's terms; `None` when allowed.
    pub fn denial_reason(&self) -> Option<DenialReason<'p>> {
        match self.decision {
            Decision::Allow => None,
            Decision::ExplicitDeny => self.deny.map(|d| DenialReason::ExplicitDeny {
                policy_type: d.policy_type,
                policy_arn: d.policy_name().filter(|n| n.starts_with("arn:")),
            }),
            Decision::ImplicitDeny => Some(DenialReason::NoAllow {
                policy_type: self.missing.unwrap_or(PolicyType::IdentityBased),
            }),
        }
    }

    /// The `AccessDenied` message for a denied request; `None` when allowed.
    pub fn access_denied_message<'a>(
        &self,
        caller_arn: &'a str,
        action: &'a str,
        resource: &'a str,
    ) -> Option<AccessDeniedMessage<'a>>
    where
        'p: 'a,
    {
        let reason = self.denial_reason()?;
        let msg = AccessDeniedMessage::new(caller_arn, action, reason);
        Some(if resource == "*" {
            msg
        } else {
            msg.on_resource(resource)
        })
    }
}

/// An owned copy of a statement reference, for a [`DecisionRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatementRecord {
    policy_type: PolicyType,
    policy_name: Option<String>,
    sid: Option<String>,
    index: usize,
}

impl StatementRecord {
    fn of(r: &StatementRef<'_>) -> Self {
        StatementRecord {
            policy_type: r.policy_type,
            policy_name: r.policy_name().map(str::to_owned),
            sid: r.sid().map(str::to_owned),
            index: r.index(),
        }
    }

    /// The kind of policy.
    pub fn policy_type(&self) -> PolicyType {
        self.policy_type
    }

    /// The policy's name or `Id`.
    pub fn policy_name(&self) -> Option<&str> {
        self.policy_name.as_deref()
    }

    /// The statement's `Sid`.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// The statement's index in its document.
    pub fn index(&self) -> usize {
        self.index
    }
}

/// An owned copy of an [`Evaluation`] that outlives the [`PolicySet`]: what
/// a layer puts in the request extensions for handlers and logs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DecisionRecord {
    decision: Decision,
    deny: Option<StatementRecord>,
    allowed_by: Vec<StatementRecord>,
    grant_id: Option<String>,
    missing: Option<PolicyType>,
}

impl DecisionRecord {
    /// The decision.
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Whether the request was allowed.
    pub fn is_allowed(&self) -> bool {
        self.decision == Decision::Allow
    }

    /// The statement that denied.
    pub fn denying_statement(&self) -> Option<&StatementRecord> {
        self.deny.as_ref()
    }

    /// The statements that allowed.
    pub fn allowing_statements(&self) -> &[StatementRecord] {
        &self.allowed_by
    }

    /// The id of the grant that allowed.
    pub fn allowing_grant_id(&self) -> Option<&str> {
        self.grant_id.as_deref()
    }

    /// The kind of policy whose allow was missing, for an implicit deny.
    pub fn missing_allow(&self) -> Option<PolicyType> {
        self.missing
    }

    /// Why the request was denied, in AWS's terms; `None` when allowed.
    pub fn denial_reason(&self) -> Option<DenialReason<'_>> {
        match self.decision {
            Decision::Allow => None,
            Decision::ExplicitDeny => self.deny.as_ref().map(|d| DenialReason::ExplicitDeny {
                policy_type: d.policy_type,
                policy_arn: d.policy_name().filter(|n| n.starts_with("arn:")),
            }),
            Decision::ImplicitDeny => Some(DenialReason::NoAllow {
                policy_type: self.missing.unwrap_or(PolicyType::IdentityBased),
            }),
        }
    }
}

impl Evaluation<'_> {
    /// An owned copy of the decision (allocates; the evaluation itself does not).
    pub fn to_record(&self) -> DecisionRecord {
        DecisionRecord {
            decision: self.decision,
            deny: self.deny.as_ref().map(StatementRecord::of),
            allowed_by: self
                .allowing_statements()
                .map(|r| StatementRecord::of(&r))
                .collect(),
            grant_id: self.grant.map(|g| g.id().to_owned()),
            missing: self.missing,
        }
    }
}

/// What is asked: an action on a resource, in a request context.
#[derive(Debug, Clone, Copy)]
pub struct AccessRequest<'a> {
    action: &'a str,
    resource: &'a str,
    context: &'a RequestContext,
    new_grant: Option<&'a Grant>,
}

impl<'a> AccessRequest<'a> {
    /// An action (`kms:Decrypt`) on a resource ARN (`*` for account-level
    /// actions such as `kms:ListKeys`).
    pub fn new(action: &'a str, resource: &'a str, context: &'a RequestContext) -> Self {
        AccessRequest {
            action,
            resource,
            context,
            new_grant: None,
        }
    }

    /// For `kms:CreateGrant`: the grant being created, which a grant's own
    /// `CreateGrant` permission can only allow when it is at least as narrow.
    pub fn with_new_grant(mut self, grant: &'a Grant) -> Self {
        self.new_grant = Some(grant);
        self
    }

    /// The action.
    pub fn action(&self) -> &'a str {
        self.action
    }

    /// The resource.
    pub fn resource(&self) -> &'a str {
        self.resource
    }

    /// The context.
    pub fn context(&self) -> &'a RequestContext {
        self.context
    }
}

/// The policies that apply to one caller and one resource: the caller's
/// identity policies, permissions boundary and session policy, the
/// resource's policy, and the key's grants.
///
/// Build it once (a policy store can cache it) and evaluate many requests.
///
/// ```
/// use tower_sigv4::policy::{
///     AccessRequest, Decision, PolicyDocument, PolicyKind, PolicySet, PrincipalInfo, RequestContext,
/// };
///
/// let key_policy = PolicyDocument::parse(
///     r#"{"Version":"2012-10-17","Statement":[{
///         "Sid":"Enable IAM policies","Effect":"Allow",
///         "Principal":{"AWS":"arn:aws:iam::111122223333:root"},
///         "Action":"kms:*","Resource":"*"}]}"#,
///     PolicyKind::KeyPolicy,
/// )
/// .unwrap();
/// let user_policy = PolicyDocument::parse(
///     r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}"#,
///     PolicyKind::Identity,
/// )
/// .unwrap();
/// let policies = PolicySet::new()
///     .with_identity_policy(user_policy)
///     .with_resource_policy(key_policy);
///
/// let alice = PrincipalInfo::user("arn:aws:iam::111122223333:user/alice", "AIDAEXAMPLE").unwrap();
/// let ctx = RequestContext::builder(alice).build();
/// let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
///
/// let decrypt = policies.evaluate(&AccessRequest::new("kms:Decrypt", key, &ctx));
/// assert_eq!(decrypt.decision(), Decision::Allow);
///
/// let encrypt = policies.evaluate(&AccessRequest::new("kms:Encrypt", key, &ctx));
/// assert_eq!(encrypt.decision(), Decision::ImplicitDeny);
/// assert_eq!(
///     encrypt.access_denied_message(ctx.principal().arn(), "kms:Encrypt", key).unwrap().to_string(),
///     format!("User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Encrypt \
///              on resource: {key} because no identity-based policy allows the kms:Encrypt action"),
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    identity: Vec<Arc<PolicyDocument>>,
    boundary: Option<Arc<PolicyDocument>>,
    session: Option<Vec<Arc<PolicyDocument>>>,
    resource: Option<Arc<PolicyDocument>>,
    rule: Option<ResourceRule>,
    resource_account: Option<Box<str>>,
    grants: Vec<Arc<Grant>>,
}

/// Which side of the evaluation a document is on: identity-side statements
/// have no principal; resource-side statements must name the caller.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Identity,
    Resource,
}

struct Scan<'p> {
    allow: Option<(&'p Statement, Strength)>,
    deny: Option<&'p Statement>,
}

impl PolicySet {
    /// An empty set: everything is implicitly denied (except to an account's
    /// root user on its own account's resources, where a resource policy does not say otherwise).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an identity-based policy (of the user, its groups, or the role).
    /// A document that names principals (parsed with a resource kind) applies
    /// only to the principals it names.
    pub fn with_identity_policy(mut self, policy: impl Into<Arc<PolicyDocument>>) -> Self {
        self.identity.push(policy.into());
        self
    }

    /// Sets the permissions boundary of the user or role.
    pub fn with_permissions_boundary(mut self, policy: impl Into<Arc<PolicyDocument>>) -> Self {
        self.boundary = Some(policy.into());
        self
    }

    /// Adds a session policy (inline or managed); the session is limited to
    /// what at least one of them allows.
    pub fn with_session_policy(mut self, policy: impl Into<Arc<PolicyDocument>>) -> Self {
        self.session
            .get_or_insert_with(Vec::new)
            .push(policy.into());
        self
    }

    /// Sets the resource's policy. Its kind decides the [`ResourceRule`]
    /// unless [`PolicySet::with_resource_rule`] says otherwise. A document
    /// parsed with an identity kind has no principals and grants nothing here.
    pub fn with_resource_policy(mut self, policy: impl Into<Arc<PolicyDocument>>) -> Self {
        self.resource = Some(policy.into());
        self
    }

    /// Overrides the rule for the resource type (for example a KMS key with no
    /// key policy loaded: `ResourcePolicyMustAllow`).
    pub fn with_resource_rule(mut self, rule: ResourceRule) -> Self {
        self.rule = Some(rule);
        self
    }

    /// The account that owns the resource, for resources whose ARN has no
    /// account (S3 buckets). By default it is read from the resource ARN, and
    /// a resource with no account in its ARN is taken as the caller's.
    pub fn with_resource_account(mut self, account: &str) -> Self {
        self.resource_account = Some(account.into());
        self
    }

    /// Adds a KMS grant on the resource.
    pub fn with_grant(mut self, grant: impl Into<Arc<Grant>>) -> Self {
        self.grants.push(grant.into());
        self
    }

    fn rule(&self) -> ResourceRule {
        self.rule
            .unwrap_or(match self.resource.as_deref().map(PolicyDocument::kind) {
                Some(PolicyKind::KeyPolicy | PolicyKind::TrustPolicy) => {
                    ResourceRule::ResourcePolicyMustAllow
                }
                _ => ResourceRule::EitherSideAllows,
            })
    }

    /// Evaluates a request.
    pub fn evaluate<'p>(&'p self, request: &AccessRequest<'_>) -> Evaluation<'p> {
        let ctx = request.context;
        let who = ctx.principal();
        let identity = match self.identity_side(request) {
            Ok(side) => side,
            Err(deny) => return Evaluation::explicit(deny),
        };

        let mut resource_allow: Option<(StatementRef<'p>, Strength)> = None;
        if let Some(doc) = self.resource.as_deref() {
            let scan = scan(
                doc,
                Side::Resource,
                request,
                identity.boundary_applies,
                true,
            );
            let as_ref = |statement| StatementRef {
                policy_type: PolicyType::ResourceBased,
                document: doc,
                statement,
            };
            if let Some(d) = scan.deny {
                return Evaluation::explicit(as_ref(d));
            }
            resource_allow = scan.allow.map(|(s, strength)| (as_ref(s), strength));
        }
        let mut grant_allow: Option<(&'p Grant, Strength)> = None;
        for g in &self.grants {
            if let Some(s) = g.allows(request.action, request.resource, ctx, request.new_grant) {
                if grant_allow.is_none_or(|(_, best)| s > best) {
                    grant_allow = Some((g, s));
                }
            }
        }

        // The resource side: the stronger of the resource policy and the grants.
        let (resource_stmt, grant, best) = match (resource_allow, grant_allow) {
            (Some((_, rs)), Some((g, gs))) if gs > rs => (None, Some(g), Some(gs)),
            (Some((r, rs)), _) => (Some(r), None, Some(rs)),
            (None, Some((g, gs))) => (None, Some(g), Some(gs)),
            (None, None) => (None, None, None),
        };
        let allow_with = |parts: &[Part]| {
            let mut ev = Evaluation {
                decision: Decision::Allow,
                resource: resource_stmt,
                grant,
                ..Evaluation::empty()
            };
            for part in parts {
                match part {
                    Part::Identity => ev.identity = identity.allow,
                    Part::Boundary => ev.boundary = identity.boundary,
                    Part::Session => ev.session = identity.session,
                }
            }
            ev
        };
        let limits = [Part::Boundary, Part::Session];
        let everything = [Part::Identity, Part::Boundary, Part::Session];

        match who.kind() {
            // No identity side: only a grant to everyone (or to the service) counts.
            PrincipalKind::Anonymous | PrincipalKind::Service => {
                if best == Some(Strength::Direct) {
                    allow_with(&[])
                } else {
                    Evaluation::implicit(PolicyType::ResourceBased)
                }
            }
            _ if self.is_cross_account(request) => {
                if !identity.allows() {
                    Evaluation::implicit(identity.missing())
                } else if best.is_none() {
                    Evaluation::implicit(PolicyType::ResourceBased)
                } else {
                    allow_with(&everything)
                }
            }
            _ => {
                let resource_grants = match best {
                    Some(Strength::Direct) => Some(allow_with(&[])),
                    Some(Strength::Role) if identity.boundary_ok && identity.session_ok => {
                        Some(allow_with(&limits))
                    }
                    Some(Strength::Account) if identity.allows() => Some(allow_with(&everything)),
                    _ => None,
                };
                if let Some(ev) = resource_grants {
                    ev
                } else if self.rule() == ResourceRule::EitherSideAllows && identity.allows() {
                    Evaluation {
                        resource: None,
                        grant: None,
                        ..allow_with(&everything)
                    }
                } else if best == Some(Strength::Role) {
                    Evaluation::implicit(if identity.boundary_ok {
                        PolicyType::SessionPolicy
                    } else {
                        PolicyType::PermissionsBoundary
                    })
                } else if best.is_none() && self.rule() == ResourceRule::ResourcePolicyMustAllow {
                    Evaluation::implicit(PolicyType::ResourceBased)
                } else {
                    Evaluation::implicit(identity.missing())
                }
            }
        }
    }

    /// Decides `RetireGrant` on `grant`: the grant's retiring principal, its
    /// grantee when the grant allows `RetireGrant`, and the account the grant
    /// was created in (its root user, or principals its IAM policies allow
    /// `kms:RetireGrant`) may retire it. An explicit deny of `kms:RetireGrant`
    /// in the caller's IAM policies wins; key policies have no effect on
    /// `RetireGrant`.
    pub fn evaluate_retire_grant<'p>(
        &'p self,
        grant: &'p Grant,
        context: &RequestContext,
    ) -> Evaluation<'p> {
        let request = AccessRequest::new("kms:RetireGrant", grant.key_arn(), context);
        let who = context.principal();
        let identity = match self.identity_side(&request) {
            Ok(side) => side,
            Err(deny) => return Evaluation::explicit(deny),
        };
        let named = grant
            .retiring_strength(who)
            .into_iter()
            .chain(
                grant
                    .allows_operation(super::grant::GrantOperation::RetireGrant)
                    .then(|| grant.grantee_strength(who))
                    .flatten(),
            )
            .max();
        let allowed = |parts: &[Part]| {
            let mut ev = Evaluation {
                decision: Decision::Allow,
                grant: Some(grant),
                ..Evaluation::empty()
            };
            for part in parts {
                match part {
                    Part::Identity => ev.identity = identity.allow,
                    Part::Boundary => ev.boundary = identity.boundary,
                    Part::Session => ev.session = identity.session,
                }
            }
            ev
        };
        match named {
            Some(Strength::Direct) => return allowed(&[]),
            Some(Strength::Role) if identity.boundary_ok && identity.session_ok => {
                return allowed(&[Part::Boundary, Part::Session])
            }
            Some(Strength::Account) if identity.allows() => {
                return allowed(&[Part::Identity, Part::Boundary, Part::Session])
            }
            _ => {}
        }
        let in_issuing_account = who.account() == Some(grant.issuing_account())
            && !matches!(
                who.kind(),
                PrincipalKind::Anonymous | PrincipalKind::Service
            );
        if in_issuing_account && identity.allows() {
            return allowed(&[Part::Identity, Part::Boundary, Part::Session]);
        }
        if in_issuing_account || named.is_some() {
            Evaluation::implicit(identity.missing())
        } else {
            Evaluation::implicit(PolicyType::ResourceBased)
        }
    }

    /// Scans the identity side; an explicit deny comes back as `Err`.
    fn identity_side<'p>(
        &'p self,
        request: &AccessRequest<'_>,
    ) -> Result<IdentitySide<'p>, StatementRef<'p>> {
        let who = request.context.principal();
        let kind = who.kind();
        let boundary_applies = self.boundary.is_some()
            && matches!(
                kind,
                PrincipalKind::User | PrincipalKind::AssumedRole | PrincipalKind::FederatedUser
            );

        let mut allow = None;
        for doc in &self.identity {
            let scan = scan(
                doc,
                Side::Identity,
                request,
                boundary_applies,
                allow.is_none(),
            );
            let as_ref = |statement| StatementRef {
                policy_type: PolicyType::IdentityBased,
                document: doc,
                statement,
            };
            if let Some(d) = scan.deny {
                return Err(as_ref(d));
            }
            if allow.is_none() {
                allow = scan.allow.map(|(s, _)| as_ref(s));
            }
        }

        let mut boundary = None;
        let mut boundary_ok = true;
        if let Some(doc) = self.boundary.as_deref() {
            let scan = scan(
                doc,
                Side::Identity,
                request,
                boundary_applies,
                boundary_applies,
            );
            let as_ref = |statement| StatementRef {
                policy_type: PolicyType::PermissionsBoundary,
                document: doc,
                statement,
            };
            if let Some(d) = scan.deny {
                return Err(as_ref(d));
            }
            if boundary_applies {
                boundary = scan.allow.map(|(s, _)| as_ref(s));
                boundary_ok = boundary.is_some();
            }
        }

        let mut session = None;
        let mut session_ok = match kind {
            // A federated user passed no session policy: it has no permissions of its own.
            PrincipalKind::FederatedUser => self.session.is_some(),
            _ => true,
        };
        if let Some(docs) = &self.session {
            for doc in docs {
                let scan = scan(
                    doc,
                    Side::Identity,
                    request,
                    boundary_applies,
                    session.is_none(),
                );
                let as_ref = |statement| StatementRef {
                    policy_type: PolicyType::SessionPolicy,
                    document: doc,
                    statement,
                };
                if let Some(d) = scan.deny {
                    return Err(as_ref(d));
                }
                if session.is_none() {
                    session = scan.allow.map(|(s, _)| as_ref(s));
                }
            }
            if kind.is_session() {
                session_ok = session.is_some();
            } else {
                session = None;
            }
        }

        Ok(IdentitySide {
            // The root user has full access to its own account.
            identity_ok: kind == PrincipalKind::Root || allow.is_some(),
            allow,
            boundary_ok,
            boundary,
            session_ok,
            session,
            boundary_applies,
            no_identity: matches!(kind, PrincipalKind::Anonymous | PrincipalKind::Service),
        })
    }

    fn is_cross_account(&self, request: &AccessRequest<'_>) -> bool {
        let Some(caller) = request.context.principal().account() else {
            return false;
        };
        let owner = self
            .resource_account
            .as_deref()
            .or_else(|| arn_account(request.resource).filter(|a| !a.is_empty()));
        owner.is_some_and(|o| o != caller)
    }
}

/// The account segment of an ARN (`arn:partition:service:region:ACCOUNT:…`).
fn arn_account(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let mut start = 0;
    let mut colons = 0;
    for (i, b) in rest.bytes().enumerate() {
        if b == b':' {
            colons += 1;
            if colons == 3 {
                start = i + 1;
            } else if colons == 4 {
                return Some(&rest[start..i]);
            }
        }
    }
    None
}

#[derive(Clone, Copy)]
enum Part {
    Identity,
    Boundary,
    Session,
}

struct IdentitySide<'p> {
    identity_ok: bool,
    allow: Option<StatementRef<'p>>,
    boundary_ok: bool,
    boundary: Option<StatementRef<'p>>,
    session_ok: bool,
    session: Option<StatementRef<'p>>,
    boundary_applies: bool,
    no_identity: bool,
}

impl IdentitySide<'_> {
    fn allows(&self) -> bool {
        !self.no_identity && self.identity_ok && self.boundary_ok && self.session_ok
    }

    fn missing(&self) -> PolicyType {
        if self.no_identity || !self.identity_ok {
            PolicyType::IdentityBased
        } else if !self.boundary_ok {
            PolicyType::PermissionsBoundary
        } else {
            PolicyType::SessionPolicy
        }
    }
}

/// Scans one document: the first deny that applies ends the scan; otherwise
/// the strongest allow. With `want_allow` false only denies are looked for.
fn scan<'p>(
    doc: &'p PolicyDocument,
    side: Side,
    request: &AccessRequest<'_>,
    has_boundary: bool,
    want_allow: bool,
) -> Scan<'p> {
    let mut best: Option<(&'p Statement, Strength)> = None;
    for st in doc.statements() {
        match st.effect() {
            Effect::Deny => {
                if applies(st, side, request, has_boundary).is_some() {
                    return Scan {
                        allow: best,
                        deny: Some(st),
                    };
                }
            }
            Effect::Allow => {
                if !want_allow || best.is_some_and(|(_, s)| s == Strength::Direct) {
                    continue;
                }
                if let Some(s) = applies(st, side, request, has_boundary) {
                    if best.is_none_or(|(_, b)| s > b) {
                        best = Some((st, s));
                    }
                }
            }
        }
    }
    Scan {
        allow: best,
        deny: None,
    }
}

/// Whether a statement applies to the request, and how strongly it names the
/// caller (identity-side statements name it implicitly).
fn applies(
    st: &Statement,
    side: Side,
    request: &AccessRequest<'_>,
    has_boundary: bool,
) -> Option<Strength> {
    let ctx = request.context;
    let action = match &st.action {
        ActionElement::Action(ps) => ps.iter().any(|p| p.matches(request.action)),
        ActionElement::NotAction(ps) => !ps.iter().any(|p| p.matches(request.action)),
    };
    if !action {
        return None;
    }
    if let Some(res) = &st.resource {
        let resource = match res {
            ResourceElement::Resource(ps) => ps.iter().any(|p| p.matches(request.resource, ctx)),
            ResourceElement::NotResource(ps) => {
                !ps.iter().any(|p| p.matches(request.resource, ctx))
            }
        };
        if !resource {
            return None;
        }
    }
    let who = ctx.principal();
    let strength = match (&st.principal, side) {
        // Identity-side statements name the caller implicitly.
        (None, Side::Identity) => Strength::Direct,
        // A document without principals grants nothing on the resource side.
        (None, Side::Resource) => return None,
        // Principals are honoured wherever a document holds them, so that a
        // resource-policy document passed as an identity policy never widens access.
        (Some(PrincipalElement::Principal(set)), _) => set.strength(who)?,
        (Some(PrincipalElement::NotPrincipal(set)), _) => match st.effect() {
            Effect::Allow if set.lists_some_level(who) => return None,
            Effect::Allow => Strength::Direct,
            // AWS: NotPrincipal with Deny always denies a principal that
            // has a permissions boundary, whatever NotPrincipal lists.
            Effect::Deny if has_boundary || !set.lists_every_level(who) => Strength::Direct,
            Effect::Deny => return None,
        },
    };
    st.condition
        .iter()
        .all(|c| c.holds(ctx))
        .then_some(strength)
}
