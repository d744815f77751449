//! Stateless temporary credentials: [`SessionIssuer`] mints them,
//! [`SessionStore`] validates them, with no database between the two.
//!
//! # The session token
//!
//! A token is the URL-safe base64 (no padding) of
//!
//! ```text
//! version (1 = 0x01) ‖ server key id (u32) ‖ issued at (u64, Unix s) ‖ expires at (u64, Unix s)
//! ‖ len ‖ access key id ‖ principal kind ‖ partition ‖ account (12 digits)
//! ‖ principal fields (u16 length + UTF-8 each) ‖ MAC (32 bytes)
//! ```
//!
//! where `MAC = HMAC-SHA256(server key, "tower-sigv4 session token\0" ‖ everything before it)`.
//! The secret access key is not in the token: it is
//! `base64(HMAC-SHA256(server key, "tower-sigv4 session secret\0" ‖ everything before the MAC)[..30])`,
//! 40 characters like an AWS secret, so only a holder of the server key can
//! compute it from a token seen on the wire, and every token has its own.
//!
//! URL-safe base64 needs no percent-encoding in a presigned URL's
//! `X-Amz-Security-Token`; decoding is strict (one encoding per token), so
//! changing any character of a token is detected.
//!
//! # Validation
//!
//! | presented | answer |
//! |---|---|
//! | a token longer than [`MAX_SESSION_TOKEN_LEN`], not base64, of another version, of an unknown server key, with a wrong MAC | `TokenInvalid` |
//! | a valid token with another access key id (another session's key, or a long-term `AKIA…` key) | `TokenInvalid` |
//! | an `ASIA…` key without a token | `TokenRequired` |
//! | a valid token at or after its expiry (`now >= expiration`) | `TokenExpired` |
//!
//! # Server keys and rotation
//!
//! [`SessionKeys`] holds the key that signs new tokens and any number of
//! older keys that still verify: [`SessionKeys::rotate`] makes a new key
//! current while the old one keeps verifying the tokens already out;
//! [`SessionKeys::retire`] drops it once they have expired.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroize;

use super::base32::push_base32;
use super::clock::{from_unix_seconds, unix_seconds, Clock, SystemClock};
use super::error::{ConfigError, ConfigErrorKind, StsError, StsErrorKind};
use super::principal::{AccountId, AssumedRole, FederatedUser, IamRole, Partition, Principal};
use super::secret::{fill_random, SecretKey};
use super::store::{is_temporary_key_id, Credential, CredentialStore, LookupError};

/// The longest session token accepted, in characters (4096). Tokens this
/// crate mints are under 1,200 characters; anything longer is rejected as
/// invalid before it is decoded, and decoding uses a fixed stack buffer.
pub const MAX_SESSION_TOKEN_LEN: usize = 4096;

/// The shortest server key accepted, in bytes.
pub const MIN_SERVER_KEY_LEN: usize = 32;

/// Shortest and longest `AssumeRole` session (15 minutes, 12 hours).
const ROLE_DURATION: (u64, u64) = (900, 43_200);
/// Default `AssumeRole` session (1 hour).
const ROLE_DEFAULT: u64 = 3_600;
/// Shortest and longest `GetFederationToken` session (15 minutes, 36 hours).
const FEDERATION_DURATION: (u64, u64) = (900, 129_600);
/// Default `GetFederationToken` session (12 hours).
const FEDERATION_DEFAULT: u64 = 43_200;

const TOKEN_VERSION: u8 = 1;
const MAC_LEN: usize = 32;
const MAC_DOMAIN: &[u8] = b"tower-sigv4 session token\0";
const SECRET_DOMAIN: &[u8] = b"tower-sigv4 session secret\0";
const KIND_ASSUMED_ROLE: u8 = 1;
const KIND_FEDERATED_USER: u8 = 2;

/// A server key: signs session tokens and derives their secrets.
pub struct ServerKey {
    id: u32,
    key: SecretKey,
}

impl ServerKey {
    /// A key with the given id; at least [`MIN_SERVER_KEY_LEN`] bytes.
    pub fn new(id: u32, key: impl Into<SecretKey>) -> Result<Self, ConfigError> {
        let key = key.into();
        if key.len() < MIN_SERVER_KEY_LEN {
            return Err(ConfigError::new(
                ConfigErrorKind::KeyTooShort,
                format!(
                    "a session server key needs at least {MIN_SERVER_KEY_LEN} bytes, got {}",
                    key.len()
                ),
            ));
        }
        Ok(ServerKey { id, key })
    }

    /// A fresh random 32-byte key from the operating system.
    pub fn generate(id: u32) -> Result<Self, ConfigError> {
        let mut bytes = vec![0u8; 32];
        fill_random(&mut bytes).map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::Randomness,
                format!("the random source failed: {e}"),
            )
        })?;
        ServerKey::new(id, bytes)
    }

    /// The key id written into the tokens it signs.
    pub fn id(&self) -> u32 {
        self.id
    }

    fn mac(&self, domain: &[u8], body: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(domain);
        mac.update(body);
        mac
    }

    /// The secret access key that belongs to a token body.
    fn derive_secret(&self, body: &[u8]) -> SecretKey {
        let mut digest: [u8; 32] = self.mac(SECRET_DOMAIN, body).finalize().into_bytes().into();
        let mut text = [0u8; 40];
        let written = STANDARD
            .encode_slice(&digest[..30], &mut text)
            .expect("30 bytes are 40 base64 characters");
        let secret = SecretKey::from(&text[..written]);
        digest.zeroize();
        text.zeroize();
        secret
    }
}

impl fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerKey")
            .field("id", &self.id)
            .field("key", &"** redacted **")
            .finish()
    }
}

struct Keyring {
    current: u32,
    keys: Vec<ServerKey>,
}

impl Keyring {
    fn get(&self, id: u32) -> Option<&ServerKey> {
        self.keys.iter().find(|k| k.id == id)
    }
}

/// The server keys shared by a [`SessionIssuer`] and its [`SessionStore`]:
/// one current key signs new tokens, every listed key verifies.
///
/// Cloning shares the ring, so a rotation is seen by every clone at once.
///
/// ```
/// use tower_sigv4::identity::{ServerKey, SessionKeys};
///
/// let keys = SessionKeys::new(ServerKey::generate(1).unwrap());
/// keys.rotate(ServerKey::generate(2).unwrap()).unwrap(); // 2 signs; 1 still verifies
/// assert_eq!(keys.current_id(), 2);
/// keys.retire(1).unwrap(); // tokens signed by key 1 are now rejected
/// assert_eq!(keys.key_ids(), vec![2]);
/// ```
#[derive(Clone)]
pub struct SessionKeys {
    ring: Arc<RwLock<Keyring>>,
}

impl SessionKeys {
    /// A ring whose only key is `current`.
    pub fn new(current: ServerKey) -> Self {
        SessionKeys {
            ring: Arc::new(RwLock::new(Keyring {
                current: current.id,
                keys: vec![current],
            })),
        }
    }

    fn read<T>(&self, f: impl FnOnce(&Keyring) -> T) -> T {
        f(&self.ring.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn write<T>(&self, f: impl FnOnce(&mut Keyring) -> T) -> T {
        f(&mut self.ring.write().unwrap_or_else(PoisonError::into_inner))
    }

    /// The id of the key that signs new tokens.
    pub fn current_id(&self) -> u32 {
        self.read(|r| r.current)
    }

    /// The ids of every key that verifies.
    pub fn key_ids(&self) -> Vec<u32> {
        self.read(|r| r.keys.iter().map(|k| k.id).collect())
    }

    /// Adds a key that verifies but does not sign (for example the previous
    /// key, at start-up).
    pub fn add(&self, key: ServerKey) -> Result<(), ConfigError> {
        self.write(|r| {
            if r.get(key.id).is_some() {
                return Err(duplicate_key_id(key.id));
            }
            r.keys.push(key);
            Ok(())
        })
    }

    /// Makes `key` the signing key; the previous ones keep verifying.
    pub fn rotate(&self, key: ServerKey) -> Result<(), ConfigError> {
        self.write(|r| {
            if r.get(key.id).is_some() {
                return Err(duplicate_key_id(key.id));
            }
            r.current = key.id;
            r.keys.push(key);
            Ok(())
        })
    }

    /// Removes a key that no longer signs; tokens it signed are rejected
    /// from now on.
    pub fn retire(&self, id: u32) -> Result<(), ConfigError> {
        self.write(|r| {
            if r.current == id {
                return Err(ConfigError::new(
                    ConfigErrorKind::CannotRetireCurrentKey,
                    format!("key {id} signs new tokens; rotate to another key before retiring it"),
                ));
            }
            let before = r.keys.len();
            r.keys.retain(|k| k.id != id);
            if r.keys.len() == before {
                return Err(ConfigError::new(
                    ConfigErrorKind::UnknownKeyId,
                    format!("no session server key has the id {id}"),
                ));
            }
            Ok(())
        })
    }
}

fn duplicate_key_id(id: u32) -> ConfigError {
    ConfigError::new(
        ConfigErrorKind::DuplicateKeyId,
        format!("a session server key with the id {id} is already in the ring"),
    )
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKeys")
            .field("current", &self.current_id())
            .field("key_ids", &self.key_ids())
            .finish()
    }
}

/// Temporary credentials just issued: what STS returns in `Credentials`
/// (and `AssumedRoleUser` or `FederatedUser`).
pub struct IssuedCredentials {
    access_key_id: String,
    secret_access_key: SecretKey,
    session_token: String,
    issued_at: SystemTime,
    expiration: SystemTime,
    principal: Arc<Principal>,
}

impl IssuedCredentials {
    /// `AccessKeyId`: `ASIA` and 16 base32 characters.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// `SecretAccessKey`: 40 characters; give it only to its owner.
    pub fn secret_access_key(&self) -> &SecretKey {
        &self.secret_access_key
    }

    /// `SessionToken`.
    pub fn session_token(&self) -> &str {
        &self.session_token
    }

    /// When the credentials were issued (whole seconds).
    pub fn issued_at(&self) -> SystemTime {
        self.issued_at
    }

    /// `Expiration`: the credentials are valid while `now < expiration`.
    pub fn expiration(&self) -> SystemTime {
        self.expiration
    }

    /// The principal the credentials act as: `AssumedRoleUser.Arn` is its
    /// [`arn`](Principal::arn), `AssumedRoleId` its
    /// [`user_id`](Principal::user_id).
    pub fn principal(&self) -> &Arc<Principal> {
        &self.principal
    }

    /// The same credentials as a store would return them.
    pub fn credential(&self) -> Credential {
        Credential::temporary(
            self.secret_access_key.clone(),
            self.principal.clone(),
            self.issued_at,
            self.expiration,
        )
    }
}

impl fmt::Debug for IssuedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field(
                "session_token",
                &format_args!("** redacted ({} characters) **", self.session_token.len()),
            )
            .field("issued_at", &self.issued_at)
            .field("expiration", &self.expiration)
            .field("principal", &self.principal.arn())
            .finish()
    }
}

/// Mints temporary credentials for assumed roles and federated users.
///
/// ```
/// use std::time::Duration;
/// use tower_sigv4::identity::{
///     CredentialStore, IamRole, ServerKey, SessionIssuer, SessionKeys, SessionStore,
/// };
///
/// let keys = SessionKeys::new(ServerKey::generate(1).unwrap());
/// let issuer = SessionIssuer::new(keys.clone());
/// let store = SessionStore::new(keys);
///
/// let role: IamRole = "arn:aws:iam::111122223333:role/demo-role".parse().unwrap();
/// let issued = issuer.assume_role(&role, "session-1", Some(Duration::from_secs(900))).unwrap();
/// assert!(issued.access_key_id().starts_with("ASIA"));
/// assert_eq!(
///     issued.principal().arn(),
///     "arn:aws:sts::111122223333:assumed-role/demo-role/session-1"
/// );
///
/// // The store recognises the token with nothing but the server key.
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let credential = store
///     .lookup(issued.access_key_id(), Some(issued.session_token()))
///     .await
///     .unwrap();
/// assert_eq!(credential.secret(), issued.secret_access_key());
/// assert_eq!(credential.principal().user_id(), issued.principal().user_id());
/// # });
/// ```
#[derive(Clone)]
pub struct SessionIssuer {
    keys: SessionKeys,
    clock: Arc<dyn Clock>,
}

impl SessionIssuer {
    /// An issuer signing with the current key of `keys`.
    pub fn new(keys: SessionKeys) -> Self {
        SessionIssuer {
            keys,
            clock: Arc::new(SystemClock),
        }
    }

    /// The clock that stamps issue and expiry times.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The key ring.
    pub fn keys(&self) -> &SessionKeys {
        &self.keys
    }

    /// Credentials for a session `session_name` of `role`, for `duration`
    /// (900 s to 12 h, default 1 h) as `AssumeRole` issues them. Whether the
    /// caller may assume the role is [`RoleRegistry`](super::RoleRegistry)'s
    /// decision, not the issuer's.
    pub fn assume_role(
        &self,
        role: &IamRole,
        session_name: &str,
        duration: Option<Duration>,
    ) -> Result<IssuedCredentials, StsError> {
        let mut violations = Vec::new();
        check_session_name_constraints("roleSessionName", session_name, &mut violations);
        let seconds = check_duration(duration, ROLE_DEFAULT, ROLE_DURATION, &mut violations);
        if !violations.is_empty() {
            return Err(StsError::validation(&violations));
        }
        let principal = AssumedRole::new(role.clone(), session_name)
            .map_err(|e| StsError::new(StsErrorKind::ValidationError, e.to_string()))?;
        self.issue(principal.into(), seconds)
    }

    /// Credentials for the federated user `name` of `account`, for
    /// `duration` (900 s to 36 h, default 12 h) as `GetFederationToken`
    /// issues them.
    pub fn federated_user(
        &self,
        partition: Partition,
        account: AccountId,
        name: &str,
        duration: Option<Duration>,
    ) -> Result<IssuedCredentials, StsError> {
        let mut violations = Vec::new();
        check_name_constraints("name", name, 2, 32, &mut violations);
        let seconds = check_duration(
            duration,
            FEDERATION_DEFAULT,
            FEDERATION_DURATION,
            &mut violations,
        );
        if !violations.is_empty() {
            return Err(StsError::validation(&violations));
        }
        let principal = FederatedUser::new(partition, account, name)
            .map_err(|e| StsError::new(StsErrorKind::ValidationError, e.to_string()))?;
        self.issue(principal.into(), seconds)
    }

    fn issue(&self, principal: Principal, seconds: u64) -> Result<IssuedCredentials, StsError> {
        let mut random = [0u8; 10];
        fill_random(&mut random).map_err(|_| internal_failure())?;
        let mut access_key_id = String::with_capacity(20);
        access_key_id.push_str("ASIA");
        push_base32(&random, 16, &mut access_key_id);

        let issued = unix_seconds(self.clock.now());
        let expires = issued.saturating_add(seconds);
        let (body, mac, secret) = self
            .keys
            .read(|ring| {
                // The ring never lets its current key go.
                let key = ring.get(ring.current)?;
                let body = encode_body(key.id, issued, expires, &access_key_id, &principal)?;
                let mac: [u8; MAC_LEN] = key.mac(MAC_DOMAIN, &body).finalize().into_bytes().into();
                let secret = key.derive_secret(&body);
                Some((body, mac, secret))
            })
            .ok_or_else(internal_failure)?;
        let mut token_bytes = body;
        token_bytes.extend_from_slice(&mac);
        Ok(IssuedCredentials {
            access_key_id,
            secret_access_key: secret,
            session_token: URL_SAFE_NO_PAD.encode(&token_bytes),
            issued_at: from_unix_seconds(issued),
            expiration: from_unix_seconds(expires),
            principal: Arc::new(principal),
        })
    }
}

impl fmt::Debug for SessionIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionIssuer")
            .field("keys", &self.keys)
            .field("clock", &self.clock)
            .finish()
    }
}

fn internal_failure() -> StsError {
    StsError::new(
        StsErrorKind::InternalFailure,
        "The request processing has failed because of an unknown error, exception or failure.",
    )
}

/// Cuts a value echoed in a validation message to a bounded length.
fn echoed(value: &str) -> &str {
    const MAX: usize = 256;
    if value.len() <= MAX {
        return value;
    }
    let mut end = MAX;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    &value[..end]
}

fn check_name_constraints(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
    violations: &mut Vec<String>,
) {
    let shown = echoed(value);
    if value.len() < min {
        violations.push(format!(
            "Value '{shown}' at '{field}' failed to satisfy constraint: \
             Member must have length greater than or equal to {min}"
        ));
    }
    if value.len() > max {
        violations.push(format!(
            "Value '{shown}' at '{field}' failed to satisfy constraint: \
             Member must have length less than or equal to {max}"
        ));
    }
    let in_alphabet = |b: u8| {
        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b'-')
    };
    if !value.bytes().all(in_alphabet) {
        violations.push(format!(
            "Value '{shown}' at '{field}' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        ));
    }
}

/// STS's constraints on `RoleSessionName`, worded as STS words them.
pub(crate) fn check_session_name_constraints(
    field: &str,
    value: &str,
    violations: &mut Vec<String>,
) {
    check_name_constraints(field, value, 2, 64, violations);
}

/// STS's constraints on `DurationSeconds`; returns the seconds to issue for.
pub(crate) fn check_duration(
    duration: Option<Duration>,
    default: u64,
    (min, max): (u64, u64),
    violations: &mut Vec<String>,
) -> u64 {
    let Some(duration) = duration else {
        return default;
    };
    let seconds = duration.as_secs();
    if seconds < min {
        violations.push(format!(
            "Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: \
             Member must have value greater than or equal to {min}"
        ));
    } else if seconds > max {
        violations.push(format!(
            "Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: \
             Member must have value less than or equal to {max}"
        ));
    }
    seconds
}

pub(crate) const ROLE_DURATION_LIMITS: (u64, u64) = ROLE_DURATION;
pub(crate) const ROLE_DEFAULT_DURATION: u64 = ROLE_DEFAULT;

fn push_str16(out: &mut Vec<u8>, s: &str) {
    // Every field was validated far below 64 KiB (paths at most 512 bytes).
    let len = u16::try_from(s.len()).expect("principal fields are short");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn encode_body(
    key_id: u32,
    issued: u64,
    expires: u64,
    access_key_id: &str,
    principal: &Principal,
) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    out.push(TOKEN_VERSION);
    out.extend_from_slice(&key_id.to_be_bytes());
    out.extend_from_slice(&issued.to_be_bytes());
    out.extend_from_slice(&expires.to_be_bytes());
    out.push(access_key_id.len() as u8);
    out.extend_from_slice(access_key_id.as_bytes());
    match principal {
        Principal::AssumedRole(session) => {
            let role = session.role();
            out.push(KIND_ASSUMED_ROLE);
            out.push(role.partition().code());
            out.extend_from_slice(role.account().as_bytes());
            push_str16(&mut out, role.name());
            push_str16(&mut out, role.path());
            push_str16(&mut out, role.role_id());
            push_str16(&mut out, session.session_name());
        }
        Principal::FederatedUser(user) => {
            out.push(KIND_FEDERATED_USER);
            out.push(user.partition().code());
            out.extend_from_slice(user.account().as_bytes());
            push_str16(&mut out, user.name());
        }
        // Only sessions are issued temporary credentials.
        _ => return None,
    }
    Some(out)
}

/// A bounds-checked reader over a token body.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_be_bytes(b.try_into().expect("4 bytes")))
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8)
            .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes")))
    }

    fn str8(&mut self) -> Option<&'a str> {
        let len = self.u8()? as usize;
        std::str::from_utf8(self.take(len)?).ok()
    }

    fn str16(&mut self) -> Option<&'a str> {
        let len = u16::from_be_bytes(self.take(2)?.try_into().expect("2 bytes")) as usize;
        std::str::from_utf8(self.take(len)?).ok()
    }
}

/// What a token body says once its MAC has been checked.
struct TokenClaims<'a> {
    issued: u64,
    expires: u64,
    access_key_id: &'a str,
    principal: Principal,
}

fn decode_claims(body: &[u8]) -> Option<TokenClaims<'_>> {
    let mut r = Reader { bytes: body };
    if r.u8()? != TOKEN_VERSION {
        return None;
    }
    let _key_id = r.u32()?;
    let issued = r.u64()?;
    let expires = r.u64()?;
    let access_key_id = r.str8()?;
    let kind = r.u8()?;
    let partition = Partition::from_code(r.u8()?)?;
    let account = AccountId::new(std::str::from_utf8(r.take(12)?).ok()?).ok()?;
    let principal = match kind {
        KIND_ASSUMED_ROLE => {
            let name = r.str16()?;
            let path = r.str16()?;
            let role_id = r.str16()?;
            let session = r.str16()?;
            let role = IamRole::new(partition, account, path, name)
                .ok()?
                .with_role_id(role_id)
                .ok()?;
            AssumedRole::new(role, session).ok()?.into()
        }
        KIND_FEDERATED_USER => FederatedUser::new(partition, account, r.str16()?)
            .ok()?
            .into(),
        _ => return None,
    };
    if !r.bytes.is_empty() {
        return None;
    }
    Some(TokenClaims {
        issued,
        expires,
        access_key_id,
        principal,
    })
}

/// Validates session tokens minted by a [`SessionIssuer`] with the same
/// [`SessionKeys`], and answers with the credential they stand for.
///
/// It knows temporary credentials only: a long-term key without a token is
/// an unknown key to it. Put it in front of a long-term store with
/// [`RoutedStore`](super::RoutedStore), and behind a
/// [`CachedStore`](super::CachedStore) if the same sessions call often
/// (each validation costs two HMACs and builds the principal).
#[derive(Clone)]
pub struct SessionStore {
    keys: SessionKeys,
    clock: Arc<dyn Clock>,
}

impl SessionStore {
    /// A store verifying with every key of `keys`.
    pub fn new(keys: SessionKeys) -> Self {
        SessionStore {
            keys,
            clock: Arc::new(SystemClock),
        }
    }

    /// The clock that decides expiry.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The key ring.
    pub fn keys(&self) -> &SessionKeys {
        &self.keys
    }

    /// The synchronous check behind [`CredentialStore::lookup`].
    pub fn validate(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Result<Credential, LookupError> {
        let Some(token) = session_token else {
            return Err(if is_temporary_key_id(access_key_id) {
                LookupError::token_required()
            } else {
                LookupError::unknown_access_key()
            });
        };
        if token.is_empty() || token.len() > MAX_SESSION_TOKEN_LEN {
            return Err(LookupError::token_invalid());
        }
        let mut buf = [0u8; MAX_SESSION_TOKEN_LEN / 4 * 3];
        let len = URL_SAFE_NO_PAD
            .decode_slice(token.as_bytes(), &mut buf)
            .map_err(|_| LookupError::token_invalid())?;
        let bytes = &buf[..len];
        if bytes.len() < 5 + MAC_LEN || bytes[0] != TOKEN_VERSION {
            return Err(LookupError::token_invalid());
        }
        let (body, mac) = bytes.split_at(bytes.len() - MAC_LEN);
        let key_id = u32::from_be_bytes(body[1..5].try_into().expect("4 bytes"));

        let (claims, secret) = self
            .keys
            .read(|ring| {
                let key = ring.get(key_id)?;
                key.mac(MAC_DOMAIN, body).verify_slice(mac).ok()?;
                let claims = decode_claims(body)?;
                Some((claims, key.derive_secret(body)))
            })
            .ok_or_else(LookupError::token_invalid)?;

        if claims.access_key_id != access_key_id {
            return Err(LookupError::token_invalid());
        }
        let expiry = from_unix_seconds(claims.expires);
        if self.clock.now() >= expiry {
            return Err(LookupError::token_expired());
        }
        Ok(Credential::temporary(
            secret,
            claims.principal,
            from_unix_seconds(claims.issued),
            expiry,
        ))
    }
}

impl CredentialStore for SessionStore {
    fn lookup(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> impl std::future::Future<Output = Result<Credential, LookupError>> + Send {
        std::future::ready(self.validate(access_key_id, session_token))
    }

    fn lookup_now(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Option<Result<Credential, LookupError>> {
        Some(self.validate(access_key_id, session_token))
    }

    fn answers_now(&self) -> bool {
        true
    }
}

impl fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionStore")
            .field("keys", &self.keys)
            .field("clock", &self.clock)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::ManualClock;

    fn fixed_issuer() -> (SessionIssuer, SessionStore, Arc<ManualClock>) {
        let keys = SessionKeys::new(ServerKey::new(7, vec![0x42; 32]).unwrap());
        let clock = Arc::new(ManualClock::new(from_unix_seconds(1_700_000_000)));
        (
            SessionIssuer::new(keys.clone()).with_clock(clock.clone()),
            SessionStore::new(keys).with_clock(clock.clone()),
            clock,
        )
    }

    #[test]
    fn claims_round_trip_through_the_body() {
        let (issuer, _, _) = fixed_issuer();
        let role = IamRole::new(
            Partition::AwsUsGov,
            "123456789012".parse().unwrap(),
            "/a/b/",
            "r",
        )
        .unwrap()
        .with_role_id("AROA1234567890ABCDEFG")
        .unwrap();
        let issued = issuer.assume_role(&role, "s@x", None).unwrap();
        let bytes = URL_SAFE_NO_PAD.decode(issued.session_token()).unwrap();
        let claims = decode_claims(&bytes[..bytes.len() - MAC_LEN]).unwrap();
        assert_eq!(claims.access_key_id, issued.access_key_id());
        assert_eq!(claims.expires - claims.issued, ROLE_DEFAULT);
        assert_eq!(&claims.principal, &**issued.principal());
        let Principal::AssumedRole(session) = &claims.principal else {
            panic!("an assumed role comes back");
        };
        assert_eq!(session.role().path(), "/a/b/");
        assert_eq!(session.role().role_id(), "AROA1234567890ABCDEFG");
    }

    #[test]
    fn trailing_bytes_after_the_claims_are_rejected() {
        let (issuer, _, _) = fixed_issuer();
        let issued = issuer
            .federated_user(Partition::Aws, "123456789012".parse().unwrap(), "bob", None)
            .unwrap();
        let bytes = URL_SAFE_NO_PAD.decode(issued.session_token()).unwrap();
        let mut body = bytes[..bytes.len() - MAC_LEN].to_vec();
        assert!(decode_claims(&body).is_some());
        body.push(0);
        assert!(decode_claims(&body).is_none());
    }

    #[test]
    fn every_truncation_of_a_body_is_rejected_without_panic() {
        let (issuer, _, _) = fixed_issuer();
        let role: IamRole = "arn:aws:iam::123456789012:role/r".parse().unwrap();
        let issued = issuer.assume_role(&role, "sess", None).unwrap();
        let bytes = URL_SAFE_NO_PAD.decode(issued.session_token()).unwrap();
        let body = &bytes[..bytes.len() - MAC_LEN];
        for end in 0..body.len() {
            assert!(
                decode_claims(&body[..end]).is_none(),
                "prefix of {end} bytes"
            );
        }
    }
}
