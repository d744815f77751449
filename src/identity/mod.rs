//! Who is calling: principals, credential stores, secrets, caches and
//! stateless temporary credentials. Nothing here knows about HTTP.
//!
//! The verifier asks a [`CredentialStore`] for the [`Credential`] behind an
//! access key id (and session token); it gets the [`SecretKey`] to check the
//! signature with and the [`Principal`] to put in the request's extensions,
//! or a [`LookupError`] whose kind says which AWS code to answer with in each
//! protocol ([`LookupErrorKind::aws_code`]).
//!
//! The pieces:
//!
//! - [`Principal`]: root user, IAM user, assumed-role session or federated
//!   user, with its ARN, `aws:userid` and account exactly as AWS reports them.
//! - Stores: [`StaticCredentials`] (in memory), [`store_fn`] (a closure),
//!   [`SessionStore`] (temporary credentials, validated without a database),
//!   [`RoutedStore`] (temporary keys to one store, long-term keys to another),
//!   [`CachedStore`] (TTL, negative entries, coalesced misses) and
//!   [`BoxCredentialStore`] (type erasure).
//! - [`SigningKeyCache`]: derived signing keys, keyed by a fingerprint of the
//!   secret so that a rotated secret never meets an old key.
//! - [`SessionIssuer`] and [`RoleRegistry`]: what an STS endpoint needs for
//!   `AssumeRole` and `GetFederationToken`.
//!
//! # A complete set-up
//!
//! ```
//! use std::time::Duration;
//! use tower_sigv4::identity::{
//!     CachedStore, CredentialStore, LookupErrorKind, Principal, RoleDefinition, RoleRegistry,
//!     RoutedStore, ServerKey, SessionIssuer, SessionKeys, SessionStore, SigningKeyCache,
//!     StaticCredentials,
//! };
//!
//! let long_term = StaticCredentials::builder()
//!     .root("111122223333", "AKIAROOTEXAMPLE00001", "root-secret")
//!     .user(
//!         "arn:aws:iam::111122223333:user/division/alice",
//!         "AKIAALICEEXAMPLE0001",
//!         "alice-secret",
//!     )
//!     .build()
//!     .unwrap();
//! let keys = SessionKeys::new(ServerKey::generate(1).unwrap());
//! let roles = RoleRegistry::new(SessionIssuer::new(keys.clone())).with_role(
//!     RoleDefinition::new("arn:aws:iam::111122223333:role/demo-role".parse().unwrap())
//!         .trusting("arn:aws:iam::111122223333:user/division/alice".parse().unwrap()),
//! );
//! let store = CachedStore::new(RoutedStore::new(SessionStore::new(keys), long_term));
//! let signing_keys = SigningKeyCache::new();
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! // alice signs with her long-term key…
//! let alice = store.lookup("AKIAALICEEXAMPLE0001", None).await.unwrap();
//! let key = signing_keys.signing_key(
//!     "AKIAALICEEXAMPLE0001", alice.secret(), "20250101", "us-east-1", "sts",
//! );
//! # let _ = key;
//!
//! // …assumes the role…
//! let session = roles
//!     .assume_role(alice.principal(), "arn:aws:iam::111122223333:role/demo-role", "s1", None)
//!     .unwrap();
//!
//! // …and signs with the temporary credentials.
//! let found = store
//!     .lookup(session.access_key_id(), Some(session.session_token()))
//!     .await
//!     .unwrap();
//! assert_eq!(found.principal().arn(), "arn:aws:sts::111122223333:assumed-role/demo-role/s1");
//!
//! // Without its token, the temporary key is refused.
//! let err = store.lookup(session.access_key_id(), None).await.unwrap_err();
//! assert_eq!(err.kind(), LookupErrorKind::TokenRequired);
//! # });
//! ```

mod base32;
mod cache;
mod clock;
mod error;
mod front;
mod principal;
mod roles;
mod secret;
mod session;
mod store;

pub use cache::{
    CacheSettings, CacheStats, CachedStore, SigningKeyCache, SigningKeyCacheSettings,
    SigningKeyCacheStats,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ConfigError, ConfigErrorKind, StsError, StsErrorKind};
pub use principal::{
    AccountId, ArnError, ArnErrorKind, AssumedRole, FederatedUser, IamRole, IamUser, Partition,
    Principal, RootUser, MAX_ARN_LEN,
};
pub use roles::{RoleDefinition, RoleRegistry, TrustedPrincipal};
pub use secret::SecretKey;
pub use session::{
    IssuedCredentials, ServerKey, SessionIssuer, SessionKeys, SessionStore, MAX_SESSION_TOKEN_LEN,
    MIN_SERVER_KEY_LEN,
};
pub use store::{
    store_fn, BoxCredentialStore, Credential, CredentialStore, IntoPrincipal, LookupError,
    LookupErrorKind, RoutedStore, StaticCredentials, StaticCredentialsBuilder, StoreFn,
};
