//! Principals: ARN forms and `aws:userid` checked against AWS's documented
//! examples, round trips for every kind in every partition, and malformed
//! ARNs rejected with the reason.

use tower_sigv4::identity::{
    AccountId, ArnErrorKind, AssumedRole, FederatedUser, IamRole, IamUser, Partition, Principal,
    RootUser,
};

fn parse(arn: &str) -> Principal {
    arn.parse()
        .unwrap_or_else(|e| panic!("{arn} should parse: {e}"))
}

/// STS API reference, GetCallerIdentity, "Example 1 - Called by an IAM user":
/// Arn `arn:aws:iam::123456789012:user/Alice`, UserId `AKIAI44QH8DHBEXAMPLE`
/// (the unique id of the user), Account `123456789012`.
#[test]
fn get_caller_identity_example_iam_user() {
    let Principal::User(user) = parse("arn:aws:iam::123456789012:user/Alice") else {
        panic!("a user ARN gives a user");
    };
    let p = Principal::from(user.with_unique_id("AKIAI44QH8DHBEXAMPLE").unwrap());
    assert_eq!(p.arn(), "arn:aws:iam::123456789012:user/Alice");
    assert_eq!(p.user_id(), "AKIAI44QH8DHBEXAMPLE");
    assert_eq!(p.account().as_str(), "123456789012");
    assert_eq!(p.username(), Some("Alice"));
    assert_eq!(p.principal_type(), "User");
}

/// GetCallerIdentity "Example 2 - Called by a federated user that is using
/// AssumeRole": Arn `arn:aws:sts::123456789012:assumed-role/my-role-name/my-role-session-name`,
/// UserId `AKIAI44QH8DHBEXAMPLE:my-role-session-name` (role id : session name).
#[test]
fn get_caller_identity_example_assumed_role() {
    let account: AccountId = "123456789012".parse().unwrap();
    let role = IamRole::new(Partition::Aws, account, "/", "my-role-name")
        .unwrap()
        .with_role_id("AKIAI44QH8DHBEXAMPLE")
        .unwrap();
    let p = Principal::from(AssumedRole::new(role, "my-role-session-name").unwrap());
    assert_eq!(
        p.arn(),
        "arn:aws:sts::123456789012:assumed-role/my-role-name/my-role-session-name"
    );
    assert_eq!(p.user_id(), "AKIAI44QH8DHBEXAMPLE:my-role-session-name");
    assert_eq!(p.account().as_str(), "123456789012");
    assert_eq!(p.username(), None);
    assert_eq!(p.principal_type(), "AssumedRole");
}

/// GetCallerIdentity "Example 3 - Called by a federated user that is using
/// GetFederationToken": Arn `arn:aws:sts::123456789012:federated-user/my-federated-user-name`,
/// UserId `123456789012:my-federated-user-name`.
#[test]
fn get_caller_identity_example_federated_user() {
    let p = parse("arn:aws:sts::123456789012:federated-user/my-federated-user-name");
    assert_eq!(
        p.arn(),
        "arn:aws:sts::123456789012:federated-user/my-federated-user-name"
    );
    assert_eq!(p.user_id(), "123456789012:my-federated-user-name");
    assert_eq!(p.account().as_str(), "123456789012");
    assert_eq!(p.principal_type(), "FederatedUser");
}

/// The root user: GetCallerIdentity returns the account id as UserId and
/// `arn:aws:iam::ACCOUNT:root` as Arn (IAM identifiers: "The AWS account -
/// the account itself").
#[test]
fn root_user_forms() {
    let p = parse("arn:aws:iam::123456789012:root");
    assert_eq!(p.arn(), "arn:aws:iam::123456789012:root");
    assert_eq!(p.user_id(), "123456789012");
    assert_eq!(p.canonical_arn(), "arn:aws:iam::123456789012:root");
    assert_eq!(p.principal_type(), "Account");
    assert!(p.is_root());
}

/// CloudTrail userIdentity example for an assumed role: principalId
/// `AROAIDPPEZS35WEXAMPLE:AssumedRoleSessionName`, arn
/// `arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName`,
/// session issuer `arn:aws:iam::123456789012:role/RoleToBeAssumed`.
#[test]
fn cloudtrail_example_assumed_role() {
    let role: IamRole = "arn:aws:iam::123456789012:role/RoleToBeAssumed"
        .parse()
        .unwrap();
    let role = role.with_role_id("AROAIDPPEZS35WEXAMPLE").unwrap();
    let p = Principal::from(AssumedRole::new(role, "AssumedRoleSessionName").unwrap());
    assert_eq!(p.user_id(), "AROAIDPPEZS35WEXAMPLE:AssumedRoleSessionName");
    assert_eq!(
        p.canonical_arn(),
        "arn:aws:iam::123456789012:role/RoleToBeAssumed"
    );
}

/// The ARNs of the IAM User Guide's "IAM identifiers" page, each parsed and
/// rendered back byte for byte.
#[test]
fn iam_identifiers_examples_round_trip() {
    for arn in [
        "arn:aws:iam::123456789012:root",
        "arn:aws:iam::123456789012:user/Bob",
        "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob",
        "arn:aws:sts::123456789012:federated-user/Bob",
        "arn:aws:sts::123456789012:assumed-role/Accounting-Role/Mary",
    ] {
        assert_eq!(parse(arn).arn(), arn);
        assert_eq!(parse(arn).to_string(), arn);
    }
    let Principal::User(bob) =
        parse("arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob")
    else {
        panic!("a user");
    };
    assert_eq!(bob.path(), "/division_abc/subdivision_xyz/");
    assert_eq!(bob.name(), "Bob");
    let role: IamRole = "arn:aws:iam::123456789012:role/S3Access".parse().unwrap();
    assert_eq!(role.arn(), "arn:aws:iam::123456789012:role/S3Access");
}

/// The issue's own examples.
#[test]
fn issue_examples() {
    for arn in [
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::111122223333:user/division/alice",
        "arn:aws:sts::111122223333:assumed-role/demo-role/session-1",
        "arn:aws:sts::111122223333:federated-user/bob",
    ] {
        assert_eq!(parse(arn).arn(), arn);
    }
}

const PARTITIONS: [Partition; 3] = [Partition::Aws, Partition::AwsCn, Partition::AwsUsGov];
const PATHS: [&str; 4] = ["/", "/division/", "/a/b/c/", "/x!~{}/"];

/// Every kind, every partition, with and without paths: built → ARN →
/// parsed → the same ARN, partition, account and names.
#[test]
fn every_kind_round_trips_in_every_partition() {
    let account: AccountId = "111122223333".parse().unwrap();
    let mut checked = 0;
    for partition in PARTITIONS {
        let p = partition.as_str();

        let root = Principal::from(RootUser::new(partition, account));
        assert_eq!(root.arn(), format!("arn:{p}:iam::111122223333:root"));
        assert_eq!(parse(root.arn()), root);
        checked += 1;

        for path in PATHS {
            let user =
                IamUser::new(partition, account, path, "alice.smith+ops@example=1,2").unwrap();
            let user = Principal::from(user);
            let expected =
                format!("arn:{p}:iam::111122223333:user{path}alice.smith+ops@example=1,2");
            assert_eq!(user.arn(), expected);
            let back = parse(&expected);
            assert_eq!(back, user, "user {expected}");
            assert_eq!(back.partition(), partition);
            checked += 1;

            let role = IamRole::new(partition, account, path, "demo-role").unwrap();
            let role_arn = format!("arn:{p}:iam::111122223333:role{path}demo-role");
            assert_eq!(role.arn(), role_arn);
            assert_eq!(role_arn.parse::<IamRole>().unwrap(), role);

            let session = Principal::from(AssumedRole::new(role.clone(), "session-1").unwrap());
            // The path is not in the assumed-role ARN, but is in the canonical one.
            let session_arn = format!("arn:{p}:sts::111122223333:assumed-role/demo-role/session-1");
            assert_eq!(session.arn(), session_arn);
            assert_eq!(session.canonical_arn(), role_arn);
            let back = parse(&session_arn);
            assert_eq!(back.arn(), session_arn);
            assert_eq!(back.partition(), partition);
            assert_eq!(back.user_id(), session.user_id());
            checked += 1;
        }

        let fed = Principal::from(FederatedUser::new(partition, account, "bob").unwrap());
        let fed_arn = format!("arn:{p}:sts::111122223333:federated-user/bob");
        assert_eq!(fed.arn(), fed_arn);
        assert_eq!(parse(&fed_arn), fed);
        assert_eq!(fed.user_id(), "111122223333:bob");
        checked += 1;
    }
    assert_eq!(checked, 3 * (1 + 2 * PATHS.len() + 1));
}

#[test]
fn partitions_display_and_parse() {
    for p in PARTITIONS {
        assert_eq!(p.as_str().parse::<Partition>().unwrap(), p);
        assert_eq!(p.to_string(), p.as_str());
    }
    let err = "aws-iso-x".parse::<Partition>().unwrap_err();
    assert_eq!(err.kind(), ArnErrorKind::UnknownPartition);
}

/// Each malformed ARN fails with the kind that names its fault.
#[test]
fn malformed_arns_are_rejected_with_the_reason() {
    let long = format!("arn:aws:iam::123456789012:user/{}", "a".repeat(2100));
    let cases: &[(&str, ArnErrorKind)] = &[
        ("", ArnErrorKind::NotAnArn),
        ("alice", ArnErrorKind::NotAnArn),
        ("arn:aws:iam::123456789012", ArnErrorKind::NotAnArn),
        ("urn:aws:iam::123456789012:root", ArnErrorKind::NotAnArn),
        ("arn:aws:iam::123456789012:user", ArnErrorKind::NotAnArn),
        (
            "arn:aws:sts::123456789012:assumed-role/only-role",
            ArnErrorKind::NotAnArn,
        ),
        (&long, ArnErrorKind::TooLong),
        (
            "arn:aws-moon:iam::123456789012:root",
            ArnErrorKind::UnknownPartition,
        ),
        (
            "arn:AWS:iam::123456789012:root",
            ArnErrorKind::UnknownPartition,
        ),
        ("arn:aws:sts::123456789012:root", ArnErrorKind::WrongService),
        (
            "arn:aws:sts::123456789012:user/alice",
            ArnErrorKind::WrongService,
        ),
        (
            "arn:aws:iam::123456789012:assumed-role/r/s",
            ArnErrorKind::WrongService,
        ),
        (
            "arn:aws:iam::123456789012:federated-user/bob",
            ArnErrorKind::WrongService,
        ),
        (
            "arn:aws:iam:us-east-1:123456789012:root",
            ArnErrorKind::RegionNotEmpty,
        ),
        (
            "arn:aws:iam::12345678901:root",
            ArnErrorKind::InvalidAccountId,
        ),
        (
            "arn:aws:iam::1234567890123:root",
            ArnErrorKind::InvalidAccountId,
        ),
        (
            "arn:aws:iam::12345678901a:root",
            ArnErrorKind::InvalidAccountId,
        ),
        ("arn:aws:iam:::root", ArnErrorKind::InvalidAccountId),
        (
            "arn:aws:iam::123456789012:group/Developers",
            ArnErrorKind::UnsupportedResource,
        ),
        (
            "arn:aws:iam::123456789012:role/demo",
            ArnErrorKind::UnsupportedResource,
        ),
        (
            "arn:aws:iam::123456789012:root/extra",
            ArnErrorKind::UnsupportedResource,
        ),
        ("arn:aws:iam::123456789012:user/", ArnErrorKind::InvalidName),
        (
            "arn:aws:iam::123456789012:user/al ice",
            ArnErrorKind::InvalidName,
        ),
        (
            "arn:aws:iam::123456789012:user/alice*",
            ArnErrorKind::InvalidName,
        ),
        (
            "arn:aws:iam::123456789012:user/a b/alice",
            ArnErrorKind::InvalidPath,
        ),
        (
            "arn:aws:sts::123456789012:federated-user/b",
            ArnErrorKind::InvalidName,
        ),
        (
            "arn:aws:sts::123456789012:assumed-role/r/s",
            ArnErrorKind::InvalidSessionName,
        ),
        (
            "arn:aws:sts::123456789012:assumed-role/r/s/t",
            ArnErrorKind::InvalidSessionName,
        ),
        (
            "arn:aws:sts::123456789012:assumed-role//session",
            ArnErrorKind::InvalidName,
        ),
    ];
    for (arn, kind) in cases {
        let err = arn.parse::<Principal>().unwrap_err();
        assert_eq!(err.kind(), *kind, "{arn}: {err}");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn error_messages_name_the_fault() {
    let err = "arn:aws:iam::12345:root".parse::<Principal>().unwrap_err();
    assert!(err.to_string().contains("12 digits"), "{err}");
    assert!(err.to_string().contains("12345"), "{err}");
    let err = "arn:aws:iam:eu-west-1:123456789012:root"
        .parse::<Principal>()
        .unwrap_err();
    assert!(err.to_string().contains("region"), "{err}");
}

#[test]
fn name_and_path_limits_follow_iam() {
    let account: AccountId = "123456789012".parse().unwrap();
    // User and role names: 1 to 64 characters.
    assert!(IamUser::new(Partition::Aws, account, "/", &"a".repeat(64)).is_ok());
    assert_eq!(
        IamUser::new(Partition::Aws, account, "/", &"a".repeat(65))
            .unwrap_err()
            .kind(),
        ArnErrorKind::InvalidName
    );
    // Paths: at most 512 characters, `/` at both ends.
    let path = format!("/{}/", "p".repeat(510));
    assert!(IamRole::new(Partition::Aws, account, &path, "r").is_ok());
    let path = format!("/{}/", "p".repeat(511));
    assert_eq!(
        IamRole::new(Partition::Aws, account, &path, "r")
            .unwrap_err()
            .kind(),
        ArnErrorKind::InvalidPath
    );
    assert_eq!(
        IamRole::new(Partition::Aws, account, "division", "r")
            .unwrap_err()
            .kind(),
        ArnErrorKind::InvalidPath
    );
    // Session names: 2 to 64; federated names: 2 to 32.
    let role = IamRole::new(Partition::Aws, account, "/", "r").unwrap();
    assert!(AssumedRole::new(role.clone(), &"s".repeat(64)).is_ok());
    assert!(AssumedRole::new(role.clone(), &"s".repeat(65)).is_err());
    assert!(AssumedRole::new(role, "s").is_err());
    assert!(FederatedUser::new(Partition::Aws, account, &"f".repeat(32)).is_ok());
    assert!(FederatedUser::new(Partition::Aws, account, &"f".repeat(33)).is_err());
    // Unique ids: 16 to 128 word characters.
    let user = IamUser::new(Partition::Aws, account, "/", "u").unwrap();
    assert_eq!(
        user.clone()
            .with_unique_id("AIDA-BAD-ID-0000")
            .unwrap_err()
            .kind(),
        ArnErrorKind::InvalidUniqueId
    );
    assert!(user.with_unique_id("AIDAJQABLZS4A3QDU576Q").is_ok());
}

#[test]
fn non_ascii_and_control_characters_never_panic() {
    for arn in [
        "arn:aws:iam::123456789012:user/é",
        "arn:aws:iam::123456789012:user/a\0b",
        "arn:aws:iam::１２３４５６７８９０１２:root",
        "arn:aws:sts::123456789012:assumed-role/r/\u{202e}session",
        "arn:aws:iam::123456789012:user/\u{1F600}/bob",
    ] {
        assert!(arn.parse::<Principal>().is_err(), "{arn}");
    }
}
