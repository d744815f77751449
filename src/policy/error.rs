//! The typed error for malformed policy documents and grants.

use std::fmt;

/// What is wrong with a policy document or a grant.
///
/// The messages follow the wording of IAM's `MalformedPolicyDocument` errors
/// where IAM has one, so that a user who searches for the text finds AWS's
/// explanation.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyErrorKind {
    /// The text is not JSON, a field appears twice, or the top level is not an object.
    Syntax,
    /// The document is larger than the configured limit.
    TooLarge,
    /// An element name that the policy grammar does not know (names are case-sensitive).
    UnknownField,
    /// An element holds a JSON type it cannot hold (for example a number as `Action`).
    InvalidType,
    /// `Version` is neither `2012-10-17` nor `2008-10-17`.
    InvalidVersion,
    /// A required element is missing or empty (`Statement`, `Effect`, `Action`, `Resource`, `Principal`).
    MissingElement,
    /// Two elements that exclude each other, such as `Action` and `NotAction`.
    ConflictingElements,
    /// An element this kind of policy must not have (`Principal` in an identity
    /// policy, `Resource` in a role trust policy).
    ProhibitedElement,
    /// `Effect` is not exactly `Allow` or `Deny`.
    InvalidEffect,
    /// An action without a service prefix, or with more than one colon.
    InvalidAction,
    /// A resource that is neither `*` nor an ARN, or an ARN whose service has a wildcard.
    InvalidResource,
    /// A principal that AWS would refuse (`Invalid principal in policy`).
    InvalidPrincipal,
    /// An unknown condition operator (`Invalid Condition type`).
    InvalidConditionOperator,
    /// A condition key without a service prefix.
    InvalidConditionKey,
    /// A condition value that its operator cannot read (a number, a date, a CIDR block, base64, a boolean).
    InvalidConditionValue,
    /// A `Sid` with characters IAM does not accept in identity policies.
    InvalidSid,
    /// Two statements with the same `Sid` in an identity policy.
    DuplicateSid,
    /// A malformed `${…}` policy variable.
    InvalidVariable,
    /// A grant that KMS would refuse to create.
    InvalidGrant,
}

/// A policy document or grant was rejected.
///
/// `Display` gives the message and where the fault is (statement index and
/// `Sid` when it is inside a statement).
///
/// ```
/// use tower_sigv4::policy::{PolicyDocument, PolicyErrorKind, PolicyKind};
///
/// let err = PolicyDocument::parse(
///     r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject"}}"#,
///     PolicyKind::Identity,
/// )
/// .unwrap_err();
/// assert_eq!(err.kind(), PolicyErrorKind::MissingElement);
/// assert_eq!(err.message(), "Policy statement must contain resources.");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PolicyError {
    kind: PolicyErrorKind,
    message: String,
    statement: Option<usize>,
    sid: Option<String>,
}

impl PolicyError {
    pub(crate) fn new(kind: PolicyErrorKind, message: impl Into<String>) -> Self {
        PolicyError {
            kind,
            message: message.into(),
            statement: None,
            sid: None,
        }
    }

    pub(crate) fn in_statement(mut self, index: usize, sid: Option<&str>) -> Self {
        if self.statement.is_none() {
            self.statement = Some(index);
            self.sid = sid.map(str::to_owned);
        }
        self
    }

    /// What kind of fault this is.
    pub fn kind(&self) -> PolicyErrorKind {
        self.kind
    }

    /// The message, without the location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The zero-based index of the statement at fault, if the fault is inside one.
    pub fn statement_index(&self) -> Option<usize> {
        self.statement
    }

    /// The `Sid` of the statement at fault, if it has one.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }
}

impl fmt::Debug for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("statement", &self.statement)
            .field("sid", &self.sid)
            .finish()
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match (self.statement, &self.sid) {
            (Some(i), Some(sid)) => write!(f, " (statement {i}, Sid \"{sid}\")"),
            (Some(i), None) => write!(f, " (statement {i})"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for PolicyError {}
