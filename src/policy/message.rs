//! AWS's `AccessDenied` message form:
//! `User: ARN is not authorized to perform: ACTION on resource: RESOURCE because …`.

use std::fmt;

use super::evaluate::PolicyType;

/// Why a request was denied, in the terms of AWS's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenialReason<'a> {
    /// `with an explicit deny in a resource-based policy` (and the other policy types).
    ExplicitDeny {
        /// The kind of policy that holds the deny.
        policy_type: PolicyType,
        /// The policy's ARN, which AWS appends for managed identity-based policies.
        policy_arn: Option<&'a str>,
    },
    /// `because no identity-based policy allows the ACTION action` (and the other policy types).
    NoAllow {
        /// The kind of policy that had no allowing statement.
        policy_type: PolicyType,
    },
}

impl PolicyType {
    /// The words AWS uses for the policy type (`identity-based policy`).
    pub fn phrase(self) -> &'static str {
        match self {
            PolicyType::IdentityBased => "identity-based policy",
            PolicyType::ResourceBased => "resource-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::SessionPolicy => "session policy",
        }
    }

    fn article(self) -> &'static str {
        match self {
            PolicyType::IdentityBased => "an",
            _ => "a",
        }
    }
}

/// An `AccessDenied` message, rendered by `Display`.
///
/// ```
/// use tower_sigv4::policy::{AccessDeniedMessage, DenialReason, PolicyType};
///
/// let msg = AccessDeniedMessage::new(
///     "arn:aws:iam::111122223333:user/alice",
///     "kms:Decrypt",
///     DenialReason::NoAllow { policy_type: PolicyType::ResourceBased },
/// )
/// .on_resource("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
/// assert_eq!(
///     msg.to_string(),
///     "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Decrypt \
///      on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab \
///      because no resource-based policy allows the kms:Decrypt action"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessDeniedMessage<'a> {
    caller: &'a str,
    action: &'a str,
    resource: Option<&'a str>,
    reason: DenialReason<'a>,
    quote_resource: bool,
}

impl<'a> AccessDeniedMessage<'a> {
    /// A message for a caller (its ARN as `GetCallerIdentity` shows it), an action and a reason.
    pub fn new(caller: &'a str, action: &'a str, reason: DenialReason<'a>) -> Self {
        AccessDeniedMessage {
            caller,
            action,
            resource: None,
            reason,
            quote_resource: false,
        }
    }

    /// Adds `on resource: RESOURCE` (AWS leaves it out for account-level actions).
    pub fn on_resource(mut self, resource: &'a str) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Puts the resource in double quotes, as Amazon S3 does.
    pub fn with_quoted_resource(mut self, quoted: bool) -> Self {
        self.quote_resource = quoted;
        self
    }
}

impl fmt::Display for AccessDeniedMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "User: {} is not authorized to perform: {}",
            self.caller, self.action
        )?;
        match (self.resource, self.quote_resource) {
            (Some(r), true) => write!(f, " on resource: \"{r}\"")?,
            (Some(r), false) => write!(f, " on resource: {r}")?,
            (None, _) => {}
        }
        match self.reason {
            DenialReason::ExplicitDeny {
                policy_type,
                policy_arn,
            } => {
                write!(
                    f,
                    " with an explicit deny in {} {}",
                    policy_type.article(),
                    policy_type.phrase()
                )?;
                if let Some(arn) = policy_arn {
                    write!(f, ": {arn}")?;
                }
                Ok(())
            }
            DenialReason::NoAllow { policy_type } => write!(
                f,
                " because no {} allows the {} action",
                policy_type.phrase(),
                self.action
            ),
        }
    }
}
