//! KMS grants: a grantee, the operations it may call on one key, optional
//! encryption-context constraints, and who may retire the grant.
//!
//! A grant only allows: it never overrides an explicit deny in a key policy
//! or an IAM policy. Its constraints apply to the operations that take an
//! encryption context; `DescribeKey`, `RetireGrant` and the asymmetric and
//! HMAC operations ignore them. In a constraint the encryption-context keys
//! are case-insensitive and the values case-sensitive. A grantee that got
//! `CreateGrant` from a grant may only create grants with a subset of the
//! parent's operations and constraints at least as strict.

use std::fmt;

use super::context::PrincipalInfo;
use super::context::RequestContext;
use super::error::{PolicyError, PolicyErrorKind};
use super::matching::{PrincipalPattern, PrincipalSet, Strength};

/// An operation a grant can allow.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantOperation {
    /// `Decrypt`.
    Decrypt,
    /// `Encrypt`.
    Encrypt,
    /// `GenerateDataKey`.
    GenerateDataKey,
    /// `GenerateDataKeyWithoutPlaintext`.
    GenerateDataKeyWithoutPlaintext,
    /// `GenerateDataKeyPair`.
    GenerateDataKeyPair,
    /// `GenerateDataKeyPairWithoutPlaintext`.
    GenerateDataKeyPairWithoutPlaintext,
    /// `ReEncryptFrom` (the source key of `ReEncrypt`).
    ReEncryptFrom,
    /// `ReEncryptTo` (the destination key of `ReEncrypt`).
    ReEncryptTo,
    /// `Sign`.
    Sign,
    /// `Verify`.
    Verify,
    /// `GetPublicKey`.
    GetPublicKey,
    /// `GenerateMac`.
    GenerateMac,
    /// `VerifyMac`.
    VerifyMac,
    /// `DeriveSharedSecret`.
    DeriveSharedSecret,
    /// `CreateGrant`: only for grants at least as narrow as this one.
    CreateGrant,
    /// `RetireGrant`: lets the grantee retire this grant.
    RetireGrant,
    /// `DescribeKey`.
    DescribeKey,
}

const ALL_OPERATIONS: &[GrantOperation] = &[
    GrantOperation::Decrypt,
    GrantOperation::Encrypt,
    GrantOperation::GenerateDataKey,
    GrantOperation::GenerateDataKeyWithoutPlaintext,
    GrantOperation::GenerateDataKeyPair,
    GrantOperation::GenerateDataKeyPairWithoutPlaintext,
    GrantOperation::ReEncryptFrom,
    GrantOperation::ReEncryptTo,
    GrantOperation::Sign,
    GrantOperation::Verify,
    GrantOperation::GetPublicKey,
    GrantOperation::GenerateMac,
    GrantOperation::VerifyMac,
    GrantOperation::DeriveSharedSecret,
    GrantOperation::CreateGrant,
    GrantOperation::RetireGrant,
    GrantOperation::DescribeKey,
];

impl GrantOperation {
    /// The operation's name in the KMS API (`Decrypt`).
    pub fn name(self) -> &'static str {
        match self {
            GrantOperation::Decrypt => "Decrypt",
            GrantOperation::Encrypt => "Encrypt",
            GrantOperation::GenerateDataKey => "GenerateDataKey",
            GrantOperation::GenerateDataKeyWithoutPlaintext => "GenerateDataKeyWithoutPlaintext",
            GrantOperation::GenerateDataKeyPair => "GenerateDataKeyPair",
            GrantOperation::GenerateDataKeyPairWithoutPlaintext => {
                "GenerateDataKeyPairWithoutPlaintext"
            }
            GrantOperation::ReEncryptFrom => "ReEncryptFrom",
            GrantOperation::ReEncryptTo => "ReEncryptTo",
            GrantOperation::Sign => "Sign",
            GrantOperation::Verify => "Verify",
            GrantOperation::GetPublicKey => "GetPublicKey",
            GrantOperation::GenerateMac => "GenerateMac",
            GrantOperation::VerifyMac => "VerifyMac",
            GrantOperation::DeriveSharedSecret => "DeriveSharedSecret",
            GrantOperation::CreateGrant => "CreateGrant",
            GrantOperation::RetireGrant => "RetireGrant",
            GrantOperation::DescribeKey => "DescribeKey",
        }
    }

    /// Reads a KMS API operation name (`Decrypt`).
    pub fn from_name(name: &str) -> Option<Self> {
        ALL_OPERATIONS.iter().copied().find(|op| op.name() == name)
    }

    /// Reads an IAM action (`kms:Decrypt`, case-insensitive as actions are).
    pub fn from_action(action: &str) -> Option<Self> {
        let (service, name) = action.split_once(':')?;
        if !service.eq_ignore_ascii_case("kms") {
            return None;
        }
        ALL_OPERATIONS
            .iter()
            .copied()
            .find(|op| op.name().eq_ignore_ascii_case(name))
    }

    /// Whether the operation takes an encryption context, so that grant
    /// constraints apply to it.
    pub fn takes_encryption_context(self) -> bool {
        matches!(
            self,
            GrantOperation::Decrypt
                | GrantOperation::Encrypt
                | GrantOperation::GenerateDataKey
                | GrantOperation::GenerateDataKeyWithoutPlaintext
                | GrantOperation::GenerateDataKeyPair
                | GrantOperation::GenerateDataKeyPairWithoutPlaintext
                | GrantOperation::ReEncryptFrom
                | GrantOperation::ReEncryptTo
        )
    }

    fn bit(self) -> u32 {
        1 << (ALL_OPERATIONS.iter().position(|o| *o == self).unwrap_or(31) as u32)
    }
}

impl fmt::Display for GrantOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Encryption-context pairs, keys lower-cased.
type Pairs = Box<[(Box<str>, Box<str>)]>;

/// `EncryptionContextEquals` and `EncryptionContextSubset`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantConstraints {
    equals: Option<Pairs>,
    subset: Option<Pairs>,
}

fn to_pairs<I, K, V>(pairs: I) -> Pairs
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut v: Vec<(Box<str>, Box<str>)> = Vec::new();
    for (k, val) in pairs {
        let k = k.as_ref().to_lowercase();
        v.retain(|(x, _)| **x != *k);
        v.push((k.into_boxed_str(), val.as_ref().into()));
    }
    v.into_boxed_slice()
}

/// `a` ⊆ `b`, keys case-insensitive (already lower), values case-sensitive.
fn pairs_within(a: &[(Box<str>, Box<str>)], b: &[(Box<str>, Box<str>)]) -> bool {
    a.iter()
        .all(|(k, v)| b.iter().any(|(bk, bv)| bk == k && bv == v))
}

impl GrantConstraints {
    /// No constraint.
    pub fn none() -> Self {
        Self::default()
    }

    /// Requires the request's encryption context to be exactly these pairs.
    pub fn with_encryption_context_equals<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.equals = Some(to_pairs(pairs));
        self
    }

    /// Requires the request's encryption context to include these pairs.
    pub fn with_encryption_context_subset<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.subset = Some(to_pairs(pairs));
        self
    }

    /// Whether there is any constraint.
    pub fn is_empty(&self) -> bool {
        self.equals.is_none() && self.subset.is_none()
    }

    /// Whether an encryption context (keys lower-cased) satisfies the constraints.
    fn permits(&self, ec: &[(Box<str>, Box<str>)]) -> bool {
        self.equals
            .as_deref()
            .is_none_or(|e| e.len() == ec.len() && pairs_within(e, ec))
            && self.subset.as_deref().is_none_or(|s| pairs_within(s, ec))
    }

    fn permits_request(&self, ctx: &RequestContext) -> bool {
        let satisfied = |want: &[(Box<str>, Box<str>)]| {
            want.iter().all(|(k, v)| {
                ctx.encryption_context()
                    .any(|(rk, rv)| rk == &**k && rv == &**v)
            })
        };
        self.equals
            .as_deref()
            .is_none_or(|e| e.len() == ctx.encryption_context().count() && satisfied(e))
            && self.subset.as_deref().is_none_or(satisfied)
    }

    /// Whether every encryption context that `self` permits is permitted by
    /// `parent`: the rule for grants created with a grant's `CreateGrant`.
    fn at_least_as_strict_as(&self, parent: &GrantConstraints) -> bool {
        if let Some(eq) = self.equals.as_deref() {
            if !self.subset.as_deref().is_none_or(|s| pairs_within(s, eq)) {
                // The child's own constraints exclude each other: it permits nothing.
                return true;
            }
            return parent.permits(eq);
        }
        if let Some(sub) = self.subset.as_deref() {
            // Every superset of `sub` is permitted: impossible under an Equals parent.
            return parent.equals.is_none()
                && parent
                    .subset
                    .as_deref()
                    .is_none_or(|p| pairs_within(p, sub));
        }
        parent.is_empty()
    }

    fn validate(&self) -> Result<(), PolicyError> {
        for pairs in [&self.equals, &self.subset].into_iter().flatten() {
            if pairs.len() > 8 {
                return Err(PolicyError::new(
                    PolicyErrorKind::InvalidGrant,
                    "A grant constraint can include up to 8 encryption context pairs",
                ));
            }
            if pairs
                .iter()
                .any(|(k, v)| k.chars().count() + v.chars().count() > 384)
            {
                return Err(PolicyError::new(
                    PolicyErrorKind::InvalidGrant,
                    "An encryption context value in a grant constraint cannot exceed 384 characters",
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct NamedPrincipal {
    text: Box<str>,
    /// A one-principal set, built once so that matching allocates nothing.
    set: PrincipalSet,
}

impl NamedPrincipal {
    fn parse(text: &str, role: &str) -> Result<Self, PolicyError> {
        let pattern = PrincipalPattern::parse_aws(text)
            .or_else(|| {
                // A service principal: `dynamodb.us-west-2.amazonaws.com`.
                let service = !text.is_empty()
                    && text.contains('.')
                    && !text.contains([':', '*', '?', '/', ' ']);
                service.then(|| PrincipalPattern::Service(text.into()))
            })
            .ok_or_else(|| {
                PolicyError::new(
                    PolicyErrorKind::InvalidGrant,
                    format!("Invalid {role} principal: \"{text}\""),
                )
            })?;
        Ok(NamedPrincipal {
            text: text.into(),
            set: PrincipalSet {
                any: false,
                patterns: Box::new([pattern]),
            },
        })
    }

    pub(crate) fn strength(&self, who: &PrincipalInfo) -> Option<Strength> {
        self.set.strength(who)
    }
}

/// A KMS grant on one key.
///
/// ```
/// use tower_sigv4::policy::{Grant, GrantConstraints, GrantOperation};
///
/// let grant = Grant::builder(
///     "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
///     "arn:aws:iam::111122223333:user/exampleUser",
/// )
/// .operation(GrantOperation::Decrypt)
/// .retiring_principal("arn:aws:iam::111122223333:role/adminRole")
/// .constraints(GrantConstraints::none().with_encryption_context_subset([("Department", "IT")]))
/// .build()
/// .unwrap();
/// assert_eq!(grant.issuing_account(), "111122223333");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    id: Box<str>,
    name: Option<Box<str>>,
    token: Option<Box<str>>,
    key_arn: Box<str>,
    issuing_account: Box<str>,
    grantee: NamedPrincipal,
    retiring: Option<NamedPrincipal>,
    operations: u32,
    constraints: GrantConstraints,
}

/// Builds a [`Grant`].
#[derive(Debug, Clone)]
#[must_use]
pub struct GrantBuilder {
    key_arn: String,
    grantee: String,
    retiring: Option<String>,
    operations: Vec<GrantOperation>,
    constraints: GrantConstraints,
    id: Option<String>,
    name: Option<String>,
    token: Option<String>,
    issuing_account: Option<String>,
}

impl GrantBuilder {
    /// Adds one allowed operation.
    pub fn operation(mut self, op: GrantOperation) -> Self {
        self.operations.push(op);
        self
    }

    /// Adds allowed operations.
    pub fn operations(mut self, ops: impl IntoIterator<Item = GrantOperation>) -> Self {
        self.operations.extend(ops);
        self
    }

    /// The principal that may retire the grant.
    pub fn retiring_principal(mut self, principal: &str) -> Self {
        self.retiring = Some(principal.to_owned());
        self
    }

    /// The encryption-context constraints.
    pub fn constraints(mut self, constraints: GrantConstraints) -> Self {
        self.constraints = constraints;
        self
    }

    /// The grant id (KMS returns a 64-hex-digit id).
    pub fn id(mut self, id: &str) -> Self {
        self.id = Some(id.to_owned());
        self
    }

    /// The optional grant name (used by KMS to recognise retried `CreateGrant` calls).
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// The grant token.
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// The account the grant was created in (by default the key's account);
    /// its root user can always retire the grant.
    pub fn issuing_account(mut self, account: &str) -> Self {
        self.issuing_account = Some(account.to_owned());
        self
    }

    /// Validates and builds the grant.
    pub fn build(self) -> Result<Grant, PolicyError> {
        let invalid = |m: String| PolicyError::new(PolicyErrorKind::InvalidGrant, m);
        let key_account = self
            .key_arn
            .strip_prefix("arn:")
            .and_then(|rest| rest.split(':').nth(3))
            .filter(|a| super::context::is_account_id(a))
            .ok_or_else(|| invalid(format!("\"{}\" is not a KMS key ARN", self.key_arn)))?
            .to_owned();
        if self.operations.is_empty() {
            return Err(invalid(
                "A grant must allow at least one operation".to_owned(),
            ));
        }
        self.constraints.validate()?;
        let grantee = NamedPrincipal::parse(&self.grantee, "grantee")?;
        let retiring = self
            .retiring
            .as_deref()
            .map(|r| NamedPrincipal::parse(r, "retiring"))
            .transpose()?;
        Ok(Grant {
            id: self.id.unwrap_or_default().into_boxed_str(),
            name: self.name.map(Into::into),
            token: self.token.map(Into::into),
            key_arn: self.key_arn.into_boxed_str(),
            issuing_account: self.issuing_account.unwrap_or(key_account).into_boxed_str(),
            grantee,
            retiring,
            operations: self.operations.iter().fold(0, |acc, op| acc | op.bit()),
            constraints: self.constraints,
        })
    }
}

impl Grant {
    /// Starts a grant on a key (its ARN) for a grantee (an account, user,
    /// role, role session or federated user ARN, or a service principal).
    pub fn builder(key_arn: &str, grantee: &str) -> GrantBuilder {
        GrantBuilder {
            key_arn: key_arn.to_owned(),
            grantee: grantee.to_owned(),
            retiring: None,
            operations: Vec::new(),
            constraints: GrantConstraints::default(),
            id: None,
            name: None,
            token: None,
            issuing_account: None,
        }
    }

    /// The grant id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The grant name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The grant token.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The key the grant is for.
    pub fn key_arn(&self) -> &str {
        &self.key_arn
    }

    /// The account the grant was created in.
    pub fn issuing_account(&self) -> &str {
        &self.issuing_account
    }

    /// The grantee principal as given.
    pub fn grantee(&self) -> &str {
        &self.grantee.text
    }

    /// The retiring principal as given.
    pub fn retiring_principal(&self) -> Option<&str> {
        self.retiring.as_ref().map(|r| &*r.text)
    }

    /// Whether the grant allows an operation.
    pub fn allows_operation(&self, op: GrantOperation) -> bool {
        self.operations & op.bit() != 0
    }

    /// The allowed operations.
    pub fn operations(&self) -> impl Iterator<Item = GrantOperation> + '_ {
        ALL_OPERATIONS
            .iter()
            .copied()
            .filter(|op| self.allows_operation(*op))
    }

    /// The constraints.
    pub fn constraints(&self) -> &GrantConstraints {
        &self.constraints
    }

    /// Whether a grant created with this grant's `CreateGrant` permission may
    /// be `child`: a subset of the operations, constraints at least as strict.
    pub fn permits_child(&self, child: &Grant) -> bool {
        child.operations & !self.operations == 0
            && child.constraints.at_least_as_strict_as(&self.constraints)
    }

    /// How strongly the grant names the caller, if the grant allows the
    /// request: the right key, an allowed operation, its constraints met.
    pub(crate) fn allows(
        &self,
        action: &str,
        resource: &str,
        ctx: &RequestContext,
        new_grant: Option<&Grant>,
    ) -> Option<Strength> {
        if *self.key_arn != *resource {
            return None;
        }
        let op = GrantOperation::from_action(action)?;
        // Permission to retire is decided by `PolicySet::evaluate_retire_grant`.
        if op == GrantOperation::RetireGrant || !self.allows_operation(op) {
            return None;
        }
        let strength = self.grantee.strength(ctx.principal())?;
        let ok = match op {
            GrantOperation::CreateGrant => new_grant.is_some_and(|child| self.permits_child(child)),
            op if op.takes_encryption_context() => self.constraints.permits_request(ctx),
            _ => true,
        };
        ok.then_some(strength)
    }

    pub(crate) fn grantee_strength(&self, who: &PrincipalInfo) -> Option<Strength> {
        self.grantee.strength(who)
    }

    pub(crate) fn retiring_strength(&self, who: &PrincipalInfo) -> Option<Strength> {
        self.retiring.as_ref().and_then(|r| r.strength(who))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn subset(p: &[(&str, &str)]) -> GrantConstraints {
        GrantConstraints::none().with_encryption_context_subset(p.iter().copied())
    }

    fn equals(p: &[(&str, &str)]) -> GrantConstraints {
        GrantConstraints::none().with_encryption_context_equals(p.iter().copied())
    }

    #[test]
    fn strictness() {
        let none = GrantConstraints::none();
        let s1 = subset(&[("Department", "IT")]);
        let s2 = subset(&[("department", "IT"), ("Purpose", "Test")]);
        let e1 = equals(&[("Department", "IT")]);
        let e2 = equals(&[("Department", "IT"), ("Purpose", "Test")]);
        assert!(s1.at_least_as_strict_as(&none));
        assert!(s2.at_least_as_strict_as(&s1));
        assert!(!s1.at_least_as_strict_as(&s2));
        assert!(e1.at_least_as_strict_as(&s1));
        assert!(e2.at_least_as_strict_as(&s1));
        assert!(!s1.at_least_as_strict_as(&e1));
        assert!(e1.at_least_as_strict_as(&e1));
        assert!(!e2.at_least_as_strict_as(&e1));
        assert!(!none.at_least_as_strict_as(&s1));
        // Values are case-sensitive.
        assert!(!subset(&[("Department", "it")]).at_least_as_strict_as(&s1));
    }

    #[test]
    fn operations_and_validation() {
        assert_eq!(
            GrantOperation::from_action("KMS:decrypt"),
            Some(GrantOperation::Decrypt)
        );
        assert_eq!(GrantOperation::from_action("s3:Decrypt"), None);
        assert_eq!(
            GrantOperation::from_name("RetireGrant"),
            Some(GrantOperation::RetireGrant)
        );
        let g = Grant::builder(KEY, "arn:aws:iam::111122223333:user/u")
            .operations([GrantOperation::Decrypt, GrantOperation::CreateGrant])
            .build()
            .unwrap();
        assert!(g.allows_operation(GrantOperation::Decrypt));
        assert!(!g.allows_operation(GrantOperation::Encrypt));
        assert_eq!(g.operations().count(), 2);
        let bad = |b: GrantBuilder| b.build().unwrap_err().kind();
        assert_eq!(
            bad(Grant::builder(KEY, "arn:aws:iam::111122223333:user/u")),
            PolicyErrorKind::InvalidGrant
        );
        assert_eq!(
            bad(Grant::builder("key/1", "arn:aws:iam::111122223333:user/u")
                .operation(GrantOperation::Decrypt)),
            PolicyErrorKind::InvalidGrant
        );
        assert_eq!(
            bad(Grant::builder(KEY, "alice").operation(GrantOperation::Decrypt)),
            PolicyErrorKind::InvalidGrant
        );
        let nine: Vec<(String, String)> =
            (0..9).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        assert_eq!(
            bad(Grant::builder(KEY, "arn:aws:iam::111122223333:user/u")
                .operation(GrantOperation::Decrypt)
                .constraints(GrantConstraints::none().with_encryption_context_subset(nine))),
            PolicyErrorKind::InvalidGrant
        );
        let long = "x".repeat(400);
        assert_eq!(
            bad(Grant::builder(KEY, "arn:aws:iam::111122223333:user/u")
                .operation(GrantOperation::Decrypt)
                .constraints(
                    GrantConstraints::none().with_encryption_context_equals([("k", long.as_str())])
                )),
            PolicyErrorKind::InvalidGrant
        );
        assert!(Grant::builder(KEY, "dynamodb.us-west-2.amazonaws.com")
            .operation(GrantOperation::Decrypt)
            .build()
            .is_ok());
    }
}
