//! Credential stores: the in-memory store, closures, `Arc`, type erasure,
//! routing of temporary keys, and the AWS code of every failure.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use tower_sigv4::sigv4::Dialect;

use tower_sigv4::identity::{
    store_fn, BoxCredentialStore, ConfigErrorKind, Credential, CredentialStore, IamRole, IamUser,
    LookupError, LookupErrorKind, ManualClock, Partition, Principal, RoutedStore, ServerKey,
    SessionIssuer, SessionKeys, SessionStore, StaticCredentials,
};

fn store() -> StaticCredentials {
    StaticCredentials::builder()
        .root("111122223333", "AKIAROOT000000000001", "root-secret")
        .user(
            "arn:aws:iam::111122223333:user/division/alice",
            "AKIAALICE00000000001",
            "alice-secret",
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn static_store_finds_keys_and_principals() {
    let s = store();
    assert_eq!(s.len(), 2);
    let root = s.lookup("AKIAROOT000000000001", None).await.unwrap();
    assert_eq!(root.principal().arn(), "arn:aws:iam::111122223333:root");
    assert_eq!(root.secret().as_bytes(), b"root-secret");
    assert!(!root.is_temporary());
    assert_eq!(root.expiry(), None);
    let alice = s.lookup("AKIAALICE00000000001", None).await.unwrap();
    assert_eq!(alice.principal().username(), Some("alice"));
    assert_eq!(
        s.lookup("AKIANOBODY", None).await.unwrap_err().kind(),
        LookupErrorKind::UnknownAccessKey
    );
    // Access key ids are case-sensitive, as AWS's are.
    assert_eq!(
        s.lookup("akiaroot000000000001", None)
            .await
            .unwrap_err()
            .kind(),
        LookupErrorKind::UnknownAccessKey
    );
}

#[tokio::test]
async fn a_token_with_a_long_term_key_is_rejected() {
    let err = store()
        .lookup("AKIAALICE00000000001", Some("some-token"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), LookupErrorKind::TokenInvalid);
}

#[tokio::test]
async fn static_temporary_credentials_need_their_exact_token_and_expire() {
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_000)));
    let role: IamRole = "arn:aws:iam::111122223333:role/r".parse().unwrap();
    let session = Principal::from(tower_sigv4::identity::AssumedRole::new(role, "s1").unwrap());
    let issued = UNIX_EPOCH + Duration::from_secs(900);
    let expiry = UNIX_EPOCH + Duration::from_secs(2_000);
    let s = StaticCredentials::builder()
        .credential(
            "ASIATEMP000000000001",
            Credential::temporary("temp-secret", session, issued, expiry),
            Some("the-token"),
        )
        .clock(clock.clone())
        .build()
        .unwrap();
    let c = s
        .lookup("ASIATEMP000000000001", Some("the-token"))
        .await
        .unwrap();
    assert!(c.is_temporary());
    assert_eq!(c.issued_at(), Some(issued));
    let kind = |r: Result<Credential, LookupError>| r.unwrap_err().kind();
    assert_eq!(
        kind(s.lookup("ASIATEMP000000000001", None).await),
        LookupErrorKind::TokenRequired
    );
    assert_eq!(
        kind(s.lookup("ASIATEMP000000000001", Some("the-tokeN")).await),
        LookupErrorKind::TokenInvalid
    );
    assert_eq!(
        kind(s.lookup("ASIATEMP000000000001", Some("the-token-")).await),
        LookupErrorKind::TokenInvalid
    );
    // Valid until one nanosecond before the expiry, expired at it.
    clock.set(expiry - Duration::from_nanos(1));
    assert!(s
        .lookup("ASIATEMP000000000001", Some("the-token"))
        .await
        .is_ok());
    clock.set(expiry);
    assert_eq!(
        kind(s.lookup("ASIATEMP000000000001", Some("the-token")).await),
        LookupErrorKind::TokenExpired
    );
}

#[test]
fn builder_errors_are_typed() {
    let err = StaticCredentials::builder()
        .root("12345", "AKIA1", "s")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::InvalidArn);
    assert!(std::error::Error::source(&err).is_some());

    let err = StaticCredentials::builder()
        .user("arn:aws:iam::111122223333:root", "AKIA1", "s")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::NotAUser);

    let err = StaticCredentials::builder()
        .root("111122223333", "AKIA1", "s")
        .user("arn:aws:iam::111122223333:user/bob", "AKIA1", "t")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::DuplicateAccessKey);

    let err = StaticCredentials::builder()
        .root("111122223333", "", "s")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::EmptyAccessKey);
}

#[tokio::test]
async fn users_may_carry_their_real_unique_id() {
    let bob = IamUser::new(
        Partition::AwsCn,
        "111122223333".parse().unwrap(),
        "/",
        "bob",
    )
    .unwrap()
    .with_unique_id("AIDACKCEVSQ6C2EXAMPLE")
    .unwrap();
    let s = StaticCredentials::builder()
        .user(bob, "AKIABOB", "bob-secret")
        .principal(
            "arn:aws:sts::111122223333:federated-user/fed",
            "AKIAFED",
            "f",
        )
        .build()
        .unwrap();
    let c = s.lookup("AKIABOB", None).await.unwrap();
    assert_eq!(c.principal().user_id(), "AIDACKCEVSQ6C2EXAMPLE");
    assert_eq!(c.principal().arn(), "arn:aws-cn:iam::111122223333:user/bob");
    let c = s.lookup("AKIAFED", None).await.unwrap();
    assert_eq!(c.principal().user_id(), "111122223333:fed");
}

#[tokio::test]
async fn closures_arcs_and_boxes_are_stores() {
    let alice: Arc<Principal> = Arc::new("arn:aws:iam::111122223333:user/alice".parse().unwrap());
    let closure = store_fn(move |akid: &str, token: Option<&str>| {
        let result = match (akid, token) {
            ("AKIAALICE", None) => Ok(Credential::new("alice-secret", alice.clone())),
            ("AKIADOWN", _) => Err(LookupError::backend("database unreachable")),
            _ => Err(LookupError::unknown_access_key()),
        };
        async move { result }
    });
    let found = closure.lookup("AKIAALICE", None).await.unwrap();
    assert_eq!(found.secret().as_bytes(), b"alice-secret");
    let err = closure.lookup("AKIADOWN", None).await.unwrap_err();
    assert_eq!(err.kind(), LookupErrorKind::Backend);
    assert_eq!(
        std::error::Error::source(&err).unwrap().to_string(),
        "database unreachable"
    );

    let shared = Arc::new(closure);
    assert!(shared.lookup("AKIAALICE", None).await.is_ok());
    let boxed = BoxCredentialStore::new(shared.clone());
    assert!(boxed.clone().lookup("AKIAALICE", None).await.is_ok());
    assert_eq!(
        boxed.lookup("AKIAX", None).await.unwrap_err().kind(),
        LookupErrorKind::UnknownAccessKey
    );

    // The futures are Send: they can run on a multi-threaded runtime.
    let handle = tokio::spawn(async move { boxed.lookup("AKIAALICE", None).await.is_ok() });
    assert!(handle.await.unwrap());
}

#[tokio::test]
async fn routed_store_sends_temporary_keys_to_the_session_store() {
    let keys = SessionKeys::new(ServerKey::generate(1).unwrap());
    let issuer = SessionIssuer::new(keys.clone());
    let routed = RoutedStore::new(SessionStore::new(keys), store());
    let role: IamRole = "arn:aws:iam::111122223333:role/r".parse().unwrap();
    let issued = issuer.assume_role(&role, "s1", None).unwrap();

    // Long-term keys go to the long-term store.
    assert!(routed.lookup("AKIAALICE00000000001", None).await.is_ok());
    // Temporary credentials go to the session store.
    let c = routed
        .lookup(issued.access_key_id(), Some(issued.session_token()))
        .await
        .unwrap();
    assert_eq!(c.principal().arn(), issued.principal().arn());
    // A temporary key without its token: TokenRequired.
    assert_eq!(
        routed
            .lookup(issued.access_key_id(), None)
            .await
            .unwrap_err()
            .kind(),
        LookupErrorKind::TokenRequired
    );
    // A long-term key with a (valid) token of someone else: TokenInvalid.
    assert_eq!(
        routed
            .lookup("AKIAALICE00000000001", Some(issued.session_token()))
            .await
            .unwrap_err()
            .kind(),
        LookupErrorKind::TokenInvalid
    );
}

/// The AWS code, message and status of every failure, per protocol.
#[test]
fn every_failure_has_its_aws_code_in_each_protocol() {
    use Dialect::*;
    use LookupErrorKind::*;
    let table: &[(LookupErrorKind, Dialect, &str, u16, &str)] = &[
        (
            UnknownAccessKey,
            S3,
            "InvalidAccessKeyId",
            403,
            "The AWS Access Key Id you provided does not exist in our records.",
        ),
        (
            UnknownAccessKey,
            Query,
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid.",
        ),
        (
            UnknownAccessKey,
            Json,
            "UnrecognizedClientException",
            400,
            "The security token included in the request is invalid.",
        ),
        (
            TokenRequired,
            S3,
            "InvalidAccessKeyId",
            403,
            "The AWS Access Key Id you provided does not exist in our records.",
        ),
        (
            TokenRequired,
            Query,
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid.",
        ),
        (
            TokenRequired,
            Json,
            "UnrecognizedClientException",
            400,
            "The security token included in the request is invalid.",
        ),
        (
            TokenInvalid,
            S3,
            "InvalidToken",
            400,
            "The provided token is malformed or otherwise invalid.",
        ),
        (
            TokenInvalid,
            Query,
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid.",
        ),
        (
            TokenInvalid,
            Json,
            "UnrecognizedClientException",
            400,
            "The security token included in the request is invalid.",
        ),
        (
            TokenExpired,
            S3,
            "ExpiredToken",
            400,
            "The provided token has expired.",
        ),
        (
            TokenExpired,
            Query,
            "ExpiredToken",
            403,
            "The security token included in the request is expired",
        ),
        (
            TokenExpired,
            Json,
            "ExpiredTokenException",
            400,
            "The security token included in the request is expired",
        ),
        (
            Backend,
            S3,
            "InternalError",
            500,
            "We encountered an internal error. Please try again.",
        ),
        (
            Backend,
            Query,
            "InternalFailure",
            500,
            "The request processing has failed because of an unknown error, exception or failure.",
        ),
        (
            Backend,
            Json,
            "InternalFailure",
            500,
            "The request processing has failed because of an unknown error, exception or failure.",
        ),
    ];
    for (kind, protocol, code, status, message) in table {
        assert_eq!(kind.aws_code(*protocol), *code, "{kind:?} {protocol:?}");
        assert_eq!(
            kind.status_code(*protocol),
            *status,
            "{kind:?} {protocol:?}"
        );
        assert_eq!(
            kind.aws_message(*protocol),
            *message,
            "{kind:?} {protocol:?}"
        );
    }
    assert!(UnknownAccessKey.is_definitive());
    assert!(!Backend.is_definitive());
}
