//! No secret, server key, derived key or session token reaches the `Debug`
//! output of any identity type that holds one, nor an error message.

use std::sync::Arc;

use tower_sigv4::identity::{
    BoxCredentialStore, CachedStore, Credential, CredentialStore, LookupError, RoleDefinition,
    RoleRegistry, RoutedStore, SecretKey, ServerKey, SessionIssuer, SessionKeys, SessionStore,
    SigningKeyCache, StaticCredentials,
};

const USER_SECRET: &str = "USER-SECRET-wJalrXUtnFEMI/K7MDENG";
const ROOT_SECRET: &str = "ROOT-SECRET-bPxRfiCYEXAMPLEKEY00";
const SERVER_KEY: &[u8] = b"SERVER-KEY-0123456789abcdefghijklmnop";

/// Everything that must never be printed, in the forms it could take.
fn forbidden(extra: &[&[u8]]) -> Vec<String> {
    let mut out = vec![
        USER_SECRET.to_owned(),
        ROOT_SECRET.to_owned(),
        String::from_utf8(SERVER_KEY.to_vec()).unwrap(),
        hex::encode(SERVER_KEY),
        hex::encode(USER_SECRET),
        format!("{:?}", USER_SECRET.as_bytes()),
        format!("{:?}", SERVER_KEY),
    ];
    for bytes in extra {
        out.push(hex::encode(bytes));
        out.push(format!("{bytes:?}"));
        if let Ok(s) = std::str::from_utf8(bytes) {
            out.push(s.to_owned());
        }
    }
    out
}

fn assert_clean(what: &str, shown: &str, forbidden: &[String]) {
    for f in forbidden {
        assert!(
            !shown.contains(f.as_str()),
            "{what} shows a secret: {shown}"
        );
    }
}

#[tokio::test]
async fn debug_output_never_shows_a_secret() {
    let keys = SessionKeys::new(ServerKey::new(1, SERVER_KEY).unwrap());
    let issuer = SessionIssuer::new(keys.clone());
    let static_store = StaticCredentials::builder()
        .root("111122223333", "AKIAROOT", ROOT_SECRET)
        .user(
            "arn:aws:iam::111122223333:user/alice",
            "AKIAALICE",
            USER_SECRET,
        )
        .build()
        .unwrap();
    let role = RoleDefinition::new("arn:aws:iam::111122223333:role/r".parse().unwrap())
        .trusting("111122223333".parse().unwrap());
    let registry = RoleRegistry::new(issuer.clone()).with_role(role);
    let alice = static_store.lookup("AKIAALICE", None).await.unwrap();
    let issued = registry
        .assume_role(
            alice.principal(),
            "arn:aws:iam::111122223333:role/r",
            "s1",
            None,
        )
        .unwrap();
    let session_secret = issued.secret_access_key().as_bytes().to_vec();
    let token = issued.session_token().to_owned();

    let cached = CachedStore::new(RoutedStore::new(
        SessionStore::new(keys.clone()),
        static_store,
    ));
    let from_cache = cached
        .lookup(issued.access_key_id(), Some(&token))
        .await
        .unwrap();
    cached.lookup("AKIAALICE", None).await.unwrap();
    let signing_keys = SigningKeyCache::new();
    let derived =
        signing_keys.signing_key("AKIAALICE", alice.secret(), "20150830", "us-east-1", "s3");
    let session_key = signing_keys.signing_key(
        issued.access_key_id(),
        from_cache.secret(),
        "20150830",
        "us-east-1",
        "s3",
    );

    let forbidden = forbidden(&[
        &session_secret,
        token.as_bytes(),
        derived.as_bytes(),
        session_key.as_bytes(),
    ]);

    let builder = StaticCredentials::builder().root("111122223333", "AKIAX", ROOT_SECRET);
    let shown: Vec<(&str, String)> = vec![
        ("SecretKey", format!("{:?}", SecretKey::from(USER_SECRET))),
        (
            "SecretKey alt",
            format!("{:#?}", SecretKey::from(USER_SECRET)),
        ),
        ("Credential", format!("{alice:?}")),
        ("Credential alt", format!("{alice:#?}")),
        ("session Credential", format!("{from_cache:?}")),
        ("builder", format!("{builder:?}")),
        (
            "ServerKey",
            format!("{:?}", ServerKey::new(2, SERVER_KEY).unwrap()),
        ),
        ("SessionKeys", format!("{keys:?}")),
        ("SessionIssuer", format!("{issuer:?}")),
        (
            "SessionStore",
            format!("{:?}", SessionStore::new(keys.clone())),
        ),
        ("IssuedCredentials", format!("{issued:?}")),
        ("IssuedCredentials alt", format!("{issued:#?}")),
        ("RoleRegistry", format!("{registry:?}")),
        ("CachedStore", format!("{cached:?}")),
        ("SigningKeyCache", format!("{signing_keys:?}")),
        ("SigningKey", format!("{derived:?}")),
        (
            "BoxCredentialStore",
            format!(
                "{:?}",
                BoxCredentialStore::new(Arc::new(SessionStore::new(keys.clone())))
            ),
        ),
    ];
    for (what, text) in &shown {
        assert_clean(what, text, &forbidden);
    }
    // The redaction is visible, not an accident of formatting.
    assert!(shown[0].1.contains("redacted"));
    assert!(shown[10].1.contains("redacted"));
    // Non-secret identifiers stay readable for debugging.
    assert!(shown[2].1.contains("arn:aws:iam::111122223333:user/alice"));
    assert!(shown[10].1.contains(issued.access_key_id()));
}

#[tokio::test]
async fn error_messages_never_show_a_secret_or_token() {
    let keys = SessionKeys::new(ServerKey::new(1, SERVER_KEY).unwrap());
    let issuer = SessionIssuer::new(keys.clone());
    let store = SessionStore::new(keys);
    let role = "arn:aws:iam::111122223333:role/r".parse().unwrap();
    let issued = issuer.assume_role(&role, "s1", None).unwrap();
    let token = issued.session_token();
    let forbidden = forbidden(&[issued.secret_access_key().as_bytes(), token.as_bytes()]);

    let mut errors: Vec<LookupError> = Vec::new();
    errors.push(store.lookup("ASIAOTHER", Some(token)).await.unwrap_err());
    errors.push(
        store
            .lookup(issued.access_key_id(), None)
            .await
            .unwrap_err(),
    );
    let mut tampered = token.to_owned().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    errors.push(
        store
            .lookup(issued.access_key_id(), Some(&tampered))
            .await
            .unwrap_err(),
    );
    let static_store = StaticCredentials::builder()
        .credential(
            "ASIAT",
            Credential::new(USER_SECRET, issued.principal().clone()),
            Some(token),
        )
        .build()
        .unwrap();
    errors.push(
        static_store
            .lookup("ASIAT", Some("wrong"))
            .await
            .unwrap_err(),
    );
    for err in &errors {
        assert_clean("LookupError Display", &err.to_string(), &forbidden);
        assert_clean("LookupError Debug", &format!("{err:?}"), &forbidden);
    }

    let err = issuer.assume_role(&role, "x", None).unwrap_err();
    assert_clean("StsError", &format!("{err} {err:?}"), &forbidden);
    let err = ServerKey::new(1, &SERVER_KEY[..31]).unwrap_err();
    assert_clean("ConfigError", &format!("{err} {err:?}"), &forbidden);
}
