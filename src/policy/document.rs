//! Policy documents: parsing and validation of AWS's JSON policy grammar.
//!
//! A document is parsed once into matchers (actions, ARN patterns,
//! principals, condition values read by their operator) and then evaluated
//! any number of times.

use super::condition::ConditionBlock;
use super::error::{PolicyError, PolicyErrorKind};
use super::json::{self, Json};
use super::matching::{ActionPattern, PrincipalPattern, PrincipalSet, ResourcePattern};

/// Where a policy is attached; this decides which elements it must and must not have.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// An identity-based policy of a user, group or role: no `Principal`, `Resource` required.
    Identity,
    /// A permissions boundary (identity-policy grammar).
    PermissionsBoundary,
    /// A session policy passed to `AssumeRole*` or `GetFederationToken` (identity-policy grammar).
    Session,
    /// A resource-based policy (an S3 bucket policy, an SQS queue policy, …):
    /// `Principal` or `NotPrincipal` and `Resource` required. Either this policy
    /// or an identity policy can allow a request within the account.
    ResourceBased,
    /// A KMS key policy: like a resource policy, but the key policy must allow
    /// the request (with no statement for the account, IAM policies have no effect).
    /// `"Resource": "*"` means this key.
    KeyPolicy,
    /// A role trust policy: `Principal` required, `Resource` prohibited, and
    /// the trust policy must allow `sts:AssumeRole*`.
    TrustPolicy,
}

impl PolicyKind {
    fn is_identity_grammar(self) -> bool {
        matches!(
            self,
            PolicyKind::Identity | PolicyKind::PermissionsBoundary | PolicyKind::Session
        )
    }
}

/// The policy language version.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyVersion {
    /// `2008-10-17`, also the version of a document without `Version`: `${…}` is literal text.
    V2008_10_17,
    /// `2012-10-17`: policy variables.
    V2012_10_17,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// The statement allows what it matches.
    Allow,
    /// The statement denies what it matches; a deny anywhere wins.
    Deny,
}

/// Limits for parsing documents that come from outside.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseSettings {
    /// The largest document accepted, in bytes. Default 131,072 (IAM's own
    /// limits are smaller: 6,144 characters for a managed policy, 32 KB for a
    /// key policy, 20 KB for a bucket policy).
    pub max_document_bytes: usize,
}

impl Default for ParseSettings {
    fn default() -> Self {
        ParseSettings {
            max_document_bytes: 128 * 1024,
        }
    }
}

impl ParseSettings {
    /// Sets [`ParseSettings::max_document_bytes`].
    pub fn with_max_document_bytes(mut self, bytes: usize) -> Self {
        self.max_document_bytes = bytes;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PrincipalElement {
    Principal(PrincipalSet),
    NotPrincipal(PrincipalSet),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ActionElement {
    Action(Box<[ActionPattern]>),
    NotAction(Box<[ActionPattern]>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ResourceElement {
    Resource(Box<[ResourcePattern]>),
    NotResource(Box<[ResourcePattern]>),
}

/// One statement of a parsed document.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    index: usize,
    sid: Option<Box<str>>,
    effect: Effect,
    pub(crate) principal: Option<PrincipalElement>,
    pub(crate) action: ActionElement,
    /// `None` in role trust policies.
    pub(crate) resource: Option<ResourceElement>,
    pub(crate) condition: Box<[ConditionBlock]>,
}

impl Statement {
    /// The statement's position in the document (from zero).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The `Sid`, if the statement has one.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// The `Effect`.
    pub fn effect(&self) -> Effect {
        self.effect
    }
}

/// A parsed, validated policy document, ready to be evaluated many times.
///
/// ```
/// use tower_sigv4::policy::{PolicyDocument, PolicyKind, PolicyVersion};
///
/// let doc = PolicyDocument::parse(
///     r#"{
///         "Version": "2012-10-17",
///         "Statement": [{
///             "Sid": "ReadOwnPrefix",
///             "Effect": "Allow",
///             "Action": ["s3:GetObject", "s3:PutObject"],
///             "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*"
///         }]
///     }"#,
///     PolicyKind::Identity,
/// )
/// .unwrap()
/// .with_name("arn:aws:iam::111122223333:policy/OwnPrefix");
/// assert_eq!(doc.version(), PolicyVersion::V2012_10_17);
/// assert_eq!(doc.statements()[0].sid(), Some("ReadOwnPrefix"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    kind: PolicyKind,
    version: PolicyVersion,
    id: Option<Box<str>>,
    name: Option<Box<str>>,
    statements: Box<[Statement]>,
}

fn err(kind: PolicyErrorKind, message: impl Into<String>) -> PolicyError {
    PolicyError::new(kind, message)
}

/// A string, or a non-empty array of strings (the form of most elements).
fn strings(value: &Json, element: &str) -> Result<Vec<String>, PolicyError> {
    let type_error = || {
        err(
            PolicyErrorKind::InvalidType,
            format!("{element} must be a string or an array of strings"),
        )
    };
    match value {
        Json::String(s) => Ok(vec![s.clone()]),
        Json::Array(items) => items
            .iter()
            .map(|i| match i {
                Json::String(s) => Ok(s.clone()),
                _ => Err(type_error()),
            })
            .collect(),
        _ => Err(type_error()),
    }
}

/// Condition values may also be numbers and booleans (`"Bool": {"aws:SecureTransport": false}`).
fn condition_values(value: &Json, key: &str) -> Result<Vec<String>, PolicyError> {
    let scalar = |v: &Json| match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let type_error = || {
        err(
            PolicyErrorKind::InvalidType,
            format!("The value of condition key {key} must be a string, number or boolean, or an array of them"),
        )
    };
    match value {
        Json::Array(items) => items
            .iter()
            .map(|i| scalar(i).ok_or_else(type_error))
            .collect(),
        v => scalar(v).map(|s| vec![s]).ok_or_else(type_error),
    }
}

fn parse_principal(value: &Json) -> Result<PrincipalSet, PolicyError> {
    let invalid = |shown: String| {
        err(
            PolicyErrorKind::InvalidPrincipal,
            format!("Invalid principal in policy: {shown}"),
        )
    };
    match value {
        Json::String(s) if s == "*" => Ok(PrincipalSet {
            any: true,
            patterns: Box::new([]),
        }),
        Json::String(s) => Err(invalid(format!("\"{s}\""))),
        Json::Object(fields) => {
            if fields.is_empty() {
                return Err(invalid("{}".to_owned()));
            }
            let mut any = false;
            let mut patterns = Vec::new();
            for (kind, v) in fields {
                let values = strings(v, &format!("Principal {kind}"))?;
                if values.is_empty() {
                    return Err(invalid(format!("\"{kind}\":[]")));
                }
                for s in values {
                    let shown = || format!("\"{kind}\":\"{s}\"");
                    let no_wildcard = !s.is_empty() && !s.contains(['*', '?']);
                    match kind.as_str() {
                        "AWS" if s == "*" => any = true,
                        "AWS" => patterns
                            .push(PrincipalPattern::parse_aws(&s).ok_or_else(|| invalid(shown()))?),
                        "Service" if no_wildcard => {
                            patterns.push(PrincipalPattern::Service(s.into()))
                        }
                        "Federated" if no_wildcard => {
                            patterns.push(PrincipalPattern::Federated(s.into()))
                        }
                        "CanonicalUser" if no_wildcard => {
                            patterns.push(PrincipalPattern::CanonicalUser(s.into()))
                        }
                        _ => return Err(invalid(shown())),
                    }
                }
            }
            Ok(PrincipalSet {
                any,
                patterns: patterns.into_boxed_slice(),
            })
        }
        other => Err(err(
            PolicyErrorKind::InvalidType,
            format!(
                "Principal must be \"*\" or an object, not {}",
                other.type_name()
            ),
        )),
    }
}

fn parse_statement(
    fields: &[(String, Json)],
    index: usize,
    kind: PolicyKind,
    variables: bool,
) -> Result<Statement, PolicyError> {
    // The Sid first, so that every error can name its statement.
    let sid = fields
        .iter()
        .find_map(|(name, value)| match (name.as_str(), value) {
            ("Sid", Json::String(s)) => Some(s.as_str()),
            _ => None,
        });
    let located = |e: PolicyError| e.in_statement(index, sid);
    let mut effect = None;
    let mut principal: Option<(&str, &Json)> = None;
    let mut action: Option<(&str, &Json)> = None;
    let mut resource: Option<(&str, &Json)> = None;
    let mut condition = None;
    for (name, value) in fields {
        let slot = match name.as_str() {
            "Sid" => {
                if !matches!(value, Json::String(_)) {
                    return Err(located(err(
                        PolicyErrorKind::InvalidType,
                        "Sid must be a string",
                    )));
                }
                continue;
            }
            "Effect" => {
                effect = Some(value);
                continue;
            }
            "Condition" => {
                condition = Some(value);
                continue;
            }
            "Principal" | "NotPrincipal" => &mut principal,
            "Action" | "NotAction" => &mut action,
            "Resource" | "NotResource" => &mut resource,
            other => {
                return Err(located(err(
                    PolicyErrorKind::UnknownField,
                    format!("Unknown field {other}"),
                )))
            }
        };
        if slot.is_some() {
            let base = name.strip_prefix("Not").unwrap_or(name);
            return Err(located(err(
                PolicyErrorKind::ConflictingElements,
                format!("A statement cannot have both {base} and Not{base}"),
            )));
        }
        *slot = Some((name.as_str(), value));
    }

    // IAM restricts Sids of identity policies; resource policies (the default
    // key policy's "Enable IAM policies") may contain spaces.
    if kind.is_identity_grammar()
        && sid.is_some_and(|s| !s.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(located(err(
            PolicyErrorKind::InvalidSid,
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
        )));
    }

    let effect = match effect {
        None => {
            return Err(located(err(
                PolicyErrorKind::MissingElement,
                "Missing required field Effect",
            )))
        }
        Some(Json::String(s)) if s == "Allow" => Effect::Allow,
        Some(Json::String(s)) if s == "Deny" => Effect::Deny,
        Some(Json::String(s)) => {
            return Err(located(err(
                PolicyErrorKind::InvalidEffect,
                format!("Invalid effect: {s}. Effect must be \"Allow\" or \"Deny\""),
            )))
        }
        Some(_) => {
            return Err(located(err(
                PolicyErrorKind::InvalidType,
                "Effect must be a string",
            )))
        }
    };

    let principal = match (kind.is_identity_grammar(), principal) {
        (true, Some(_)) => {
            return Err(located(err(
                PolicyErrorKind::ProhibitedElement,
                "Policy document should not specify a principal.",
            )))
        }
        (true, None) => None,
        (false, None) => {
            return Err(located(err(
                PolicyErrorKind::MissingElement,
                "Missing required field Principal",
            )))
        }
        (false, Some((name, value))) => {
            let set = parse_principal(value).map_err(located)?;
            Some(if name == "Principal" {
                PrincipalElement::Principal(set)
            } else {
                PrincipalElement::NotPrincipal(set)
            })
        }
    };

    let action = {
        let Some((name, value)) = action else {
            return Err(located(err(
                PolicyErrorKind::MissingElement,
                "Policy statement must contain actions.",
            )));
        };
        let values = strings(value, name).map_err(located)?;
        if values.is_empty() {
            return Err(located(err(
                PolicyErrorKind::MissingElement,
                "Policy statement must contain actions.",
            )));
        }
        let patterns = values
            .iter()
            .map(|a| ActionPattern::parse(a))
            .collect::<Result<Box<[_]>, _>>()
            .map_err(located)?;
        if name == "Action" {
            ActionElement::Action(patterns)
        } else {
            ActionElement::NotAction(patterns)
        }
    };

    let resource = match (kind, resource) {
        (PolicyKind::TrustPolicy, Some(_)) => {
            return Err(located(err(
                PolicyErrorKind::ProhibitedElement,
                "Has prohibited field Resource",
            )))
        }
        (PolicyKind::TrustPolicy, None) => None,
        (_, None) => {
            return Err(located(err(
                PolicyErrorKind::MissingElement,
                "Policy statement must contain resources.",
            )))
        }
        (_, Some((name, value))) => {
            let values = strings(value, name).map_err(located)?;
            if values.is_empty() {
                return Err(located(err(
                    PolicyErrorKind::MissingElement,
                    "Policy statement must contain resources.",
                )));
            }
            let patterns = values
                .iter()
                .map(|r| ResourcePattern::parse(r, variables))
                .collect::<Result<Box<[_]>, _>>()
                .map_err(located)?;
            Some(if name == "Resource" {
                ResourceElement::Resource(patterns)
            } else {
                ResourceElement::NotResource(patterns)
            })
        }
    };

    let mut blocks = Vec::new();
    match condition {
        None => {}
        Some(Json::Object(operators)) => {
            for (operator, keys) in operators {
                let Json::Object(keys) = keys else {
                    return Err(located(err(
                        PolicyErrorKind::InvalidType,
                        format!("The value of condition operator {operator} must be an object of condition keys"),
                    )));
                };
                for (key, values) in keys {
                    let values = condition_values(values, key).map_err(located)?;
                    blocks.push(
                        ConditionBlock::parse(operator, key, &values, variables)
                            .map_err(located)?,
                    );
                }
            }
        }
        Some(_) => {
            return Err(located(err(
                PolicyErrorKind::InvalidType,
                "Condition must be an object",
            )))
        }
    }

    Ok(Statement {
        index,
        sid: sid.map(Into::into),
        effect,
        principal,
        action,
        resource,
        condition: blocks.into_boxed_slice(),
    })
}

impl PolicyDocument {
    /// Parses and validates a document with the default [`ParseSettings`].
    pub fn parse(text: &str, kind: PolicyKind) -> Result<PolicyDocument, PolicyError> {
        Self::parse_with(text, kind, &ParseSettings::default())
    }

    /// Parses and validates a document.
    pub fn parse_with(
        text: &str,
        kind: PolicyKind,
        settings: &ParseSettings,
    ) -> Result<PolicyDocument, PolicyError> {
        if text.len() > settings.max_document_bytes {
            return Err(err(
                PolicyErrorKind::TooLarge,
                format!(
                    "The policy document is {} bytes; the limit is {} bytes",
                    text.len(),
                    settings.max_document_bytes
                ),
            ));
        }
        let tree = json::parse(text).map_err(|e| {
            err(
                PolicyErrorKind::Syntax,
                format!("Syntax errors in policy: {e}"),
            )
        })?;
        let Json::Object(fields) = tree else {
            return Err(err(
                PolicyErrorKind::Syntax,
                format!(
                    "Syntax errors in policy: the document must be a JSON object, not {}",
                    tree.type_name()
                ),
            ));
        };

        let mut version = None;
        let mut id = None;
        let mut statement = None;
        for (name, value) in &fields {
            match name.as_str() {
                "Version" => version = Some(value),
                "Id" => match value {
                    Json::String(s) => id = Some(s.as_str()),
                    _ => return Err(err(PolicyErrorKind::InvalidType, "Id must be a string")),
                },
                "Statement" => statement = Some(value),
                other => {
                    return Err(err(
                        PolicyErrorKind::UnknownField,
                        format!("Unknown field {other}"),
                    ))
                }
            }
        }
        let version = match version {
            None => PolicyVersion::V2008_10_17,
            Some(Json::String(v)) if v == "2012-10-17" => PolicyVersion::V2012_10_17,
            Some(Json::String(v)) if v == "2008-10-17" => PolicyVersion::V2008_10_17,
            Some(Json::String(v)) => {
                return Err(err(
                    PolicyErrorKind::InvalidVersion,
                    format!(
                    "The policy Version \"{v}\" is not valid; use \"2012-10-17\" or \"2008-10-17\""
                ),
                ))
            }
            Some(_) => {
                return Err(err(
                    PolicyErrorKind::InvalidType,
                    "Version must be a string",
                ))
            }
        };
        let variables = version == PolicyVersion::V2012_10_17;

        let statements: Vec<&Vec<(String, Json)>> = match statement {
            None => {
                return Err(err(
                    PolicyErrorKind::MissingElement,
                    "Missing required field Statement",
                ))
            }
            Some(Json::Object(f)) => vec![f],
            Some(Json::Array(items)) => {
                if items.is_empty() {
                    return Err(err(
                        PolicyErrorKind::MissingElement,
                        "Missing required field Statement",
                    ));
                }
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| match item {
                        Json::Object(f) => Ok(f),
                        _ => Err(err(
                            PolicyErrorKind::InvalidType,
                            "Each statement must be an object",
                        )
                        .in_statement(i, None)),
                    })
                    .collect::<Result<_, _>>()?
            }
            Some(_) => {
                return Err(err(
                    PolicyErrorKind::InvalidType,
                    "Statement must be an object or an array of objects",
                ))
            }
        };

        let mut parsed = Vec::with_capacity(statements.len());
        for (i, fields) in statements.into_iter().enumerate() {
            parsed.push(parse_statement(fields, i, kind, variables)?);
        }
        if kind.is_identity_grammar() {
            for (i, s) in parsed.iter().enumerate() {
                if let Some(sid) = s.sid() {
                    if !sid.is_empty() && parsed[..i].iter().any(|o| o.sid() == Some(sid)) {
                        return Err(err(
                            PolicyErrorKind::DuplicateSid,
                            "Statement IDs (SID) in a single policy must be unique.",
                        )
                        .in_statement(i, Some(sid)));
                    }
                }
            }
        }
        Ok(PolicyDocument {
            kind,
            version,
            id: id.map(Into::into),
            name: None,
            statements: parsed.into_boxed_slice(),
        })
    }

    /// Names the policy (its ARN for a managed policy, or the inline policy's
    /// name); the name appears in decisions and in `AccessDenied` messages.
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The kind the document was parsed as.
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    /// The language version (2008-10-17 when the document has no `Version`).
    pub fn version(&self) -> PolicyVersion {
        self.version
    }

    /// The document's `Id` element.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The name given with [`PolicyDocument::with_name`].
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
}
