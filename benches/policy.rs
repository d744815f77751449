//! Policy evaluation: one request against 10 policies of 10 statements each
//! (8 identity policies, a permissions boundary and a bucket policy), every
//! statement with conditions.
//!
//! Run: `cargo bench --bench policy` (add `-- --quick` for a short run).

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion};
use tower_sigv4::policy::{
    AccessRequest, Decision, PolicyDocument, PolicyKind, PolicySet, PrincipalInfo, RequestContext,
};

/// Ten statements; only the last one of the last identity policy matches
/// the benchmark request, so every statement is looked at.
fn identity_policy(n: usize, last_allows: bool) -> String {
    let mut statements = Vec::new();
    for i in 0..10 {
        let matching = last_allows && i == 9;
        let (action, resource) = if matching {
            (
                "s3:GetObject",
                "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*".to_owned(),
            )
        } else {
            ("s3:Get*", format!("arn:aws:s3:::bucket-{n}-{i}/*"))
        };
        statements.push(format!(
            r#"{{"Sid":"P{n}S{i}","Effect":"Allow","Action":["{action}","s3:List*"],"Resource":["{resource}"],
               "Condition":{{"StringEquals":{{"aws:PrincipalTag/team":["blue","green"]}},
                             "IpAddress":{{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}},
                             "Bool":{{"aws:SecureTransport":"true"}},
                             "DateLessThan":{{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}}}}"#
        ));
    }
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

fn boundary() -> String {
    let mut statements = Vec::new();
    for i in 0..10 {
        let action = if i == 9 { "s3:*" } else { "ec2:Describe*" };
        statements.push(format!(
            r#"{{"Sid":"B{i}","Effect":"Allow","Action":"{action}","Resource":"*",
               "Condition":{{"StringLike":{{"s3:prefix":["home/${{aws:username}}/*",""]}},
                             "NumericLessThanEquals":{{"s3:max-keys":"1000"}}}}}}"#
        ));
    }
    // Conditions on keys this request lacks, with IfExists, still pass.
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    text.replace("StringLike", "StringLikeIfExists")
        .replace("NumericLessThanEquals", "NumericLessThanEqualsIfExists")
}

fn bucket_policy() -> String {
    let mut statements = Vec::new();
    for i in 0..10 {
        statements.push(format!(
            r#"{{"Sid":"R{i}","Effect":"Deny","Principal":"*","Action":"s3:*",
               "Resource":["arn:aws:s3:::amzn-s3-demo-bucket","arn:aws:s3:::amzn-s3-demo-bucket/*"],
               "Condition":{{"StringNotEquals":{{"aws:PrincipalAccount":"111122223333"}},
                             "ArnNotLike":{{"aws:PrincipalArn":["arn:aws:iam::444455556666:role/r{i}"]}}}}}}"#
        ));
    }
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

fn bench(c: &mut Criterion) {
    let mut set = PolicySet::new();
    for n in 0..8 {
        let doc = PolicyDocument::parse(&identity_policy(n, n == 7), PolicyKind::Identity).unwrap();
        set = set.with_identity_policy(doc);
    }
    set = set
        .with_permissions_boundary(
            PolicyDocument::parse(&boundary(), PolicyKind::PermissionsBoundary).unwrap(),
        )
        .with_resource_policy(
            PolicyDocument::parse(&bucket_policy(), PolicyKind::ResourceBased).unwrap(),
        )
        .with_resource_account("111122223333");

    let alice = PrincipalInfo::user("arn:aws:iam::111122223333:user/alice", "AIDAALICEEXAMPLE")
        .unwrap()
        .with_tag("team", "green");
    let ctx = RequestContext::builder(alice.clone())
        .source_ip("203.0.113.9".parse().unwrap())
        .secure_transport(true)
        .current_time(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        .requested_region("us-east-1")
        .build();
    let resource = "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/report.csv";
    let request = AccessRequest::new("s3:GetObject", resource, &ctx);
    assert_eq!(set.evaluate(&request).decision(), Decision::Allow);
    let denied = AccessRequest::new("s3:PutObject", resource, &ctx);
    assert_eq!(set.evaluate(&denied).decision(), Decision::ImplicitDeny);

    let mut group = c.benchmark_group("policy");
    group.bench_function("evaluate_allow_10x10", |b| {
        b.iter(|| black_box(set.evaluate(black_box(&request)).decision()))
    });
    group.bench_function("evaluate_implicit_deny_10x10", |b| {
        b.iter(|| black_box(set.evaluate(black_box(&denied)).decision()))
    });
    group.bench_function("build_request_context", |b| {
        b.iter(|| {
            RequestContext::builder(black_box(alice.clone()))
                .source_ip("203.0.113.9".parse().unwrap())
                .secure_transport(true)
                .current_time(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
                .requested_region("us-east-1")
                .build()
        })
    });
    let text = identity_policy(0, true);
    group.bench_function("parse_policy_10_statements", |b| {
        b.iter(|| PolicyDocument::parse(black_box(&text), PolicyKind::Identity).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
