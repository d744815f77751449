//! Matching of the `Action`, `Resource` and `Principal` elements.
//!
//! - Actions: case-insensitive globs over the whole `service:Action` string.
//! - Resources (and the ARN condition operators): case-sensitive, ARN
//!   segments matched one by one: a wildcard stays inside its segment, except
//!   a `*` at the end of the pattern's last segment, which runs across colons
//!   (`arn:aws:ec2:*` matches every EC2 ARN). The sixth segment (the resource
//!   part) takes the rest of the ARN, colons included. `*` alone matches every
//!   resource, including account-level requests.
//! - Principals: exact ARNs (no wildcards), account ids, services.

use super::context::{is_account_id, PrincipalInfo, PrincipalKind};
use super::error::{PolicyError, PolicyErrorKind};
use super::variables::{CompiledArn, Cursor, Pattern, Piece, Syntax, VariableSource};

/// A source with no variables, for patterns that cannot hold any.
pub(crate) struct NoVariables;

impl VariableSource for NoVariables {
    fn variable(&self, _: &str) -> Option<&str> {
        None
    }
}

const VENDOR_MESSAGE: &str =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";

/// One entry of `Action` or `NotAction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActionPattern {
    pattern: Pattern,
}

impl ActionPattern {
    pub(crate) fn parse(text: &str) -> Result<Self, PolicyError> {
        if text != "*" {
            match text.split_once(':') {
                None => {
                    return Err(PolicyError::new(
                        PolicyErrorKind::InvalidAction,
                        VENDOR_MESSAGE,
                    ))
                }
                Some(("", _)) => {
                    return Err(PolicyError::new(
                        PolicyErrorKind::InvalidAction,
                        VENDOR_MESSAGE,
                    ))
                }
                Some((_, rest)) if rest.contains(':') => {
                    return Err(PolicyError::new(
                        PolicyErrorKind::InvalidAction,
                        "Actions/Condition can contain only one colon.",
                    ))
                }
                Some(_) => {}
            }
        }
        let pattern = Pattern::parse(
            text,
            Syntax {
                wildcards: true,
                variables: false,
            },
        )
        .map_err(|m| PolicyError::new(PolicyErrorKind::InvalidAction, m))?;
        Ok(ActionPattern { pattern })
    }

    pub(crate) fn matches(&self, action: &str) -> bool {
        self.pattern.matches(action, &NoVariables, true)
    }
}

/// An ARN pattern (in `Resource`, `NotResource`, and `Arn…` conditions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArnPattern {
    pattern: Pattern,
    /// The pattern compiled, when it has no variables.
    compiled: Option<CompiledArn>,
}

impl ArnPattern {
    pub(crate) fn new(pattern: Pattern) -> Self {
        let compiled = CompiledArn::new(pattern.pieces());
        ArnPattern { pattern, compiled }
    }

    /// Segment-by-segment match. A pattern with an unresolved variable matches nothing.
    pub(crate) fn matches(&self, arn: &str, src: &dyn VariableSource) -> bool {
        if let Some(compiled) = &self.compiled {
            return compiled.matches(arn);
        }
        if !self.pattern.resolves(src) {
            return false;
        }
        let p = &self.pattern;
        let mut cursor = Cursor::START;
        let mut rest = arn;
        for segment in 0..6 {
            // The sixth segment is the resource part: it keeps its colons.
            let colon = if segment < 5 {
                p.find_char(cursor, ':', src)
            } else {
                None
            };
            match colon {
                // The pattern's last segment takes the rest of the ARN; only a
                // wildcard can make it cross a colon.
                None => return p.matches_range(cursor, None, rest, src, false),
                Some((at, after)) => {
                    let Some((head, tail)) = rest.split_once(':') else {
                        return false;
                    };
                    if !p.matches_range(cursor, Some(at), head, src, false) {
                        return false;
                    }
                    cursor = after;
                    rest = tail;
                }
            }
        }
        false
    }
}

/// One entry of `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ResourcePattern {
    /// `*`: every resource, including account-level requests.
    Any,
    Arn(ArnPattern),
}

impl ResourcePattern {
    pub(crate) fn parse(text: &str, variables: bool) -> Result<Self, PolicyError> {
        if text == "*" {
            return Ok(ResourcePattern::Any);
        }
        let not_arn = || {
            PolicyError::new(
                PolicyErrorKind::InvalidResource,
                format!("Resource {text} must be in ARN format or \"*\"."),
            )
        };
        if !text.starts_with("arn:") {
            return Err(not_arn());
        }
        let pattern = Pattern::parse(
            text,
            Syntax {
                wildcards: true,
                variables,
            },
        )
        .map_err(|m| PolicyError::new(PolicyErrorKind::InvalidVariable, m))?;
        // Count segments over literal text: variable names hold colons of their own.
        let mut colons = 0usize;
        let mut service_has_wildcard = false;
        let mut service_len = 0usize;
        for piece in pattern.pieces() {
            match piece {
                Piece::Lit(s) => {
                    for c in s.chars() {
                        if c == ':' {
                            colons += 1;
                        } else if colons == 2 {
                            service_len += 1;
                        }
                    }
                }
                Piece::Star | Piece::One | Piece::Var(_) => {
                    if colons == 2 {
                        service_has_wildcard = true;
                    }
                }
            }
        }
        if service_has_wildcard {
            return Err(PolicyError::new(
                PolicyErrorKind::InvalidResource,
                "Resource vendor must be fully qualified and cannot contain regexes.",
            ));
        }
        // The partition and service must be spelled out: `arn:aws:s3:` at least.
        if colons < 3 || service_len == 0 {
            return Err(not_arn());
        }
        Ok(ResourcePattern::Arn(ArnPattern::new(pattern)))
    }

    pub(crate) fn matches(&self, resource: &str, src: &dyn VariableSource) -> bool {
        match self {
            ResourcePattern::Any => true,
            ResourcePattern::Arn(p) => p.matches(resource, src),
        }
    }
}

/// How strongly a principal element names the caller; this decides which
/// implicit denies can still limit a resource-policy allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Strength {
    /// The caller's account (its root ARN or account id): delegates to the
    /// account's identity policies.
    Account,
    /// The role behind a role session, or the IAM user behind a federated user
    /// session: limited by the permissions boundary and the session policy.
    Role,
    /// The caller itself, `*`, or a service: needs nothing else within the account.
    Direct,
}

/// One named principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalPattern {
    Account {
        partition: Option<Box<str>>,
        account: Box<str>,
    },
    Arn(Box<str>),
    Service(Box<str>),
    Federated(Box<str>),
    CanonicalUser(Box<str>),
}

impl PrincipalPattern {
    /// Parses an `AWS` principal value other than `*`: an account id, an
    /// account root ARN, or the ARN of a user, role, session or federated user.
    pub(crate) fn parse_aws(text: &str) -> Option<Self> {
        if is_account_id(text) {
            return Some(PrincipalPattern::Account {
                partition: None,
                account: text.into(),
            });
        }
        if text.contains(['*', '?']) {
            return None;
        }
        let mut it = text.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some(service),
            Some(_region),
            Some(account),
            Some(resource),
        ) = (
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
        )
        else {
            return None;
        };
        if partition.is_empty() || service.is_empty() || resource.is_empty() {
            return None;
        }
        if service == "iam" && resource == "root" {
            if !is_account_id(account) {
                return None;
            }
            return Some(PrincipalPattern::Account {
                partition: Some(partition.into()),
                account: account.into(),
            });
        }
        Some(PrincipalPattern::Arn(text.into()))
    }

    fn strength(&self, who: &PrincipalInfo) -> Option<Strength> {
        match self {
            PrincipalPattern::Account { partition, account } => {
                let named = matches!(
                    who.kind(),
                    PrincipalKind::Root
                        | PrincipalKind::User
                        | PrincipalKind::AssumedRole
                        | PrincipalKind::FederatedUser
                ) && who.root_arn_matches(partition.as_deref(), account);
                named.then_some(Strength::Account)
            }
            PrincipalPattern::Arn(arn) => {
                let arn: &str = arn;
                if who.kind() != PrincipalKind::Service
                    && who.kind() != PrincipalKind::Anonymous
                    && who.arn() == arn
                {
                    Some(Strength::Direct)
                } else if who.role_arn() == Some(arn) || who.federating_user_arn() == Some(arn) {
                    Some(Strength::Role)
                } else {
                    None
                }
            }
            PrincipalPattern::Service(s) => (who.kind() == PrincipalKind::Service
                && who.service_name() == Some(s))
            .then_some(Strength::Direct),
            PrincipalPattern::Federated(p) => {
                (who.federated_provider() == Some(p)).then_some(Strength::Direct)
            }
            PrincipalPattern::CanonicalUser(id) => {
                (who.canonical_user_id() == Some(id)).then_some(Strength::Direct)
            }
        }
    }
}

/// The value of a `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrincipalSet {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous callers included.
    pub(crate) any: bool,
    pub(crate) patterns: Box<[PrincipalPattern]>,
}

/// The identities a caller stands for, from the account down to itself: a
/// `NotPrincipal` exception has to name each level (AWS may check the
/// account, then the role, then the session).
enum Level<'a> {
    Account(&'a str),
    Arn(&'a str),
    Own,
}

impl PrincipalSet {
    /// How strongly `Principal` names the caller.
    pub(crate) fn strength(&self, who: &PrincipalInfo) -> Option<Strength> {
        if self.any {
            return Some(Strength::Direct);
        }
        self.patterns.iter().filter_map(|p| p.strength(who)).max()
    }

    fn lists(&self, who: &PrincipalInfo, level: &Level<'_>) -> bool {
        if self.any {
            return true;
        }
        self.patterns.iter().any(|p| match (level, p) {
            (Level::Account(acct), PrincipalPattern::Account { partition, account }) => {
                **account == **acct && partition.as_deref().is_none_or(|x| x == who.partition())
            }
            (Level::Arn(arn), PrincipalPattern::Arn(a)) => **a == **arn,
            (Level::Own, _) => p.strength(who) == Some(Strength::Direct),
            _ => false,
        })
    }

    fn levels<'a>(who: &'a PrincipalInfo) -> impl Iterator<Item = Level<'a>> {
        let account = match who.kind() {
            PrincipalKind::Root => None,
            _ => who.account().map(Level::Account),
        };
        let middle = who.role_arn().or(who.federating_user_arn()).map(Level::Arn);
        let own = match who.kind() {
            PrincipalKind::Root => who.account().map(Level::Account),
            _ => Some(Level::Own),
        };
        account.into_iter().chain(middle).chain(own)
    }

    /// `NotPrincipal` with `Deny` spares the caller only when every level
    /// (account, role, session) is listed.
    pub(crate) fn lists_every_level(&self, who: &PrincipalInfo) -> bool {
        Self::levels(who).all(|l| self.lists(who, &l))
    }

    /// `NotPrincipal` with `Allow` leaves the caller out when any level is listed.
    pub(crate) fn lists_some_level(&self, who: &PrincipalInfo) -> bool {
        Self::levels(who).any(|l| self.lists(who, &l))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn(p: &str, text: &str) -> bool {
        match ResourcePattern::parse(p, true).unwrap() {
            ResourcePattern::Any => true,
            ResourcePattern::Arn(a) => a.matches(text, &NoVariables),
        }
    }

    #[test]
    fn actions() {
        let a = ActionPattern::parse("s3:Get*").unwrap();
        assert!(a.matches("s3:GetObject"));
        assert!(a.matches("S3:getobject"));
        assert!(!a.matches("s3:PutObject"));
        assert!(ActionPattern::parse("*").unwrap().matches("kms:Decrypt"));
        assert_eq!(
            ActionPattern::parse("GetObject").unwrap_err().message(),
            VENDOR_MESSAGE
        );
        assert_eq!(
            ActionPattern::parse(":x").unwrap_err().kind(),
            PolicyErrorKind::InvalidAction
        );
        assert_eq!(
            ActionPattern::parse("s3:a:b").unwrap_err().message(),
            "Actions/Condition can contain only one colon."
        );
    }

    #[test]
    fn arns_by_segment() {
        assert!(arn("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c"));
        assert!(!arn("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/a"));
        assert!(arn(
            "arn:aws:sqs:*:111122223333:queue1",
            "arn:aws:sqs:us-east-2:111122223333:queue1"
        ));
        // A wildcard in a middle segment stays in its segment.
        assert!(!arn(
            "arn:aws:someservice:*:111122223333:finance/*",
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
        ));
        // A trailing star in the last pattern segment runs across colons.
        assert!(arn(
            "arn:aws:ec2:*",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
        ));
        assert!(!arn(
            "arn:aws:ec2:us-east-1",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
        ));
        // Case-sensitive.
        assert!(!arn(
            "arn:aws:iam::111122223333:user/Bob",
            "arn:aws:iam::111122223333:user/bob"
        ));
        // Account-level requests match only `*`.
        assert!(!arn("arn:aws:s3:::*", "*"));
        assert!(arn("*", "*"));
    }

    proptest::proptest! {
        /// Compiled ARN segments and the general segment walk agree.
        #[test]
        fn arn_segments_agree_with_the_general_matcher(
            pattern in "arn:[a*]{0,2}:s3:[a:*?]{0,6}",
            text in "arn:[a:]{0,3}:s3:[a:b]{0,7}",
        ) {
            let p = Pattern::parse(&pattern, Syntax { wildcards: true, variables: false }).unwrap();
            let fast = ArnPattern::new(p.clone());
            let slow = ArnPattern { pattern: p, compiled: None };
            proptest::prop_assert_eq!(fast.matches(&text, &NoVariables), slow.matches(&text, &NoVariables));
        }
    }

    #[test]
    fn resource_validation() {
        for bad in ["bucket", "arn:aws", "arn:aws:", "arn:aws::x", "aws:s3:::b"] {
            let e = ResourcePattern::parse(bad, true).unwrap_err();
            assert_eq!(e.kind(), PolicyErrorKind::InvalidResource, "{bad}");
        }
        for bad in ["arn:aws:*:::x", "arn:aws:s?:::x", "arn:aws:s3*:::x"] {
            let e = ResourcePattern::parse(bad, true).unwrap_err();
            assert_eq!(
                e.message(),
                "Resource vendor must be fully qualified and cannot contain regexes.",
                "{bad}"
            );
        }
        assert!(ResourcePattern::parse("arn:*:s3:::b", true).is_ok());
    }

    #[test]
    fn principals() {
        assert!(matches!(
            PrincipalPattern::parse_aws("111122223333"),
            Some(PrincipalPattern::Account { .. })
        ));
        assert!(matches!(
            PrincipalPattern::parse_aws("arn:aws:iam::111122223333:root"),
            Some(PrincipalPattern::Account { .. })
        ));
        assert!(PrincipalPattern::parse_aws("arn:aws:iam::111122223333:user/*").is_none());
        assert!(PrincipalPattern::parse_aws("alice").is_none());
        assert!(PrincipalPattern::parse_aws("1111").is_none());

        let session =
            PrincipalInfo::assumed_role("arn:aws:iam::111122223333:role/R", "s", "AROA").unwrap();
        let set = |ps: &[&str]| PrincipalSet {
            any: false,
            patterns: ps
                .iter()
                .map(|p| PrincipalPattern::parse_aws(p).unwrap())
                .collect(),
        };
        assert_eq!(
            set(&["111122223333"]).strength(&session),
            Some(Strength::Account)
        );
        assert_eq!(
            set(&["arn:aws:iam::111122223333:role/R"]).strength(&session),
            Some(Strength::Role)
        );
        assert_eq!(
            set(&["arn:aws:sts::111122223333:assumed-role/R/s", "111122223333"]).strength(&session),
            Some(Strength::Direct)
        );
        assert_eq!(set(&["444455556666"]).strength(&session), None);
        let all = set(&[
            "arn:aws:sts::111122223333:assumed-role/R/s",
            "arn:aws:iam::111122223333:role/R",
            "arn:aws:iam::111122223333:root",
        ]);
        assert!(all.lists_every_level(&session));
        assert!(!set(&["arn:aws:sts::111122223333:assumed-role/R/s"]).lists_every_level(&session));
        assert!(set(&["arn:aws:iam::111122223333:root"]).lists_some_level(&session));
    }
}
