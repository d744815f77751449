//! Roles and who may assume them: the decision behind STS `AssumeRole`.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::error::{ConfigError, ConfigErrorKind, StsError, StsErrorKind};
use super::principal::{
    split_arn, AccountId, ArnError, AssumedRole, FederatedUser, IamRole, IamUser, Partition,
    Principal, MAX_ARN_LEN,
};
use super::session::{
    check_duration, check_session_name_constraints, IssuedCredentials, SessionIssuer,
    ROLE_DEFAULT_DURATION, ROLE_DURATION_LIMITS,
};

/// Longest session a role assumed by another role's session may get
/// (AWS's role-chaining limit, 1 hour).
const ROLE_CHAINING_MAX: u64 = 3_600;

/// One entry of a role's trust policy (`"Principal": {"AWS": …}`).
///
/// Parsed from what a trust policy holds: `*`, a 12-digit account id, an
/// account root ARN, or the ARN of a user, a role (any of its sessions), a
/// role session or a federated user.
///
/// ```
/// use tower_sigv4::identity::{Principal, TrustedPrincipal};
///
/// let account: TrustedPrincipal = "arn:aws:iam::111122223333:root".parse().unwrap();
/// let alice: Principal = "arn:aws:iam::111122223333:user/division/alice".parse().unwrap();
/// assert!(account.matches(&alice));
///
/// let other: TrustedPrincipal = "444455556666".parse().unwrap();
/// assert!(!other.matches(&alice));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustedPrincipal {
    /// `*`: every authenticated caller.
    Anyone,
    /// `111122223333` or `arn:aws:iam::111122223333:root`: every caller of
    /// the account (AWS then leaves the decision to the account's own IAM
    /// policies, which this registry does not model).
    Account(Partition, AccountId),
    /// One IAM user (matched by name, which is unique in an account).
    User(IamUser),
    /// Every session of one role (role chaining).
    Role(IamRole),
    /// One role session.
    RoleSession(AssumedRole),
    /// One federated user.
    FederatedUser(FederatedUser),
}

impl TrustedPrincipal {
    /// Whether this entry trusts `caller`.
    pub fn matches(&self, caller: &Principal) -> bool {
        match (self, caller) {
            (TrustedPrincipal::Anyone, _) => true,
            (TrustedPrincipal::Account(partition, account), caller) => {
                caller.partition() == *partition && caller.account() == account
            }
            (TrustedPrincipal::User(user), Principal::User(caller)) => {
                same_account(
                    user.partition(),
                    user.account(),
                    caller.partition(),
                    caller.account(),
                ) && user.name() == caller.name()
            }
            (TrustedPrincipal::Role(role), Principal::AssumedRole(caller)) => {
                same_role(role, caller.role())
            }
            (TrustedPrincipal::RoleSession(session), Principal::AssumedRole(caller)) => {
                same_role(session.role(), caller.role())
                    && session.session_name() == caller.session_name()
            }
            (TrustedPrincipal::FederatedUser(user), Principal::FederatedUser(caller)) => {
                user.arn() == caller.arn()
            }
            _ => false,
        }
    }
}

fn same_account(p1: Partition, a1: &AccountId, p2: Partition, a2: &AccountId) -> bool {
    p1 == p2 && a1 == a2
}

/// Role names are unique in an account whatever their path.
fn same_role(a: &IamRole, b: &IamRole) -> bool {
    same_account(a.partition(), a.account(), b.partition(), b.account()) && a.name() == b.name()
}

impl FromStr for TrustedPrincipal {
    type Err = ArnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "*" {
            return Ok(TrustedPrincipal::Anyone);
        }
        if !s.starts_with("arn:") {
            let account = AccountId::new(s)?;
            return Ok(TrustedPrincipal::Account(Partition::Aws, account));
        }
        if split_arn(s)?.resource_type == "role" {
            return Ok(TrustedPrincipal::Role(s.parse()?));
        }
        Ok(match s.parse::<Principal>()? {
            Principal::Root(root) => TrustedPrincipal::Account(root.partition(), *root.account()),
            Principal::User(user) => TrustedPrincipal::User(user),
            Principal::AssumedRole(session) => TrustedPrincipal::RoleSession(session),
            Principal::FederatedUser(user) => TrustedPrincipal::FederatedUser(user),
        })
    }
}

/// A role callers may assume: its identity, who is trusted, and its
/// maximum session duration (1 hour unless set, 1 to 12 hours).
///
/// ```
/// use std::time::Duration;
/// use tower_sigv4::identity::RoleDefinition;
///
/// let role = RoleDefinition::new("arn:aws:iam::111122223333:role/demo-role".parse().unwrap())
///     .trusting("arn:aws:iam::111122223333:user/division/alice".parse().unwrap())
///     .with_max_session_duration(Duration::from_secs(4 * 3600))
///     .unwrap();
/// assert_eq!(role.trusted().len(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct RoleDefinition {
    role: IamRole,
    trusted: Vec<TrustedPrincipal>,
    max_session_duration: Duration,
}

impl RoleDefinition {
    /// A role nobody may assume yet, with a 1-hour maximum session.
    pub fn new(role: IamRole) -> Self {
        RoleDefinition {
            role,
            trusted: Vec::new(),
            max_session_duration: Duration::from_secs(ROLE_DEFAULT_DURATION),
        }
    }

    /// Adds an entry to the trust policy.
    pub fn trusting(mut self, principal: TrustedPrincipal) -> Self {
        self.trusted.push(principal);
        self
    }

    /// Sets the maximum session duration (IAM's `MaxSessionDuration`, 1 to
    /// 12 hours, whole seconds).
    pub fn with_max_session_duration(mut self, max: Duration) -> Result<Self, ConfigError> {
        let (_, longest) = ROLE_DURATION_LIMITS;
        if !(ROLE_DEFAULT_DURATION..=longest).contains(&max.as_secs()) {
            return Err(ConfigError::new(
                ConfigErrorKind::InvalidMaxSessionDuration,
                format!(
                    "a role's maximum session duration is 3600 to 43200 seconds, got {}",
                    max.as_secs()
                ),
            ));
        }
        self.max_session_duration = Duration::from_secs(max.as_secs());
        Ok(self)
    }

    /// The role.
    pub fn role(&self) -> &IamRole {
        &self.role
    }

    /// The trust policy's entries.
    pub fn trusted(&self) -> &[TrustedPrincipal] {
        &self.trusted
    }

    /// The maximum session duration.
    pub fn max_session_duration(&self) -> Duration {
        self.max_session_duration
    }

    /// Whether the trust policy lets `caller` assume the role (root users
    /// never may, whatever the policy says).
    pub fn trusts(&self, caller: &Principal) -> bool {
        !caller.is_root() && self.trusted.iter().any(|t| t.matches(caller))
    }
}

type RoleKey = (Partition, AccountId, Box<str>);

/// The roles of a deployment, deciding `AssumeRole` as AWS STS does and
/// issuing through a [`SessionIssuer`].
///
/// Checks, in AWS's order and wording:
///
/// 1. parameter constraints (`ValidationError`: `roleArn` 20 to 2048
///    characters, `roleSessionName` `[\w+=,.@-]{2,64}`, `durationSeconds`
///    900 to 43200), then the role ARN's form (`ValidationError`,
///    "`ARN` is invalid");
/// 2. root callers: `AccessDenied`, "Roles may not be assumed by root accounts.";
/// 3. unknown role, untrusted caller, or a federated user (whose credentials
///    may call no STS operation but `GetCallerIdentity`): `AccessDenied`,
///    "User: `caller` is not authorized to perform: sts:AssumeRole on
///    resource: `role`";
/// 4. a session assuming a role (role chaining) asking for more than an
///    hour, or anyone asking for more than the role's maximum:
///    `ValidationError`.
///
/// ```
/// use tower_sigv4::identity::{
///     Principal, RoleDefinition, RoleRegistry, ServerKey, SessionIssuer, SessionKeys,
/// };
///
/// let issuer = SessionIssuer::new(SessionKeys::new(ServerKey::generate(1).unwrap()));
/// let registry = RoleRegistry::new(issuer).with_role(
///     RoleDefinition::new("arn:aws:iam::111122223333:role/demo-role".parse().unwrap())
///         .trusting("arn:aws:iam::111122223333:root".parse().unwrap()),
/// );
///
/// let alice: Principal = "arn:aws:iam::111122223333:user/alice".parse().unwrap();
/// let issued = registry
///     .assume_role(&alice, "arn:aws:iam::111122223333:role/demo-role", "session-1", None)
///     .unwrap();
/// assert_eq!(
///     issued.principal().arn(),
///     "arn:aws:sts::111122223333:assumed-role/demo-role/session-1"
/// );
///
/// let root: Principal = "arn:aws:iam::111122223333:root".parse().unwrap();
/// let err = registry
///     .assume_role(&root, "arn:aws:iam::111122223333:role/demo-role", "s1", None)
///     .unwrap_err();
/// assert_eq!(err.aws_code(), "AccessDenied");
/// assert_eq!(err.message(), "Roles may not be assumed by root accounts.");
/// ```
#[derive(Clone)]
pub struct RoleRegistry {
    roles: HashMap<RoleKey, RoleDefinition>,
    issuer: SessionIssuer,
}

impl RoleRegistry {
    /// An empty registry issuing through `issuer`.
    pub fn new(issuer: SessionIssuer) -> Self {
        RoleRegistry {
            roles: HashMap::new(),
            issuer,
        }
    }

    /// Adds (or replaces) a role.
    pub fn with_role(mut self, role: RoleDefinition) -> Self {
        self.insert(role);
        self
    }

    /// Adds a role, returning the one it replaces.
    pub fn insert(&mut self, role: RoleDefinition) -> Option<RoleDefinition> {
        let r = role.role();
        let key = (r.partition(), *r.account(), Box::<str>::from(r.name()));
        self.roles.insert(key, role)
    }

    /// The role with this ARN (path included), if registered.
    pub fn get(&self, role_arn: &str) -> Option<&RoleDefinition> {
        let role: IamRole = role_arn.parse().ok()?;
        self.find(&role)
    }

    fn find(&self, role: &IamRole) -> Option<&RoleDefinition> {
        // Lookup by (partition, account, name); the path must match too, as
        // an ARN with the wrong path names no role.
        let key = (
            role.partition(),
            *role.account(),
            Box::<str>::from(role.name()),
        );
        self.roles
            .get(&key)
            .filter(|def| def.role().path() == role.path())
    }

    /// The issuer.
    pub fn issuer(&self) -> &SessionIssuer {
        &self.issuer
    }

    /// Decides and performs `AssumeRole` for `caller`.
    ///
    /// `duration` is `DurationSeconds` (default 1 hour).
    pub fn assume_role(
        &self,
        caller: &Principal,
        role_arn: &str,
        session_name: &str,
        duration: Option<Duration>,
    ) -> Result<IssuedCredentials, StsError> {
        let mut violations = Vec::new();
        if role_arn.len() < 20 || role_arn.len() > MAX_ARN_LEN {
            let bound = if role_arn.len() < 20 {
                "greater than or equal to 20"
            } else {
                "less than or equal to 2048"
            };
            let shown = if role_arn.len() > MAX_ARN_LEN {
                "…"
            } else {
                role_arn
            };
            violations.push(format!(
                "Value '{shown}' at 'roleArn' failed to satisfy constraint: \
                 Member must have length {bound}"
            ));
        }
        check_session_name_constraints("roleSessionName", session_name, &mut violations);
        let seconds = check_duration(
            duration,
            ROLE_DEFAULT_DURATION,
            ROLE_DURATION_LIMITS,
            &mut violations,
        );
        if !violations.is_empty() {
            return Err(StsError::validation(&violations));
        }
        let role: IamRole = role_arn.parse().map_err(|_: ArnError| {
            StsError::new(
                StsErrorKind::ValidationError,
                format!("{role_arn} is invalid"),
            )
        })?;

        if caller.is_root() {
            return Err(StsError::new(
                StsErrorKind::AccessDenied,
                "Roles may not be assumed by root accounts.",
            ));
        }
        // Credentials from GetFederationToken may call no STS operation but
        // GetCallerIdentity, so a federated user is never trusted here.
        let trusted = !matches!(caller, Principal::FederatedUser(_));
        let Some(definition) = self.find(&role).filter(|d| trusted && d.trusts(caller)) else {
            return Err(StsError::new(
                StsErrorKind::AccessDenied,
                format!(
                    "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                    caller.arn()
                ),
            ));
        };

        if matches!(caller, Principal::AssumedRole(_)) && seconds > ROLE_CHAINING_MAX {
            return Err(StsError::new(
                StsErrorKind::ValidationError,
                "The requested DurationSeconds exceeds the 1 hour session limit for roles \
                 assumed by role chaining.",
            ));
        }
        if seconds > definition.max_session_duration().as_secs() {
            return Err(StsError::new(
                StsErrorKind::ValidationError,
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            ));
        }
        self.issuer.assume_role(
            definition.role(),
            session_name,
            Some(Duration::from_secs(seconds)),
        )
    }
}

impl fmt::Debug for RoleRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut roles: Vec<&str> = self.roles.values().map(|d| d.role().arn()).collect();
        roles.sort_unstable();
        f.debug_struct("RoleRegistry")
            .field("roles", &roles)
            .field("issuer", &self.issuer)
            .finish()
    }
}
