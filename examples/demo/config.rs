//! The demo's identities: who may call, with which keys, and which roles
//! they may assume.
//!
//! A small JSON file (see `identities.json` beside this file, which is also
//! the built-in default) is turned into the identity layer's stores: a
//! [`StaticCredentials`] for the long-term keys, a [`SessionStore`] for the
//! temporary keys that STS `AssumeRole` mints, and the [`RoleRegistry`] that
//! decides `AssumeRole`.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use tower_sigv4::identity::{
    CachedStore, Clock, IamUser, Principal, RoleDefinition, RoleRegistry, RoutedStore, ServerKey,
    SessionIssuer, SessionKeys, SessionStore, StaticCredentials,
};

/// The identities the demo starts with when no `--config` is given.
pub const DEFAULT_IDENTITIES: &str = include_str!("identities.json");

/// The longest config file the demo reads; a config is a handful of keys.
const MAX_CONFIG_LEN: u64 = 1 << 20;

/// The parsed config file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identities {
    /// The one region the demo answers for (`us-east-1` by default).
    #[serde(default = "default_region")]
    pub region: String,
    /// Access keys of account root users.
    #[serde(default)]
    pub roots: Vec<RootEntry>,
    /// Access keys of IAM users.
    #[serde(default)]
    pub users: Vec<UserEntry>,
    /// Roles and who may assume them.
    #[serde(default)]
    pub roles: Vec<RoleEntry>,
}

/// An access key of an account's root user.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootEntry {
    /// The 12-digit account id.
    pub account_id: String,
    /// `AKIA…`.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

/// An access key of an IAM user.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    /// `arn:aws:iam::111122223333:user/alice`.
    pub arn: String,
    /// The user's unique id (`AIDA…`); derived from the ARN when absent.
    #[serde(default)]
    pub unique_id: Option<String>,
    /// `AKIA…`.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

/// A role that callers may assume through STS.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleEntry {
    /// `arn:aws:iam::111122223333:role/demo-role`.
    pub arn: String,
    /// The trust policy's principals: ARNs, account ids or `*`.
    #[serde(default)]
    pub trusted: Vec<String>,
    /// IAM's `MaxSessionDuration` (3600 to 43200 seconds).
    #[serde(default)]
    pub max_session_duration_seconds: Option<u64>,
}

// Secrets stay out of any Debug output, even in a demo.
impl fmt::Debug for RootEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RootEntry")
            .field("account_id", &self.account_id)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for UserEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserEntry")
            .field("arn", &self.arn)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

impl Identities {
    /// The built-in identities.
    pub fn builtin() -> Self {
        Identities::parse(DEFAULT_IDENTITIES).expect("the built-in identities parse")
    }

    /// Reads a config file.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let len = std::fs::metadata(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .len();
        if len > MAX_CONFIG_LEN {
            return Err(format!(
                "{} is {len} bytes; a config file is at most {MAX_CONFIG_LEN}",
                path.display()
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Identities::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses the JSON text of a config file.
    pub fn parse(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Builds the stores and the role registry.
    ///
    /// `sts_clock` stamps the issue time of the sessions STS mints (the
    /// system clock, shifted by the demo's test-only `--sts-clock-offset`).
    pub fn build(&self, sts_clock: Arc<dyn Clock>) -> Result<IdentityStores, String> {
        let mut builder = StaticCredentials::builder();
        for root in &self.roots {
            builder = builder.root(
                &root.account_id,
                &root.access_key_id,
                root.secret_access_key.as_str(),
            );
        }
        for user in &self.users {
            let principal: Principal = user
                .arn
                .parse()
                .map_err(|e| format!("user `{}`: {e}", user.arn))?;
            let principal = match (principal, &user.unique_id) {
                (Principal::User(iam), Some(id)) => {
                    let iam: IamUser = iam
                        .with_unique_id(id)
                        .map_err(|e| format!("user `{}`: {e}", user.arn))?;
                    Principal::User(iam)
                }
                (principal, _) => principal,
            };
            builder = builder.user(
                principal,
                &user.access_key_id,
                user.secret_access_key.as_str(),
            );
        }
        let long_term = builder.build().map_err(|e| e.to_string())?;

        let keys = SessionKeys::new(ServerKey::generate(1).map_err(|e| e.to_string())?);
        let issuer = SessionIssuer::new(keys.clone()).with_clock(sts_clock);
        let mut roles = RoleRegistry::new(issuer);
        for entry in &self.roles {
            let role = entry
                .arn
                .parse()
                .map_err(|e| format!("role `{}`: {e}", entry.arn))?;
            let mut definition = RoleDefinition::new(role);
            for trusted in &entry.trusted {
                let principal = trusted
                    .parse()
                    .map_err(|e| format!("role `{}`: trusted `{trusted}`: {e}", entry.arn))?;
                definition = definition.trusting(principal);
            }
            if let Some(seconds) = entry.max_session_duration_seconds {
                definition = definition
                    .with_max_session_duration(Duration::from_secs(seconds))
                    .map_err(|e| format!("role `{}`: {e}", entry.arn))?;
            }
            roles.insert(definition);
        }

        Ok(IdentityStores {
            credentials: Arc::new(CachedStore::new(RoutedStore::new(
                SessionStore::new(keys),
                long_term,
            ))),
            roles: Arc::new(roles),
        })
    }

    /// The lines printed at start: every identity, so that a reader can
    /// configure a client straight away.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for root in &self.roots {
            lines.push(format!(
                "root of {}:  {} / {}",
                root.account_id, root.access_key_id, root.secret_access_key
            ));
        }
        for user in &self.users {
            lines.push(format!(
                "{}:  {} / {}",
                user.arn, user.access_key_id, user.secret_access_key
            ));
        }
        for role in &self.roles {
            lines.push(format!(
                "{} (may be assumed by: {})",
                role.arn,
                if role.trusted.is_empty() {
                    "nobody".to_owned()
                } else {
                    role.trusted.join(", ")
                }
            ));
        }
        lines
    }
}

/// The credential store the layer asks, and the roles STS answers for.
pub type CredentialStore = CachedStore<RoutedStore<SessionStore, StaticCredentials>>;

/// What [`Identities::build`] makes.
pub struct IdentityStores {
    /// Long-term and temporary keys, cached.
    pub credentials: Arc<CredentialStore>,
    /// The roles and the session issuer.
    pub roles: Arc<RoleRegistry>,
}

/// The system clock shifted by a fixed number of seconds: the demo's
/// test-only way to mint sessions that have already expired.
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    /// Seconds added to the system time (negative: the past).
    pub offset_seconds: i64,
}

impl Clock for OffsetClock {
    fn now(&self) -> SystemTime {
        let now = SystemTime::now();
        let by = Duration::from_secs(self.offset_seconds.unsigned_abs());
        if self.offset_seconds >= 0 {
            now + by
        } else {
            now - by
        }
    }
}
