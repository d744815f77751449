//! The `Condition` element: operators, their values, and the rules for
//! missing keys, multiple values and multiple keys.
//!
//! - Operators (blocks) and keys inside a block AND together.
//! - The values of one key OR together for a positive operator; a negated
//!   operator (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`, …) is true when
//!   the request value matches none of them (NOR), never "differs from one".
//! - A key missing from the request: positive operators are false, negated
//!   ones true, `…IfExists` true, `ForAllValues:` true, `ForAnyValue:` false;
//!   `Null` tests for exactly that.
//! - `ForAnyValue:` is true when some request value passes; `ForAllValues:`
//!   when every one does (so an empty set passes `ForAllValues:`).
//! - A value holding a policy variable with no value and no default matches
//!   nothing: it makes a positive operator fail and a negated one pass.

use std::net::IpAddr;

use base64::Engine as _;

use super::context::{days_from_civil, RequestContext};
use super::error::{PolicyError, PolicyErrorKind};
use super::matching::ArnPattern;
use super::variables::{eq_fold, Pattern, Syntax};

/// A condition operator without its `IfExists` suffix and set prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const OPERATORS: &[(&str, Operator)] = &[
    ("StringEquals", Operator::StringEquals),
    ("StringNotEquals", Operator::StringNotEquals),
    ("StringEqualsIgnoreCase", Operator::StringEqualsIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        Operator::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", Operator::StringLike),
    ("StringNotLike", Operator::StringNotLike),
    ("NumericEquals", Operator::NumericEquals),
    ("NumericNotEquals", Operator::NumericNotEquals),
    ("NumericLessThan", Operator::NumericLessThan),
    ("NumericLessThanEquals", Operator::NumericLessThanEquals),
    ("NumericGreaterThan", Operator::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        Operator::NumericGreaterThanEquals,
    ),
    ("DateEquals", Operator::DateEquals),
    ("DateNotEquals", Operator::DateNotEquals),
    ("DateLessThan", Operator::DateLessThan),
    ("DateLessThanEquals", Operator::DateLessThanEquals),
    ("DateGreaterThan", Operator::DateGreaterThan),
    ("DateGreaterThanEquals", Operator::DateGreaterThanEquals),
    ("Bool", Operator::Bool),
    ("BinaryEquals", Operator::BinaryEquals),
    ("IpAddress", Operator::IpAddress),
    ("NotIpAddress", Operator::NotIpAddress),
    ("ArnEquals", Operator::ArnEquals),
    ("ArnLike", Operator::ArnLike),
    ("ArnNotEquals", Operator::ArnNotEquals),
    ("ArnNotLike", Operator::ArnNotLike),
    ("Null", Operator::Null),
];

impl Operator {
    /// Negated operators: true when the request value matches none of the policy values.
    fn is_negated(self) -> bool {
        matches!(
            self,
            Operator::StringNotEquals
                | Operator::StringNotEqualsIgnoreCase
                | Operator::StringNotLike
                | Operator::NumericNotEquals
                | Operator::DateNotEquals
                | Operator::NotIpAddress
                | Operator::ArnNotEquals
                | Operator::ArnNotLike
        )
    }

    fn name(self) -> &'static str {
        OPERATORS
            .iter()
            .find(|(_, op)| *op == self)
            .map_or("?", |(n, _)| n)
    }
}

/// `ForAnyValue:` / `ForAllValues:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetQualifier {
    Single,
    ForAnyValue,
    ForAllValues,
}

/// Splits `ForAllValues:StringLikeIfExists` into its parts. Names are read
/// case-insensitively.
fn parse_operator(name: &str) -> Option<(SetQualifier, Operator, bool)> {
    let strip = |s: &'static str, from: &str| -> Option<usize> {
        (from.len() >= s.len()
            && from.is_char_boundary(s.len())
            && from[..s.len()].eq_ignore_ascii_case(s))
        .then_some(s.len())
    };
    let (qualifier, rest) = if let Some(n) = strip("ForAnyValue:", name) {
        (SetQualifier::ForAnyValue, &name[n..])
    } else if let Some(n) = strip("ForAllValues:", name) {
        (SetQualifier::ForAllValues, &name[n..])
    } else {
        (SetQualifier::Single, name)
    };
    let (base, if_exists) = match rest.len().checked_sub("IfExists".len()) {
        Some(cut) if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") => {
            (&rest[..cut], true)
        }
        _ => (rest, false),
    };
    let op = OPERATORS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(base))
        .map(|(_, op)| *op)?;
    if op == Operator::Null && (if_exists || qualifier != SetQualifier::Single) {
        return None;
    }
    Some((qualifier, op, if_exists))
}

/// An instant, in nanoseconds since the Unix epoch.
type Instant = i128;

/// An IPv4 or IPv6 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IpNet {
    V4(u32, u8),
    V6(u128, u8),
}

impl IpNet {
    /// `203.0.113.0/24`, `2001:DB8:1234:5678::/64`, or an address alone (`/32`, `/128`).
    fn parse(text: &str) -> Option<IpNet> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 3 {
                    return None;
                }
                (a, Some(p.parse::<u8>().ok()?))
            }
            None => (text, None),
        };
        match addr.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => {
                let len = prefix.unwrap_or(32);
                (len <= 32).then(|| IpNet::V4(u32::from(a), len))
            }
            IpAddr::V6(a) => {
                let len = prefix.unwrap_or(128);
                (len <= 128).then(|| IpNet::V6(u128::from(a), len))
            }
        }
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (*self, ip) {
            (IpNet::V4(net, len), IpAddr::V4(a)) => {
                let mask = if len == 0 {
                    0
                } else {
                    u32::MAX << (32 - u32::from(len))
                };
                u32::from(a) & mask == net & mask
            }
            (IpNet::V6(net, len), IpAddr::V6(a)) => {
                let mask = if len == 0 {
                    0
                } else {
                    u128::MAX << (128 - u32::from(len))
                };
                u128::from(a) & mask == net & mask
            }
            _ => false,
        }
    }
}

/// A value of a condition, read according to its operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// String and `Bool` values (variables allowed); `Like` values also have wildcards.
    Text(Pattern),
    /// `Arn…` values.
    Arn(ArnPattern),
    Number(f64),
    Date(Instant),
    Binary(Box<[u8]>),
    Cidr(IpNet),
    /// `Null`: `true` tests that the key is absent.
    Absent(bool),
}

/// One operator applied to one key: `"StringEquals": {"aws:username": ["a", "b"]}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConditionBlock {
    op: Operator,
    qualifier: SetQualifier,
    if_exists: bool,
    /// Lower-cased key.
    key: Box<str>,
    values: Box<[Value]>,
}

fn bad_value(op: Operator, key: &str, value: &str, why: &str) -> PolicyError {
    PolicyError::new(
        PolicyErrorKind::InvalidConditionValue,
        format!(
            "Invalid value \"{value}\" for condition key {key} with operator {}: {why}",
            op.name()
        ),
    )
}

impl ConditionBlock {
    /// Parses one operator/key pair. `variables` is false for policy version 2008-10-17.
    pub(crate) fn parse(
        operator: &str,
        key: &str,
        values: &[String],
        variables: bool,
    ) -> Result<ConditionBlock, PolicyError> {
        let (qualifier, op, if_exists) = parse_operator(operator).ok_or_else(|| {
            PolicyError::new(
                PolicyErrorKind::InvalidConditionOperator,
                format!("Invalid Condition type : {operator}"),
            )
        })?;
        match key.split_once(':') {
            Some((prefix, name)) if !prefix.is_empty() && !name.is_empty() => {}
            _ => {
                return Err(PolicyError::new(
                    PolicyErrorKind::InvalidConditionKey,
                    format!(
                        "Condition key {key}: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
                    ),
                ))
            }
        }
        if values.is_empty() {
            return Err(PolicyError::new(
                PolicyErrorKind::InvalidConditionValue,
                format!("Condition key {key} with operator {operator} has no values"),
            ));
        }
        let text = |v: &str, wildcards: bool| {
            Pattern::parse(
                v,
                Syntax {
                    wildcards,
                    variables,
                },
            )
            .map_err(|m| PolicyError::new(PolicyErrorKind::InvalidVariable, m))
        };
        let mut parsed = Vec::with_capacity(values.len());
        for v in values {
            let value = match op {
                Operator::StringEquals
                | Operator::StringNotEquals
                | Operator::StringEqualsIgnoreCase
                | Operator::StringNotEqualsIgnoreCase => Value::Text(text(v, false)?),
                Operator::StringLike | Operator::StringNotLike => Value::Text(text(v, true)?),
                Operator::ArnEquals
                | Operator::ArnLike
                | Operator::ArnNotEquals
                | Operator::ArnNotLike => Value::Arn(ArnPattern::new(text(v, true)?)),
                Operator::Bool => {
                    let p = text(v, false)?;
                    if let Some(lit) = p.as_literal() {
                        if !lit.eq_ignore_ascii_case("true") && !lit.eq_ignore_ascii_case("false") {
                            return Err(bad_value(op, key, v, "expected true or false"));
                        }
                    }
                    Value::Text(p)
                }
                Operator::NumericEquals
                | Operator::NumericNotEquals
                | Operator::NumericLessThan
                | Operator::NumericLessThanEquals
                | Operator::NumericGreaterThan
                | Operator::NumericGreaterThanEquals => Value::Number(
                    parse_number(v).ok_or_else(|| bad_value(op, key, v, "not a number"))?,
                ),
                Operator::DateEquals
                | Operator::DateNotEquals
                | Operator::DateLessThan
                | Operator::DateLessThanEquals
                | Operator::DateGreaterThan
                | Operator::DateGreaterThanEquals => {
                    Value::Date(parse_date(v).ok_or_else(|| {
                        bad_value(op, key, v, "not an ISO 8601 date or epoch time")
                    })?)
                }
                Operator::BinaryEquals => Value::Binary(
                    base64::engine::general_purpose::STANDARD
                        .decode(v)
                        .map_err(|_| bad_value(op, key, v, "not base64"))?
                        .into_boxed_slice(),
                ),
                Operator::IpAddress | Operator::NotIpAddress => Value::Cidr(
                    IpNet::parse(v)
                        .ok_or_else(|| bad_value(op, key, v, "not an IP address or CIDR block"))?,
                ),
                Operator::Null => {
                    if v.eq_ignore_ascii_case("true") {
                        Value::Absent(true)
                    } else if v.eq_ignore_ascii_case("false") {
                        Value::Absent(false)
                    } else {
                        return Err(bad_value(op, key, v, "expected true or false"));
                    }
                }
            };
            parsed.push(value);
        }
        Ok(ConditionBlock {
            op,
            qualifier,
            if_exists,
            key: key.to_lowercase().into_boxed_str(),
            values: parsed.into_boxed_slice(),
        })
    }

    /// Evaluates the block against the request.
    pub(crate) fn holds(&self, ctx: &RequestContext) -> bool {
        let entry = ctx.lookup(&self.key);
        if self.op == Operator::Null {
            let absent = entry.is_none_or(|e| e.values.is_empty());
            return self
                .values
                .iter()
                .any(|v| matches!(v, Value::Absent(b) if *b == absent));
        }
        let Some(entry) = entry else {
            if self.if_exists {
                return true;
            }
            return match self.qualifier {
                SetQualifier::ForAllValues => true,
                SetQualifier::ForAnyValue => false,
                SetQualifier::Single => self.op.is_negated(),
            };
        };
        let negated = self.op.is_negated();
        // One request value against all policy values: OR, or NOR when negated.
        let passes = |request: &str| {
            let any = self.values.iter().any(|v| self.matches(v, request, ctx));
            any != negated
        };
        let mut request_values = entry.values.iter().map(|v| &**v);
        match self.qualifier {
            SetQualifier::ForAllValues => request_values.all(passes),
            SetQualifier::ForAnyValue => request_values.any(passes),
            // A single-valued operator on a key with several values: positive
            // when some value matches, negated when none does.
            SetQualifier::Single => {
                let any =
                    request_values.any(|r| self.values.iter().any(|v| self.matches(v, r, ctx)));
                any != negated
            }
        }
    }

    /// Whether a request value matches a policy value under the positive form
    /// of the operator.
    fn matches(&self, value: &Value, request: &str, ctx: &RequestContext) -> bool {
        use Operator::*;
        match value {
            Value::Text(p) => {
                if !p.resolves(ctx) {
                    return false;
                }
                match self.op {
                    Bool => {
                        let mut rest = request.chars();
                        p.for_each_char(ctx, |c| {
                            rest.next().is_some_and(|r| r.eq_ignore_ascii_case(&c))
                        }) && rest.next().is_none()
                    }
                    StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => match p.as_literal() {
                        Some(lit) => eq_fold(lit, request),
                        None => p.matches(request, ctx, true),
                    },
                    _ => p.matches(request, ctx, false),
                }
            }
            Value::Arn(p) => p.matches(request, ctx),
            Value::Number(n) => {
                let Some(r) = parse_number(request) else {
                    return false;
                };
                match self.op {
                    NumericEquals | NumericNotEquals => r == *n,
                    NumericLessThan => r < *n,
                    NumericLessThanEquals => r <= *n,
                    NumericGreaterThan => r > *n,
                    NumericGreaterThanEquals => r >= *n,
                    _ => false,
                }
            }
            Value::Date(d) => {
                let Some(r) = parse_date(request) else {
                    return false;
                };
                match self.op {
                    DateEquals | DateNotEquals => r == *d,
                    DateLessThan => r < *d,
                    DateLessThanEquals => r <= *d,
                    DateGreaterThan => r > *d,
                    DateGreaterThanEquals => r >= *d,
                    _ => false,
                }
            }
            Value::Binary(bytes) => {
                // Binary context values are carried base64-encoded, as the IAM
                // policy simulator takes them.
                let mut buf = [0u8; 96];
                let engine = &base64::engine::general_purpose::STANDARD;
                match engine.decode_slice(request, &mut buf) {
                    Ok(n) => buf[..n] == **bytes,
                    Err(_) => match engine.decode(request) {
                        Ok(v) => *v == **bytes,
                        Err(_) => request.as_bytes() == &**bytes,
                    },
                }
            }
            Value::Cidr(net) => request.parse::<IpAddr>().is_ok_and(|ip| net.contains(ip)),
            Value::Absent(_) => false,
        }
    }
}

fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let ok = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    let n: f64 = if ok { t.parse().ok()? } else { return None };
    n.is_finite().then_some(n)
}

/// Reads a W3C ISO 8601 date (`2020-01-01`, `2020-01-01T00:00:01Z`,
/// `2020-01-01T00:00:01.5+02:00`, …) or an epoch time in seconds.
pub(crate) fn parse_date(text: &str) -> Option<Instant> {
    const NANOS: i128 = 1_000_000_000;
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    // Epoch seconds, possibly with a fraction; four digits alone are a year.
    let body = t.strip_prefix('-').unwrap_or(t);
    let numeric = !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let year_only = t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit());
    if numeric && !year_only {
        return parse_epoch(t);
    }
    let b = t.as_bytes();
    let num = |s: &[u8]| -> Option<u32> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok()
    };
    if b.len() < 4 {
        return None;
    }
    let year = i64::from(num(&b[..4])?);
    let mut month = 1;
    let mut day = 1;
    let mut secs_of_day: i64 = 0;
    let mut nanos: i128 = 0;
    let mut offset: i64 = 0;
    let mut rest = &b[4..];
    if !rest.is_empty() {
        if rest.len() < 3 || rest[0] != b'-' {
            return None;
        }
        month = num(&rest[1..3])?;
        rest = &rest[3..];
        if !rest.is_empty() {
            if rest.len() < 3 || rest[0] != b'-' {
                return None;
            }
            day = num(&rest[1..3])?;
            rest = &rest[3..];
            if !rest.is_empty() {
                if (rest[0] != b'T' && rest[0] != b't') || rest.len() < 6 || rest[3] != b':' {
                    return None;
                }
                let hour = num(&rest[1..3])?;
                let minute = num(&rest[4..6])?;
                let mut second = 0;
                rest = &rest[6..];
                if rest.first() == Some(&b':') {
                    if rest.len() < 3 {
                        return None;
                    }
                    second = num(&rest[1..3])?;
                    rest = &rest[3..];
                    if rest.first() == Some(&b'.') {
                        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                        if digits == 0 {
                            return None;
                        }
                        let mut frac: i128 = 0;
                        for (i, d) in rest[1..=digits].iter().enumerate() {
                            if i < 9 {
                                frac = frac * 10 + i128::from(d - b'0');
                            }
                        }
                        for _ in digits..9 {
                            frac *= 10;
                        }
                        nanos = frac;
                        rest = &rest[1 + digits..];
                    }
                }
                if hour > 24
                    || minute > 59
                    || second > 60
                    || (hour == 24 && (minute, second) != (0, 0))
                {
                    return None;
                }
                secs_of_day = i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
                // Time zone: `Z`, `±hh:mm`, or none (read as UTC).
                match rest.first() {
                    None => {}
                    Some(b'Z') | Some(b'z') if rest.len() == 1 => {}
                    Some(&sign @ (b'+' | b'-')) => {
                        let (h, m) = match rest.len() {
                            6 if rest[3] == b':' => (num(&rest[1..3])?, num(&rest[4..6])?),
                            5 => (num(&rest[1..3])?, num(&rest[3..5])?),
                            _ => return None,
                        };
                        if h > 23 || m > 59 {
                            return None;
                        }
                        let o = i64::from(h) * 3600 + i64::from(m) * 60;
                        offset = if sign == b'+' { o } else { -o };
                    }
                    _ => return None,
                }
                rest = &[];
            }
        }
    }
    if !rest.is_empty()
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
    {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + secs_of_day - offset;
    Some(i128::from(secs) * NANOS + nanos)
}

fn parse_epoch(t: &str) -> Option<Instant> {
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || whole.len() > 15 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (digits.contains('.') && frac.is_empty()) {
        return None;
    }
    let secs: i128 = whole.parse().ok()?;
    let mut nanos: i128 = 0;
    for (i, d) in frac.bytes().enumerate() {
        if i < 9 {
            nanos = nanos * 10 + i128::from(d - b'0');
        }
    }
    for _ in frac.len().min(9)..9 {
        nanos *= 10;
    }
    let v = secs * 1_000_000_000 + nanos;
    Some(if neg { -v } else { v })
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names() {
        assert_eq!(
            parse_operator("ForAllValues:StringLikeIfExists"),
            Some((SetQualifier::ForAllValues, Operator::StringLike, true))
        );
        assert_eq!(
            parse_operator("stringequals"),
            Some((SetQualifier::Single, Operator::StringEquals, false))
        );
        assert_eq!(parse_operator("StringEqual"), None);
        assert_eq!(parse_operator("NullIfExists"), None);
        assert_eq!(parse_operator("ForAnyValue:Null"), None);
        assert_eq!(parse_operator("IfExists"), None);
    }

    #[test]
    fn dates() {
        let z = parse_date("2020-01-01T00:00:01Z").unwrap();
        assert_eq!(z, 1_577_836_801 * 1_000_000_000);
        assert_eq!(parse_date("1577836801"), Some(z));
        assert_eq!(parse_date("2020-01-01T02:00:01+02:00"), Some(z));
        assert_eq!(parse_date("2020-01-01T00:00:01"), Some(z));
        assert_eq!(parse_date("2020"), parse_date("2020-01-01T00:00:00Z"));
        assert_eq!(parse_date("2020-02"), parse_date("2020-02-01T00:00:00Z"));
        assert!(parse_date("2020-01-01T00:00:01.25Z").unwrap() - z == 250_000_000);
        assert!(parse_date("2021-02-29").is_none());
        assert!(parse_date("2020-13-01").is_none());
        assert!(parse_date("2020-01-01T25:00Z").is_none());
        assert!(parse_date("yesterday").is_none());
        assert!(parse_date("").is_none());
        assert!(parse_date("2020-01-01T00:00:01Zjunk").is_none());
    }

    #[test]
    fn networks() {
        let n = IpNet::parse("203.0.113.0/24").unwrap();
        assert!(n.contains("203.0.113.200".parse().unwrap()));
        assert!(!n.contains("203.0.114.1".parse().unwrap()));
        assert!(n.contains("::ffff:203.0.113.7".parse().unwrap()));
        let v6 = IpNet::parse("2001:DB8:1234:5678::/64").unwrap();
        assert!(v6.contains("2001:db8:1234:5678:ffff::1".parse().unwrap()));
        assert!(!v6.contains("2001:db8:1234:5679::1".parse().unwrap()));
        assert!(IpNet::parse("203.0.113.1")
            .unwrap()
            .contains("203.0.113.1".parse().unwrap()));
        assert!(IpNet::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        for bad in [
            "203.0.113.0/33",
            "1.2.3/8",
            "x",
            "1.2.3.4/",
            "::/129",
            "1.2.3.4/-1",
        ] {
            assert!(IpNet::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("10"), Some(10.0));
        assert_eq!(parse_number("-1.5"), Some(-1.5));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("ten"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
    }
}
