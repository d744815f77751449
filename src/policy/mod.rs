//! Access control decided the way IAM and AWS KMS decide it: identity
//! policies, permissions boundaries, session policies, resource and key
//! policies, grants and policy conditions.
//!
//! The engine is pure: no HTTP, no IO, no async. Documents are parsed once
//! into a [`PolicyDocument`] (invalid ones are refused with a
//! [`PolicyError`] that names the fault the way IAM's
//! `MalformedPolicyDocument` does), gathered with the key's [`Grant`]s into a
//! [`PolicySet`], and evaluated against an [`AccessRequest`] (an action, a
//! resource ARN and a [`RequestContext`]). The result, an [`Evaluation`],
//! gives the [`Decision`] (allow, explicit deny, implicit deny), the
//! statements that decided it, and AWS's `AccessDenied` message.
//!
//! # Semantics
//!
//! - Versions `2012-10-17` and `2008-10-17` (also when `Version` is
//!   missing: `${…}` is then literal text).
//! - Actions are case-insensitive globs; resources are case-sensitive, matched
//!   ARN segment by segment; `*` alone also matches account-level requests.
//! - Policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`,
//!   `${aws:userid, 'anonymous'}`, the `${*}`, `${?}`, `${$}` escapes) in
//!   resources and string/ARN/`Bool` condition values. A variable with no
//!   value and no default makes a resource match nothing, a positive
//!   operator fail and a negated one match.
//! - Every condition operator of the String, Numeric, Date, Bool,
//!   BinaryEquals, IpAddress/NotIpAddress and Arn families, `…IfExists`,
//!   `Null`, `ForAnyValue:` and `ForAllValues:` (see the `condition` module
//!   notes on missing keys and negated operators).
//! - Evaluation: an explicit deny anywhere wins; the identity side is the
//!   identity policies ∩ the permissions boundary ∩ the session policy; a
//!   resource policy naming the caller itself allows on its own within the
//!   account, naming its role allows within the boundary and session policy,
//!   naming the account delegates to IAM; KMS key policies and role trust
//!   policies must allow; across accounts both sides must.
//!
//! # Example
//!
//! ```
//! use tower_sigv4::policy::{
//!     AccessRequest, Decision, PolicyDocument, PolicyKind, PolicySet, PrincipalInfo, RequestContext,
//! };
//!
//! // A bucket policy that refuses plain HTTP, and a user policy for a home prefix.
//! let bucket_policy = PolicyDocument::parse(
//!     r#"{
//!       "Version": "2012-10-17",
//!       "Statement": [{
//!         "Sid": "DenyInsecureTransport",
//!         "Effect": "Deny",
//!         "Principal": "*",
//!         "Action": "s3:*",
//!         "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"],
//!         "Condition": {"Bool": {"aws:SecureTransport": "false"}}
//!       }]
//!     }"#,
//!     PolicyKind::ResourceBased,
//! )?;
//! let user_policy = PolicyDocument::parse(
//!     r#"{
//!       "Version": "2012-10-17",
//!       "Statement": [{
//!         "Effect": "Allow",
//!         "Action": ["s3:GetObject", "s3:PutObject"],
//!         "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"
//!       }]
//!     }"#,
//!     PolicyKind::Identity,
//! )?;
//! let policies = PolicySet::new()
//!     .with_identity_policy(user_policy)
//!     .with_resource_policy(bucket_policy)
//!     .with_resource_account("111122223333");
//!
//! let alice = PrincipalInfo::user("arn:aws:iam::111122223333:user/alice", "AIDAEXAMPLE")?;
//! let over_tls = RequestContext::builder(alice.clone()).secure_transport(true).build();
//! let plain = RequestContext::builder(alice).secure_transport(false).build();
//! let object = "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/notes.txt";
//!
//! let ok = policies.evaluate(&AccessRequest::new("s3:GetObject", object, &over_tls));
//! assert_eq!(ok.decision(), Decision::Allow);
//!
//! let denied = policies.evaluate(&AccessRequest::new("s3:GetObject", object, &plain));
//! assert_eq!(denied.decision(), Decision::ExplicitDeny);
//! assert_eq!(denied.denying_statement().unwrap().sid(), Some("DenyInsecureTransport"));
//! # Ok::<(), tower_sigv4::policy::PolicyError>(())
//! ```

mod condition;
mod context;
mod document;
mod error;
mod evaluate;
mod grant;
mod json;
mod matching;
mod message;
mod variables;

pub use context::{PrincipalInfo, PrincipalKind, RequestContext, RequestContextBuilder};
pub use document::{Effect, ParseSettings, PolicyDocument, PolicyKind, PolicyVersion, Statement};
pub use error::{PolicyError, PolicyErrorKind};
pub use evaluate::{
    AccessRequest, Decision, DecisionRecord, Evaluation, PolicySet, PolicyType, ResourceRule,
    StatementRecord, StatementRef,
};
pub use grant::{Grant, GrantBuilder, GrantConstraints, GrantOperation};
pub use message::{AccessDeniedMessage, DenialReason};
