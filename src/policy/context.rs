//! The request context: who is calling, and the condition keys a request carries.
//!
//! [`PrincipalInfo`] describes the caller the way policies see it (its ARN as
//! `GetCallerIdentity` shows it, the role behind a session, the account, the
//! principal type, `aws:userid`, `aws:username`, tags). [`RequestContext`]
//! adds the global condition keys (`aws:SourceIp`, `aws:SecureTransport`,
//! `aws:CurrentTime`, …) and the application's own keys
//! (`kms:EncryptionContext:…`, `kms:ViaService`, `aws:RequestTag/…`).
//!
//! Condition key names are case-insensitive (`aws:SourceIp` and
//! `AWS:sourceip` are one key), including the part after
//! `aws:PrincipalTag/` and `kms:EncryptionContext:`; values keep their case.

use std::fmt;
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use super::error::{PolicyError, PolicyErrorKind};
use super::variables::VariableSource;

/// The kind of caller.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// The account root user (`arn:aws:iam::111122223333:root`).
    Root,
    /// An IAM user with long-term credentials.
    User,
    /// A session of an IAM role (`AssumeRole*`).
    AssumedRole,
    /// A federated user session (`GetFederationToken`).
    FederatedUser,
    /// An AWS service principal (`kms.amazonaws.com`).
    Service,
    /// An unauthenticated caller.
    Anonymous,
}

impl PrincipalKind {
    /// The value of `aws:PrincipalType` for this kind, when AWS sets one.
    pub fn principal_type(self) -> Option<&'static str> {
        match self {
            PrincipalKind::Root => Some("Account"),
            PrincipalKind::User => Some("User"),
            PrincipalKind::AssumedRole => Some("AssumedRole"),
            PrincipalKind::FederatedUser => Some("FederatedUser"),
            PrincipalKind::Anonymous => Some("Anonymous"),
            PrincipalKind::Service => None,
        }
    }

    /// Whether the caller uses a session (role session or federated user):
    /// session policies apply only to these.
    pub fn is_session(self) -> bool {
        matches!(
            self,
            PrincipalKind::AssumedRole | PrincipalKind::FederatedUser
        )
    }
}

/// The caller as policies see it.
///
/// ```
/// use tower_sigv4::policy::{PrincipalInfo, PrincipalKind};
///
/// let session = PrincipalInfo::assumed_role(
///     "arn:aws:iam::111122223333:role/division/demo-role",
///     "session-1",
///     "AROAEXAMPLEID",
/// )
/// .unwrap();
/// assert_eq!(session.kind(), PrincipalKind::AssumedRole);
/// // The role path is not part of the session ARN.
/// assert_eq!(session.arn(), "arn:aws:sts::111122223333:assumed-role/demo-role/session-1");
/// assert_eq!(session.principal_arn(), "arn:aws:iam::111122223333:role/division/demo-role");
/// assert_eq!(session.user_id(), Some("AROAEXAMPLEID:session-1"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PrincipalInfo {
    kind: PrincipalKind,
    arn: Box<str>,
    partition: Box<str>,
    account: Option<Box<str>>,
    role_arn: Option<Box<str>>,
    federating_user_arn: Option<Box<str>>,
    user_id: Option<Box<str>>,
    username: Option<Box<str>>,
    service: Option<Box<str>>,
    federated_provider: Option<Box<str>>,
    canonical_user_id: Option<Box<str>>,
    tags: Vec<(Box<str>, Box<str>)>,
}

fn invalid(message: String) -> PolicyError {
    PolicyError::new(PolicyErrorKind::InvalidPrincipal, message)
}

/// `arn:PARTITION:SERVICE::ACCOUNT:RESOURCE` split into its parts.
fn split_arn(arn: &str) -> Option<(&str, &str, &str, &str, &str)> {
    let mut it = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
    ) else {
        return None;
    };
    Some((partition, service, region, account, resource))
}

pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

impl PrincipalInfo {
    fn base(kind: PrincipalKind, arn: String, partition: &str, account: Option<&str>) -> Self {
        PrincipalInfo {
            kind,
            arn: arn.into_boxed_str(),
            partition: partition.into(),
            account: account.map(Into::into),
            role_arn: None,
            federating_user_arn: None,
            user_id: None,
            username: None,
            service: None,
            federated_provider: None,
            canonical_user_id: None,
            tags: Vec::new(),
        }
    }

    /// The root user of an account. `aws:userid` is the account id.
    pub fn root(partition: &str, account: &str) -> Result<Self, PolicyError> {
        if !is_account_id(account) {
            return Err(invalid(format!(
                "\"{account}\" is not a 12-digit account id"
            )));
        }
        let mut p = Self::base(
            PrincipalKind::Root,
            format!("arn:{partition}:iam::{account}:root"),
            partition,
            Some(account),
        );
        p.user_id = Some(account.into());
        Ok(p)
    }

    /// An IAM user, from its ARN (`arn:aws:iam::111122223333:user/division/alice`)
    /// and its unique id (`AIDA…`, the value of `aws:userid`). `aws:username`
    /// is the last part of the path.
    pub fn user(arn: &str, unique_id: &str) -> Result<Self, PolicyError> {
        let bad = || invalid(format!("\"{arn}\" is not an IAM user ARN"));
        let (partition, service, region, account, resource) = split_arn(arn).ok_or_else(bad)?;
        let name_path = resource.strip_prefix("user/").ok_or_else(bad)?;
        let name = name_path.rsplit('/').next().unwrap_or(name_path);
        if service != "iam" || !region.is_empty() || !is_account_id(account) || name.is_empty() {
            return Err(bad());
        }
        let mut p = Self::base(
            PrincipalKind::User,
            arn.to_owned(),
            partition,
            Some(account),
        );
        p.user_id = Some(unique_id.into());
        p.username = Some(name.into());
        Ok(p)
    }

    /// A session of a role: the role ARN with its path
    /// (`arn:aws:iam::111122223333:role/division/demo-role`), the session name
    /// and the role's unique id (`AROA…`). The session ARN drops the path, as
    /// AWS's does; `aws:userid` is `ROLEID:session`.
    pub fn assumed_role(
        role_arn: &str,
        session_name: &str,
        role_id: &str,
    ) -> Result<Self, PolicyError> {
        let bad = || invalid(format!("\"{role_arn}\" is not an IAM role ARN"));
        let (partition, service, region, account, resource) =
            split_arn(role_arn).ok_or_else(bad)?;
        let name_path = resource.strip_prefix("role/").ok_or_else(bad)?;
        let role_name = name_path.rsplit('/').next().unwrap_or(name_path);
        if service != "iam" || !region.is_empty() || !is_account_id(account) || role_name.is_empty()
        {
            return Err(bad());
        }
        if session_name.is_empty() || session_name.contains('/') {
            return Err(invalid(format!(
                "\"{session_name}\" is not a valid role session name"
            )));
        }
        let mut p = Self::base(
            PrincipalKind::AssumedRole,
            format!("arn:{partition}:sts::{account}:assumed-role/{role_name}/{session_name}"),
            partition,
            Some(account),
        );
        p.role_arn = Some(role_arn.into());
        p.user_id = Some(format!("{role_id}:{session_name}").into_boxed_str());
        Ok(p)
    }

    /// A federated user session (`arn:aws:sts::111122223333:federated-user/bob`).
    /// `aws:userid` is `account:name`.
    pub fn federated_user(partition: &str, account: &str, name: &str) -> Result<Self, PolicyError> {
        if !is_account_id(account) {
            return Err(invalid(format!(
                "\"{account}\" is not a 12-digit account id"
            )));
        }
        if name.is_empty() || name.contains('/') {
            return Err(invalid(format!(
                "\"{name}\" is not a valid federated user name"
            )));
        }
        let mut p = Self::base(
            PrincipalKind::FederatedUser,
            format!("arn:{partition}:sts::{account}:federated-user/{name}"),
            partition,
            Some(account),
        );
        p.user_id = Some(format!("{account}:{name}").into_boxed_str());
        Ok(p)
    }

    /// An AWS service principal such as `dynamodb.amazonaws.com`.
    pub fn service(name: &str) -> Self {
        let mut p = Self::base(PrincipalKind::Service, name.to_owned(), "aws", None);
        p.service = Some(name.into());
        p
    }

    /// An unauthenticated caller. Only statements whose principal is `*` apply to it.
    pub fn anonymous() -> Self {
        Self::base(
            PrincipalKind::Anonymous,
            "anonymous".to_owned(),
            "aws",
            None,
        )
    }

    /// Adds a principal tag (`aws:PrincipalTag/key`): the user's or role's
    /// tags and, for sessions, the session tags.
    pub fn with_tag(mut self, key: &str, value: &str) -> Self {
        self.tags.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        self.tags.push((key.into(), value.into()));
        self
    }

    /// Names the IAM user who called `GetFederationToken` for a federated user
    /// session: a resource policy that names that user then applies to the
    /// session, within the session policy.
    pub fn with_federating_user(mut self, user_arn: &str) -> Self {
        self.federating_user_arn = Some(user_arn.into());
        self
    }

    /// The identity provider (a `Federated` principal: `accounts.google.com`
    /// or a SAML provider ARN) that authenticated the caller, for trust policies.
    pub fn with_federated_provider(mut self, provider: &str) -> Self {
        self.federated_provider = Some(provider.into());
        self
    }

    /// The caller's S3 canonical user id (a `CanonicalUser` principal).
    pub fn with_canonical_user_id(mut self, id: &str) -> Self {
        self.canonical_user_id = Some(id.into());
        self
    }

    /// Replaces `aws:userid`.
    pub fn with_user_id(mut self, user_id: &str) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// The kind of caller.
    pub fn kind(&self) -> PrincipalKind {
        self.kind
    }

    /// The caller's ARN as `GetCallerIdentity` shows it (the session ARN for a
    /// role session); the service name for a service; `anonymous` for an
    /// anonymous caller. This is the `User:` of `AccessDenied` messages.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The value of `aws:PrincipalArn`: the role ARN for a role session, the
    /// caller's ARN otherwise.
    pub fn principal_arn(&self) -> &str {
        self.role_arn.as_deref().unwrap_or(&self.arn)
    }

    /// The role ARN behind a role session.
    pub fn role_arn(&self) -> Option<&str> {
        self.role_arn.as_deref()
    }

    /// The IAM user behind a federated user session, when known.
    pub fn federating_user_arn(&self) -> Option<&str> {
        self.federating_user_arn.as_deref()
    }

    /// The partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub fn partition(&self) -> &str {
        &self.partition
    }

    /// The 12-digit account id (none for services and anonymous callers).
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The value of `aws:userid`.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// The value of `aws:username` (IAM users only).
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The service principal name, for services.
    pub fn service_name(&self) -> Option<&str> {
        self.service.as_deref()
    }

    pub(crate) fn federated_provider(&self) -> Option<&str> {
        self.federated_provider.as_deref()
    }

    pub(crate) fn canonical_user_id(&self) -> Option<&str> {
        self.canonical_user_id.as_deref()
    }

    /// The principal tags.
    pub fn tags(&self) -> impl Iterator<Item = (&str, &str)> {
        self.tags.iter().map(|(k, v)| (&**k, &**v))
    }

    /// The root ARN of the caller's account.
    pub(crate) fn root_arn_matches(&self, partition: Option<&str>, account: &str) -> bool {
        self.account.as_deref() == Some(account) && partition.is_none_or(|p| p == &*self.partition)
    }
}

impl fmt::Debug for PrincipalInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrincipalInfo")
            .field("kind", &self.kind)
            .field("arn", &self.arn)
            .field("role_arn", &self.role_arn)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// One condition key and its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Lower-cased key.
    pub(crate) key: Box<str>,
    pub(crate) values: Box<[Box<str>]>,
    /// Set as a list (a multi-valued key): not usable as a policy variable.
    pub(crate) multi: bool,
}

/// What a request carries for policy evaluation: the caller and its condition keys.
///
/// Build one per request with [`RequestContext::builder`]; evaluation reads
/// it without allocating.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use tower_sigv4::policy::{PrincipalInfo, RequestContext};
///
/// let alice = PrincipalInfo::user("arn:aws:iam::111122223333:user/alice", "AIDAEXAMPLE").unwrap();
/// let ctx = RequestContext::builder(alice)
///     .source_ip("203.0.113.9".parse().unwrap())
///     .secure_transport(true)
///     .current_time(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
///     .requested_region("us-east-1")
///     .encryption_context([("Department", "IT")])
///     .build();
/// assert_eq!(ctx.value("aws:username"), Some("alice"));
/// assert_eq!(ctx.value("AWS:SourceIP"), Some("203.0.113.9"));
/// assert_eq!(ctx.value("aws:CurrentTime"), Some("2023-11-14T22:13:20Z"));
/// assert_eq!(ctx.value("kms:encryptioncontext:department"), Some("IT"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    principal: PrincipalInfo,
    entries: Vec<Entry>,
}

impl RequestContext {
    /// Starts a context for a caller; the principal keys (`aws:PrincipalArn`,
    /// `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:userid`,
    /// `aws:username`, `aws:PrincipalTag/*`, `aws:PrincipalIsAWSService`) are
    /// derived from it.
    pub fn builder(principal: PrincipalInfo) -> RequestContextBuilder {
        RequestContextBuilder {
            principal,
            entries: Vec::new(),
        }
    }

    /// The caller.
    pub fn principal(&self) -> &PrincipalInfo {
        &self.principal
    }

    /// All values of a key (case-insensitive name).
    pub fn values(&self, key: &str) -> Option<impl Iterator<Item = &str>> {
        let lower = key.to_lowercase();
        self.lookup(&lower).map(|e| e.values.iter().map(|v| &**v))
    }

    /// The value of a single-valued key (case-insensitive name).
    pub fn value(&self, key: &str) -> Option<&str> {
        let lower = key.to_lowercase();
        self.variable(&lower)
    }

    pub(crate) fn lookup(&self, key_lower: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| (*e.key).cmp(key_lower))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The encryption context pairs (`kms:EncryptionContext:*`), keys lower-cased.
    pub(crate) fn encryption_context(&self) -> impl Iterator<Item = (&str, &str)> {
        const PREFIX: &str = "kms:encryptioncontext:";
        let start = self.entries.partition_point(|e| *e.key < *PREFIX);
        self.entries[start..]
            .iter()
            .take_while(|e| e.key.starts_with(PREFIX))
            .filter_map(|e| {
                let value = e.values.first()?;
                Some((&e.key[PREFIX.len()..], &**value))
            })
    }
}

impl VariableSource for RequestContext {
    fn variable(&self, key_lower: &str) -> Option<&str> {
        let e = self.lookup(key_lower)?;
        match (&*e.values, e.multi) {
            ([one], false) => Some(one),
            _ => None,
        }
    }
}

/// Builds a [`RequestContext`].
#[derive(Debug, Clone)]
#[must_use]
pub struct RequestContextBuilder {
    principal: PrincipalInfo,
    entries: Vec<Entry>,
}

impl RequestContextBuilder {
    fn put(&mut self, key: &str, values: Vec<Box<str>>, multi: bool) {
        let key = key.to_lowercase().into_boxed_str();
        let entry = Entry {
            key,
            values: values.into_boxed_slice(),
            multi,
        };
        match self.entries.iter_mut().find(|e| e.key == entry.key) {
            Some(existing) => *existing = entry,
            None => self.entries.push(entry),
        }
    }

    /// Sets a single-valued key (replacing an earlier value).
    pub fn key(mut self, key: &str, value: &str) -> Self {
        self.put(key, vec![value.into()], false);
        self
    }

    /// Sets a multi-valued key such as `kms:EncryptionContextKeys` or
    /// `aws:TagKeys` (an empty list is a key present with no value).
    pub fn key_values<I, S>(mut self, key: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let values = values.into_iter().map(|v| v.as_ref().into()).collect();
        self.put(key, values, true);
        self
    }

    /// `aws:SourceIp`.
    pub fn source_ip(self, ip: IpAddr) -> Self {
        let text = ip.to_string();
        self.key("aws:SourceIp", &text)
    }

    /// `aws:SecureTransport`: whether the request came over TLS.
    pub fn secure_transport(self, tls: bool) -> Self {
        self.key("aws:SecureTransport", bool_text(tls))
    }

    /// `aws:CurrentTime` (ISO 8601, UTC) and `aws:EpochTime` (seconds).
    pub fn current_time(self, now: SystemTime) -> Self {
        let secs = epoch_seconds(now);
        let iso = iso8601(secs);
        self.key("aws:CurrentTime", &iso)
            .key("aws:EpochTime", &secs.to_string())
    }

    /// `aws:RequestedRegion`: the region of the credential scope.
    pub fn requested_region(self, region: &str) -> Self {
        self.key("aws:RequestedRegion", region)
    }

    /// The keys that exist only for temporary credentials:
    /// `aws:TokenIssueTime` and `aws:MultiFactorAuthPresent`.
    pub fn temporary_credentials(self, issued: SystemTime, mfa_present: bool) -> Self {
        let iso = iso8601(epoch_seconds(issued));
        self.key("aws:TokenIssueTime", &iso)
            .key("aws:MultiFactorAuthPresent", bool_text(mfa_present))
    }

    /// The KMS encryption context of the request: one
    /// `kms:EncryptionContext:<key>` per pair and the multi-valued
    /// `kms:EncryptionContextKeys` (case kept, as KMS compares it).
    pub fn encryption_context<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut keys = Vec::new();
        for (k, v) in pairs {
            let k = k.as_ref();
            self.put(
                &format!("kms:EncryptionContext:{k}"),
                vec![v.as_ref().into()],
                false,
            );
            keys.push(k.to_owned());
        }
        self.key_values("kms:EncryptionContextKeys", keys)
    }

    /// Finishes the context. The principal keys are set last, so the
    /// application cannot override who the caller is.
    pub fn build(mut self) -> RequestContext {
        let p = self.principal.clone();
        if let Some(t) = p.kind.principal_type() {
            self.put("aws:PrincipalType", vec![t.into()], false);
        }
        match p.kind {
            PrincipalKind::Service => {
                self.put("aws:PrincipalIsAWSService", vec!["true".into()], false);
                if let Some(s) = p.service_name() {
                    self.put("aws:PrincipalServiceName", vec![s.into()], false);
                }
            }
            PrincipalKind::Anonymous => {}
            _ => {
                self.put("aws:PrincipalIsAWSService", vec!["false".into()], false);
                self.put("aws:PrincipalArn", vec![p.principal_arn().into()], false);
                if let Some(a) = p.account() {
                    self.put("aws:PrincipalAccount", vec![a.into()], false);
                }
                if let Some(u) = p.user_id() {
                    self.put("aws:userid", vec![u.into()], false);
                }
                if let Some(u) = p.username() {
                    self.put("aws:username", vec![u.into()], false);
                }
                for (k, v) in p.tags() {
                    self.put(&format!("aws:PrincipalTag/{k}"), vec![v.into()], false);
                }
            }
        }
        self.entries.sort_by(|a, b| a.key.cmp(&b.key));
        RequestContext {
            principal: self.principal,
            entries: self.entries,
        }
    }
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn epoch_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// `YYYY-MM-DDThh:mm:ssZ` for seconds since the epoch.
pub(crate) fn iso8601(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's algorithm).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_forms() {
        let root = PrincipalInfo::root("aws", "111122223333").unwrap();
        assert_eq!(root.arn(), "arn:aws:iam::111122223333:root");
        assert_eq!(root.user_id(), Some("111122223333"));
        let u =
            PrincipalInfo::user("arn:aws:iam::111122223333:user/division/alice", "AIDA1").unwrap();
        assert_eq!(u.username(), Some("alice"));
        let f = PrincipalInfo::federated_user("aws", "111122223333", "bob").unwrap();
        assert_eq!(f.arn(), "arn:aws:sts::111122223333:federated-user/bob");
        assert_eq!(f.user_id(), Some("111122223333:bob"));
        assert!(PrincipalInfo::user("arn:aws:iam::111122223333:role/x", "A").is_err());
        assert!(PrincipalInfo::assumed_role("arn:aws:iam::1:role/x", "s", "A").is_err());
        assert!(PrincipalInfo::root("aws", "12").is_err());
    }

    #[test]
    fn context_keys() {
        let p = PrincipalInfo::assumed_role("arn:aws:iam::111122223333:role/R", "S", "AROA1")
            .unwrap()
            .with_tag("Team", "Blue");
        let ctx = RequestContext::builder(p)
            .key("aws:PrincipalArn", "arn:aws:iam::999999999999:root")
            .key_values("aws:TagKeys", ["a", "b"])
            .build();
        assert_eq!(
            ctx.value("aws:principalarn"),
            Some("arn:aws:iam::111122223333:role/R")
        );
        assert_eq!(ctx.value("aws:PrincipalTag/team"), Some("Blue"));
        assert_eq!(ctx.value("aws:PrincipalType"), Some("AssumedRole"));
        assert_eq!(ctx.value("aws:username"), None);
        // Multi-valued keys are not variables.
        assert_eq!(ctx.value("aws:TagKeys"), None);
        assert_eq!(ctx.values("aws:tagkeys").unwrap().count(), 2);
    }

    #[test]
    fn dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
        for days in [-1_000_000, -1, 0, 59, 10_957, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn encryption_context_pairs() {
        let ctx = RequestContext::builder(PrincipalInfo::anonymous())
            .encryption_context([("Department", "IT"), ("Project", "Alpha")])
            .key("kms:EncryptionContextKeysX", "z")
            .build();
        let pairs: Vec<_> = ctx.encryption_context().collect();
        assert_eq!(pairs, vec![("department", "IT"), ("project", "Alpha")]);
    }
}
