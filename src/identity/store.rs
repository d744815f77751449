//! Credential stores: from an access key id (and session token) to the
//! secret and the principal behind it.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use super::clock::{Clock, SystemClock};
use super::error::{ConfigError, ConfigErrorKind};
use super::principal::{AccountId, ArnError, Partition, Principal, RootUser};
use super::secret::{ct_eq_bytes, SecretKey};
use crate::sigv4::Dialect;

/// Looks up the secret and principal behind an access key id.
///
/// A native `async fn`-style trait (no `async_trait`): implementations may
/// write `async fn lookup(…)`, and the future must be `Send` so that a tower
/// service can hold it across `.await`. It is implemented for `Arc<T>` and
/// `&T`, for closures through [`store_fn`], and by [`StaticCredentials`],
/// [`SessionStore`](super::SessionStore), [`CachedStore`](super::CachedStore)
/// and [`RoutedStore`]. [`BoxCredentialStore`] erases the type when a
/// `dyn` store is needed.
///
/// A store decides everything about the key and its token: unknown key,
/// token required, token invalid, token expired. The caller (the verifier)
/// only checks the signature with the secret it gets back.
pub trait CredentialStore: Send + Sync {
    /// Finds the credential for `access_key_id`, presented with
    /// `session_token` (`X-Amz-Security-Token`) when the request carried one.
    fn lookup(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> impl Future<Output = Result<Credential, LookupError>> + Send;

    /// The answer of [`lookup`](Self::lookup) when the store has it at hand
    /// without waiting (an in-memory store, a cache hit); `None` when the
    /// caller has to await [`lookup`](Self::lookup). When it answers, it must
    /// answer as `lookup` would.
    ///
    /// [`SigV4Service`](crate::SigV4Service) verifies a request without
    /// boxing a future or suspending when the store answers here. Stores that
    /// override it also override [`answers_now`](Self::answers_now). The
    /// default answers `None`.
    fn lookup_now(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Option<Result<Credential, LookupError>> {
        let _ = (access_key_id, session_token);
        None
    }

    /// Whether [`lookup_now`](Self::lookup_now) may answer (default `false`):
    /// when it never does, callers go straight to [`lookup`](Self::lookup)
    /// without preparing a synchronous attempt.
    fn answers_now(&self) -> bool {
        false
    }
}

impl<T: CredentialStore> CredentialStore for Arc<T> {
    fn lookup(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> impl Future<Output = Result<Credential, LookupError>> + Send {
        (**self).lookup(access_key_id, session_token)
    }

    fn lookup_now(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Option<Result<Credential, LookupError>> {
        (**self).lookup_now(access_key_id, session_token)
    }

    fn answers_now(&self) -> bool {
        (**self).answers_now()
    }
}

impl<T: CredentialStore> CredentialStore for &T {
    fn lookup(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> impl Future<Output = Result<Credential, LookupError>> + Send {
        (**self).lookup(access_key_id, session_token)
    }

    fn lookup_now(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Option<Result<Credential, LookupError>> {
        (**self).lookup_now(access_key_id, session_token)
    }

    fn answers_now(&self) -> bool {
        (**self).answers_now()
    }
}

/// What a store knows about an access key: its secret, who it belongs to,
/// and for temporary credentials when they were issued and expire.
///
/// Cloning is cheap (two reference counts): caches hand out clones.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Credential {
    secret: SecretKey,
    principal: Arc<Principal>,
    issued_at: Option<SystemTime>,
    expiry: Option<SystemTime>,
}

impl Credential {
    /// A long-term credential (an access key of a user or root user).
    pub fn new(secret: impl Into<SecretKey>, principal: impl Into<Arc<Principal>>) -> Self {
        Credential {
            secret: secret.into(),
            principal: principal.into(),
            issued_at: None,
            expiry: None,
        }
    }

    /// A temporary credential (used with a session token), valid from
    /// `issued_at` until just before `expiry`.
    pub fn temporary(
        secret: impl Into<SecretKey>,
        principal: impl Into<Arc<Principal>>,
        issued_at: SystemTime,
        expiry: SystemTime,
    ) -> Self {
        Credential {
            secret: secret.into(),
            principal: principal.into(),
            issued_at: Some(issued_at),
            expiry: Some(expiry),
        }
    }

    /// The secret access key.
    pub fn secret(&self) -> &SecretKey {
        &self.secret
    }

    /// The caller.
    pub fn principal(&self) -> &Arc<Principal> {
        &self.principal
    }

    /// When temporary credentials were issued (`aws:TokenIssueTime`); `None`
    /// for long-term keys.
    pub fn issued_at(&self) -> Option<SystemTime> {
        self.issued_at
    }

    /// When temporary credentials expire: they are valid while
    /// `now < expiry`. `None` for long-term keys.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    /// Whether these are temporary credentials (a session token goes with them).
    pub fn is_temporary(&self) -> bool {
        self.issued_at.is_some()
    }

    /// Whether the credential has expired at `now` (expiry is exclusive:
    /// at the expiry instant it is expired).
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.expiry.is_some_and(|e| now >= e)
    }
}

/// Why a lookup failed.
///
/// Opaque; [`kind`](Self::kind) tells the class, and the kind tells the AWS
/// code for each protocol. Messages never contain a secret or a token.
#[derive(Clone)]
pub struct LookupError {
    kind: LookupErrorKind,
    source: Option<Arc<dyn StdError + Send + Sync>>,
}

/// The class of a [`LookupError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LookupErrorKind {
    /// No such access key (or an inactive one: AWS does not tell them apart).
    UnknownAccessKey,
    /// A temporary access key was presented without its session token.
    TokenRequired,
    /// The session token is malformed, forged, issued for another access key,
    /// signed with an unknown server key, or presented with a long-term key.
    TokenInvalid,
    /// The temporary credentials have expired.
    TokenExpired,
    /// The store itself failed (database down, …); see `source()`.
    Backend,
}

impl LookupErrorKind {
    /// The AWS error code for this failure in `protocol`.
    ///
    /// | kind | S3 | Query (STS) | JSON (KMS, DynamoDB) |
    /// |---|---|---|---|
    /// | `UnknownAccessKey`, `TokenRequired` | `InvalidAccessKeyId` | `InvalidClientTokenId` | `UnrecognizedClientException` |
    /// | `TokenInvalid` | `InvalidToken` | `InvalidClientTokenId` | `UnrecognizedClientException` |
    /// | `TokenExpired` | `ExpiredToken` | `ExpiredToken` | `ExpiredTokenException` |
    /// | `Backend` | `InternalError` | `InternalFailure` | `InternalFailure` |
    pub fn aws_code(self, protocol: Dialect) -> &'static str {
        use Dialect::*;
        use LookupErrorKind::*;
        match (self, protocol) {
            (UnknownAccessKey | TokenRequired, S3) => "InvalidAccessKeyId",
            (TokenInvalid, S3) => "InvalidToken",
            (UnknownAccessKey | TokenRequired | TokenInvalid, Query) => "InvalidClientTokenId",
            (UnknownAccessKey | TokenRequired | TokenInvalid, Json) => {
                "UnrecognizedClientException"
            }
            (TokenExpired, S3 | Query) => "ExpiredToken",
            (TokenExpired, Json) => "ExpiredTokenException",
            (Backend, S3) => "InternalError",
            (Backend, Query | Json) => "InternalFailure",
        }
    }

    /// The message AWS sends with [`aws_code`](Self::aws_code).
    pub fn aws_message(self, protocol: Dialect) -> &'static str {
        use Dialect::*;
        use LookupErrorKind::*;
        match (self, protocol) {
            (UnknownAccessKey | TokenRequired, S3) => {
                "The AWS Access Key Id you provided does not exist in our records."
            }
            (TokenInvalid, S3) => "The provided token is malformed or otherwise invalid.",
            (UnknownAccessKey | TokenRequired | TokenInvalid, Query | Json) => {
                "The security token included in the request is invalid."
            }
            (TokenExpired, S3) => "The provided token has expired.",
            (TokenExpired, Query | Json) => "The security token included in the request is expired",
            (Backend, S3) => "We encountered an internal error. Please try again.",
            (Backend, Query | Json) => {
                "The request processing has failed because of an unknown error, exception or failure."
            }
        }
    }

    /// The HTTP status AWS answers with.
    pub fn status_code(self, protocol: Dialect) -> u16 {
        use Dialect::*;
        use LookupErrorKind::*;
        match (self, protocol) {
            (UnknownAccessKey | TokenRequired, S3) => 403,
            (TokenInvalid | TokenExpired, S3) => 400,
            (UnknownAccessKey | TokenRequired | TokenInvalid | TokenExpired, Query) => 403,
            (UnknownAccessKey | TokenRequired | TokenInvalid | TokenExpired, Json) => 400,
            (Backend, _) => 500,
        }
    }

    /// Whether the same key and token will fail the same way next time, so
    /// that a cache may remember the failure. Backend failures are not.
    pub fn is_definitive(self) -> bool {
        !matches!(self, LookupErrorKind::Backend)
    }

    fn description(self) -> &'static str {
        match self {
            LookupErrorKind::UnknownAccessKey => "unknown access key id",
            LookupErrorKind::TokenRequired => "this access key needs its session token",
            LookupErrorKind::TokenInvalid => "the session token is invalid for this access key",
            LookupErrorKind::TokenExpired => "the temporary credentials have expired",
            LookupErrorKind::Backend => "the credential store failed",
        }
    }
}

impl LookupError {
    /// A failure of the given kind.
    pub fn new(kind: LookupErrorKind) -> Self {
        LookupError { kind, source: None }
    }

    /// No such access key.
    pub fn unknown_access_key() -> Self {
        LookupError::new(LookupErrorKind::UnknownAccessKey)
    }

    /// A temporary key without its session token.
    pub fn token_required() -> Self {
        LookupError::new(LookupErrorKind::TokenRequired)
    }

    /// A session token that is not valid for this key.
    pub fn token_invalid() -> Self {
        LookupError::new(LookupErrorKind::TokenInvalid)
    }

    /// Expired temporary credentials.
    pub fn token_expired() -> Self {
        LookupError::new(LookupErrorKind::TokenExpired)
    }

    /// The store failed; `source` is kept for `Error::source` and logs, so it
    /// must not contain a secret.
    pub fn backend(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        LookupError {
            kind: LookupErrorKind::Backend,
            source: Some(Arc::from(source.into())),
        }
    }

    /// The class of failure.
    pub fn kind(&self) -> LookupErrorKind {
        self.kind
    }
}

impl fmt::Debug for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("LookupError");
        d.field("kind", &self.kind);
        if let Some(source) = &self.source {
            d.field("source", &format_args!("{source}"));
        }
        d.finish()
    }
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.description())
    }
}

impl StdError for LookupError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

impl From<LookupErrorKind> for LookupError {
    fn from(kind: LookupErrorKind) -> Self {
        LookupError::new(kind)
    }
}

/// A [`CredentialStore`] made of a closure; see [`store_fn`].
#[derive(Clone, Copy)]
pub struct StoreFn<F> {
    f: F,
}

/// Makes a [`CredentialStore`] of a closure, as tower's `service_fn` makes a
/// service.
///
/// The closure's future cannot borrow the arguments: copy what it needs.
///
/// ```
/// use std::sync::Arc;
/// use tower_sigv4::identity::{store_fn, Credential, CredentialStore, LookupError, Principal};
///
/// let alice: Arc<Principal> = Arc::new("arn:aws:iam::111122223333:user/alice".parse().unwrap());
/// let store = store_fn(move |akid: &str, _token: Option<&str>| {
///     let found = (akid == "AKIAALICE").then(|| Credential::new("alice-secret", alice.clone()));
///     async move { found.ok_or_else(LookupError::unknown_access_key) }
/// });
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let credential = store.lookup("AKIAALICE", None).await.unwrap();
/// assert_eq!(credential.principal().arn(), "arn:aws:iam::111122223333:user/alice");
/// # });
/// ```
pub fn store_fn<F>(f: F) -> StoreFn<F> {
    StoreFn { f }
}

impl<F, Fut> CredentialStore for StoreFn<F>
where
    F: Fn(&str, Option<&str>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Credential, LookupError>> + Send,
{
    fn lookup(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> impl Future<Output = Result<Credential, LookupError>> + Send {
        (self.f)(access_key_id, session_token)
    }
}

impl<F> fmt::Debug for StoreFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreFn")
            .field("f", &std::any::type_name::<F>())
            .finish()
    }
}

type BoxLookupFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credential, LookupError>> + Send + 'a>>;

trait ErasedStore: Send + Sync {
    fn lookup_boxed<'a>(
        &'a self,
        access_key_id: &'a str,
        session_token: Option<&'a str>,
    ) -> BoxLookupFuture<'a>;

    fn lookup_now_erased(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Option<Result<Credential, LookupError>>;

    fn answers_now_erased(&self) -> bool;
}

impl<S: CredentialStore> ErasedStore for S {
    fn lookup_boxed<'a>(
        &'a self,
        access_key_id: &'a str,
        session_token: Option<&'a str>,
    ) -> BoxLookupFuture<'a> {
        Box::pin(self.lookup(access_key_id, session_token))
    }

    fn lookup_now_erased(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Option<Result<Credential, LookupError>> {
        self.lookup_now(access_key_id, session_token)
    }

    fn answers_now_erased(&self) -> bool {
        self.answers_now()
    }
}

/// A type-erased, cloneable [`CredentialStore`], for when the store's type
/// must not appear in a signature (one allocation per lookup for the boxed
/// future).
#[derive(Clone)]
pub struct BoxCredentialStore(Arc<dyn ErasedStore>);

impl BoxCredentialStore {
    /// Erases `store`'s type.
    pub fn new<S: CredentialStore + 'static>(store: S) -> Self {
        BoxCredentialStore(Arc::new(store))
    }
}

impl CredentialStore for BoxCredentialStore {
    async fn lookup(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Result<Credential, LookupError> {
        self.0.lookup_boxed(access_key_id, session_token).await
    }

    fn lookup_now(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Option<Result<Credential, LookupError>> {
        self.0.lookup_now_erased(access_key_id, session_token)
    }

    fn answers_now(&self) -> bool {
        self.0.answers_now_erased()
    }
}

impl fmt::Debug for BoxCredentialStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BoxCredentialStore")
    }
}

/// Sends temporary credentials to one store and long-term keys to another:
/// a request with a session token, or with an `ASIA…` access key id, goes to
/// `temporary` (typically a [`SessionStore`](super::SessionStore)), every
/// other one to `long_term`.
///
/// So a long-term key presented with a token, or a temporary key without
/// one, is judged by the temporary store, which rejects both.
///
/// ```
/// use tower_sigv4::identity::{RoutedStore, ServerKey, SessionKeys, SessionStore, StaticCredentials};
///
/// let keys = SessionKeys::new(ServerKey::generate(1).unwrap());
/// let long_term = StaticCredentials::builder()
///     .root("111122223333", "AKIAROOT", "root-secret")
///     .build()
///     .unwrap();
/// let store = RoutedStore::new(SessionStore::new(keys), long_term);
/// # let _ = store;
/// ```
#[derive(Clone, Debug)]
pub struct RoutedStore<T, L> {
    temporary: T,
    long_term: L,
}

impl<T, L> RoutedStore<T, L> {
    /// Routes temporary credentials to `temporary` and the rest to `long_term`.
    pub fn new(temporary: T, long_term: L) -> Self {
        RoutedStore {
            temporary,
            long_term,
        }
    }

    /// The store for temporary credentials.
    pub fn temporary(&self) -> &T {
        &self.temporary
    }

    /// The store for long-term keys.
    pub fn long_term(&self) -> &L {
        &self.long_term
    }
}

/// Whether an access key id is a temporary (STS) one.
pub(crate) fn is_temporary_key_id(access_key_id: &str) -> bool {
    access_key_id.starts_with("ASIA")
}

impl<T: CredentialStore, L: CredentialStore> CredentialStore for RoutedStore<T, L> {
    async fn lookup(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Result<Credential, LookupError> {
        if session_token.is_some() || is_temporary_key_id(access_key_id) {
            self.temporary.lookup(access_key_id, session_token).await
        } else {
            self.long_term.lookup(access_key_id, None).await
        }
    }

    fn lookup_now(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Option<Result<Credential, LookupError>> {
        if session_token.is_some() || is_temporary_key_id(access_key_id) {
            self.temporary.lookup_now(access_key_id, session_token)
        } else {
            self.long_term.lookup_now(access_key_id, None)
        }
    }

    fn answers_now(&self) -> bool {
        self.temporary.answers_now() || self.long_term.answers_now()
    }
}

/// Anything that names a principal: an ARN (`&str`, `String`) or a built
/// [`Principal`].
pub trait IntoPrincipal {
    /// Parses or wraps the principal.
    fn into_principal(self) -> Result<Arc<Principal>, ArnError>;
}

impl IntoPrincipal for &str {
    fn into_principal(self) -> Result<Arc<Principal>, ArnError> {
        self.parse::<Principal>().map(Arc::new)
    }
}

impl IntoPrincipal for String {
    fn into_principal(self) -> Result<Arc<Principal>, ArnError> {
        self.as_str().into_principal()
    }
}

impl IntoPrincipal for &String {
    fn into_principal(self) -> Result<Arc<Principal>, ArnError> {
        self.as_str().into_principal()
    }
}

impl IntoPrincipal for Principal {
    fn into_principal(self) -> Result<Arc<Principal>, ArnError> {
        Ok(Arc::new(self))
    }
}

impl IntoPrincipal for Arc<Principal> {
    fn into_principal(self) -> Result<Arc<Principal>, ArnError> {
        Ok(self)
    }
}

impl IntoPrincipal for super::principal::IamUser {
    fn into_principal(self) -> Result<Arc<Principal>, ArnError> {
        Ok(Arc::new(self.into()))
    }
}

struct StaticEntry {
    credential: Credential,
    session_token: Option<SecretKey>,
}

/// An in-memory credential store, fixed when built.
///
/// ```
/// use tower_sigv4::identity::{CredentialStore, LookupErrorKind, StaticCredentials};
///
/// let store = StaticCredentials::builder()
///     .root("111122223333", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
///     .user(
///         "arn:aws:iam::111122223333:user/division/alice",
///         "AKIAALICEEXAMPLE0001",
///         "alice-secret",
///     )
///     .build()
///     .unwrap();
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let alice = store.lookup("AKIAALICEEXAMPLE0001", None).await.unwrap();
/// assert_eq!(alice.principal().arn(), "arn:aws:iam::111122223333:user/division/alice");
/// assert_eq!(alice.secret().as_bytes(), b"alice-secret");
///
/// let root = store.lookup("AKIAIOSFODNN7EXAMPLE", None).await.unwrap();
/// assert_eq!(root.principal().user_id(), "111122223333");
///
/// let err = store.lookup("AKIANOBODY", None).await.unwrap_err();
/// assert_eq!(err.kind(), LookupErrorKind::UnknownAccessKey);
/// # });
/// ```
pub struct StaticCredentials {
    entries: Entries,
    clock: Arc<dyn Clock>,
}

/// Stores of up to this many keys are searched one key after the other.
const FEW_KEYS: usize = 8;

/// The keys of a [`StaticCredentials`].
///
/// A few keys (the usual static configuration) are compared one by one,
/// length first: cheaper than hashing the key id with SipHash. More keys go
/// to a `HashMap` with std's randomly keyed SipHash, since key ids come from
/// the client and a weaker hash would let them collide on purpose. Neither
/// has to run in constant time: key ids are not secret.
enum Entries {
    Few(Vec<(Box<str>, StaticEntry)>),
    Many(HashMap<Box<str>, StaticEntry>),
}

impl Entries {
    fn get(&self, access_key_id: &str) -> Option<&StaticEntry> {
        match self {
            Entries::Few(entries) => entries
                .iter()
                .find(|(k, _)| k.len() == access_key_id.len() && **k == *access_key_id)
                .map(|(_, e)| e),
            Entries::Many(entries) => entries.get(access_key_id),
        }
    }

    fn len(&self) -> usize {
        match self {
            Entries::Few(entries) => entries.len(),
            Entries::Many(entries) => entries.len(),
        }
    }

    fn iter(&self) -> Box<dyn Iterator<Item = (&str, &StaticEntry)> + '_> {
        match self {
            Entries::Few(entries) => Box::new(entries.iter().map(|(k, e)| (&**k, e))),
            Entries::Many(entries) => Box::new(entries.iter().map(|(k, e)| (&**k, e))),
        }
    }
}

impl StaticCredentials {
    /// Starts a builder.
    pub fn builder() -> StaticCredentialsBuilder {
        StaticCredentialsBuilder {
            entries: Vec::new(),
            clock: Arc::new(SystemClock),
        }
    }

    /// How many access keys the store holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// The synchronous lookup behind [`CredentialStore::lookup`].
    pub fn get(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Result<Credential, LookupError> {
        let entry = self
            .entries
            .get(access_key_id)
            .ok_or_else(LookupError::unknown_access_key)?;
        match (&entry.session_token, session_token) {
            (None, None) => {}
            (None, Some(_)) => return Err(LookupError::token_invalid()),
            (Some(_), None) => return Err(LookupError::token_required()),
            (Some(expected), Some(given)) => {
                if !ct_eq_bytes(expected.as_bytes(), given.as_bytes()) {
                    return Err(LookupError::token_invalid());
                }
            }
        }
        if entry.credential.is_expired_at(self.clock.now()) {
            return Err(LookupError::token_expired());
        }
        Ok(entry.credential.clone())
    }
}

impl CredentialStore for StaticCredentials {
    fn lookup(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> impl Future<Output = Result<Credential, LookupError>> + Send {
        std::future::ready(self.get(access_key_id, session_token))
    }

    fn lookup_now(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Option<Result<Credential, LookupError>> {
        Some(self.get(access_key_id, session_token))
    }

    fn answers_now(&self) -> bool {
        true
    }
}

impl fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<(&str, &str)> = self
            .entries
            .iter()
            .map(|(k, e)| (k, e.credential.principal().arn()))
            .collect();
        keys.sort_unstable();
        f.debug_struct("StaticCredentials")
            .field("keys", &keys)
            .finish_non_exhaustive()
    }
}

/// Builds a [`StaticCredentials`]; errors surface at [`build`](Self::build).
pub struct StaticCredentialsBuilder {
    entries: Vec<Result<(Box<str>, StaticEntry), ConfigError>>,
    clock: Arc<dyn Clock>,
}

impl StaticCredentialsBuilder {
    /// Adds an access key of the root user of `account` (partition `aws`;
    /// use [`principal`](Self::principal) with a root ARN for another).
    pub fn root(self, account: &str, access_key_id: &str, secret: impl Into<SecretKey>) -> Self {
        let entry = AccountId::new(account)
            .map_err(|e| ConfigError::arn("root account", e))
            .map(|account| {
                let principal = Principal::from(RootUser::new(Partition::Aws, account));
                Credential::new(secret, principal)
            });
        self.push(access_key_id, entry, None)
    }

    /// Adds an access key of an IAM user, given by ARN
    /// (`arn:aws:iam::111122223333:user/division/alice`) or as a built
    /// principal (to set its unique id).
    pub fn user(
        self,
        user: impl IntoPrincipal,
        access_key_id: &str,
        secret: impl Into<SecretKey>,
    ) -> Self {
        let entry = user
            .into_principal()
            .map_err(|e| ConfigError::arn("user", e))
            .and_then(|p| match &*p {
                Principal::User(_) => Ok(Credential::new(secret, p)),
                other => Err(ConfigError::new(
                    ConfigErrorKind::NotAUser,
                    format!("`{}` is not an IAM user", other.arn()),
                )),
            });
        self.push(access_key_id, entry, None)
    }

    /// Adds a long-term access key of any principal.
    pub fn principal(
        self,
        principal: impl IntoPrincipal,
        access_key_id: &str,
        secret: impl Into<SecretKey>,
    ) -> Self {
        let entry = principal
            .into_principal()
            .map_err(|e| ConfigError::arn("principal", e))
            .map(|p| Credential::new(secret, p));
        self.push(access_key_id, entry, None)
    }

    /// Adds a ready credential; with `session_token`, lookups must present
    /// exactly that token (compared in constant time).
    pub fn credential(
        self,
        access_key_id: &str,
        credential: Credential,
        session_token: Option<&str>,
    ) -> Self {
        self.push(access_key_id, Ok(credential), session_token)
    }

    /// The clock that decides whether temporary credentials have expired.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    fn push(
        mut self,
        access_key_id: &str,
        credential: Result<Credential, ConfigError>,
        session_token: Option<&str>,
    ) -> Self {
        let entry = credential.and_then(|credential| {
            if access_key_id.is_empty() {
                return Err(ConfigError::new(
                    ConfigErrorKind::EmptyAccessKey,
                    "an access key id cannot be empty",
                ));
            }
            Ok((
                Box::<str>::from(access_key_id),
                StaticEntry {
                    credential,
                    session_token: session_token.map(SecretKey::from),
                },
            ))
        });
        self.entries.push(entry);
        self
    }

    /// Checks every entry and builds the store.
    pub fn build(self) -> Result<StaticCredentials, ConfigError> {
        let mut entries = HashMap::with_capacity(self.entries.len());
        for entry in self.entries {
            let (key, entry) = entry?;
            if entries.contains_key(&key) {
                return Err(ConfigError::new(
                    ConfigErrorKind::DuplicateAccessKey,
                    format!("the access key id `{key}` is configured twice"),
                ));
            }
            entries.insert(key, entry);
        }
        let entries = if entries.len() <= FEW_KEYS {
            Entries::Few(entries.into_iter().collect())
        } else {
            Entries::Many(entries)
        };
        Ok(StaticCredentials {
            entries,
            clock: self.clock,
        })
    }
}

impl fmt::Debug for StaticCredentialsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticCredentialsBuilder")
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(n: usize) -> StaticCredentials {
        let mut builder = StaticCredentials::builder();
        for i in 0..n {
            builder = builder.root("111122223333", &format!("AKIDEXAMPLE{i:04}"), "secret");
        }
        builder.build().unwrap()
    }

    #[test]
    fn few_and_many_keys_are_found_alike() {
        for n in [1, FEW_KEYS, FEW_KEYS + 1, 100] {
            let store = store(n);
            assert_eq!(store.len(), n);
            assert!(
                matches!(
                    store.entries,
                    Entries::Few(_) if n <= FEW_KEYS
                ) || matches!(store.entries, Entries::Many(_) if n > FEW_KEYS)
            );
            for i in 0..n {
                assert!(store.get(&format!("AKIDEXAMPLE{i:04}"), None).is_ok());
            }
            for missing in ["AKIDEXAMPLE", "AKIDEXAMPLE99999", "", "akidexample0000"] {
                assert_eq!(
                    store.get(missing, None).unwrap_err().kind(),
                    LookupErrorKind::UnknownAccessKey
                );
            }
            assert_eq!(format!("{store:?}").matches("AKIDEXAMPLE").count(), n);
        }
    }
}
