//! `AuthorizeLayer` inside `SigV4Layer` in a real hyper 1 server on
//! loopback, requests signed by the `aws-sigv4` crate: KMS-style calls
//! decided by key policies, IAM policies, session policies and grants;
//! S3-style calls by bucket policies; each condition key the layer derives
//! proven by a policy condition that allows or denies.

#[path = "layer_support.rs"]
mod support;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aws_sigv4::http_request::SignableBody;
use axum::extract::ConnectInfo;
use bytes::Bytes;
use http::request::Parts;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use serde_json::{json, Value};
use support::*;
use tower::{ServiceBuilder, ServiceExt};
use tower_sigv4::authorize::{
    policy_store_fn, AuthorizeBody, AuthorizeError, AuthorizeErrorKind, AuthorizeLayer,
    AuthorizeSettings, Authorized, Check, MemoryPolicyStore, PolicyStore, PolicyStoreError,
    PrincipalPolicies, ResourcePolicies, SecureTransport, SourceIp,
};
use tower_sigv4::identity::{IssuedCredentials, ManualClock, Principal};
use tower_sigv4::policy::{
    DecisionRecord, Grant, GrantConstraints, GrantOperation, PolicyDocument, PolicyKind,
};
use tower_sigv4::response::ErrorReport;
use tower_sigv4::{SigV4Layer, SigV4Settings, UnsignedRequests, VerifiedBody};

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_KEY: &str =
    "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
const BOB_ARN: &str = "arn:aws:iam::111122223333:user/bob";
const ROOT_ARN: &str = "arn:aws:iam::111122223333:root";
const BUCKET: &str = "arn:aws:s3:::amzn-s3-demo-bucket";

fn doc(kind: PolicyKind, statements: Value) -> PolicyDocument {
    let text = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    PolicyDocument::parse(&text, kind).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn key_policy(statements: Value) -> PolicyDocument {
    doc(PolicyKind::KeyPolicy, statements)
}

fn identity(statements: Value) -> PolicyDocument {
    doc(PolicyKind::Identity, statements)
}

/// "Enable IAM policies": the key policy statement that delegates to the account.
fn delegate_to_account() -> Value {
    json!({"Sid": "EnableIAMPolicies", "Effect": "Allow",
           "Principal": {"AWS": ROOT_ARN}, "Action": "kms:*", "Resource": "*"})
}

// ---------------------------------------------------------------------------
// The application's part: KMS-style calls (`X-Amz-Target: TrentService.Op`,
// `KeyId` and `EncryptionContext` in the JSON body), S3-style paths.

fn checks(parts: &Parts, body: &[u8]) -> Result<Vec<Check>, ErrorReport> {
    if let Some(target) = parts.headers.get("x-amz-target") {
        let op = target
            .to_str()
            .ok()
            .and_then(|t| t.strip_prefix("TrentService."))
            .ok_or_else(|| {
                ErrorReport::new(StatusCode::BAD_REQUEST, "UnknownOperationException", "")
            })?;
        let v: Value = serde_json::from_slice(body).map_err(|_| {
            ErrorReport::new(
                StatusCode::BAD_REQUEST,
                "SerializationException",
                "not JSON",
            )
        })?;
        let context: Vec<(String, String)> = v["EncryptionContext"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let key = v["KeyId"].as_str().unwrap_or("*");
        if op == "ReEncrypt" {
            let to = v["DestinationKeyId"].as_str().unwrap_or("*");
            return Ok(vec![
                Check::new("kms:ReEncryptFrom", key).with_encryption_context(context.clone()),
                Check::new("kms:ReEncryptTo", to).with_encryption_context(context),
            ]);
        }
        return Ok(vec![
            Check::new(format!("kms:{op}"), key).with_encryption_context(context)
        ]);
    }
    let form = parts.headers.get("content-type").is_some_and(|v| {
        v.as_bytes()
            .starts_with(b"application/x-www-form-urlencoded")
    });
    if form {
        // STS, the Query protocol: `Action=AssumeRole&RoleArn=…`.
        let params: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|_| ErrorReport::new(StatusCode::BAD_REQUEST, "MalformedInput", ""))?;
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let action = param("Action").unwrap_or_default();
        let resource = param("RoleArn").unwrap_or_else(|| "*".to_owned());
        return Ok(vec![Check::new(format!("sts:{action}"), resource)]);
    }
    let action = if parts.method == http::Method::GET {
        "s3:GetObject"
    } else {
        "s3:PutObject"
    };
    let path = parts.uri.path().trim_start_matches('/');
    Ok(vec![Check::new(action, format!("arn:aws:s3:::{path}"))])
}

/// What the handler saw, as JSON: the decision from the extensions.
async fn handler(
    req: Request<AuthorizeBody<VerifiedBody<Incoming>>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let authorized = parts.extensions.get::<Authorized>().expect("Authorized");
    let record = parts
        .extensions
        .get::<DecisionRecord>()
        .expect("a DecisionRecord");
    assert_eq!(Some(record), authorized.decision());
    let data = body.collect().await.unwrap().to_bytes();
    let doc = json!({
        "decision": format!("{:?}", record.decision()),
        "allowed_by": record.allowing_statements().iter()
            .map(|s| json!([format!("{:?}", s.policy_type()), s.sid()]))
            .collect::<Vec<_>>(),
        "grant": record.allowing_grant_id(),
        "principal": authorized.principal().arn(),
        "checks": authorized.decisions().iter().map(|d| d.action()).collect::<Vec<_>>(),
        "body_len": data.len(),
    });
    Ok(Response::new(Full::new(Bytes::from(doc.to_string()))))
}

struct Server {
    base: String,
}

fn sigv4_settings(ids: &Identities) -> SigV4Settings {
    SigV4Settings::default()
        .with_region("us-east-1")
        .with_region("eu-west-1")
        .with_service("s3")
        .with_service("kms")
        .with_service("sts")
        .with_clock(ids.clock.clone())
}

fn authorize_settings() -> AuthorizeSettings {
    AuthorizeSettings::default()
        .with_clock(Arc::new(ManualClock::new(t0())))
        .with_body_limit(64 * 1024)
        .with_source_ip(SourceIp::from_fn(|parts| {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        }))
}

/// Serves SigV4Layer → AuthorizeLayer → handler on loopback; each
/// connection's peer address goes into the extensions as axum's
/// `ConnectInfo`, as `into_make_service_with_connect_info` does.
async fn serve<P: PolicyStore + 'static>(
    ids: &Identities,
    policies: P,
    sigv4: SigV4Settings,
    authorize: AuthorizeSettings,
) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = ServiceBuilder::new()
        .layer(SigV4Layer::with_settings(ids.store.clone(), sigv4))
        .layer(AuthorizeLayer::with_settings(policies, authorize, checks))
        .service_fn(handler);
    tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                return;
            };
            let per_connection = ServiceBuilder::new()
                .map_request(move |mut req: Request<Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(peer));
                    req
                })
                .service(service.clone());
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(
                        TokioIo::new(stream),
                        TowerToHyperService::new(per_connection),
                    )
                    .await;
            });
        }
    });
    Server {
        base: format!("http://{addr}"),
    }
}

enum Who<'a> {
    Alice,
    Root,
    Session(&'a IssuedCredentials),
}

impl Server {
    async fn kms(&self, who: Who<'_>, op: &str, body: Value) -> Answer {
        self.kms_in("us-east-1", who, op, body).await
    }

    async fn kms_in(&self, region: &str, who: Who<'_>, op: &str, body: Value) -> Answer {
        let data = body.to_string().into_bytes();
        let mut req = Request::post(format!("{}/", self.base))
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", format!("TrentService.{op}"))
            .body(Full::new(Bytes::from(data.clone())))
            .unwrap();
        let signing = Signing::new("kms").region(region);
        let signing = match who {
            Who::Alice => signing.key(ALICE_AKID, ALICE_SECRET),
            Who::Root => signing,
            Who::Session(c) => signing.session(c),
        };
        signing.sign(&mut req, SignableBody::Bytes(&data));
        send(req).await
    }

    async fn s3_get(&self, who: Option<Who<'_>>, path: &str) -> Answer {
        let mut req = Request::get(format!("{}{path}", self.base))
            .body(Full::new(Bytes::new()))
            .unwrap();
        if let Some(who) = who {
            let signing = Signing::new("s3");
            let signing = match who {
                Who::Alice => signing.key(ALICE_AKID, ALICE_SECRET),
                Who::Root => signing,
                Who::Session(c) => signing.session(c),
            };
            signing.sign(&mut req, SignableBody::Bytes(b""));
        }
        send(req).await
    }
}

fn assert_allowed(a: &Answer) -> Value {
    assert_eq!(
        a.status,
        200,
        "expected an allow: {}",
        String::from_utf8_lossy(&a.body)
    );
    let v = a.json();
    assert_eq!(v["decision"], "Allow");
    v
}

/// Asserts KMS's `AccessDeniedException` (400, AWS JSON 1.1) and returns its message.
fn kms_denied(a: &Answer) -> String {
    assert_eq!(
        a.status,
        400,
        "expected a denial: {}",
        String::from_utf8_lossy(&a.body)
    );
    a.assert_error_headers();
    assert_eq!(a.headers["x-amzn-errortype"], "AccessDeniedException");
    assert_eq!(a.headers["content-type"], "application/x-amz-json-1.1");
    let v = a.json();
    assert_eq!(v["__type"], "AccessDeniedException");
    v["message"].as_str().unwrap().to_owned()
}

fn alice_message(action: &str, resource: &str, because: &str) -> String {
    format!(
        "User: {ALICE_ARN} is not authorized to perform: {action} on resource: {resource} {because}"
    )
}

// ---------------------------------------------------------------------------
// KMS: key policies, IAM policies, sessions, grants.

#[tokio::test]
async fn key_policy_naming_the_user_allows_and_the_handler_sees_the_decision() {
    let ids = identities(t0());
    let policies = MemoryPolicyStore::new().with_resource_policy(
        KEY,
        key_policy(json!([{"Sid": "AllowAliceUse", "Effect": "Allow",
            "Principal": {"AWS": ALICE_ARN},
            "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}])),
    );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;
    let a = s
        .kms(
            Who::Alice,
            "Encrypt",
            json!({"KeyId": KEY, "Plaintext": "aGk="}),
        )
        .await;
    let v = assert_allowed(&a);
    assert_eq!(v["allowed_by"], json!([["ResourceBased", "AllowAliceUse"]]));
    assert_eq!(v["principal"], ALICE_ARN);
    // The body was read for the checks and handed on whole.
    assert!(v["body_len"].as_u64().unwrap() > 0);

    // The key policy names alice, not the account: even the account's
    // root user is refused (a KMS key policy must allow).
    let a = s.kms(Who::Root, "Encrypt", json!({"KeyId": KEY})).await;
    assert_eq!(
        kms_denied(&a),
        format!(
            "User: {ROOT_ARN} is not authorized to perform: kms:Encrypt on resource: {KEY} \
             because no resource-based policy allows the kms:Encrypt action"
        )
    );
}

#[tokio::test]
async fn no_statement_for_the_caller_is_access_denied_exception_with_aws_message() {
    let ids = identities(t0());
    let policies = MemoryPolicyStore::new()
        .with_resource_policy(
            KEY,
            key_policy(json!([{"Effect": "Allow", "Principal": {"AWS": BOB_ARN},
                "Action": "kms:*", "Resource": "*"}])),
        )
        // An IAM policy alone does not open a key whose policy does not delegate.
        .with_identity_policy(
            ALICE_ARN,
            identity(json!([{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}])),
        );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;
    let a = s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await;
    assert_eq!(
        kms_denied(&a),
        alice_message(
            "kms:Decrypt",
            KEY,
            "because no resource-based policy allows the kms:Decrypt action"
        )
    );
}

#[tokio::test]
async fn account_delegation_lets_identity_policies_decide() {
    let ids = identities(t0());
    let policies = MemoryPolicyStore::new()
        .with_resource_policy(KEY, key_policy(json!([delegate_to_account()])))
        .with_identity_policy(
            ALICE_ARN,
            identity(json!([{"Sid": "AliceDecrypts", "Effect": "Allow",
                "Action": "kms:Decrypt", "Resource": KEY}])),
        );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;
    let v = assert_allowed(&s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await);
    assert_eq!(
        v["allowed_by"],
        json!([
            ["ResourceBased", "EnableIAMPolicies"],
            ["IdentityBased", "AliceDecrypts"]
        ])
    );
    let a = s.kms(Who::Alice, "Encrypt", json!({"KeyId": KEY})).await;
    assert_eq!(
        kms_denied(&a),
        alice_message(
            "kms:Encrypt",
            KEY,
            "because no identity-based policy allows the kms:Encrypt action"
        )
    );
    // The root user needs no IAM policy in its own account.
    assert_allowed(&s.kms(Who::Root, "Encrypt", json!({"KeyId": KEY})).await);
}

#[tokio::test]
async fn explicit_deny_in_an_identity_policy_wins_over_the_key_policy() {
    let ids = identities(t0());
    let policies = MemoryPolicyStore::new()
        .with_resource_policy(
            KEY,
            key_policy(json!([delegate_to_account(),
                {"Effect": "Allow", "Principal": {"AWS": ALICE_ARN}, "Action": "kms:*", "Resource": "*"}])),
        )
        .with_identity_policy(
            ALICE_ARN,
            identity(json!([
                {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
                {"Sid": "NoDecrypt", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}
            ])),
        );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;
    assert_allowed(&s.kms(Who::Alice, "Encrypt", json!({"KeyId": KEY})).await);
    let a = s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await;
    assert_eq!(
        kms_denied(&a),
        alice_message(
            "kms:Decrypt",
            KEY,
            "with an explicit deny in an identity-based policy"
        )
    );
}

#[tokio::test]
async fn role_session_is_allowed_by_its_role_and_limited_by_its_session_policy() {
    let ids = identities(t0());
    let limited = assume_role(&ids, "limited", Duration::from_secs(3600));
    let full = assume_role(&ids, "full", Duration::from_secs(3600));
    let policies = MemoryPolicyStore::new()
        .with_resource_policy(KEY, key_policy(json!([delegate_to_account()])))
        .with_identity_policy(
            ROLE_ARN,
            identity(json!([{"Sid": "RoleUsesKey", "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}])),
        )
        .with_session_policy(
            limited.access_key_id(),
            doc(
                PolicyKind::Session,
                json!([{"Sid": "DecryptOnly", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]),
            ),
        );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;

    let session_arn = "arn:aws:sts::111122223333:assumed-role/demo-role/limited";
    let v = assert_allowed(
        &s.kms(Who::Session(&limited), "Decrypt", json!({"KeyId": KEY}))
            .await,
    );
    assert_eq!(v["principal"], session_arn);
    assert_eq!(
        v["allowed_by"],
        json!([
            ["ResourceBased", "EnableIAMPolicies"],
            ["IdentityBased", "RoleUsesKey"],
            ["SessionPolicy", "DecryptOnly"]
        ])
    );
    let a = s
        .kms(Who::Session(&limited), "Encrypt", json!({"KeyId": KEY}))
        .await;
    assert_eq!(
        kms_denied(&a),
        format!(
            "User: {session_arn} is not authorized to perform: kms:Encrypt on resource: {KEY} \
             because no session policy allows the kms:Encrypt action"
        )
    );
    // Another session of the same role, without a session policy, may encrypt.
    assert_allowed(
        &s.kms(Who::Session(&full), "Encrypt", json!({"KeyId": KEY}))
            .await,
    );
}

#[tokio::test]
async fn grant_with_encryption_context_allows_decrypt_only_for_that_context() {
    let ids = identities(t0());
    let grant = Grant::builder(KEY, ALICE_ARN)
        .operation(GrantOperation::Decrypt)
        .constraints(
            GrantConstraints::none().with_encryption_context_equals([("Department", "IT")]),
        )
        .id("0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60")
        .build()
        .unwrap();
    let policies = MemoryPolicyStore::new()
        .with_resource_policy(
            KEY,
            key_policy(json!([{"Effect": "Allow", "Principal": {"AWS": BOB_ARN},
                "Action": "kms:*", "Resource": "*"}])),
        )
        .with_grant(grant);
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;

    let v = assert_allowed(
        &s.kms(
            Who::Alice,
            "Decrypt",
            json!({"KeyId": KEY, "EncryptionContext": {"Department": "IT"}}),
        )
        .await,
    );
    assert_eq!(
        v["grant"],
        "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60"
    );
    assert_eq!(v["allowed_by"], json!([]));

    for context in [
        json!({"Department": "HR"}),
        json!({"Department": "IT", "Project": "Alpha"}),
        json!({}),
    ] {
        let a = s
            .kms(
                Who::Alice,
                "Decrypt",
                json!({"KeyId": KEY, "EncryptionContext": context}),
            )
            .await;
        assert_eq!(
            kms_denied(&a),
            alice_message(
                "kms:Decrypt",
                KEY,
                "because no resource-based policy allows the kms:Decrypt action"
            ),
            "{context}"
        );
    }
    // The grant names Decrypt only.
    let a = s
        .kms(
            Who::Alice,
            "Encrypt",
            json!({"KeyId": KEY, "EncryptionContext": {"Department": "IT"}}),
        )
        .await;
    kms_denied(&a);
}

#[tokio::test]
async fn every_check_of_a_request_must_allow() {
    let ids = identities(t0());
    let policies = MemoryPolicyStore::new()
        .with_resource_policy(
            KEY,
            key_policy(json!([{"Effect": "Allow", "Principal": {"AWS": ALICE_ARN},
                "Action": "kms:ReEncrypt*", "Resource": "*"}])),
        )
        .with_resource_policy(
            OTHER_KEY,
            key_policy(json!([{"Effect": "Allow", "Principal": {"AWS": ALICE_ARN},
                "Action": "kms:ReEncryptFrom", "Resource": "*"}])),
        );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;
    let v = assert_allowed(
        &s.kms(
            Who::Alice,
            "ReEncrypt",
            json!({"KeyId": OTHER_KEY, "DestinationKeyId": KEY}),
        )
        .await,
    );
    assert_eq!(v["checks"], json!(["kms:ReEncryptFrom", "kms:ReEncryptTo"]));
    let a = s
        .kms(
            Who::Alice,
            "ReEncrypt",
            json!({"KeyId": KEY, "DestinationKeyId": OTHER_KEY}),
        )
        .await;
    assert_eq!(
        kms_denied(&a),
        alice_message(
            "kms:ReEncryptTo",
            OTHER_KEY,
            "because no resource-based policy allows the kms:ReEncryptTo action"
        )
    );
}

// ---------------------------------------------------------------------------
// STS: a role trust policy, the Query protocol's AccessDenied.

#[tokio::test]
async fn sts_denial_is_query_access_denied_and_trust_policies_must_allow() {
    let ids = identities(t0());
    let trust = doc(
        PolicyKind::TrustPolicy,
        json!([{"Sid": "TrustAlice", "Effect": "Allow", "Principal": {"AWS": ALICE_ARN},
                "Action": "sts:AssumeRole"}]),
    );
    let policies = MemoryPolicyStore::new()
        .with_resource_policy(ROLE_ARN, trust)
        // An IAM policy of the root user does not replace the trust policy.
        .with_identity_policy(
            ROOT_ARN,
            identity(json!([{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}])),
        );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;
    let assume = |who: Who<'_>| {
        let form =
            format!("Action=AssumeRole&Version=2011-06-15&RoleArn={ROLE_ARN}&RoleSessionName=s1");
        let data = form.into_bytes();
        let mut req = Request::post(format!("{}/", s.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(data.clone())))
            .unwrap();
        let signing = Signing::new("sts");
        let signing = match who {
            Who::Alice => signing.key(ALICE_AKID, ALICE_SECRET),
            _ => signing,
        };
        signing.sign(&mut req, SignableBody::Bytes(&data));
        send(req)
    };
    let v = assert_allowed(&assume(Who::Alice).await);
    assert_eq!(v["allowed_by"], json!([["ResourceBased", "TrustAlice"]]));

    let a = assume(Who::Root).await;
    assert_eq!(a.status, 403, "{}", String::from_utf8_lossy(&a.body));
    a.assert_error_headers();
    assert_eq!(a.headers["content-type"], "text/xml");
    let text = String::from_utf8_lossy(&a.body).into_owned();
    assert!(
        text.starts_with("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"),
        "{text}"
    );
    let xml = a.xml();
    assert_eq!(xml["Type"], "Sender");
    assert_eq!(xml["Code"], "AccessDenied");
    assert_eq!(
        xml["Message"],
        format!(
            "User: {ROOT_ARN} is not authorized to perform: sts:AssumeRole on resource: {ROLE_ARN} \
             because no resource-based policy allows the sts:AssumeRole action"
        )
    );
}

// ---------------------------------------------------------------------------
// S3: bucket policies, AccessDenied XML, anonymous callers.

fn bucket_policy() -> PolicyDocument {
    doc(
        PolicyKind::ResourceBased,
        json!([
            {"Sid": "AliceReadsShared", "Effect": "Allow", "Principal": {"AWS": ALICE_ARN},
             "Action": "s3:GetObject", "Resource": format!("{BUCKET}/shared/*")},
            {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
             "Action": "s3:GetObject", "Resource": format!("{BUCKET}/public/*")}
        ]),
    )
}

#[tokio::test]
async fn s3_denial_is_access_denied_xml_with_the_quoted_resource() {
    let ids = identities(t0());
    let policies = MemoryPolicyStore::new()
        .with_resource_policy(BUCKET, bucket_policy())
        .with_resource_account(BUCKET, "111122223333");
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;

    let v = assert_allowed(
        &s.s3_get(Some(Who::Alice), "/amzn-s3-demo-bucket/shared/a.txt")
            .await,
    );
    assert_eq!(
        v["allowed_by"],
        json!([["ResourceBased", "AliceReadsShared"]])
    );

    let a = s
        .s3_get(Some(Who::Alice), "/amzn-s3-demo-bucket/private/a.txt")
        .await;
    assert_eq!(a.status, 403, "{}", String::from_utf8_lossy(&a.body));
    a.assert_error_headers();
    assert!(a.headers.contains_key("x-amz-request-id"));
    assert_eq!(a.headers["content-type"], "application/xml");
    let xml = a.xml();
    assert_eq!(xml["Code"], "AccessDenied");
    assert_eq!(
        xml["Message"],
        format!(
            "User: {ALICE_ARN} is not authorized to perform: s3:GetObject on resource: \
             \"{BUCKET}/private/a.txt\" because no identity-based policy allows the s3:GetObject action"
        )
    );
    assert!(xml.contains_key("RequestId"));
}

#[tokio::test]
async fn anonymous_requests_are_evaluated_as_the_anonymous_principal() {
    let ids = identities(t0());
    let policies = MemoryPolicyStore::new()
        .with_resource_policy(BUCKET, bucket_policy())
        .with_resource_account(BUCKET, "111122223333");
    let sigv4 = sigv4_settings(&ids).with_unsigned_requests(UnsignedRequests::Anonymous);
    let s = serve(&ids, policies, sigv4, authorize_settings()).await;

    let v = assert_allowed(&s.s3_get(None, "/amzn-s3-demo-bucket/public/cat.jpg").await);
    assert_eq!(v["principal"], "anonymous");
    assert_eq!(v["allowed_by"], json!([["ResourceBased", "PublicRead"]]));
    // A statement naming alice does not reach an anonymous caller.
    let a = s.s3_get(None, "/amzn-s3-demo-bucket/shared/a.txt").await;
    assert_eq!(a.status, 403);
    assert_eq!(a.xml()["Code"], "AccessDenied");
}

// ---------------------------------------------------------------------------
// The context keys, each proven by a condition.

/// A key policy that allows `kms:Decrypt` to everyone in the account under
/// `condition`: only the condition decides.
fn conditional_key(condition: Value) -> PolicyDocument {
    key_policy(
        json!([{"Sid": "Conditional", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": "kms:Decrypt", "Resource": "*", "Condition": condition}]),
    )
}

#[tokio::test]
async fn principal_arn_of_a_session_is_the_role_arn() {
    let ids = identities(t0());
    let session = assume_role(&ids, "s1", Duration::from_secs(3600));
    let policies = MemoryPolicyStore::new().with_resource_policy(
        KEY,
        conditional_key(json!({"ArnEquals": {"aws:PrincipalArn": ROLE_ARN}})),
    );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;
    assert_allowed(
        &s.kms(Who::Session(&session), "Decrypt", json!({"KeyId": KEY}))
            .await,
    );
    kms_denied(&s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await);
}

#[tokio::test]
async fn requested_region_is_the_scope_region() {
    let ids = identities(t0());
    let policies = MemoryPolicyStore::new().with_resource_policy(
        KEY,
        conditional_key(json!({"StringEquals": {"aws:RequestedRegion": "us-east-1"}})),
    );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;
    assert_allowed(
        &s.kms_in("us-east-1", Who::Alice, "Decrypt", json!({"KeyId": KEY}))
            .await,
    );
    kms_denied(
        &s.kms_in("eu-west-1", Who::Alice, "Decrypt", json!({"KeyId": KEY}))
            .await,
    );
}

#[tokio::test]
async fn source_ip_comes_from_connect_info() {
    let ids = identities(t0());
    let policies = MemoryPolicyStore::new()
        .with_resource_policy(
            KEY,
            conditional_key(json!({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})),
        )
        .with_resource_policy(
            OTHER_KEY,
            conditional_key(json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "::1/128"]}})),
        );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;
    assert_allowed(&s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await);
    kms_denied(
        &s.kms(Who::Alice, "Decrypt", json!({"KeyId": OTHER_KEY}))
            .await,
    );

    // Without an address the key is absent: IpAddress fails.
    let s = serve(
        &ids,
        MemoryPolicyStore::new().with_resource_policy(
            KEY,
            conditional_key(json!({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})),
        ),
        sigv4_settings(&ids),
        authorize_settings().with_source_ip(SourceIp::from_extensions()),
    )
    .await;
    kms_denied(&s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await);
}

#[tokio::test]
async fn secure_transport_follows_the_setting() {
    let ids = identities(t0());
    let policies = || {
        MemoryPolicyStore::new().with_resource_policy(
            KEY,
            key_policy(json!([
                {"Effect": "Allow", "Principal": {"AWS": ALICE_ARN}, "Action": "kms:*", "Resource": "*"},
                {"Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": "*", "Action": "kms:*",
                 "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
            ])),
        )
    };
    let tls = serve(
        &ids,
        policies(),
        sigv4_settings(&ids),
        authorize_settings().with_secure_transport(SecureTransport::Always),
    )
    .await;
    assert_allowed(&tls.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await);

    // The default: not over TLS.
    let plain = serve(&ids, policies(), sigv4_settings(&ids), authorize_settings()).await;
    let a = plain
        .kms(Who::Alice, "Decrypt", json!({"KeyId": KEY}))
        .await;
    assert_eq!(
        kms_denied(&a),
        alice_message(
            "kms:Decrypt",
            KEY,
            "with an explicit deny in a resource-based policy"
        )
    );
}

#[tokio::test]
async fn token_issue_time_and_mfa_exist_for_temporary_credentials_only() {
    let ids = identities(t0());
    let session = assume_role(&ids, "s1", Duration::from_secs(3600));
    let with_mfa = assume_role(&ids, "s2", Duration::from_secs(3600));
    let policies = MemoryPolicyStore::new()
        .with_multi_factor_auth(with_mfa.access_key_id())
        // Issued at t0 = 2025-01-01T00:00:00Z, the clock's now.
        .with_resource_policy(
            KEY,
            conditional_key(json!({
                "DateGreaterThan": {"aws:TokenIssueTime": "2024-12-31T23:00:00Z"},
                "DateLessThan": {"aws:CurrentTime": "2025-01-01T00:00:01Z"}
            })),
        )
        .with_resource_policy(
            OTHER_KEY,
            conditional_key(
                json!({"DateGreaterThan": {"aws:TokenIssueTime": "2025-01-01T00:00:00Z"}}),
            ),
        )
        .with_resource_policy(
            "arn:aws:kms:us-east-1:111122223333:key/mfa",
            conditional_key(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;
    assert_allowed(
        &s.kms(Who::Session(&session), "Decrypt", json!({"KeyId": KEY}))
            .await,
    );
    // Issued exactly at the bound: not greater.
    kms_denied(
        &s.kms(
            Who::Session(&session),
            "Decrypt",
            json!({"KeyId": OTHER_KEY}),
        )
        .await,
    );
    // Long-term keys carry no aws:TokenIssueTime: the positive operator fails.
    kms_denied(&s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await);

    let mfa_key = json!({"KeyId": "arn:aws:kms:us-east-1:111122223333:key/mfa"});
    assert_allowed(
        &s.kms(Who::Session(&with_mfa), "Decrypt", mfa_key.clone())
            .await,
    );
    kms_denied(
        &s.kms(Who::Session(&session), "Decrypt", mfa_key.clone())
            .await,
    );
    kms_denied(&s.kms(Who::Alice, "Decrypt", mfa_key).await);
}

#[tokio::test]
async fn principal_tags_come_from_the_store() {
    let ids = identities(t0());
    let session = assume_role(&ids, "s1", Duration::from_secs(3600));
    let other = assume_role(&ids, "s2", Duration::from_secs(3600));
    let policies = MemoryPolicyStore::new()
        .with_principal_tag(ROLE_ARN, "team", "blue")
        .with_session_tag(other.access_key_id(), "Team", "red")
        .with_resource_policy(
            KEY,
            conditional_key(json!({"StringEquals": {"aws:PrincipalTag/Team": "blue"}})),
        );
    let s = serve(&ids, policies, sigv4_settings(&ids), authorize_settings()).await;
    assert_allowed(
        &s.kms(Who::Session(&session), "Decrypt", json!({"KeyId": KEY}))
            .await,
    );
    // The session tag overrides the role's.
    kms_denied(
        &s.kms(Who::Session(&other), "Decrypt", json!({"KeyId": KEY}))
            .await,
    );
    kms_denied(&s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await);
}

// ---------------------------------------------------------------------------
// Failures that are never an allow.

async fn never_called(
    _req: Request<AuthorizeBody<Full<Bytes>>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    panic!("the handler must not run");
}

#[tokio::test]
async fn misordered_layers_are_a_server_error_not_an_allow() {
    let policies = MemoryPolicyStore::new().with_resource_policy(
        KEY,
        key_policy(
            json!([{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]),
        ),
    );
    let service = ServiceBuilder::new()
        .layer(AuthorizeLayer::with_settings(
            policies,
            authorize_settings(),
            checks,
        ))
        .service_fn(never_called);
    let body = json!({"KeyId": KEY}).to_string();
    let req = Request::post("/")
        .header("x-amz-target", "TrentService.Decrypt")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = service.oneshot(req).await.unwrap();
    assert_eq!(response.status(), 500);
    let error = response
        .extensions()
        .get::<AuthorizeError>()
        .expect("the error in the extensions")
        .clone();
    assert_eq!(error.kind(), AuthorizeErrorKind::NotAuthenticated);
    let v: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(v["__type"], "InternalFailure");
    assert!(
        v["message"].as_str().unwrap().contains("inside SigV4Layer"),
        "{v}"
    );
}

/// A store whose backend is down, written with `async fn`.
struct Unavailable;

impl PolicyStore for Unavailable {
    async fn principal_policies(
        &self,
        _principal: &Principal,
        _access_key_id: &str,
    ) -> Result<PrincipalPolicies, PolicyStoreError> {
        Ok(PrincipalPolicies::new())
    }

    async fn resource_policies(
        &self,
        _resource: &str,
    ) -> Result<ResourcePolicies, PolicyStoreError> {
        Err(PolicyStoreError::backend("database unreachable"))
    }
}

#[tokio::test]
async fn a_failing_store_is_a_server_error_in_the_service_protocol() {
    let ids = identities(t0());
    let s = serve(
        &ids,
        Unavailable,
        sigv4_settings(&ids),
        authorize_settings(),
    )
    .await;
    let a = s.kms(Who::Root, "Decrypt", json!({"KeyId": KEY})).await;
    assert_eq!(a.status, 500);
    assert_eq!(a.json()["__type"], "InternalFailure");
    // The backend's words stay on the server.
    assert!(!String::from_utf8_lossy(&a.body).contains("database"));
    let a = s.s3_get(Some(Who::Root), "/amzn-s3-demo-bucket/a").await;
    assert_eq!(a.status, 500);
    assert_eq!(a.xml()["Code"], "InternalError");
}

#[tokio::test]
async fn the_application_can_refuse_a_request_it_cannot_map() {
    let ids = identities(t0());
    let s = serve(
        &ids,
        MemoryPolicyStore::new(),
        sigv4_settings(&ids),
        authorize_settings(),
    )
    .await;
    let data = b"{not json".to_vec();
    let mut req = Request::post(format!("{}/", s.base))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "TrentService.Decrypt")
        .body(Full::new(Bytes::from(data.clone())))
        .unwrap();
    Signing::new("kms").sign(&mut req, SignableBody::Bytes(&data));
    let a = send(req).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["__type"], "SerializationException");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_before_the_checks() {
    let ids = identities(t0());
    let s = serve(
        &ids,
        MemoryPolicyStore::new(),
        sigv4_settings(&ids),
        authorize_settings().with_body_limit(16),
    )
    .await;
    let a = s
        .kms(
            Who::Root,
            "Decrypt",
            json!({"KeyId": KEY, "Pad": "x".repeat(64)}),
        )
        .await;
    assert_eq!(a.status, 413);
    assert_eq!(a.json()["__type"], "RequestEntityTooLargeException");
}

// ---------------------------------------------------------------------------
// Stores: behind an `Arc` shared with the application, and made of closures.

#[tokio::test]
async fn a_shared_store_changes_while_it_serves() {
    let ids = identities(t0());
    let store = Arc::new(MemoryPolicyStore::new().with_resource_policy(
        KEY,
        key_policy(json!([{"Effect": "Allow", "Principal": {"AWS": BOB_ARN},
            "Action": "kms:*", "Resource": "*"}])),
    ));
    let s = serve(
        &ids,
        store.clone(),
        sigv4_settings(&ids),
        authorize_settings(),
    )
    .await;
    kms_denied(&s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await);

    // What a CreateGrant handler does.
    store.put_grant(
        Grant::builder(KEY, ALICE_ARN)
            .operation(GrantOperation::Decrypt)
            .id("g-1")
            .build()
            .unwrap(),
    );
    let v = assert_allowed(&s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await);
    assert_eq!(v["grant"], "g-1");

    // And RetireGrant.
    assert!(store.remove_grant(KEY, "g-1"));
    kms_denied(&s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await);
}

#[tokio::test]
async fn a_closure_store_serves_the_layer() {
    let ids = identities(t0());
    let key_policy = Arc::new(key_policy(json!([delegate_to_account()])));
    let alice_policy = Arc::new(identity(json!([
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}
    ])));
    let store = policy_store_fn(
        move |principal: &Principal, _akid: &str| {
            let found = (principal.arn() == ALICE_ARN).then(|| alice_policy.clone());
            async move {
                let mut policies = PrincipalPolicies::new();
                if let Some(doc) = found {
                    policies = policies.with_identity_policy(doc);
                }
                Ok(policies)
            }
        },
        move |resource: &str| {
            let found = (resource == KEY).then(|| key_policy.clone());
            async move {
                let mut policies = ResourcePolicies::new();
                if let Some(doc) = found {
                    policies = policies.with_policy(doc);
                }
                Ok(policies)
            }
        },
    );
    let s = serve(&ids, store, sigv4_settings(&ids), authorize_settings()).await;
    assert_allowed(&s.kms(Who::Alice, "Encrypt", json!({"KeyId": KEY})).await);
    kms_denied(&s.kms(Who::Alice, "Decrypt", json!({"KeyId": KEY})).await);
    // No key policy for the other key: a KMS key's policy must allow, so
    // alice's IAM policy alone does not open it.
    assert_eq!(
        kms_denied(
            &s.kms(Who::Alice, "Encrypt", json!({"KeyId": OTHER_KEY}))
                .await
        ),
        alice_message(
            "kms:Encrypt",
            OTHER_KEY,
            "because no resource-based policy allows the kms:Encrypt action"
        )
    );
}
