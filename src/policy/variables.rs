//! Policy strings: literal text, the `*` and `?` wildcards, and `${…}` policy
//! variables, matched against request values without building the
//! substituted string.
//!
//! A string is parsed once into [`Pattern`] pieces. Text inserted by a
//! variable (or by the `${*}`, `${?}`, `${$}` escapes) is always literal: a
//! `*` that comes from `${*}` or from a tag value never acts as a wildcard.
//! Matching walks the pieces with a cursor and looks variables up in the
//! request context as it reaches them, so a decision allocates nothing.

/// Looks up the value a policy variable stands for.
pub(crate) trait VariableSource {
    /// The single value of a context key, given in lower case. `None` when the
    /// key is absent or holds several values (a multi-valued key cannot be
    /// used as a variable).
    fn variable(&self, key_lower: &str) -> Option<&str>;
}

/// A `${key}` or `${key, 'default'}` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variable {
    /// The context key, lower-cased (key names are case-insensitive).
    pub(crate) key: Box<str>,
    /// The default, case preserved.
    pub(crate) default: Option<Box<str>>,
}

impl Variable {
    fn resolve<'a>(&'a self, src: &'a dyn VariableSource) -> Option<&'a str> {
        src.variable(&self.key).or(self.default.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Lit(Box<str>),
    /// `*`: any run of characters, including none.
    Star,
    /// `?`: exactly one character.
    One,
    Var(Variable),
}

/// How a policy string is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Syntax {
    /// `*` and `?` are wildcards (resources, actions, `…Like` operators).
    pub(crate) wildcards: bool,
    /// `${…}` is a variable (policy version `2012-10-17` only).
    pub(crate) variables: bool,
}

/// A parsed policy string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    pieces: Box<[Piece]>,
    has_vars: bool,
    /// The same pattern compiled for byte-level matching, when it has no variables.
    glob: Option<Glob>,
}

/// One element of a variable-free pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(Box<str>),
    Star,
    One,
}

/// A variable-free pattern, matched with substring comparisons instead of
/// character by character: the form almost every policy string takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    tokens: Box<[Tok]>,
    /// Every literal is ASCII, so case folding can compare bytes.
    ascii: bool,
}

impl Glob {
    fn new(tokens: Vec<Tok>) -> Glob {
        let ascii = tokens.iter().all(|t| match t {
            Tok::Lit(s) => s.is_ascii(),
            _ => true,
        });
        Glob {
            tokens: tokens.into_boxed_slice(),
            ascii,
        }
    }

    /// Compiles pattern pieces; `None` when a piece is a variable.
    fn from_pieces(pieces: &[Piece]) -> Option<Glob> {
        let mut tokens = Vec::with_capacity(pieces.len());
        for p in pieces {
            tokens.push(match p {
                Piece::Lit(s) => Tok::Lit(s.clone()),
                Piece::Star => Tok::Star,
                Piece::One => Tok::One,
                Piece::Var(_) => return None,
            });
        }
        Some(Glob::new(tokens))
    }

    /// The text, when the glob is one literal (or empty).
    fn literal(&self) -> Option<&str> {
        match &*self.tokens {
            [] => Some(""),
            [Tok::Lit(l)] => Some(l),
            _ => None,
        }
    }

    /// Splits a variable-free ARN pattern into its segments: the first five
    /// end at a colon, the sixth (the resource part) keeps the rest, colons
    /// included. A pattern with fewer segments ends early.
    pub(crate) fn arn_segments(pieces: &[Piece]) -> Option<Box<[Glob]>> {
        let mut segments: Vec<Vec<Tok>> = vec![Vec::new()];
        for p in pieces {
            match p {
                Piece::Lit(s) => {
                    let mut rest: &str = s;
                    while segments.len() < 6 {
                        let Some((head, tail)) = rest.split_once(':') else {
                            break;
                        };
                        if !head.is_empty() {
                            segments.last_mut()?.push(Tok::Lit(head.into()));
                        }
                        segments.push(Vec::new());
                        rest = tail;
                    }
                    if !rest.is_empty() {
                        segments.last_mut()?.push(Tok::Lit(rest.into()));
                    }
                }
                Piece::Star => segments.last_mut()?.push(Tok::Star),
                Piece::One => segments.last_mut()?.push(Tok::One),
                Piece::Var(_) => return None,
            }
        }
        Some(segments.into_iter().map(Glob::new).collect())
    }

    /// Whole-string match. With `fold`, ASCII letters compare without case
    /// (callers fold only when the glob is ASCII).
    pub(crate) fn matches(&self, text: &str, fold: bool) -> bool {
        let tokens = &self.tokens;
        if let [Tok::Lit(lit)] = &**tokens {
            return if fold {
                lit.eq_ignore_ascii_case(text)
            } else {
                **lit == *text
            };
        }
        let mut ti = 0usize;
        let mut t = 0usize;
        // The token after the last star, and the text position that star
        // currently stops at.
        let mut back: Option<(usize, usize)> = None;
        loop {
            let advanced = match tokens.get(ti) {
                None => {
                    if t == text.len() {
                        return true;
                    }
                    false
                }
                Some(Tok::Star) => {
                    ti += 1;
                    if ti == tokens.len() {
                        // A trailing star takes whatever is left.
                        return true;
                    }
                    t = match self.next_literal(ti, text, t, fold) {
                        Some(at) => at,
                        None => return false,
                    };
                    back = Some((ti, t));
                    continue;
                }
                Some(Tok::One) => match text[t..].chars().next() {
                    Some(c) => {
                        t += c.len_utf8();
                        ti += 1;
                        true
                    }
                    None => false,
                },
                Some(Tok::Lit(lit)) => {
                    let end = t + lit.len();
                    let hit = match text.get(t..end) {
                        Some(part) if fold => part.eq_ignore_ascii_case(lit),
                        Some(part) => part == &**lit,
                        None => false,
                    };
                    if hit {
                        t = end;
                        ti += 1;
                    }
                    hit
                }
            };
            if advanced {
                continue;
            }
            match back {
                Some((resume, from)) => {
                    // Let the star take one more character, then jump to the
                    // next place the literal after it occurs.
                    let Some(c) = text[from..].chars().next() else {
                        return false;
                    };
                    let Some(next) = self.next_literal(resume, text, from + c.len_utf8(), fold)
                    else {
                        return false;
                    };
                    back = Some((resume, next));
                    ti = resume;
                    t = next;
                }
                None => return false,
            }
        }
    }

    /// Where the literal at `ti` (if that token is one) next occurs in
    /// `text` at or after `from`; `from` itself for other tokens. `None`
    /// when it does not occur: no match can start later either.
    fn next_literal(&self, ti: usize, text: &str, from: usize, fold: bool) -> Option<usize> {
        match self.tokens.get(ti) {
            Some(Tok::Lit(lit)) if !fold => text[from..].find(&**lit).map(|i| from + i),
            _ => Some(from),
        }
    }
}

/// A variable-free ARN pattern, compiled: the leading segments that are
/// plain text are checked with one prefix comparison (`arn:aws:s3:::`),
/// the others one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompiledArn {
    prefix: Box<str>,
    /// The segments after the prefix; the last takes the rest of the ARN.
    segments: Box<[Glob]>,
}

impl CompiledArn {
    pub(crate) fn new(pieces: &[Piece]) -> Option<CompiledArn> {
        let segments = Glob::arn_segments(pieces)?;
        let last = segments.len() - 1;
        let literal_lead = segments[..last]
            .iter()
            .take_while(|g| g.literal().is_some())
            .count();
        let mut prefix = String::new();
        for g in &segments[..literal_lead] {
            prefix.push_str(g.literal().unwrap_or_default());
            prefix.push(':');
        }
        Some(CompiledArn {
            prefix: prefix.into_boxed_str(),
            segments: segments[literal_lead..].to_vec().into_boxed_slice(),
        })
    }

    pub(crate) fn matches(&self, arn: &str) -> bool {
        let Some(mut rest) = arn.strip_prefix(&*self.prefix) else {
            return false;
        };
        let last = self.segments.len() - 1;
        for (i, seg) in self.segments.iter().enumerate() {
            if i == last {
                return seg.matches(rest, false);
            }
            let Some((head, tail)) = rest.split_once(':') else {
                return false;
            };
            if !seg.matches(head, false) {
                return false;
            }
            rest = tail;
        }
        false
    }
}

/// A position in a pattern: a piece and a byte offset inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    piece: usize,
    off: usize,
}

impl Cursor {
    pub(crate) const START: Cursor = Cursor { piece: 0, off: 0 };
}

enum Item {
    Char(char),
    Star,
    One,
    End,
}

impl Pattern {
    /// Parses a policy string. The error is a message for [`PolicyErrorKind::InvalidVariable`].
    ///
    /// [`PolicyErrorKind::InvalidVariable`]: super::PolicyErrorKind::InvalidVariable
    pub(crate) fn parse(text: &str, syntax: Syntax) -> Result<Pattern, String> {
        let mut pieces: Vec<Piece> = Vec::new();
        let mut lit = String::new();
        let mut has_vars = false;
        let mut rest = text;
        fn flush(lit: &mut String, pieces: &mut Vec<Piece>) {
            if !lit.is_empty() {
                pieces.push(Piece::Lit(std::mem::take(lit).into_boxed_str()));
            }
        }
        while let Some(c) = rest.chars().next() {
            if syntax.variables && rest.starts_with("${") {
                let (parsed, used) = parse_variable(&rest[2..])
                    .map_err(|why| format!("Invalid policy variable in \"{text}\": {why}"))?;
                match parsed {
                    Parsed::Literal(ch) => lit.push(ch),
                    Parsed::Var(v) => {
                        flush(&mut lit, &mut pieces);
                        pieces.push(Piece::Var(v));
                        has_vars = true;
                    }
                }
                rest = &rest[2 + used..];
                continue;
            }
            if syntax.wildcards && c == '*' {
                flush(&mut lit, &mut pieces);
                // Consecutive stars mean the same as one; keeping one bounds backtracking.
                if !matches!(pieces.last(), Some(Piece::Star)) {
                    pieces.push(Piece::Star);
                }
            } else if syntax.wildcards && c == '?' {
                flush(&mut lit, &mut pieces);
                pieces.push(Piece::One);
            } else {
                lit.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
        flush(&mut lit, &mut pieces);
        let glob = Glob::from_pieces(&pieces);
        Ok(Pattern {
            pieces: pieces.into_boxed_slice(),
            has_vars,
            glob,
        })
    }

    pub(crate) fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// The text when the pattern is one literal (no wildcard, no variable).
    pub(crate) fn as_literal(&self) -> Option<&str> {
        match &*self.pieces {
            [] => Some(""),
            [Piece::Lit(s)] => Some(s),
            _ => None,
        }
    }

    /// Whether every variable has a value (from the context or its default).
    /// A pattern with an unresolved variable matches nothing.
    pub(crate) fn resolves(&self, src: &dyn VariableSource) -> bool {
        !self.has_vars
            || self.pieces.iter().all(|p| match p {
                Piece::Var(v) => v.resolve(src).is_some(),
                _ => true,
            })
    }

    /// Writes the substituted text (for `Bool`, whose values are compared
    /// after substitution). Only call when [`Pattern::resolves`] holds.
    pub(crate) fn for_each_char(
        &self,
        src: &dyn VariableSource,
        mut f: impl FnMut(char) -> bool,
    ) -> bool {
        for p in self.pieces.iter() {
            let s: &str = match p {
                Piece::Lit(s) => s,
                Piece::Var(v) => v.resolve(src).unwrap_or(""),
                Piece::Star => "*",
                Piece::One => "?",
            };
            for c in s.chars() {
                if !f(c) {
                    return false;
                }
            }
        }
        true
    }

    /// Whole-string match. Only meaningful when [`Pattern::resolves`] holds
    /// (an unresolved variable is read as its default or as empty text).
    pub(crate) fn matches(&self, text: &str, src: &dyn VariableSource, fold: bool) -> bool {
        if let Some(lit) = self.as_literal() {
            return if fold {
                eq_fold(lit, text)
            } else {
                lit == text
            };
        }
        match &self.glob {
            Some(g) if !fold || (g.ascii && text.is_ascii()) => g.matches(text, fold),
            _ => self.matches_range(Cursor::START, None, text, src, fold),
        }
    }

    /// Matches the part of the pattern from `start` up to `end` (the end of
    /// the pattern when `None`) against `text`.
    pub(crate) fn matches_range(
        &self,
        start: Cursor,
        end: Option<Cursor>,
        text: &str,
        src: &dyn VariableSource,
        fold: bool,
    ) -> bool {
        let mut p = start;
        let mut t = 0usize;
        // Where to resume after a mismatch: the pattern just after the last
        // star, and the text position that star has swallowed up to.
        let mut star: Option<(Cursor, usize)> = None;
        loop {
            let (item, next) = self.peek(p, end, src);
            if let Some(tc) = text[t..].chars().next() {
                match item {
                    Item::Star => {
                        star = Some((next, t));
                        p = next;
                        continue;
                    }
                    Item::One => {
                        p = next;
                        t += tc.len_utf8();
                        continue;
                    }
                    Item::Char(pc) if chars_eq(pc, tc, fold) => {
                        p = next;
                        t += tc.len_utf8();
                        continue;
                    }
                    _ => {}
                }
                match star {
                    Some((resume, swallowed)) => {
                        let skipped = text[swallowed..].chars().next().map_or(1, char::len_utf8);
                        let t2 = swallowed + skipped;
                        star = Some((resume, t2));
                        p = resume;
                        t = t2;
                    }
                    None => return false,
                }
            } else {
                match item {
                    Item::Star => p = next,
                    Item::End => return true,
                    _ => return false,
                }
            }
        }
    }

    /// The position of the first `ch` at or after `from` in literal text
    /// (inserted variable values count as text), and the position after it.
    pub(crate) fn find_char(
        &self,
        from: Cursor,
        ch: char,
        src: &dyn VariableSource,
    ) -> Option<(Cursor, Cursor)> {
        let mut c = from;
        while let Some(piece) = self.pieces.get(c.piece) {
            let s: &str = match piece {
                Piece::Lit(s) => s,
                Piece::Var(v) => v.resolve(src).unwrap_or(""),
                Piece::Star | Piece::One => "",
            };
            if c.off < s.len() {
                if let Some(i) = s[c.off..].find(ch) {
                    let at = Cursor {
                        piece: c.piece,
                        off: c.off + i,
                    };
                    let after = Cursor {
                        piece: c.piece,
                        off: c.off + i + ch.len_utf8(),
                    };
                    return Some((at, after));
                }
            }
            c = Cursor {
                piece: c.piece + 1,
                off: 0,
            };
        }
        None
    }

    fn peek(&self, mut c: Cursor, end: Option<Cursor>, src: &dyn VariableSource) -> (Item, Cursor) {
        loop {
            if Some(c) == end {
                return (Item::End, c);
            }
            let s: &str = match self.pieces.get(c.piece) {
                None => return (Item::End, c),
                Some(Piece::Star) => {
                    return (
                        Item::Star,
                        Cursor {
                            piece: c.piece + 1,
                            off: 0,
                        },
                    )
                }
                Some(Piece::One) => {
                    return (
                        Item::One,
                        Cursor {
                            piece: c.piece + 1,
                            off: 0,
                        },
                    )
                }
                Some(Piece::Lit(s)) => s,
                Some(Piece::Var(v)) => v.resolve(src).unwrap_or(""),
            };
            if let Some(ch) = s.get(c.off..).and_then(|r| r.chars().next()) {
                return (
                    Item::Char(ch),
                    Cursor {
                        piece: c.piece,
                        off: c.off + ch.len_utf8(),
                    },
                );
            }
            c = Cursor {
                piece: c.piece + 1,
                off: 0,
            };
        }
    }
}

fn chars_eq(a: char, b: char, fold: bool) -> bool {
    a == b || (fold && a.to_lowercase().eq(b.to_lowercase()))
}

/// Case-insensitive equality without allocating.
pub(crate) fn eq_fold(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

enum Parsed {
    Literal(char),
    Var(Variable),
}

/// Parses what follows `${`; returns the piece and the bytes used, up to and
/// including the closing `}`.
fn parse_variable(s: &str) -> Result<(Parsed, usize), &'static str> {
    let name_end = s
        .find([',', '}'])
        .ok_or("the variable is not closed with '}'")?;
    let raw_name = &s[..name_end];
    let name = raw_name.trim();
    if name.is_empty() {
        return Err("the variable has no name");
    }
    if name.chars().any(char::is_whitespace) {
        return Err("a variable name cannot contain spaces");
    }
    let escape = match name {
        "*" => Some('*'),
        "?" => Some('?'),
        "$" => Some('$'),
        _ => None,
    };
    if s.as_bytes()[name_end] == b'}' {
        let parsed = match escape {
            Some(ch) => Parsed::Literal(ch),
            None => Parsed::Var(Variable {
                key: name.to_lowercase().into_boxed_str(),
                default: None,
            }),
        };
        return Ok((parsed, name_end + 1));
    }
    if escape.is_some() {
        return Err("the ${*}, ${?} and ${$} escapes take no default");
    }
    // A default: `, 'text'` with '' standing for one quote.
    let mut i = name_end + 1;
    let bytes = s.as_bytes();
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    if bytes.get(i) != Some(&b'\'') {
        return Err("the default value must be in single quotes");
    }
    i += 1;
    let mut default = String::new();
    loop {
        let rest = &s[i..];
        let ch = rest
            .chars()
            .next()
            .ok_or("the default value is not closed with a quote")?;
        if ch == '\'' {
            if rest[1..].starts_with('\'') {
                default.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            break;
        }
        default.push(ch);
        i += ch.len_utf8();
    }
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    if bytes.get(i) != Some(&b'}') {
        return Err("the variable is not closed with '}'");
    }
    Ok((
        Parsed::Var(Variable {
            key: name.to_lowercase().into_boxed_str(),
            default: Some(default.into_boxed_str()),
        }),
        i + 1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Vars(&'static [(&'static str, &'static str)]);
    impl VariableSource for Vars {
        fn variable(&self, key: &str) -> Option<&str> {
            self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
        }
    }

    const GLOB: Syntax = Syntax {
        wildcards: true,
        variables: true,
    };

    fn m(pattern: &str, text: &str) -> bool {
        let p = Pattern::parse(pattern, GLOB).unwrap();
        let v = Vars(&[("aws:username", "alice"), ("aws:principaltag/team", "a*b")]);
        p.resolves(&v) && p.matches(text, &v, false)
    }

    #[test]
    fn globs() {
        assert!(m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("a*c", "abbbc"));
        assert!(m("a*c", "ac"));
        assert!(!m("a*c", "acb"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("a?c", "aéc"));
        assert!(m("*a*b*c*", "xxaxxbxxcxx"));
        assert!(!m("*a*b*c*", "xxaxxcxxbxx"));
        assert!(m("a**b", "ab"));
        assert!(!m("abc", "ab"));
        assert!(!m("ab", "abc"));
    }

    #[test]
    fn variables_and_escapes_are_literal() {
        assert!(m("home/${aws:username}/*", "home/alice/x"));
        assert!(m("home/${AWS:UserName}/*", "home/alice/x"));
        assert!(!m("home/${aws:username}/*", "home/bob/x"));
        // The tag value holds a '*' that must not act as a wildcard.
        assert!(m("${aws:PrincipalTag/team}", "a*b"));
        assert!(!m("${aws:PrincipalTag/team}", "axxb"));
        assert!(m("${*}", "*"));
        assert!(!m("${*}", "x"));
        assert!(m("${?}${$}", "?$"));
        assert!(m("${aws:userid, 'anon'}", "anon"));
        assert!(m("${aws:userid, 'it''s'}", "it's"));
        assert!(m("${aws:username, 'x'}", "alice"));
        // Unresolved without a default: the pattern matches nothing.
        assert!(!m("${aws:userid}", ""));
        assert!(!m("*${aws:userid}*", "anything"));
    }

    #[test]
    fn malformed_variables() {
        for bad in [
            "${aws:username",
            "${}",
            "${ }",
            "${a b}",
            "${a, x}",
            "${a, 'x}",
            "${*, 'x'}",
            "${a, 'x' x}",
        ] {
            assert!(Pattern::parse(bad, GLOB).is_err(), "{bad}");
        }
        // Without variable syntax the text is literal.
        let p = Pattern::parse(
            "${aws:username",
            Syntax {
                wildcards: true,
                variables: false,
            },
        )
        .unwrap();
        assert!(p.matches("${aws:username", &Vars(&[]), false));
    }

    #[test]
    fn fold() {
        let p = Pattern::parse("S3:Get*", GLOB).unwrap();
        assert!(p.matches("s3:getobject", &Vars(&[]), true));
        assert!(!p.matches("s3:getobject", &Vars(&[]), false));
        assert!(eq_fold("ÄBC", "äbc"));
    }

    proptest::proptest! {
        /// The compiled fast path and the general matcher agree.
        #[test]
        fn glob_agrees_with_the_general_matcher(
            pattern in "[ab:*?éA]{0,8}",
            text in "[ab:éA]{0,10}",
            fold in proptest::bool::ANY,
        ) {
            let p = Pattern::parse(&pattern, Syntax { wildcards: true, variables: false }).unwrap();
            let g = p.glob.clone().unwrap();
            let general = p.matches_range(Cursor::START, None, &text, &Vars(&[]), fold);
            if !fold || (g.ascii && text.is_ascii()) {
                proptest::prop_assert_eq!(g.matches(&text, fold), general);
            }
            proptest::prop_assert_eq!(p.matches(&text, &Vars(&[]), fold), general);
        }
    }

    #[test]
    fn ranges_and_find() {
        let p = Pattern::parse("arn:aws:s3:::${aws:username}:x*", GLOB).unwrap();
        let v = Vars(&[("aws:username", "al:ice")]);
        let (at, after) = p.find_char(Cursor::START, ':', &v).unwrap();
        assert!(p.matches_range(Cursor::START, Some(at), "arn", &v, false));
        let (at2, _) = p.find_char(after, ':', &v).unwrap();
        assert!(p.matches_range(after, Some(at2), "aws", &v, false));
    }
}
