//! Errors of configuration (building stores, keys and roles) and of the STS
//! operations (issuing and assuming).

use std::fmt;

use super::principal::ArnError;

/// A store, key ring or role could not be built as configured.
#[derive(Clone, Debug)]
pub struct ConfigError {
    kind: ConfigErrorKind,
    message: String,
    source: Option<ArnError>,
}

/// What was wrong with a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// A principal, role or trusted-principal ARN did not parse (see
    /// [`source`](std::error::Error::source) for the [`ArnError`]).
    InvalidArn,
    /// `.user(…)` was given an ARN that is not an IAM user.
    NotAUser,
    /// The same access key id was configured twice.
    DuplicateAccessKey,
    /// An empty access key id.
    EmptyAccessKey,
    /// A session server key shorter than 32 bytes.
    KeyTooShort,
    /// Two session server keys with one id.
    DuplicateKeyId,
    /// No session server key has this id.
    UnknownKeyId,
    /// The key that signs new tokens cannot be retired; rotate first.
    CannotRetireCurrentKey,
    /// A role's maximum session duration outside 1 to 12 hours.
    InvalidMaxSessionDuration,
    /// The operating system's random source failed.
    Randomness,
}

impl ConfigError {
    pub(crate) fn new(kind: ConfigErrorKind, message: impl Into<String>) -> Self {
        ConfigError {
            kind,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn arn(context: &str, source: ArnError) -> Self {
        ConfigError {
            kind: ConfigErrorKind::InvalidArn,
            message: format!("{context}: {source}"),
            source: Some(source),
        }
    }

    /// What was wrong.
    pub fn kind(&self) -> ConfigErrorKind {
        self.kind
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A refused STS operation (`AssumeRole`, issuing temporary credentials),
/// carrying the code and message AWS STS answers with.
///
/// ```
/// use tower_sigv4::identity::{StsError, StsErrorKind};
/// # fn show(err: &StsError) {
/// // <ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>…
/// let (code, status, message) = (err.aws_code(), err.status_code(), err.message());
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StsError {
    kind: StsErrorKind,
    message: String,
}

/// The class of an [`StsError`], one per AWS error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StsErrorKind {
    /// `AccessDenied` (403): root caller, untrusted caller or unknown role.
    AccessDenied,
    /// `ValidationError` (400): a parameter outside its constraints.
    ValidationError,
    /// `InternalFailure` (500): the random source failed.
    InternalFailure,
}

impl StsErrorKind {
    /// The AWS error code.
    pub fn aws_code(self) -> &'static str {
        match self {
            StsErrorKind::AccessDenied => "AccessDenied",
            StsErrorKind::ValidationError => "ValidationError",
            StsErrorKind::InternalFailure => "InternalFailure",
        }
    }

    /// The HTTP status AWS STS answers with.
    pub fn status_code(self) -> u16 {
        match self {
            StsErrorKind::AccessDenied => 403,
            StsErrorKind::ValidationError => 400,
            StsErrorKind::InternalFailure => 500,
        }
    }
}

impl StsError {
    pub(crate) fn new(kind: StsErrorKind, message: impl Into<String>) -> Self {
        StsError {
            kind,
            message: message.into(),
        }
    }

    /// Several constraint violations, worded as AWS's validation layer does:
    /// `2 validation errors detected: A; B`.
    pub(crate) fn validation(violations: &[String]) -> Self {
        let n = violations.len();
        let noun = if n == 1 { "error" } else { "errors" };
        StsError::new(
            StsErrorKind::ValidationError,
            format!("{n} validation {noun} detected: {}", violations.join("; ")),
        )
    }

    /// The class of error.
    pub fn kind(&self) -> StsErrorKind {
        self.kind
    }

    /// The AWS error code (`AccessDenied`, `ValidationError`, …).
    pub fn aws_code(&self) -> &'static str {
        self.kind.aws_code()
    }

    /// The HTTP status.
    pub fn status_code(&self) -> u16 {
        self.kind.status_code()
    }

    /// The message, worded as AWS words it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for StsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.aws_code(), self.message)
    }
}

impl std::error::Error for StsError {}
