//! Monotonicity of policy evaluation, over generated policy sets and requests:
//!
//! - adding an `Allow` statement (to any existing policy, as a new identity
//!   policy, or as a new grant) never turns an allowed request into a denied
//!   one, and never lifts an explicit deny;
//! - adding a `Deny` statement never turns a denied request into an allowed one.
//!
//! And evaluation allocates nothing (a counting allocator checks it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use tower_sigv4::policy::{
    AccessRequest, Decision, Grant, GrantConstraints, GrantOperation, PolicyDocument, PolicyKind,
    PolicySet, PrincipalInfo, RequestContext,
};

const ACTIONS: &[&str] = &[
    "*",
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "s3:PutObject",
    "S3:GETOBJECT",
    "s3:?utObject",
    "kms:*",
    "kms:Decrypt",
    "sts:AssumeRole",
];

const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/home/${aws:username}/*",
    "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'home'}/*",
    "arn:aws:s3:::other/*",
    "arn:aws:kms:us-east-1:111122223333:key/k1",
    "arn:aws:kms:*:111122223333:key/*",
    "arn:aws:kms:*",
];

const PRINCIPALS: &[&str] = &[
    "*",
    "111122223333",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:role/R",
    "arn:aws:sts::111122223333:assumed-role/R/s",
    "arn:aws:sts::111122223333:federated-user/fed",
    "444455556666",
    "arn:aws:iam::444455556666:user/carol",
    "service:dynamodb.amazonaws.com",
];

/// (operator, key, value) building blocks for conditions.
fn conditions() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("StringEquals", "aws:username", json!("alice")),
        ("StringNotEquals", "aws:username", json!(["alice", "bob"])),
        ("StringLike", "s3:prefix", json!("${aws:username}/*")),
        (
            "StringNotLike",
            "s3:prefix",
            json!(["secret/*", "${aws:PrincipalTag/none}"]),
        ),
        ("Bool", "aws:SecureTransport", json!("true")),
        ("BoolIfExists", "aws:MultiFactorAuthPresent", json!(false)),
        ("IpAddress", "aws:SourceIp", json!("203.0.113.0/24")),
        (
            "NotIpAddress",
            "aws:SourceIp",
            json!(["192.0.2.0/24", "203.0.113.128/25"]),
        ),
        ("ForAnyValue:StringEquals", "aws:TagKeys", json!(["a", "b"])),
        (
            "ForAllValues:StringNotEquals",
            "aws:TagKeys",
            json!("secret"),
        ),
        ("Null", "aws:TokenIssueTime", json!("true")),
        (
            "StringEqualsIfExists",
            "aws:PrincipalTag/team",
            json!("blue"),
        ),
        (
            "DateLessThan",
            "aws:CurrentTime",
            json!("2030-01-01T00:00:00Z"),
        ),
        ("NumericLessThanEquals", "s3:max-keys", json!(10)),
        (
            "ArnLike",
            "aws:PrincipalArn",
            json!("arn:aws:iam::*:role/*"),
        ),
        ("StringNotEquals", "kms:EncryptionContext:dept", json!("IT")),
    ]
}

fn principal_value(p: &str) -> Value {
    match p {
        "*" => json!("*"),
        s if s.starts_with("service:") => json!({"Service": &s["service:".len()..]}),
        s => json!({"AWS": s}),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Identity,
    Resource,
    Trust,
}

/// A statement as JSON. `effect` fixes the effect when given.
fn statement(effect: Option<&'static str>, target: Target) -> impl Strategy<Value = Value> {
    let effect = match effect {
        Some(e) => Just(e).boxed(),
        None => prop_oneof![Just("Allow"), Just("Deny")].boxed(),
    };
    (
        effect,
        any::<bool>(),
        proptest::sample::subsequence(ACTIONS, 1..3),
        any::<bool>(),
        proptest::sample::subsequence(RESOURCES, 1..3),
        any::<bool>(),
        proptest::sample::subsequence(PRINCIPALS, 1..3),
        proptest::sample::subsequence(conditions(), 0..3),
    )
        .prop_map(
            move |(
                effect,
                not_action,
                actions,
                not_resource,
                resources,
                not_principal,
                principals,
                conds,
            )| {
                let mut s = Map::new();
                s.insert("Effect".into(), json!(effect));
                s.insert(
                    (if not_action { "NotAction" } else { "Action" }).into(),
                    json!(actions),
                );
                if target != Target::Trust {
                    s.insert(
                        (if not_resource {
                            "NotResource"
                        } else {
                            "Resource"
                        })
                        .into(),
                        json!(resources),
                    );
                }
                if target != Target::Identity {
                    // Merge the named principals into one element.
                    let mut element = Map::new();
                    let mut star = false;
                    for p in &principals {
                        match principal_value(p) {
                            Value::String(_) => star = true,
                            Value::Object(o) => {
                                for (k, v) in o {
                                    let list = element.entry(k).or_insert_with(|| json!([]));
                                    list.as_array_mut().unwrap().push(v);
                                }
                            }
                            _ => unreachable!(),
                        }
                    }
                    let value = if star || element.is_empty() {
                        json!("*")
                    } else {
                        Value::Object(element)
                    };
                    s.insert(
                        (if not_principal {
                            "NotPrincipal"
                        } else {
                            "Principal"
                        })
                        .into(),
                        value,
                    );
                }
                if !conds.is_empty() {
                    let mut c: Map<String, Value> = Map::new();
                    for (op, key, value) in conds {
                        let block = c.entry(op).or_insert_with(|| json!({}));
                        block.as_object_mut().unwrap().insert(key.into(), value);
                    }
                    s.insert("Condition".into(), Value::Object(c));
                }
                Value::Object(s)
            },
        )
}

fn statements(target: Target) -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec(statement(None, target), 1..4)
}

#[derive(Debug, Clone)]
struct GrantSpec {
    key: &'static str,
    grantee: &'static str,
    ops: Vec<GrantOperation>,
    constrained: bool,
}

fn grant() -> impl Strategy<Value = GrantSpec> {
    (
        prop_oneof![
            Just("arn:aws:kms:us-east-1:111122223333:key/k1"),
            Just("arn:aws:kms:us-east-1:444455556666:key/k2")
        ],
        proptest::sample::select(
            &[
                "arn:aws:iam::111122223333:user/alice",
                "arn:aws:iam::111122223333:role/R",
                "arn:aws:iam::111122223333:root",
                "arn:aws:iam::444455556666:user/carol",
                "dynamodb.amazonaws.com",
            ][..],
        ),
        proptest::sample::subsequence(
            &[
                GrantOperation::Decrypt,
                GrantOperation::Encrypt,
                GrantOperation::CreateGrant,
                GrantOperation::DescribeKey,
            ][..],
            1..4,
        ),
        any::<bool>(),
    )
        .prop_map(|(key, grantee, ops, constrained)| GrantSpec {
            key,
            grantee,
            ops,
            constrained,
        })
}

fn build_grant(g: &GrantSpec) -> Grant {
    let mut b = Grant::builder(g.key, g.grantee).operations(g.ops.iter().copied());
    if g.constrained {
        b = b
            .constraints(GrantConstraints::none().with_encryption_context_subset([("dept", "IT")]));
    }
    b.build().expect("generated grants are valid")
}

#[derive(Debug, Clone)]
struct Spec {
    identity: Vec<Vec<Value>>,
    boundary: Option<Vec<Value>>,
    session: Option<Vec<Vec<Value>>>,
    resource: Option<(PolicyKind, Vec<Value>)>,
    grants: Vec<GrantSpec>,
}

fn spec() -> impl Strategy<Value = Spec> {
    let resource = prop_oneof![
        Just(None),
        statements(Target::Resource).prop_map(|s| Some((PolicyKind::ResourceBased, s))),
        statements(Target::Resource).prop_map(|s| Some((PolicyKind::KeyPolicy, s))),
        statements(Target::Trust).prop_map(|s| Some((PolicyKind::TrustPolicy, s))),
    ];
    (
        proptest::collection::vec(statements(Target::Identity), 0..3),
        proptest::option::of(statements(Target::Identity)),
        proptest::option::of(proptest::collection::vec(
            statements(Target::Identity),
            0..2,
        )),
        resource,
        proptest::collection::vec(grant(), 0..2),
    )
        .prop_map(|(identity, boundary, session, resource, grants)| Spec {
            identity,
            boundary,
            session,
            resource,
            grants,
        })
}

fn doc(statements: &[Value], kind: PolicyKind) -> PolicyDocument {
    let text = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    PolicyDocument::parse(&text, kind)
        .unwrap_or_else(|e| panic!("generated policy is invalid: {e}\n{text}"))
}

fn build(spec: &Spec) -> PolicySet {
    let mut set = PolicySet::new();
    for p in &spec.identity {
        set = set.with_identity_policy(doc(p, PolicyKind::Identity));
    }
    if let Some(b) = &spec.boundary {
        set = set.with_permissions_boundary(doc(b, PolicyKind::PermissionsBoundary));
    }
    if let Some(session) = &spec.session {
        for p in session {
            set = set.with_session_policy(doc(p, PolicyKind::Session));
        }
    }
    if let Some((kind, statements)) = &spec.resource {
        set = set.with_resource_policy(doc(statements, *kind));
    }
    for g in &spec.grants {
        set = set.with_grant(build_grant(g));
    }
    set
}

#[derive(Debug, Clone)]
struct RequestSpec {
    principal: usize,
    action: &'static str,
    resource: &'static str,
    keys: Vec<(&'static str, Value)>,
}

fn request() -> impl Strategy<Value = RequestSpec> {
    let keys = vec![
        ("aws:SecureTransport", json!("true")),
        ("aws:SecureTransport", json!("false")),
        ("aws:SourceIp", json!("203.0.113.200")),
        ("aws:SourceIp", json!("198.51.100.1")),
        ("aws:TagKeys", json!(["a", "secret"])),
        ("aws:TagKeys", json!([])),
        ("s3:prefix", json!("alice/x")),
        ("aws:TokenIssueTime", json!("2024-01-01T00:00:00Z")),
        ("aws:MultiFactorAuthPresent", json!("true")),
        ("aws:CurrentTime", json!("2024-01-01T00:00:00Z")),
        ("s3:max-keys", json!("20")),
        ("kms:EncryptionContext:dept", json!("IT")),
    ];
    (
        0usize..7,
        proptest::sample::select(
            &[
                "s3:GetObject",
                "s3:PutObject",
                "kms:Decrypt",
                "kms:Encrypt",
                "sts:AssumeRole",
            ][..],
        ),
        proptest::sample::select(
            &[
                "arn:aws:s3:::bucket/home/alice/x",
                "arn:aws:s3:::other/y",
                "arn:aws:kms:us-east-1:111122223333:key/k1",
                "arn:aws:kms:us-east-1:444455556666:key/k2",
                "*",
            ][..],
        ),
        proptest::sample::subsequence(keys, 0..5),
    )
        .prop_map(|(principal, action, resource, keys)| RequestSpec {
            principal,
            action,
            resource,
            keys,
        })
}

fn context(r: &RequestSpec) -> RequestContext {
    let principal = match r.principal {
        0 => PrincipalInfo::user("arn:aws:iam::111122223333:user/alice", "AIDAALICE").unwrap(),
        1 => PrincipalInfo::user("arn:aws:iam::111122223333:user/alice", "AIDAALICE")
            .unwrap()
            .with_tag("team", "blue"),
        2 => PrincipalInfo::assumed_role("arn:aws:iam::111122223333:role/R", "s", "AROAR").unwrap(),
        3 => PrincipalInfo::user("arn:aws:iam::444455556666:user/carol", "AIDACAROL").unwrap(),
        4 => PrincipalInfo::root("aws", "111122223333").unwrap(),
        5 => PrincipalInfo::federated_user("aws", "111122223333", "fed").unwrap(),
        _ => PrincipalInfo::anonymous(),
    };
    let mut b = RequestContext::builder(principal);
    for (k, v) in &r.keys {
        b = match v {
            Value::String(s) => b.key(k, s),
            Value::Array(items) => {
                b.key_values(k, items.iter().map(|i| i.as_str().unwrap().to_owned()))
            }
            _ => b,
        };
    }
    b.build()
}

fn decide(spec: &Spec, r: &RequestSpec) -> Decision {
    let set = build(spec);
    let ctx = context(r);
    set.evaluate(&AccessRequest::new(r.action, r.resource, &ctx))
        .decision()
}

/// Where a new statement goes: an existing policy (by position among
/// identity, boundary, session, resource) or a new identity policy.
fn add_statement(
    spec: &Spec,
    slot: usize,
    identity_stmt: Value,
    resource_stmt: Value,
    trust_stmt: Value,
) -> Spec {
    let mut out = spec.clone();
    let mut slots: Vec<&mut Vec<Value>> = Vec::new();
    let resource_slot = out.resource.as_ref().map(|(k, _)| *k);
    for p in &mut out.identity {
        slots.push(p);
    }
    if let Some(b) = &mut out.boundary {
        slots.push(b);
    }
    if let Some(s) = &mut out.session {
        for p in s {
            slots.push(p);
        }
    }
    let identity_slots = slots.len();
    if let Some((_, r)) = &mut out.resource {
        slots.push(r);
    }
    let n = slots.len();
    let pick = slot % (n + 1);
    if pick == n {
        out.identity.push(vec![identity_stmt]);
    } else if pick < identity_slots {
        slots[pick].push(identity_stmt);
    } else {
        let stmt = if resource_slot == Some(PolicyKind::TrustPolicy) {
            trust_stmt
        } else {
            resource_stmt
        };
        slots[pick].push(stmt);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn adding_an_allow_never_denies_what_was_allowed(
        spec in spec(),
        r in request(),
        slot in any::<usize>(),
        identity_stmt in statement(Some("Allow"), Target::Identity),
        resource_stmt in statement(Some("Allow"), Target::Resource),
        trust_stmt in statement(Some("Allow"), Target::Trust),
        extra_grant in proptest::option::of(grant()),
    ) {
        let before = decide(&spec, &r);
        let mut after_spec = add_statement(&spec, slot, identity_stmt, resource_stmt, trust_stmt);
        if let Some(g) = extra_grant {
            after_spec.grants.push(g);
        }
        let after = decide(&after_spec, &r);
        if before == Decision::Allow {
            prop_assert_eq!(after, Decision::Allow, "spec before: {:?}\nafter: {:?}", spec, after_spec);
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny);
        }
    }

    #[test]
    fn adding_a_deny_never_allows_what_was_denied(
        spec in spec(),
        r in request(),
        slot in any::<usize>(),
        identity_stmt in statement(Some("Deny"), Target::Identity),
        resource_stmt in statement(Some("Deny"), Target::Resource),
        trust_stmt in statement(Some("Deny"), Target::Trust),
    ) {
        let before = decide(&spec, &r);
        let after_spec = add_statement(&spec, slot, identity_stmt, resource_stmt, trust_stmt);
        let after = decide(&after_spec, &r);
        if before != Decision::Allow {
            prop_assert_ne!(after, Decision::Allow, "spec before: {:?}\nafter: {:?}", spec, after_spec);
        }
    }
}

/// The generators reach every decision, so the properties are not vacuous.
#[test]
fn generated_cases_reach_every_decision() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = (spec(), request());
    let mut seen = [0usize; 3];
    for _ in 0..2000 {
        let (s, r) = strategy.new_tree(&mut runner).unwrap().current();
        let i = match decide(&s, &r) {
            Decision::Allow => 0,
            Decision::ExplicitDeny => 1,
            Decision::ImplicitDeny => 2,
        };
        seen[i] += 1;
    }
    println!("decisions over 2000 generated cases (allow, explicit deny, implicit deny): {seen:?}");
    assert!(
        seen.iter().all(|&n| n >= 50),
        "decisions seen (allow, explicit, implicit): {seen:?}"
    );
}

/// Counts the allocations made by the current thread (tests run in parallel).
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counter is a const-initialised thread-local that never allocates.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// Evaluation allocates nothing, whatever the decision: variables, every
/// condition family, resource policies and grants included.
#[test]
fn evaluation_does_not_allocate() {
    let identity = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Home", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
         "Resource": "arn:aws:s3:::bucket/home/${aws:username}/*",
         "Condition": {
            "StringEquals": {"aws:PrincipalTag/team": ["blue", "${aws:PrincipalTag/team, 'x'}"]},
            "StringLike": {"s3:prefix": "${aws:username}*"},
            "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
            "Bool": {"aws:SecureTransport": "true"},
            "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
            "NumericLessThanEquals": {"s3:max-keys": "100"},
            "BinaryEquals": {"example:bin": "QmluYXJ5"},
            "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/${aws:username}"},
            "ForAllValues:StringNotEquals": {"aws:TagKeys": "secret"},
            "Null": {"aws:TokenIssueTime": "true"}}},
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]});
    let bucket = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:user/alice"]},
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/*"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/alice", "111122223333"]},
         "Action": "s3:*", "Resource": "*"}]});
    let set = PolicySet::new()
        .with_identity_policy(
            PolicyDocument::parse(&identity.to_string(), PolicyKind::Identity).unwrap(),
        )
        .with_resource_policy(
            PolicyDocument::parse(&bucket.to_string(), PolicyKind::ResourceBased).unwrap(),
        )
        .with_resource_account("111122223333")
        .with_grant(
            Grant::builder(
                "arn:aws:kms:us-east-1:111122223333:key/k1",
                "arn:aws:iam::111122223333:user/alice",
            )
            .operation(GrantOperation::Decrypt)
            .constraints(GrantConstraints::none().with_encryption_context_subset([("dept", "IT")]))
            .build()
            .unwrap(),
        );
    let alice = PrincipalInfo::user("arn:aws:iam::111122223333:user/alice", "AIDAALICE")
        .unwrap()
        .with_tag("team", "blue");
    let ctx = RequestContext::builder(alice)
        .source_ip("203.0.113.9".parse().unwrap())
        .secure_transport(true)
        .current_time(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000))
        .key("s3:prefix", "alice/x")
        .key("s3:max-keys", "10")
        .key("example:bin", "QmluYXJ5")
        .key_values("aws:TagKeys", ["a"])
        .encryption_context([("dept", "IT")])
        .build();
    let requests = [
        (
            "s3:GetObject",
            "arn:aws:s3:::bucket/home/alice/x",
            Decision::Allow,
        ),
        (
            "s3:PutObject",
            "arn:aws:s3:::bucket/home/alice/x",
            Decision::Allow,
        ),
        (
            "s3:DeleteObject",
            "arn:aws:s3:::bucket/home/alice/x",
            Decision::ExplicitDeny,
        ),
        (
            "s3:GetObject",
            "arn:aws:s3:::bucket/home/bob/x",
            Decision::ImplicitDeny,
        ),
        (
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111122223333:key/k1",
            Decision::Allow,
        ),
        (
            "kms:Encrypt",
            "arn:aws:kms:us-east-1:111122223333:key/k1",
            Decision::ImplicitDeny,
        ),
    ];
    for (action, resource, want) in requests {
        let request = AccessRequest::new(action, resource, &ctx);
        // Warm up once (nothing lazy is expected, but be fair).
        let _ = set.evaluate(&request);
        let before = allocations();
        let evaluation = set.evaluate(&request);
        let reason = evaluation.denial_reason();
        let message = evaluation.access_denied_message(ctx.principal().arn(), action, resource);
        let after = allocations();
        assert_eq!(evaluation.decision(), want, "{action} on {resource}");
        assert_eq!(reason.is_some(), want != Decision::Allow);
        assert_eq!(message.is_some(), want != Decision::Allow);
        assert_eq!(after - before, 0, "{action} on {resource} allocated");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Any text, and any string in any element, gives a document or a typed
    /// error, never a panic; any request strings evaluate without a panic.
    #[test]
    fn arbitrary_input_never_panics(
        raw in "\\PC{0,120}",
        action in "\\PC{0,12}",
        resource in "(arn:|\\*|)[\\PC:]{0,30}",
        value in "[\\PC${}'*?,: ]{0,24}",
        operator in prop_oneof![
            Just("StringLike".to_owned()),
            Just("ForAllValues:StringNotEqualsIfExists".to_owned()),
            Just("DateLessThan".to_owned()),
            Just("IpAddress".to_owned()),
            Just("ArnLike".to_owned()),
            Just("BinaryEquals".to_owned()),
            Just("Bool".to_owned()),
            "[A-Za-z:]{0,20}",
        ],
        request_value in "\\PC{0,24}",
    ) {
        let _ = PolicyDocument::parse(&raw, PolicyKind::Identity);
        let doc = json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Action": [action.clone(), "*"],
            "Resource": [resource.clone(), value.clone()],
            "Condition": {operator.as_str(): {"aws:username": [value.clone()], "s3:prefix": value.clone()}}
        }]});
        let parsed = PolicyDocument::parse(&doc.to_string(), PolicyKind::Identity);
        let resource_doc = json!({"Version": "2012-10-17", "Statement": {
            "Effect": "Deny", "Principal": {"AWS": value.clone()}, "Action": "*", "Resource": "*"}});
        let _ = PolicyDocument::parse(&resource_doc.to_string(), PolicyKind::KeyPolicy);
        if let Ok(doc) = parsed {
            let set = PolicySet::new().with_identity_policy(doc);
            let ctx = RequestContext::builder(
                PrincipalInfo::user("arn:aws:iam::111122223333:user/alice", "AIDAALICE").unwrap(),
            )
            .key("s3:prefix", &request_value)
            .key_values("aws:TagKeys", [request_value.as_str()])
            .build();
            let _ = set.evaluate(&AccessRequest::new(&action, &resource, &ctx));
            let _ = set.evaluate(&AccessRequest::new(&request_value, &request_value, &ctx));
        }
    }
}
