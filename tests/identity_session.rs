//! Stateless temporary credentials: round trips, tampering with every byte,
//! the exact expiry boundary, server-key rotation, per-token secrets, and the
//! STS validation messages.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use tower_sigv4::identity::{
    ConfigErrorKind, CredentialStore, IamRole, IssuedCredentials, LookupErrorKind, ManualClock,
    Partition, Principal, ServerKey, SessionIssuer, SessionKeys, SessionStore, SigningKeyCache,
    StsErrorKind, MAX_SESSION_TOKEN_LEN,
};
use tower_sigv4::sigv4::SigningKey;

const START: u64 = 1_700_000_000;

struct Fixture {
    keys: SessionKeys,
    issuer: SessionIssuer,
    store: SessionStore,
    clock: Arc<ManualClock>,
}

fn fixture() -> Fixture {
    let keys = SessionKeys::new(ServerKey::new(1, vec![0x11; 32]).unwrap());
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(START)));
    Fixture {
        issuer: SessionIssuer::new(keys.clone()).with_clock(clock.clone()),
        store: SessionStore::new(keys.clone()).with_clock(clock.clone()),
        keys,
        clock,
    }
}

fn role() -> IamRole {
    "arn:aws:iam::111122223333:role/service/demo-role"
        .parse::<IamRole>()
        .unwrap()
        .with_role_id("AROA3XFRBF535PLBIFPI4")
        .unwrap()
}

fn issue(f: &Fixture) -> IssuedCredentials {
    f.issuer
        .assume_role(&role(), "session-1", Some(Duration::from_secs(900)))
        .unwrap()
}

#[tokio::test]
async fn issued_credentials_round_trip_through_the_store() {
    let f = fixture();
    let issued = issue(&f);

    let akid = issued.access_key_id();
    assert_eq!(akid.len(), 20);
    assert!(akid.starts_with("ASIA"));
    assert!(akid[4..]
        .bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    let secret = issued.secret_access_key().expose_str().unwrap();
    assert_eq!(secret.len(), 40);
    assert!(issued.session_token().len() < 1_200);
    assert!(issued
        .session_token()
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_eq!(issued.issued_at(), UNIX_EPOCH + Duration::from_secs(START));
    assert_eq!(
        issued.expiration(),
        UNIX_EPOCH + Duration::from_secs(START + 900)
    );

    let p = issued.principal();
    assert_eq!(
        p.arn(),
        "arn:aws:sts::111122223333:assumed-role/demo-role/session-1"
    );
    assert_eq!(p.user_id(), "AROA3XFRBF535PLBIFPI4:session-1");
    assert_eq!(
        p.canonical_arn(),
        "arn:aws:iam::111122223333:role/service/demo-role"
    );

    let found = f
        .store
        .lookup(akid, Some(issued.session_token()))
        .await
        .unwrap();
    assert_eq!(found.secret(), issued.secret_access_key());
    assert_eq!(found.principal(), issued.principal());
    assert_eq!(found.principal().canonical_arn(), p.canonical_arn());
    assert!(found.is_temporary());
    assert_eq!(found.issued_at(), Some(issued.issued_at()));
    assert_eq!(found.expiry(), Some(issued.expiration()));
}

#[tokio::test]
async fn federated_users_round_trip() {
    let f = fixture();
    let issued = f
        .issuer
        .federated_user(
            Partition::AwsCn,
            "111122223333".parse().unwrap(),
            "bob",
            None,
        )
        .unwrap();
    // GetFederationToken's default is 12 hours.
    assert_eq!(
        issued.expiration(),
        UNIX_EPOCH + Duration::from_secs(START + 43_200)
    );
    let found = f
        .store
        .validate(issued.access_key_id(), Some(issued.session_token()))
        .unwrap();
    assert_eq!(
        found.principal().arn(),
        "arn:aws-cn:sts::111122223333:federated-user/bob"
    );
    assert_eq!(found.principal().user_id(), "111122223333:bob");
}

/// Replacing any character of the token by any other base64 character is
/// rejected, as is flipping any bit of the decoded bytes.
#[test]
fn tampering_with_any_byte_of_the_token_is_rejected() {
    let f = fixture();
    let issued = issue(&f);
    let akid = issued.access_key_id();
    let token = issued.session_token();
    assert!(f.store.validate(akid, Some(token)).is_ok());

    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut tried = 0;
    for i in 0..token.len() {
        for &c in ALPHABET.iter().chain(b"+/=. ") {
            if c == token.as_bytes()[i] {
                continue;
            }
            let mut bytes = token.as_bytes().to_vec();
            bytes[i] = c;
            let tampered = String::from_utf8(bytes).unwrap();
            let err = f.store.validate(akid, Some(&tampered)).unwrap_err();
            assert_eq!(
                err.kind(),
                LookupErrorKind::TokenInvalid,
                "position {i} -> {c}"
            );
            tried += 1;
        }
    }
    assert!(tried > token.len() * 60);

    let raw = URL_SAFE_NO_PAD.decode(token).unwrap();
    for i in 0..raw.len() {
        for bit in 0..8 {
            let mut bytes = raw.clone();
            bytes[i] ^= 1 << bit;
            let tampered = URL_SAFE_NO_PAD.encode(&bytes);
            let err = f.store.validate(akid, Some(&tampered)).unwrap_err();
            assert_eq!(
                err.kind(),
                LookupErrorKind::TokenInvalid,
                "byte {i} bit {bit}"
            );
        }
    }
    // Truncated, extended, or re-encoded with padding or another alphabet.
    for tampered in [
        &token[..token.len() - 1],
        &format!("{token}A"),
        &format!("{token}="),
        &URL_SAFE_NO_PAD.encode(&raw[..raw.len() - 1]),
        &base64::engine::general_purpose::STANDARD.encode(&raw),
        "",
    ] {
        if tampered == token {
            continue;
        }
        assert_eq!(
            f.store.validate(akid, Some(tampered)).unwrap_err().kind(),
            LookupErrorKind::TokenInvalid
        );
    }
}

/// A client holding the secret with any byte changed signs differently from
/// what the verifier derives from the token.
#[test]
fn changing_any_byte_of_the_secret_breaks_the_signature() {
    let f = fixture();
    let issued = issue(&f);
    let credential = f
        .store
        .validate(issued.access_key_id(), Some(issued.session_token()))
        .unwrap();
    let cache = SigningKeyCache::new();
    let string_to_sign =
        b"AWS4-HMAC-SHA256\n20231114T221320Z\n20231114/us-east-1/s3/aws4_request\n\
        e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let expected = cache
        .signing_key(
            issued.access_key_id(),
            credential.secret(),
            "20231114",
            "us-east-1",
            "s3",
        )
        .sign(string_to_sign);
    let secret = issued.secret_access_key().as_bytes().to_vec();
    assert_eq!(
        SigningKey::derive(&secret, "20231114", "us-east-1", "s3").sign(string_to_sign),
        expected
    );
    for i in 0..secret.len() {
        let mut wrong = secret.clone();
        wrong[i] ^= 0x01;
        let forged = SigningKey::derive(&wrong, "20231114", "us-east-1", "s3").sign(string_to_sign);
        assert_ne!(forged, expected, "byte {i}");
    }
}

#[test]
fn expiry_is_exact_at_the_boundary() {
    let f = fixture();
    let issued = issue(&f);
    let expiry = issued.expiration();
    let check = |at: SystemTime| {
        f.clock.set(at);
        f.store
            .validate(issued.access_key_id(), Some(issued.session_token()))
            .map(|_| ())
            .map_err(|e| e.kind())
    };
    assert_eq!(check(expiry - Duration::from_secs(1)), Ok(()));
    assert_eq!(check(expiry - Duration::from_nanos(1)), Ok(()));
    assert_eq!(check(expiry), Err(LookupErrorKind::TokenExpired));
    assert_eq!(
        check(expiry + Duration::from_secs(3600)),
        Err(LookupErrorKind::TokenExpired)
    );
}

#[test]
fn server_keys_rotate_and_retire() {
    let f = fixture();
    let old = issue(&f);
    let validate = |issued: &IssuedCredentials| {
        f.store
            .validate(issued.access_key_id(), Some(issued.session_token()))
            .map(|_| ())
            .map_err(|e| e.kind())
    };

    f.keys
        .rotate(ServerKey::new(2, vec![0x22; 48]).unwrap())
        .unwrap();
    assert_eq!(f.keys.current_id(), 2);
    let new = issue(&f);
    // Both verify while both are listed.
    assert_eq!(validate(&old), Ok(()));
    assert_eq!(validate(&new), Ok(()));
    // The new token is signed by key 2: a ring without key 2 rejects it.
    let only_old = SessionStore::new(SessionKeys::new(ServerKey::new(1, vec![0x11; 32]).unwrap()))
        .with_clock(f.clock.clone());
    assert!(only_old
        .validate(old.access_key_id(), Some(old.session_token()))
        .is_ok());
    assert_eq!(
        only_old
            .validate(new.access_key_id(), Some(new.session_token()))
            .unwrap_err()
            .kind(),
        LookupErrorKind::TokenInvalid
    );

    f.keys.retire(1).unwrap();
    assert_eq!(validate(&old), Err(LookupErrorKind::TokenInvalid));
    assert_eq!(validate(&new), Ok(()));

    // The same key id with other key bytes is another key.
    let impostor = SessionStore::new(SessionKeys::new(ServerKey::new(2, vec![0x23; 48]).unwrap()))
        .with_clock(f.clock.clone());
    assert_eq!(
        impostor
            .validate(new.access_key_id(), Some(new.session_token()))
            .unwrap_err()
            .kind(),
        LookupErrorKind::TokenInvalid
    );
}

#[test]
fn key_ring_errors_are_typed() {
    assert_eq!(
        ServerKey::new(1, vec![0; 31]).unwrap_err().kind(),
        ConfigErrorKind::KeyTooShort
    );
    let keys = SessionKeys::new(ServerKey::generate(1).unwrap());
    assert_eq!(
        keys.add(ServerKey::generate(1).unwrap())
            .unwrap_err()
            .kind(),
        ConfigErrorKind::DuplicateKeyId
    );
    assert_eq!(
        keys.rotate(ServerKey::generate(1).unwrap())
            .unwrap_err()
            .kind(),
        ConfigErrorKind::DuplicateKeyId
    );
    assert_eq!(
        keys.retire(1).unwrap_err().kind(),
        ConfigErrorKind::CannotRetireCurrentKey
    );
    assert_eq!(
        keys.retire(9).unwrap_err().kind(),
        ConfigErrorKind::UnknownKeyId
    );
    keys.add(ServerKey::generate(0).unwrap()).unwrap();
    assert_eq!(keys.key_ids(), vec![1, 0]);
    assert_eq!(keys.current_id(), 1);
}

#[test]
fn every_token_has_its_own_secret_and_key_id() {
    let f = fixture();
    let mut secrets = HashSet::new();
    let mut akids = HashSet::new();
    for _ in 0..200 {
        // Same role, same session name, same second: only the key id differs.
        let issued = issue(&f);
        secrets.insert(issued.secret_access_key().as_bytes().to_vec());
        akids.insert(issued.access_key_id().to_owned());
    }
    assert_eq!(secrets.len(), 200);
    assert_eq!(akids.len(), 200);
}

#[test]
fn the_token_never_contains_the_secret() {
    let f = fixture();
    for _ in 0..50 {
        let issued = issue(&f);
        let secret = issued.secret_access_key().as_bytes();
        let token = issued.session_token();
        assert!(!token.contains(issued.secret_access_key().expose_str().unwrap()));
        let raw = URL_SAFE_NO_PAD.decode(token).unwrap();
        assert!(!raw.windows(secret.len()).any(|w| w == secret));
        // Nor the 30 raw bytes the secret encodes.
        let secret_bytes = base64::engine::general_purpose::STANDARD
            .decode(secret)
            .unwrap();
        assert!(!raw.windows(secret_bytes.len()).any(|w| w == secret_bytes));
        // Nor any 8-byte run of them.
        for run in secret_bytes.windows(8) {
            assert!(!raw.windows(8).any(|w| w == run));
        }
    }
}

#[test]
fn keys_and_tokens_must_belong_together() {
    let f = fixture();
    let a = issue(&f);
    let b = issue(&f);
    let kind = |akid: &str, token: Option<&str>| f.store.validate(akid, token).unwrap_err().kind();
    // A temporary key without its token.
    assert_eq!(
        kind(a.access_key_id(), None),
        LookupErrorKind::TokenRequired
    );
    // A temporary key with another session's token.
    assert_eq!(
        kind(a.access_key_id(), Some(b.session_token())),
        LookupErrorKind::TokenInvalid
    );
    // A long-term key with a valid token.
    assert_eq!(
        kind("AKIAIOSFODNN7EXAMPLE", Some(a.session_token())),
        LookupErrorKind::TokenInvalid
    );
    // A long-term key alone is not this store's business.
    assert_eq!(
        kind("AKIAIOSFODNN7EXAMPLE", None),
        LookupErrorKind::UnknownAccessKey
    );
}

#[test]
fn token_length_is_bounded_and_garbage_never_panics() {
    let f = fixture();
    let akid = "ASIAAAAAAAAAAAAAAAAA";
    let too_long = "A".repeat(MAX_SESSION_TOKEN_LEN + 1);
    let huge = "A".repeat(100_000);
    for token in [
        too_long.as_str(),
        huge.as_str(),
        "A".repeat(MAX_SESSION_TOKEN_LEN).as_str(),
        "AQ",
        "%%%%",
        "é",
        "AAAA\0AAAA",
        " ",
        "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD",
    ] {
        assert_eq!(
            f.store.validate(akid, Some(token)).unwrap_err().kind(),
            LookupErrorKind::TokenInvalid,
            "{}",
            &token[..token.len().min(40)]
        );
    }
}

#[test]
fn sts_validation_messages_match_aws() {
    let f = fixture();
    let err = f.issuer.assume_role(&role(), "a", None).unwrap_err();
    assert_eq!(err.kind(), StsErrorKind::ValidationError);
    assert_eq!(err.aws_code(), "ValidationError");
    assert_eq!(err.status_code(), 400);
    assert_eq!(
        err.message(),
        "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy \
         constraint: Member must have length greater than or equal to 2"
    );
    let err = f
        .issuer
        .assume_role(&role(), "bedrock role", None)
        .unwrap_err();
    assert_eq!(
        err.message(),
        "1 validation error detected: Value 'bedrock role' at 'roleSessionName' failed to \
         satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
    );
    let long = "b".repeat(65);
    let err = f.issuer.assume_role(&role(), &long, None).unwrap_err();
    assert_eq!(
        err.message(),
        format!(
            "1 validation error detected: Value '{long}' at 'roleSessionName' failed to \
             satisfy constraint: Member must have length less than or equal to 64"
        )
    );
    let err = f
        .issuer
        .assume_role(&role(), "ok-name", Some(Duration::from_secs(899)))
        .unwrap_err();
    assert_eq!(
        err.message(),
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy \
         constraint: Member must have value greater than or equal to 900"
    );
    let err = f
        .issuer
        .assume_role(&role(), "ok-name", Some(Duration::from_secs(43_201)))
        .unwrap_err();
    assert_eq!(
        err.message(),
        "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy \
         constraint: Member must have value less than or equal to 43200"
    );
    let err = f
        .issuer
        .assume_role(&role(), "x", Some(Duration::from_secs(10)))
        .unwrap_err();
    assert!(
        err.message().starts_with("2 validation errors detected: "),
        "{}",
        err.message()
    );
    assert!(err.message().contains("; Value '10' at 'durationSeconds'"));

    // The edges are accepted; the default is one hour.
    for seconds in [900, 43_200] {
        let issued = f
            .issuer
            .assume_role(&role(), "ok", Some(Duration::from_secs(seconds)))
            .unwrap();
        assert_eq!(
            issued
                .expiration()
                .duration_since(issued.issued_at())
                .unwrap(),
            Duration::from_secs(seconds)
        );
    }
    let issued = f.issuer.assume_role(&role(), "ok", None).unwrap();
    assert_eq!(
        issued
            .expiration()
            .duration_since(issued.issued_at())
            .unwrap(),
        Duration::from_secs(3_600)
    );
    let err = f
        .issuer
        .federated_user(
            Partition::Aws,
            "111122223333".parse().unwrap(),
            "bob",
            Some(Duration::from_secs(129_601)),
        )
        .unwrap_err();
    assert!(
        err.message().contains("less than or equal to 129600"),
        "{}",
        err.message()
    );
}

#[test]
fn issued_principals_are_sessions() {
    let f = fixture();
    let issued = issue(&f);
    assert!(matches!(&**issued.principal(), Principal::AssumedRole(_)));
    assert_eq!(issued.credential().secret(), issued.secret_access_key());
}
