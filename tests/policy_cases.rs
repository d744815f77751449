//! Runs the policy evaluation cases in `test-vectors/policy/*.json` and the
//! malformed-document cases in `test-vectors/policy/malformed.json`.
//!
//! Each case names a caller, an action, a resource and context keys, the
//! policies of each kind (identity policies, permissions boundary, session
//! policies, a resource, key or trust policy, grants) and the expected
//! decision, with, where it matters, the deciding `Sid`, the policy type
//! and AWS's `AccessDenied` message. See `test-vectors/policy/README.md`.
//! Every failing case is reported by name.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use tower_sigv4::policy::{
    AccessRequest, Decision, Grant, GrantConstraints, GrantOperation, PolicyDocument,
    PolicyErrorKind, PolicyKind, PolicySet, PolicyType, PrincipalInfo, RequestContext,
    ResourceRule,
};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/policy")
}

fn load(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn s<'a>(v: &'a Value, field: &str) -> Result<&'a str, String> {
    v.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing string field `{field}`"))
}

fn build_principal(spec: &Value, principals: &Map<String, Value>) -> Result<PrincipalInfo, String> {
    // A name from principals.json, or an object (possibly with "ref" and overrides).
    let spec = match spec {
        Value::String(name) => principals
            .get(name)
            .cloned()
            .ok_or_else(|| format!("unknown principal `{name}`"))?,
        Value::Object(o) => match o.get("ref").and_then(Value::as_str) {
            Some(name) => {
                let mut base = principals
                    .get(name)
                    .and_then(Value::as_object)
                    .cloned()
                    .ok_or_else(|| format!("unknown principal `{name}`"))?;
                for (k, v) in o {
                    if k != "ref" {
                        base.insert(k.clone(), v.clone());
                    }
                }
                Value::Object(base)
            }
            None => spec.clone(),
        },
        _ => return Err("principal must be a name or an object".into()),
    };
    let partition = spec
        .get("partition")
        .and_then(Value::as_str)
        .unwrap_or("aws");
    let mut p = match s(&spec, "type")? {
        "Root" => PrincipalInfo::root(partition, s(&spec, "account")?),
        "User" => PrincipalInfo::user(s(&spec, "arn")?, s(&spec, "id")?),
        "AssumedRole" => PrincipalInfo::assumed_role(
            s(&spec, "role_arn")?,
            s(&spec, "session")?,
            s(&spec, "role_id")?,
        ),
        "FederatedUser" => {
            PrincipalInfo::federated_user(partition, s(&spec, "account")?, s(&spec, "name")?)
        }
        "Service" => Ok(PrincipalInfo::service(s(&spec, "name")?)),
        "Anonymous" => Ok(PrincipalInfo::anonymous()),
        other => return Err(format!("unknown principal type `{other}`")),
    }
    .map_err(|e| e.to_string())?;
    if let Some(f) = spec.get("federating_user").and_then(Value::as_str) {
        p = p.with_federating_user(f);
    }
    if let Some(f) = spec.get("federated_provider").and_then(Value::as_str) {
        p = p.with_federated_provider(f);
    }
    if let Some(c) = spec.get("canonical_user").and_then(Value::as_str) {
        p = p.with_canonical_user_id(c);
    }
    if let Some(tags) = spec.get("tags").and_then(Value::as_object) {
        for (k, v) in tags {
            p = p.with_tag(k, v.as_str().ok_or("tag values are strings")?);
        }
    }
    Ok(p)
}

fn build_context(case: &Value, principal: PrincipalInfo) -> Result<RequestContext, String> {
    let mut b = RequestContext::builder(principal);
    if let Some(ctx) = case.get("context").and_then(Value::as_object) {
        for (k, v) in ctx {
            b = match v {
                Value::String(x) => b.key(k, x),
                Value::Array(items) => {
                    let values: Vec<&str> = items
                        .iter()
                        .map(|i| i.as_str().ok_or("context list values are strings"))
                        .collect::<Result<_, _>>()?;
                    b.key_values(k, values)
                }
                other => {
                    return Err(format!(
                        "context value for {k} must be a string or a list, not {other}"
                    ))
                }
            };
        }
    }
    if let Some(ec) = case.get("encryption_context").and_then(Value::as_object) {
        let pairs: Vec<(&str, &str)> = ec
            .iter()
            .map(|(k, v)| {
                Ok((
                    k.as_str(),
                    v.as_str().ok_or("encryption context values are strings")?,
                ))
            })
            .collect::<Result<_, String>>()?;
        b = b.encryption_context(pairs);
    }
    Ok(b.build())
}

/// A document given as JSON (serialized back to text) or as raw text.
fn document_text(v: &Value) -> String {
    match v {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn parse_doc(v: &Value, kind: PolicyKind) -> Result<PolicyDocument, String> {
    // Either the document itself, or {"name": ..., "document": ...}.
    let (doc, name) = match (v.get("document"), v.get("name").and_then(Value::as_str)) {
        (Some(d), name) => (d, name),
        (None, _) => (v, None),
    };
    let parsed = PolicyDocument::parse(&document_text(doc), kind)
        .map_err(|e| format!("policy does not parse: {e}"))?;
    Ok(match name {
        Some(n) => parsed.with_name(n),
        None => parsed,
    })
}

fn kind_named(name: &str) -> Result<PolicyKind, String> {
    Ok(match name {
        "Identity" => PolicyKind::Identity,
        "PermissionsBoundary" => PolicyKind::PermissionsBoundary,
        "Session" => PolicyKind::Session,
        "ResourceBased" => PolicyKind::ResourceBased,
        "KeyPolicy" => PolicyKind::KeyPolicy,
        "TrustPolicy" => PolicyKind::TrustPolicy,
        other => return Err(format!("unknown policy kind `{other}`")),
    })
}

fn build_grant(v: &Value) -> Result<Grant, String> {
    let mut b = Grant::builder(s(v, "key_arn")?, s(v, "grantee")?);
    for op in v
        .get("operations")
        .and_then(Value::as_array)
        .ok_or("grant needs operations")?
    {
        let name = op.as_str().ok_or("operations are strings")?;
        b = b.operation(
            GrantOperation::from_name(name).ok_or_else(|| format!("unknown operation {name}"))?,
        );
    }
    if let Some(r) = v.get("retiring_principal").and_then(Value::as_str) {
        b = b.retiring_principal(r);
    }
    if let Some(a) = v.get("issuing_account").and_then(Value::as_str) {
        b = b.issuing_account(a);
    }
    if let Some(id) = v.get("id").and_then(Value::as_str) {
        b = b.id(id);
    }
    if let Some(c) = v.get("constraints") {
        let pairs = |name: &str| -> Option<Vec<(String, String)>> {
            c.get(name).and_then(Value::as_object).map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
        };
        let mut constraints = GrantConstraints::none();
        if let Some(p) = pairs("EncryptionContextEquals") {
            constraints = constraints.with_encryption_context_equals(p);
        }
        if let Some(p) = pairs("EncryptionContextSubset") {
            constraints = constraints.with_encryption_context_subset(p);
        }
        b = b.constraints(constraints);
    }
    b.build().map_err(|e| format!("grant does not build: {e}"))
}

fn policy_type_named(name: &str) -> Result<PolicyType, String> {
    Ok(match name {
        "IdentityBased" => PolicyType::IdentityBased,
        "ResourceBased" => PolicyType::ResourceBased,
        "PermissionsBoundary" => PolicyType::PermissionsBoundary,
        "SessionPolicy" => PolicyType::SessionPolicy,
        other => return Err(format!("unknown policy type `{other}`")),
    })
}

fn decision_named(name: &str) -> Result<Decision, String> {
    Ok(match name {
        "Allow" => Decision::Allow,
        "ExplicitDeny" => Decision::ExplicitDeny,
        "ImplicitDeny" => Decision::ImplicitDeny,
        other => return Err(format!("unknown decision `{other}`")),
    })
}

fn run_case(case: &Value, principals: &Map<String, Value>) -> Result<(), String> {
    let principal = build_principal(
        case.get("principal").ok_or("case needs a principal")?,
        principals,
    )?;
    let ctx = build_context(case, principal)?;
    let action = s(case, "action")?;
    let resource = s(case, "resource")?;

    let mut set = PolicySet::new();
    if let Some(stmt) = case.get("statement") {
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": stmt});
        set = set.with_identity_policy(parse_doc(&doc, PolicyKind::Identity)?);
    }
    for p in case
        .get("identity_policies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        set = set.with_identity_policy(parse_doc(p, PolicyKind::Identity)?);
    }
    if let Some(p) = case.get("permissions_boundary") {
        set = set.with_permissions_boundary(parse_doc(p, PolicyKind::PermissionsBoundary)?);
    }
    for p in case
        .get("session_policies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        set = set.with_session_policy(parse_doc(p, PolicyKind::Session)?);
    }
    if let Some(rp) = case.get("resource_policy") {
        let kind = kind_named(
            rp.get("kind")
                .and_then(Value::as_str)
                .unwrap_or("ResourceBased"),
        )?;
        set = set.with_resource_policy(parse_doc(rp, kind)?);
    }
    if let Some(a) = case.get("resource_account").and_then(Value::as_str) {
        set = set.with_resource_account(a);
    }
    match case.get("resource_rule").and_then(Value::as_str) {
        Some("EitherSideAllows") => set = set.with_resource_rule(ResourceRule::EitherSideAllows),
        Some("ResourcePolicyMustAllow") => {
            set = set.with_resource_rule(ResourceRule::ResourcePolicyMustAllow)
        }
        Some(other) => return Err(format!("unknown resource rule `{other}`")),
        None => {}
    }
    let grants: Vec<Grant> = case
        .get("grants")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(build_grant)
        .collect::<Result<_, _>>()?;
    for g in &grants {
        set = set.with_grant(g.clone());
    }
    let new_grant = case.get("new_grant").map(build_grant).transpose()?;

    let evaluation = match case.get("retire_grant").and_then(Value::as_u64) {
        Some(i) => {
            let g = grants
                .get(i as usize)
                .ok_or("retire_grant index out of range")?;
            set.evaluate_retire_grant(g, &ctx)
        }
        None => {
            let mut req = AccessRequest::new(action, resource, &ctx);
            if let Some(g) = &new_grant {
                req = req.with_new_grant(g);
            }
            set.evaluate(&req)
        }
    };

    // The owned record says the same as the evaluation.
    let record = evaluation.to_record();
    if record.decision() != evaluation.decision()
        || record.denial_reason() != evaluation.denial_reason()
        || record.allowing_statements().len() != evaluation.allowing_statements().count()
        || record.allowing_grant_id() != evaluation.allowing_grant().map(Grant::id)
    {
        return Err(format!(
            "the decision record differs from the evaluation: {record:?}"
        ));
    }

    let expect = case.get("expect").ok_or("case needs `expect`")?;
    let (decision, expect) = match expect {
        Value::String(d) => (decision_named(d)?, &Value::Null),
        other => (decision_named(s(other, "decision")?)?, other),
    };
    if evaluation.decision() != decision {
        return Err(format!(
            "expected {decision:?}, got {:?} (deny: {:?}, missing allow: {:?})",
            evaluation.decision(),
            evaluation
                .denying_statement()
                .map(|d| (d.policy_type(), d.sid(), d.index())),
            evaluation.missing_allow()
        ));
    }
    if let Some(sid) = expect.get("sid").and_then(Value::as_str) {
        let got: Vec<Option<&str>> = match decision {
            Decision::ExplicitDeny => evaluation
                .denying_statement()
                .map(|d| d.sid())
                .into_iter()
                .collect(),
            _ => evaluation.allowing_statements().map(|a| a.sid()).collect(),
        };
        if !got.contains(&Some(sid)) {
            return Err(format!("expected deciding Sid {sid:?}, got {got:?}"));
        }
    }
    if let Some(t) = expect.get("policy_type").and_then(Value::as_str) {
        let want = policy_type_named(t)?;
        let got = match decision {
            Decision::ExplicitDeny => evaluation.denying_statement().map(|d| d.policy_type()),
            Decision::ImplicitDeny => evaluation.missing_allow(),
            Decision::Allow => evaluation
                .allowing_statements()
                .next()
                .map(|a| a.policy_type()),
        };
        if got != Some(want) {
            return Err(format!("expected policy type {want:?}, got {got:?}"));
        }
    }
    if let Some(g) = expect.get("grant").and_then(Value::as_str) {
        let got = evaluation.allowing_grant().map(Grant::id);
        if got != Some(g) {
            return Err(format!("expected the grant {g:?} to decide, got {got:?}"));
        }
    }
    if let Some(m) = expect.get("message").and_then(Value::as_str) {
        let got = evaluation
            .access_denied_message(ctx.principal().arn(), action, resource)
            .map(|msg| msg.to_string());
        if got.as_deref() != Some(m) {
            return Err(format!(
                "expected message\n    {m}\n  got\n    {}",
                got.unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// Applies a file's `defaults` under each case; a case field set to `null`
/// removes the default.
fn merged(defaults: Option<&Value>, case: &Value) -> Value {
    let mut out = defaults
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(c) = case.as_object() {
        for (k, v) in c {
            if v.is_null() {
                out.remove(k);
            } else {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

#[test]
fn evaluation_cases() {
    let dir = vectors_dir();
    let principals = load(&dir.join("principals.json"))
        .as_object()
        .cloned()
        .expect("principals.json is an object");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("test-vectors/policy exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| {
            !matches!(
                p.file_name().and_then(|n| n.to_str()),
                Some("principals.json" | "malformed.json")
            )
        })
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0usize;
    let mut per_file = BTreeMap::new();
    for file in &files {
        let data = load(file);
        let defaults = data.get("defaults");
        let cases = data
            .get("cases")
            .and_then(Value::as_array)
            .expect("a `cases` array");
        let fname = file.file_name().unwrap().to_string_lossy().into_owned();
        per_file.insert(fname.clone(), cases.len());
        for case in cases {
            count += 1;
            let case = merged(defaults, case);
            let name = case
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("<unnamed>")
                .to_owned();
            if let Err(why) = run_case(&case, &principals) {
                failures.push(format!("{fname}: {name}: {why}"));
            }
        }
    }
    println!("policy cases per file: {per_file:?}");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        count >= 200,
        "expected at least 200 evaluation cases, found {count}"
    );
}

fn error_kind_named(name: &str) -> PolicyErrorKind {
    match name {
        "Syntax" => PolicyErrorKind::Syntax,
        "TooLarge" => PolicyErrorKind::TooLarge,
        "UnknownField" => PolicyErrorKind::UnknownField,
        "InvalidType" => PolicyErrorKind::InvalidType,
        "InvalidVersion" => PolicyErrorKind::InvalidVersion,
        "MissingElement" => PolicyErrorKind::MissingElement,
        "ConflictingElements" => PolicyErrorKind::ConflictingElements,
        "ProhibitedElement" => PolicyErrorKind::ProhibitedElement,
        "InvalidEffect" => PolicyErrorKind::InvalidEffect,
        "InvalidAction" => PolicyErrorKind::InvalidAction,
        "InvalidResource" => PolicyErrorKind::InvalidResource,
        "InvalidPrincipal" => PolicyErrorKind::InvalidPrincipal,
        "InvalidConditionOperator" => PolicyErrorKind::InvalidConditionOperator,
        "InvalidConditionKey" => PolicyErrorKind::InvalidConditionKey,
        "InvalidConditionValue" => PolicyErrorKind::InvalidConditionValue,
        "InvalidSid" => PolicyErrorKind::InvalidSid,
        "DuplicateSid" => PolicyErrorKind::DuplicateSid,
        "InvalidVariable" => PolicyErrorKind::InvalidVariable,
        other => panic!("unknown error kind `{other}`"),
    }
}

#[test]
fn malformed_documents() {
    let data = load(&vectors_dir().join("malformed.json"));
    let cases = data
        .get("cases")
        .and_then(Value::as_array)
        .expect("a `cases` array");
    let mut failures = Vec::new();
    let mut kinds_seen = std::collections::BTreeSet::new();
    for case in cases {
        let name = case
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("<unnamed>");
        let kind = kind_named(
            case.get("kind")
                .and_then(Value::as_str)
                .unwrap_or("Identity"),
        )
        .unwrap();
        let text = document_text(case.get("document").expect("document"));
        let want_kind = case.get("error").and_then(Value::as_str).expect("error");
        kinds_seen.insert(want_kind.to_owned());
        match PolicyDocument::parse(&text, kind) {
            Ok(_) => failures.push(format!("{name}: parsed, expected {want_kind}")),
            Err(e) => {
                if e.kind() != error_kind_named(want_kind) {
                    failures.push(format!(
                        "{name}: expected {want_kind}, got {:?}: {e}",
                        e.kind()
                    ));
                }
                if let Some(m) = case.get("message").and_then(Value::as_str) {
                    if e.to_string() != m {
                        failures.push(format!("{name}: expected message\n    {m}\n  got\n    {e}"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} malformed cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every document rule has at least one case (grants have their own tests).
    for kind in [
        "Syntax",
        "UnknownField",
        "InvalidType",
        "InvalidVersion",
        "MissingElement",
        "ConflictingElements",
        "ProhibitedElement",
        "InvalidEffect",
        "InvalidAction",
        "InvalidResource",
        "InvalidPrincipal",
        "InvalidConditionOperator",
        "InvalidConditionKey",
        "InvalidConditionValue",
        "InvalidSid",
        "DuplicateSid",
        "InvalidVariable",
    ] {
        assert!(kinds_seen.contains(kind), "no malformed case for {kind}");
    }
}

#[test]
fn oversized_documents_are_refused_before_parsing() {
    use tower_sigv4::policy::ParseSettings;
    let padding = " ".repeat(2000);
    let text = format!(
        r#"{{"Version":"2012-10-17",{padding}"Statement":{{"Effect":"Allow","Action":"*","Resource":"*"}}}}"#
    );
    let settings = ParseSettings::default().with_max_document_bytes(1024);
    let err = PolicyDocument::parse_with(&text, PolicyKind::Identity, &settings).unwrap_err();
    assert_eq!(err.kind(), PolicyErrorKind::TooLarge);
    assert!(PolicyDocument::parse(&text, PolicyKind::Identity).is_ok());
    // Deep nesting is refused by the JSON reader's recursion limit, not by the stack.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let settings = ParseSettings::default().with_max_document_bytes(1 << 20);
    let err = PolicyDocument::parse_with(&deep, PolicyKind::Identity, &settings).unwrap_err();
    assert_eq!(err.kind(), PolicyErrorKind::Syntax);
}
