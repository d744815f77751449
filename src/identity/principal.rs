//! Who is calling: the account root user, IAM users, assumed-role sessions
//! and federated users, with their ARNs exactly as AWS writes them.
//!
//! | kind | `arn()` (GetCallerIdentity `Arn`) | `user_id()` (`aws:userid`) |
//! |---|---|---|
//! | root | `arn:aws:iam::111122223333:root` | `111122223333` |
//! | IAM user | `arn:aws:iam::111122223333:user/division/alice` | the unique id, `AIDA…` |
//! | assumed role | `arn:aws:sts::111122223333:assumed-role/demo-role/session-1` | `AROA…:session-1` |
//! | federated user | `arn:aws:sts::111122223333:federated-user/bob` | `111122223333:bob` |
//!
//! An assumed-role ARN leaves the role's path out, as AWS does;
//! [`Principal::canonical_arn`] gives the role ARN with its path.
//!
//! Unique ids (`AIDA…` for users, `AROA…` for roles) are not part of an ARN.
//! When a principal is built from an ARN alone, its unique id is derived from
//! the ARN (the prefix and 17 base32 characters of a SHA-256 of the partition,
//! account and name), so that the same configuration always yields the same
//! `aws:userid`; set the real one with [`IamUser::with_unique_id`] or
//! [`IamRole::with_role_id`].

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use super::base32::push_base32;

/// The longest ARN accepted, as in the STS API (`Arn`: 20 to 2048 characters).
pub const MAX_ARN_LEN: usize = 2048;

/// An AWS partition: the first field of an ARN after `arn:`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Partition {
    /// `aws`: the commercial regions.
    #[default]
    Aws,
    /// `aws-cn`: the China regions.
    AwsCn,
    /// `aws-us-gov`: AWS GovCloud (US).
    AwsUsGov,
}

impl Partition {
    /// The partition as it appears in an ARN.
    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    pub(crate) fn code(self) -> u8 {
        match self {
            Partition::Aws => 0,
            Partition::AwsCn => 1,
            Partition::AwsUsGov => 2,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Partition::Aws),
            1 => Some(Partition::AwsCn),
            2 => Some(Partition::AwsUsGov),
            _ => None,
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Partition {
    type Err = ArnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "aws" => Ok(Partition::Aws),
            "aws-cn" => Ok(Partition::AwsCn),
            "aws-us-gov" => Ok(Partition::AwsUsGov),
            _ => Err(ArnError::new(
                ArnErrorKind::UnknownPartition,
                format!(
                    "unknown partition `{}` (expected aws, aws-cn or aws-us-gov)",
                    shorten(s)
                ),
            )),
        }
    }
}

/// A 12-digit AWS account id.
///
/// ```
/// use tower_sigv4::identity::AccountId;
///
/// let account: AccountId = "111122223333".parse().unwrap();
/// assert_eq!(account.as_str(), "111122223333");
/// assert!("11112222333".parse::<AccountId>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId([u8; 12]);

impl AccountId {
    /// Checks and wraps a 12-digit account id.
    pub fn new(account: &str) -> Result<Self, ArnError> {
        let bytes = account.as_bytes();
        if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(ArnError::new(
                ArnErrorKind::InvalidAccountId,
                format!(
                    "the account id must be 12 digits, found `{}`",
                    shorten(account)
                ),
            ));
        }
        let mut digits = [0u8; 12];
        digits.copy_from_slice(bytes);
        Ok(AccountId(digits))
    }

    /// The account id as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 12] {
        &self.0
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.as_str())
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountId {
    type Err = ArnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountId::new(s)
    }
}

/// A principal ARN, name or id that could not be accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnError {
    kind: ArnErrorKind,
    message: String,
}

/// Why an ARN, name or id was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArnErrorKind {
    /// Not of the form `arn:partition:service:region:account:resource`.
    NotAnArn,
    /// Longer than [`MAX_ARN_LEN`].
    TooLong,
    /// A partition other than `aws`, `aws-cn` and `aws-us-gov`.
    UnknownPartition,
    /// The service does not go with the resource (`iam` for root, users and
    /// roles; `sts` for assumed roles and federated users).
    WrongService,
    /// IAM and STS principal ARNs have an empty region field.
    RegionNotEmpty,
    /// The account field is not 12 digits.
    InvalidAccountId,
    /// The resource is not a principal this crate models (for example a
    /// group, a policy, or a role where a caller was expected).
    UnsupportedResource,
    /// A path that is not `/` or `/…/` of printable ASCII, or longer than 512.
    InvalidPath,
    /// A user, role or federated-user name outside `[\w+=,.@-]` or its length.
    InvalidName,
    /// A role session name outside `[\w+=,.@-]{2,64}`.
    InvalidSessionName,
    /// A unique id (`AIDA…`, `AROA…`) outside `[\w]{16,128}`.
    InvalidUniqueId,
}

impl ArnError {
    pub(crate) fn new(kind: ArnErrorKind, message: String) -> Self {
        ArnError { kind, message }
    }

    /// What was wrong.
    pub fn kind(&self) -> ArnErrorKind {
        self.kind
    }
}

impl fmt::Display for ArnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ArnError {}

/// Cuts user input quoted in an error message to a readable length.
fn shorten(s: &str) -> &str {
    const MAX: usize = 80;
    if s.len() <= MAX {
        return s;
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `[\w+=,.@-]` with `\w` as in Java (ASCII letters, digits, `_`): the IAM
/// and STS name alphabet.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b'-')
}

fn check_name(what: &str, name: &str, min: usize, max: usize) -> Result<(), ArnError> {
    if name.len() < min || name.len() > max || !name.bytes().all(is_name_byte) {
        return Err(ArnError::new(
            ArnErrorKind::InvalidName,
            format!(
                "invalid {what} `{}`: expected {min} to {max} characters of [\\w+=,.@-]",
                shorten(name)
            ),
        ));
    }
    Ok(())
}

/// Checks a role session name against STS's `[\w+=,.@-]{2,64}`.
pub(crate) fn check_session_name(name: &str) -> Result<(), ArnError> {
    if name.len() < 2 || name.len() > 64 || !name.bytes().all(is_name_byte) {
        return Err(ArnError::new(
            ArnErrorKind::InvalidSessionName,
            format!(
                "invalid role session name `{}`: expected 2 to 64 characters of [\\w+=,.@-]",
                shorten(name)
            ),
        ));
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), ArnError> {
    // IAM: `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, 1 to 512 characters.
    let ok = path.len() <= 512
        && path.starts_with('/')
        && path.ends_with('/')
        && path.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if !ok {
        return Err(ArnError::new(
            ArnErrorKind::InvalidPath,
            format!(
                "invalid path `{}`: expected `/` or `/…/` of printable ASCII, at most 512 characters",
                shorten(path)
            ),
        ));
    }
    Ok(())
}

fn check_unique_id(id: &str) -> Result<(), ArnError> {
    let ok = (16..=128).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !ok {
        return Err(ArnError::new(
            ArnErrorKind::InvalidUniqueId,
            format!(
                "invalid unique id `{}`: expected 16 to 128 characters of [\\w]",
                shorten(id)
            ),
        ));
    }
    Ok(())
}

/// `prefix` + 17 base32 characters of a SHA-256 over the entity's identity.
fn derived_unique_id(
    prefix: &str,
    kind: &str,
    partition: Partition,
    account: &AccountId,
    name: &str,
) -> Box<str> {
    let digest = Sha256::new()
        .chain_update(b"tower-sigv4 derived unique id\0")
        .chain_update(kind.as_bytes())
        .chain_update([0])
        .chain_update(partition.as_str().as_bytes())
        .chain_update([0])
        .chain_update(account.as_bytes())
        .chain_update([0])
        .chain_update(name.as_bytes())
        .finalize();
    let mut id = String::with_capacity(prefix.len() + 17);
    id.push_str(prefix);
    push_base32(&digest, 17, &mut id);
    id.into_boxed_str()
}

/// The root user of an AWS account.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RootUser {
    partition: Partition,
    account: AccountId,
    arn: Box<str>,
}

impl RootUser {
    /// The root user of `account`.
    pub fn new(partition: Partition, account: AccountId) -> Self {
        let arn = format!("arn:{partition}:iam::{account}:root").into_boxed_str();
        RootUser {
            partition,
            account,
            arn,
        }
    }

    /// The account's partition.
    pub fn partition(&self) -> Partition {
        self.partition
    }

    /// The account.
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// `arn:aws:iam::111122223333:root`.
    pub fn arn(&self) -> &str {
        &self.arn
    }
}

/// An IAM user, with its path and unique id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IamUser {
    partition: Partition,
    account: AccountId,
    path: Box<str>,
    name: Box<str>,
    unique_id: Box<str>,
    arn: Box<str>,
}

impl IamUser {
    /// An IAM user named `name` under `path` (`/` for none).
    ///
    /// The unique id is derived from the partition, account and name until
    /// [`with_unique_id`](Self::with_unique_id) sets the real one.
    pub fn new(
        partition: Partition,
        account: AccountId,
        path: &str,
        name: &str,
    ) -> Result<Self, ArnError> {
        check_path(path)?;
        check_name("user name", name, 1, 64)?;
        let arn = format!("arn:{partition}:iam::{account}:user{path}{name}").into_boxed_str();
        let unique_id = derived_unique_id("AIDA", "user", partition, &account, name);
        Ok(IamUser {
            partition,
            account,
            path: path.into(),
            name: name.into(),
            unique_id,
            arn,
        })
    }

    /// Sets the user's unique id (`AIDA…`, what `aws:userid` holds).
    pub fn with_unique_id(mut self, unique_id: &str) -> Result<Self, ArnError> {
        check_unique_id(unique_id)?;
        self.unique_id = unique_id.into();
        Ok(self)
    }

    /// The partition.
    pub fn partition(&self) -> Partition {
        self.partition
    }

    /// The account.
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The path, `/` or `/…/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The user name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The unique id.
    pub fn unique_id(&self) -> &str {
        &self.unique_id
    }

    /// `arn:aws:iam::111122223333:user/division/alice`.
    pub fn arn(&self) -> &str {
        &self.arn
    }
}

/// An IAM role: what an assumed-role session stands for, and what
/// [`RoleRegistry`](super::RoleRegistry) lets callers assume.
///
/// ```
/// use tower_sigv4::identity::IamRole;
///
/// let role: IamRole = "arn:aws:iam::111122223333:role/service/demo-role".parse().unwrap();
/// assert_eq!(role.name(), "demo-role");
/// assert_eq!(role.path(), "/service/");
/// assert!(role.role_id().starts_with("AROA"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IamRole {
    partition: Partition,
    account: AccountId,
    path: Box<str>,
    name: Box<str>,
    role_id: Box<str>,
    arn: Box<str>,
}

impl IamRole {
    /// A role named `name` under `path` (`/` for none).
    ///
    /// The role id is derived from the partition, account and name until
    /// [`with_role_id`](Self::with_role_id) sets the real one.
    pub fn new(
        partition: Partition,
        account: AccountId,
        path: &str,
        name: &str,
    ) -> Result<Self, ArnError> {
        check_path(path)?;
        check_name("role name", name, 1, 64)?;
        let arn = format!("arn:{partition}:iam::{account}:role{path}{name}").into_boxed_str();
        let role_id = derived_unique_id("AROA", "role", partition, &account, name);
        Ok(IamRole {
            partition,
            account,
            path: path.into(),
            name: name.into(),
            role_id,
            arn,
        })
    }

    /// Sets the role's unique id (`AROA…`).
    pub fn with_role_id(mut self, role_id: &str) -> Result<Self, ArnError> {
        check_unique_id(role_id)?;
        self.role_id = role_id.into();
        Ok(self)
    }

    /// The partition.
    pub fn partition(&self) -> Partition {
        self.partition
    }

    /// The account that owns the role.
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The path, `/` or `/…/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The role name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The role's unique id.
    pub fn role_id(&self) -> &str {
        &self.role_id
    }

    /// `arn:aws:iam::111122223333:role/path/demo-role`.
    pub fn arn(&self) -> &str {
        &self.arn
    }
}

impl FromStr for IamRole {
    type Err = ArnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let arn = split_arn(s)?;
        match arn.resource_type {
            "role" => {
                arn.expect_service("iam", "role")?;
                let (path, name) = split_path(arn.rest)?;
                IamRole::new(arn.partition, arn.account, path, name)
            }
            other => Err(ArnError::new(
                ArnErrorKind::UnsupportedResource,
                format!("expected a role ARN, found a `{}` ARN", shorten(other)),
            )),
        }
    }
}

impl fmt::Display for IamRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

/// A session of an assumed IAM role.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AssumedRole {
    role: IamRole,
    session_name: Box<str>,
    arn: Box<str>,
    user_id: Box<str>,
}

impl AssumedRole {
    /// The session `session_name` of `role`.
    pub fn new(role: IamRole, session_name: &str) -> Result<Self, ArnError> {
        check_session_name(session_name)?;
        let arn = format!(
            "arn:{}:sts::{}:assumed-role/{}/{}",
            role.partition, role.account, role.name, session_name
        )
        .into_boxed_str();
        let user_id = format!("{}:{}", role.role_id, session_name).into_boxed_str();
        Ok(AssumedRole {
            role,
            session_name: session_name.into(),
            arn,
            user_id,
        })
    }

    /// The role behind the session.
    pub fn role(&self) -> &IamRole {
        &self.role
    }

    /// The role session name.
    pub fn session_name(&self) -> &str {
        &self.session_name
    }

    /// `arn:aws:sts::111122223333:assumed-role/demo-role/session-1` (no path).
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// `ROLEID:session-name`: STS's `AssumedRoleId` and `aws:userid`.
    pub fn assumed_role_id(&self) -> &str {
        &self.user_id
    }
}

/// A federated user (from `GetFederationToken`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FederatedUser {
    partition: Partition,
    account: AccountId,
    name: Box<str>,
    arn: Box<str>,
    user_id: Box<str>,
}

impl FederatedUser {
    /// The federated user `name` (2 to 32 characters of `[\w+=,.@-]`).
    pub fn new(partition: Partition, account: AccountId, name: &str) -> Result<Self, ArnError> {
        check_name("federated user name", name, 2, 32)?;
        let arn = format!("arn:{partition}:sts::{account}:federated-user/{name}").into_boxed_str();
        let user_id = format!("{account}:{name}").into_boxed_str();
        Ok(FederatedUser {
            partition,
            account,
            name: name.into(),
            arn,
            user_id,
        })
    }

    /// The partition.
    pub fn partition(&self) -> Partition {
        self.partition
    }

    /// The account.
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The name given to `GetFederationToken`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `arn:aws:sts::111122223333:federated-user/bob`.
    pub fn arn(&self) -> &str {
        &self.arn
    }
}

/// Who signed a request.
///
/// Every form AWS reports is computed once, when the principal is built, so
/// reading them on each request costs nothing.
///
/// ```
/// use tower_sigv4::identity::Principal;
///
/// let alice: Principal = "arn:aws:iam::111122223333:user/division/alice".parse().unwrap();
/// assert_eq!(alice.arn(), "arn:aws:iam::111122223333:user/division/alice");
/// assert_eq!(alice.account().as_str(), "111122223333");
/// assert_eq!(alice.principal_type(), "User");
///
/// let session: Principal = "arn:aws:sts::111122223333:assumed-role/demo-role/session-1"
///     .parse()
///     .unwrap();
/// assert_eq!(session.canonical_arn(), "arn:aws:iam::111122223333:role/demo-role");
/// assert!(session.user_id().ends_with(":session-1"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Principal {
    /// The account root user.
    Root(RootUser),
    /// An IAM user with long-term access keys.
    User(IamUser),
    /// A session of an assumed role (temporary credentials).
    AssumedRole(AssumedRole),
    /// A federated user (temporary credentials from `GetFederationToken`).
    FederatedUser(FederatedUser),
}

impl Principal {
    /// The ARN that STS `GetCallerIdentity` returns for this caller.
    pub fn arn(&self) -> &str {
        match self {
            Principal::Root(p) => p.arn(),
            Principal::User(p) => p.arn(),
            Principal::AssumedRole(p) => p.arn(),
            Principal::FederatedUser(p) => p.arn(),
        }
    }

    /// The ARN of the IAM entity behind the caller: the role ARN (with its
    /// path) for an assumed role, the caller's own ARN otherwise. This is
    /// what `aws:PrincipalArn` holds.
    pub fn canonical_arn(&self) -> &str {
        match self {
            Principal::AssumedRole(p) => p.role().arn(),
            other => other.arn(),
        }
    }

    /// `aws:userid`, and the `UserId` of `GetCallerIdentity`: the account id
    /// for the root user, the unique id for a user, `ROLEID:session` for an
    /// assumed role, `account:name` for a federated user.
    pub fn user_id(&self) -> &str {
        match self {
            Principal::Root(p) => p.account().as_str(),
            Principal::User(p) => p.unique_id(),
            Principal::AssumedRole(p) => p.assumed_role_id(),
            Principal::FederatedUser(p) => &p.user_id,
        }
    }

    /// The account the caller belongs to.
    pub fn account(&self) -> &AccountId {
        match self {
            Principal::Root(p) => p.account(),
            Principal::User(p) => p.account(),
            Principal::AssumedRole(p) => p.role().account(),
            Principal::FederatedUser(p) => p.account(),
        }
    }

    /// The partition the caller belongs to.
    pub fn partition(&self) -> Partition {
        match self {
            Principal::Root(p) => p.partition(),
            Principal::User(p) => p.partition(),
            Principal::AssumedRole(p) => p.role().partition(),
            Principal::FederatedUser(p) => p.partition(),
        }
    }

    /// `aws:PrincipalType`: `Account`, `User`, `AssumedRole` or `FederatedUser`.
    pub fn principal_type(&self) -> &'static str {
        match self {
            Principal::Root(_) => "Account",
            Principal::User(_) => "User",
            Principal::AssumedRole(_) => "AssumedRole",
            Principal::FederatedUser(_) => "FederatedUser",
        }
    }

    /// `aws:username`: the friendly name of an IAM user; AWS leaves the key
    /// out for every other kind of caller.
    pub fn username(&self) -> Option<&str> {
        match self {
            Principal::User(p) => Some(p.name()),
            _ => None,
        }
    }

    /// Whether this is an account root user.
    pub fn is_root(&self) -> bool {
        matches!(self, Principal::Root(_))
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.arn())
    }
}

impl From<RootUser> for Principal {
    fn from(p: RootUser) -> Self {
        Principal::Root(p)
    }
}

impl From<IamUser> for Principal {
    fn from(p: IamUser) -> Self {
        Principal::User(p)
    }
}

impl From<AssumedRole> for Principal {
    fn from(p: AssumedRole) -> Self {
        Principal::AssumedRole(p)
    }
}

impl From<FederatedUser> for Principal {
    fn from(p: FederatedUser) -> Self {
        Principal::FederatedUser(p)
    }
}

impl FromStr for Principal {
    type Err = ArnError;

    /// Parses what [`Principal::arn`] renders (root, user, assumed role,
    /// federated user). Unique ids are derived (see the module docs) and an
    /// assumed role's path is `/`, since the ARN carries neither.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let arn = split_arn(s)?;
        match arn.resource_type {
            "root" => {
                arn.expect_service("iam", "root")?;
                if arn.has_rest {
                    return Err(ArnError::new(
                        ArnErrorKind::UnsupportedResource,
                        "a root ARN ends with `:root`".to_owned(),
                    ));
                }
                Ok(RootUser::new(arn.partition, arn.account).into())
            }
            "user" => {
                arn.expect_service("iam", "user")?;
                let (path, name) = split_path(arn.rest)?;
                Ok(IamUser::new(arn.partition, arn.account, path, name)?.into())
            }
            "assumed-role" => {
                arn.expect_service("sts", "assumed-role")?;
                let rest = arn.rest.strip_prefix('/').unwrap_or("");
                let Some((role, session)) = rest.split_once('/') else {
                    return Err(ArnError::new(
                        ArnErrorKind::NotAnArn,
                        "an assumed-role ARN ends with `assumed-role/ROLE/SESSION`".to_owned(),
                    ));
                };
                if session.contains('/') {
                    return Err(ArnError::new(
                        ArnErrorKind::InvalidSessionName,
                        format!(
                            "invalid role session name `{}`: expected 2 to 64 characters of [\\w+=,.@-]",
                            shorten(session)
                        ),
                    ));
                }
                let role = IamRole::new(arn.partition, arn.account, "/", role)?;
                Ok(AssumedRole::new(role, session)?.into())
            }
            "federated-user" => {
                arn.expect_service("sts", "federated-user")?;
                let name = arn.rest.strip_prefix('/').unwrap_or("");
                Ok(FederatedUser::new(arn.partition, arn.account, name)?.into())
            }
            "role" => Err(ArnError::new(
                ArnErrorKind::UnsupportedResource,
                "a role ARN names a role, not a caller; callers are the role's sessions \
                 (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`)"
                    .to_owned(),
            )),
            other => Err(ArnError::new(
                ArnErrorKind::UnsupportedResource,
                format!(
                    "`{}` is not a principal (expected root, user, assumed-role or federated-user)",
                    shorten(other)
                ),
            )),
        }
    }
}

/// The fields of an IAM or STS ARN.
pub(crate) struct SplitArn<'a> {
    pub(crate) partition: Partition,
    pub(crate) service: &'a str,
    pub(crate) account: AccountId,
    /// `root`, `user`, `role`, `assumed-role`, …
    pub(crate) resource_type: &'a str,
    /// What follows the resource type, starting with `/` (or empty).
    pub(crate) rest: &'a str,
    has_rest: bool,
}

impl SplitArn<'_> {
    fn expect_service(&self, service: &str, resource: &str) -> Result<(), ArnError> {
        if self.service != service {
            return Err(ArnError::new(
                ArnErrorKind::WrongService,
                format!(
                    "a `{resource}` ARN has the service `{service}`, found `{}`",
                    shorten(self.service)
                ),
            ));
        }
        Ok(())
    }
}

pub(crate) fn split_arn(s: &str) -> Result<SplitArn<'_>, ArnError> {
    if s.len() > MAX_ARN_LEN {
        return Err(ArnError::new(
            ArnErrorKind::TooLong,
            format!(
                "an ARN has at most {MAX_ARN_LEN} characters, found {}",
                s.len()
            ),
        ));
    }
    let mut fields = s.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(ArnError::new(
            ArnErrorKind::NotAnArn,
            format!(
                "`{}` is not of the form arn:partition:service:region:account:resource",
                shorten(s)
            ),
        ));
    };
    let partition: Partition = partition.parse()?;
    if !region.is_empty() {
        return Err(ArnError::new(
            ArnErrorKind::RegionNotEmpty,
            format!(
                "IAM and STS ARNs have an empty region field, found `{}`",
                shorten(region)
            ),
        ));
    }
    let account = AccountId::new(account)?;
    let (resource_type, rest) = match resource.find('/') {
        Some(i) => (&resource[..i], &resource[i..]),
        None => (resource, ""),
    };
    Ok(SplitArn {
        partition,
        service,
        account,
        resource_type,
        rest,
        has_rest: !rest.is_empty(),
    })
}

/// Splits `/path/to/name` into (`/path/to/`, `name`).
fn split_path(rest: &str) -> Result<(&str, &str), ArnError> {
    match rest.rfind('/') {
        Some(i) if rest.starts_with('/') => Ok((&rest[..=i], &rest[i + 1..])),
        _ => Err(ArnError::new(
            ArnErrorKind::NotAnArn,
            "expected `TYPE/NAME` or `TYPE/PATH/NAME` after the account".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_look_like_aws_ids() {
        let p: Principal = "arn:aws:iam::123456789012:user/Bob".parse().unwrap();
        let id = p.user_id();
        assert_eq!(id.len(), 21);
        assert!(id.starts_with("AIDA"));
        assert!(id[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    }

    #[test]
    fn derived_ids_ignore_the_path_but_not_the_name() {
        // IAM names are unique in an account whatever the path, so the same
        // name under another path is the same entity.
        let a = IamUser::new(
            Partition::Aws,
            "123456789012".parse().unwrap(),
            "/a/",
            "Bob",
        )
        .unwrap();
        let b = IamUser::new(
            Partition::Aws,
            "123456789012".parse().unwrap(),
            "/b/",
            "Bob",
        )
        .unwrap();
        let c = IamUser::new(
            Partition::Aws,
            "123456789012".parse().unwrap(),
            "/a/",
            "Rob",
        )
        .unwrap();
        assert_eq!(a.unique_id(), b.unique_id());
        assert_ne!(a.unique_id(), c.unique_id());
    }

    #[test]
    fn shorten_respects_char_boundaries() {
        let s = "é".repeat(60);
        assert!(shorten(&s).len() <= 80);
        assert!(s.starts_with(shorten(&s)));
    }
}
