//! AssumeRole decisions: trust, root callers, role chaining, session limits,
//! and AWS's wording of each refusal.

use std::time::Duration;

use tower_sigv4::identity::{
    ConfigErrorKind, CredentialStore, Principal, RoleDefinition, RoleRegistry, ServerKey,
    SessionIssuer, SessionKeys, SessionStore, StsErrorKind, TrustedPrincipal,
};

const DEMO: &str = "arn:aws:iam::111122223333:role/demo-role";
const PATHED: &str = "arn:aws:iam::111122223333:role/service/pathed-role";

fn p(arn: &str) -> Principal {
    arn.parse().unwrap()
}

fn t(entry: &str) -> TrustedPrincipal {
    entry.parse().unwrap()
}

fn registry() -> (RoleRegistry, SessionStore) {
    let keys = SessionKeys::new(ServerKey::generate(1).unwrap());
    let registry = RoleRegistry::new(SessionIssuer::new(keys.clone()))
        .with_role(
            RoleDefinition::new(DEMO.parse().unwrap())
                .trusting(t("arn:aws:iam::111122223333:user/division/alice"))
                .trusting(t("arn:aws:iam::444455556666:root"))
                .trusting(t("arn:aws:iam::111122223333:role/chain-source")),
        )
        .with_role(
            RoleDefinition::new(PATHED.parse().unwrap())
                .trusting(t("111122223333"))
                .with_max_session_duration(Duration::from_secs(4 * 3600))
                .unwrap(),
        );
    (registry, SessionStore::new(keys))
}

#[tokio::test]
async fn a_trusted_user_assumes_the_role_and_the_session_works() {
    let (registry, store) = registry();
    let alice = p("arn:aws:iam::111122223333:user/division/alice");
    let issued = registry
        .assume_role(&alice, DEMO, "session-1", None)
        .unwrap();
    assert_eq!(
        issued.principal().arn(),
        "arn:aws:sts::111122223333:assumed-role/demo-role/session-1"
    );
    assert_eq!(issued.principal().canonical_arn(), DEMO);
    assert_eq!(
        issued
            .expiration()
            .duration_since(issued.issued_at())
            .unwrap(),
        Duration::from_secs(3600)
    );
    let found = store
        .lookup(issued.access_key_id(), Some(issued.session_token()))
        .await
        .unwrap();
    assert_eq!(found.principal().arn(), issued.principal().arn());
    assert_eq!(found.principal().user_id(), issued.principal().user_id());
}

#[test]
fn trust_by_account_covers_every_caller_of_that_account_but_root() {
    let (registry, _) = registry();
    for caller in [
        "arn:aws:iam::444455556666:user/anyone",
        "arn:aws:iam::444455556666:user/deep/path/carol",
        "arn:aws:sts::444455556666:assumed-role/their-role/s0",
    ] {
        assert!(
            registry.assume_role(&p(caller), DEMO, "s1", None).is_ok(),
            "{caller}"
        );
    }
    // Same account number in another partition is another account.
    let err = registry
        .assume_role(
            &p("arn:aws-cn:iam::444455556666:user/anyone"),
            DEMO,
            "s1",
            None,
        )
        .unwrap_err();
    assert_eq!(err.kind(), StsErrorKind::AccessDenied);
}

#[test]
fn root_users_may_not_assume_roles() {
    let (registry, _) = registry();
    // Even from an account the trust policy names.
    for root in [
        "arn:aws:iam::444455556666:root",
        "arn:aws:iam::111122223333:root",
    ] {
        let err = registry
            .assume_role(&p(root), DEMO, "s1", None)
            .unwrap_err();
        assert_eq!(err.aws_code(), "AccessDenied");
        assert_eq!(err.status_code(), 403);
        assert_eq!(err.message(), "Roles may not be assumed by root accounts.");
    }
}

#[test]
fn untrusted_callers_and_unknown_roles_are_denied_in_aws_words() {
    let (registry, _) = registry();
    let bob = p("arn:aws:iam::111122223333:user/bob");
    let err = registry.assume_role(&bob, DEMO, "s1", None).unwrap_err();
    assert_eq!(err.kind(), StsErrorKind::AccessDenied);
    assert_eq!(
        err.message(),
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: \
         sts:AssumeRole on resource: arn:aws:iam::111122223333:role/demo-role"
    );
    let missing = "arn:aws:iam::111122223333:role/missing";
    let err = registry.assume_role(&bob, missing, "s1", None).unwrap_err();
    assert_eq!(
        err.message(),
        format!(
            "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: \
             sts:AssumeRole on resource: {missing}"
        )
    );
    // The right name with the wrong path names no role.
    let alice = p("arn:aws:iam::111122223333:user/division/alice");
    let err = registry
        .assume_role(
            &alice,
            "arn:aws:iam::111122223333:role/other/demo-role",
            "s1",
            None,
        )
        .unwrap_err();
    assert_eq!(err.kind(), StsErrorKind::AccessDenied);
    // A session of the role named in the trust policy may assume it; another role's may not.
    let chained = p("arn:aws:sts::111122223333:assumed-role/chain-source/s0");
    assert!(registry.assume_role(&chained, DEMO, "s2", None).is_ok());
    let other = p("arn:aws:sts::111122223333:assumed-role/other-role/s0");
    let err = registry.assume_role(&other, DEMO, "s2", None).unwrap_err();
    assert!(err.message().starts_with(
        "User: arn:aws:sts::111122223333:assumed-role/other-role/s0 is not authorized"
    ));
}

#[test]
fn session_durations_follow_the_role_and_the_chaining_limit() {
    let (registry, _) = registry();
    let dev = p("arn:aws:iam::111122223333:user/dev");
    let four_hours = Duration::from_secs(4 * 3600);
    let issued = registry
        .assume_role(&dev, PATHED, "s1", Some(four_hours))
        .unwrap();
    assert_eq!(
        issued
            .expiration()
            .duration_since(issued.issued_at())
            .unwrap(),
        four_hours
    );
    let err = registry
        .assume_role(
            &dev,
            PATHED,
            "s1",
            Some(four_hours + Duration::from_secs(1)),
        )
        .unwrap_err();
    assert_eq!(err.kind(), StsErrorKind::ValidationError);
    assert_eq!(
        err.message(),
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    );
    // The default maximum is one hour.
    let alice = p("arn:aws:iam::111122223333:user/division/alice");
    let err = registry
        .assume_role(&alice, DEMO, "s1", Some(Duration::from_secs(3601)))
        .unwrap_err();
    assert_eq!(
        err.message(),
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    );
    // Role chaining: at most one hour whatever the target allows.
    let session = p("arn:aws:sts::111122223333:assumed-role/chain-source/s0");
    assert!(registry
        .assume_role(&session, PATHED, "s2", Some(Duration::from_secs(3600)))
        .is_ok());
    let err = registry
        .assume_role(&session, PATHED, "s2", Some(Duration::from_secs(3601)))
        .unwrap_err();
    assert_eq!(
        err.message(),
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by \
         role chaining."
    );
}

#[test]
fn federated_users_may_not_assume_roles_even_when_trusted() {
    let (registry, _) = registry();
    // DEMO trusts account 444455556666, which this federated user belongs to.
    let fed = p("arn:aws:sts::444455556666:federated-user/bob");
    let err = registry.assume_role(&fed, DEMO, "s1", None).unwrap_err();
    assert_eq!(err.kind(), StsErrorKind::AccessDenied);
    assert_eq!(
        err.message(),
        "User: arn:aws:sts::444455556666:federated-user/bob is not authorized to perform: \
         sts:AssumeRole on resource: arn:aws:iam::111122223333:role/demo-role"
    );
}

#[test]
fn parameters_are_validated_before_anything_else() {
    let (registry, _) = registry();
    let root = p("arn:aws:iam::111122223333:root");
    // A root caller with a bad session name gets the validation error first.
    let err = registry
        .assume_role(&root, DEMO, "bad name", None)
        .unwrap_err();
    assert_eq!(err.kind(), StsErrorKind::ValidationError);
    let err = registry
        .assume_role(&root, "arn:aws", "s1", None)
        .unwrap_err();
    assert_eq!(
        err.message(),
        "1 validation error detected: Value 'arn:aws' at 'roleArn' failed to satisfy \
         constraint: Member must have length greater than or equal to 20"
    );
    let bad = "arn:aws:iam::111122223333:user/not-a-role";
    let err = registry.assume_role(&root, bad, "s1", None).unwrap_err();
    assert_eq!(err.kind(), StsErrorKind::ValidationError);
    assert_eq!(err.message(), format!("{bad} is invalid"));
    let err = registry
        .assume_role(&root, DEMO, "s1", Some(Duration::from_secs(100)))
        .unwrap_err();
    assert!(err.message().contains("Value '100' at 'durationSeconds'"));
}

#[test]
fn trusted_principal_forms() {
    let alice = p("arn:aws:iam::111122223333:user/division/alice");
    assert!(t("*").matches(&alice));
    assert!(t("111122223333").matches(&alice));
    assert!(t("arn:aws:iam::111122223333:root").matches(&alice));
    // Users match by name: names are unique in an account.
    assert!(t("arn:aws:iam::111122223333:user/division/alice").matches(&alice));
    assert!(!t("arn:aws:iam::111122223333:user/division/bob").matches(&alice));
    assert!(!t("arn:aws:iam::999999999999:user/division/alice").matches(&alice));
    let session = p("arn:aws:sts::111122223333:assumed-role/r/s1");
    assert!(t("arn:aws:iam::111122223333:role/r").matches(&session));
    assert!(t("arn:aws:iam::111122223333:role/any/path/r").matches(&session));
    assert!(t("arn:aws:sts::111122223333:assumed-role/r/s1").matches(&session));
    assert!(!t("arn:aws:sts::111122223333:assumed-role/r/s2").matches(&session));
    assert!(!t("arn:aws:iam::111122223333:role/r").matches(&alice));
    let fed = p("arn:aws:sts::111122223333:federated-user/bob");
    assert!(t("arn:aws:sts::111122223333:federated-user/bob").matches(&fed));
    assert!(t("111122223333").matches(&fed));
    assert!("arn:aws:iam::111122223333:group/dev"
        .parse::<TrustedPrincipal>()
        .is_err());
    assert!("1111".parse::<TrustedPrincipal>().is_err());
}

#[test]
fn max_session_duration_is_one_to_twelve_hours() {
    let role = || RoleDefinition::new(DEMO.parse().unwrap());
    for bad in [0, 3599, 43_201] {
        assert_eq!(
            role()
                .with_max_session_duration(Duration::from_secs(bad))
                .unwrap_err()
                .kind(),
            ConfigErrorKind::InvalidMaxSessionDuration
        );
    }
    for good in [3600, 43_200] {
        assert!(role()
            .with_max_session_duration(Duration::from_secs(good))
            .is_ok());
    }
}
