//! Computable eligibility criteria: small expressions over baseline variables.
//!
//! Grammar (keywords are lower case):
//! ```text
//! criterion := or
//! or        := and ("or" and)*
//! and       := unary ("and" unary)*
//! unary     := "not" unary | "(" or ")" | test
//! test      := VARIABLE                              boolean variable is true
//!            | VARIABLE OP VALUE                     OP: < <= > >= == !=
//!            | VARIABLE "in" "[" NUMBER "," NUMBER "]"   closed range, both ends included
//! ```
//! Numbers compare with numeric variables, `true`/`false` with boolean ones and level names
//! (`female`, `invasive_ventilation`, `AB`) with categorical ones; `<`/`>` are only for numbers.
//! Parsing checks all of that against [`VARIABLES`], so an [`Expr`] is always
//! well typed. Written by hand rather than with a parser crate: the language is five rules and
//! the error positions must point into the criterion string.

use std::fmt;
use std::ops::Range;

use crate::suggest::did_you_mean;
use crate::variables::{Baseline, VARIABLES, Value, VarType, Variable};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl CmpOp {
    fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

/// The right-hand side of a comparison, already checked against the variable's type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Literal {
    /// For numeric variables.
    Number(f64),
    /// For boolean variables.
    Bool(bool),
    /// For categorical variables: one of the variable's levels.
    Level(&'static str),
}

/// A parsed, type-checked criterion.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Both hold.
    And(Box<Expr>, Box<Expr>),
    /// Either holds.
    Or(Box<Expr>, Box<Expr>),
    /// Does not hold.
    Not(Box<Expr>),
    /// A boolean variable is true.
    IsTrue(Variable),
    /// `var op value`.
    Compare {
        /// Left-hand side.
        var: Variable,
        /// Operator.
        op: CmpOp,
        /// Right-hand side.
        value: Literal,
    },
    /// `lo <= var <= hi`.
    InRange {
        /// The numeric variable.
        var: Variable,
        /// Lower bound, included.
        lo: f64,
        /// Upper bound, included.
        hi: f64,
    },
}

impl Expr {
    /// Whether the patient meets this criterion. A comparison with a [`Value::Missing`] value
    /// (or a value of the wrong kind) is false.
    pub fn eval(&self, patient: &impl Baseline) -> bool {
        match self {
            Expr::And(a, b) => a.eval(patient) && b.eval(patient),
            Expr::Or(a, b) => a.eval(patient) || b.eval(patient),
            Expr::Not(a) => !a.eval(patient),
            Expr::IsTrue(var) => patient.value(*var) == Value::Bool(true),
            Expr::InRange { var, lo, hi } => match patient.value(*var) {
                Value::Number(x) => *lo <= x && x <= *hi,
                _ => false,
            },
            Expr::Compare { var, op, value } => match (patient.value(*var), value) {
                (Value::Number(x), Literal::Number(y)) => match op {
                    CmpOp::Lt => x < *y,
                    CmpOp::Le => x <= *y,
                    CmpOp::Gt => x > *y,
                    CmpOp::Ge => x >= *y,
                    CmpOp::Eq => x == *y,
                    CmpOp::Ne => x != *y,
                },
                (Value::Bool(x), Literal::Bool(y)) => match op {
                    CmpOp::Eq => x == *y,
                    _ => x != *y,
                },
                (Value::Category(x), Literal::Level(y)) => match op {
                    CmpOp::Eq => x == *y,
                    _ => x != *y,
                },
                _ => false,
            },
        }
    }

    /// Every variable the criterion names, in order of appearance.
    pub fn variables(&self) -> Vec<Variable> {
        let mut out = Vec::new();
        self.collect_variables(&mut out);
        out
    }

    fn collect_variables(&self, out: &mut Vec<Variable>) {
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.collect_variables(out);
                b.collect_variables(out);
            }
            Expr::Not(a) => a.collect_variables(out),
            Expr::IsTrue(var) | Expr::Compare { var, .. } | Expr::InRange { var, .. } => {
                out.push(*var)
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::And(a, b) => write!(f, "({a} and {b})"),
            Expr::Or(a, b) => write!(f, "({a} or {b})"),
            Expr::Not(a) => write!(f, "not {a}"),
            Expr::IsTrue(var) => write!(f, "{var}"),
            Expr::InRange { var, lo, hi } => write!(f, "{var} in [{lo}, {hi}]"),
            Expr::Compare { var, op, value } => {
                let value = match value {
                    Literal::Number(x) => x.to_string(),
                    Literal::Bool(b) => b.to_string(),
                    Literal::Level(l) => (*l).to_string(),
                };
                write!(f, "{var} {} {value}", op.symbol())
            }
        }
    }
}

/// Why a criterion does not parse, with the byte range inside the criterion text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct CriterionError {
    /// Byte range in the criterion string.
    pub at: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// What would have been accepted there.
    pub expected: String,
    /// A suggestion, e.g. the nearest variable name.
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Number(f64),
    Op(CmpOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    End,
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Number(x) => format!("number `{x}`"),
        Tok::Op(op) => format!("`{}`", op.symbol()),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::End => "end of criterion".into(),
    }
}

fn error(
    at: Range<usize>,
    message: impl Into<String>,
    expected: impl Into<String>,
) -> CriterionError {
    CriterionError {
        at,
        message: message.into(),
        expected: expected.into(),
        hint: None,
    }
}

fn tokenize(text: &str) -> Result<Vec<(Tok, Range<usize>)>, CriterionError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let simple = match c {
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b'[' => Some(Tok::LBracket),
            b']' => Some(Tok::RBracket),
            b',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(tok) = simple {
            i += 1;
            out.push((tok, start..i));
            continue;
        }
        if matches!(c, b'<' | b'>' | b'=' | b'!') {
            let two = bytes.get(i + 1) == Some(&b'=');
            let op = match (c, two) {
                (b'<', false) => CmpOp::Lt,
                (b'<', true) => CmpOp::Le,
                (b'>', false) => CmpOp::Gt,
                (b'>', true) => CmpOp::Ge,
                (b'=', true) => CmpOp::Eq,
                (b'!', true) => CmpOp::Ne,
                (b'=', false) => {
                    let mut e = error(
                        start..start + 1,
                        "single `=` in a criterion",
                        "a comparison operator",
                    );
                    e.hint = Some("write `==` to compare".into());
                    return Err(e);
                }
                _ => {
                    let mut e = error(start..start + 1, "`!` on its own", "a comparison operator");
                    e.hint = Some("write `not` to negate, or `!=` to compare".into());
                    return Err(e);
                }
            };
            i += if two { 2 } else { 1 };
            out.push((Tok::Op(op), start..i));
            continue;
        }
        if c.is_ascii_digit()
            || c == b'.'
            || (c == b'-'
                && bytes
                    .get(i + 1)
                    .is_some_and(|d| d.is_ascii_digit() || *d == b'.'))
        {
            i += 1;
            while i < bytes.len() {
                let d = bytes[i];
                let exponent_sign = matches!(d, b'+' | b'-') && matches!(bytes[i - 1], b'e' | b'E');
                if d.is_ascii_digit()
                    || d == b'.'
                    || d == b'e'
                    || d == b'E'
                    || d == b'_'
                    || exponent_sign
                {
                    i += 1;
                } else {
                    break;
                }
            }
            let literal: String = text[start..i].chars().filter(|&ch| ch != '_').collect();
            let value: f64 = literal.parse().map_err(|_| {
                error(
                    start..i,
                    format!("`{}` is not a number", &text[start..i]),
                    "a number such as 300 or 1.5e6",
                )
            })?;
            out.push((Tok::Number(value), start..i));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Ident(text[start..i].to_string()), start..i));
            continue;
        }
        let ch = text[start..].chars().next().unwrap_or('?');
        let end = start + ch.len_utf8();
        let mut e = error(
            start..end,
            format!("unexpected character `{ch}`"),
            "a variable, number, operator, `and`, `or`, `not` or parentheses",
        );
        if ch == '≤' || ch == '≥' {
            e.hint = Some("write `<=` or `>=`".into());
        } else if ch == '&' || ch == '|' {
            e.hint = Some("write `and` / `or`".into());
        }
        return Err(e);
    }
    out.push((Tok::End, text.len()..text.len()));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }
    fn span(&self) -> Range<usize> {
        self.toks[self.pos].1.clone()
    }
    fn bump(&mut self) -> (Tok, Range<usize>) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == word)
    }
    fn unexpected(&self, expected: &str) -> CriterionError {
        error(
            self.span(),
            format!("unexpected {}", describe(self.peek())),
            expected,
        )
    }

    fn or(&mut self) -> Result<Expr, CriterionError> {
        let mut left = self.and()?;
        while self.is_keyword("or") {
            self.bump();
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, CriterionError> {
        let mut left = self.unary()?;
        while self.is_keyword("and") {
            self.bump();
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, CriterionError> {
        if self.is_keyword("not") {
            self.bump();
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if *self.peek() == Tok::LParen {
            self.bump();
            let inner = self.or()?;
            if *self.peek() != Tok::RParen {
                return Err(self.unexpected("`)` to close the parenthesis"));
            }
            self.bump();
            return Ok(inner);
        }
        self.test()
    }

    fn test(&mut self) -> Result<Expr, CriterionError> {
        let (tok, at) = self.bump();
        let Tok::Ident(name) = tok else {
            return Err(error(
                at,
                format!("unexpected {}", describe(&tok)),
                "a variable name, `not` or `(`",
            ));
        };
        let var = variable(&name, at.clone())?;
        let info = var.info();
        match (self.peek().clone(), info.ty) {
            (Tok::Op(op), ty) => {
                self.bump();
                let (value_tok, value_at) = self.bump();
                let value = literal(var, ty, op, value_tok, value_at)?;
                Ok(Expr::Compare { var, op, value })
            }
            (Tok::Ident(word), VarType::Number) if word == "in" => {
                self.bump();
                self.expect(Tok::LBracket, "`[` to start a range such as `[18, 60]`")?;
                let lo = self.number()?;
                self.expect(Tok::Comma, "`,` between the range's ends")?;
                let hi_at = self.span();
                let hi = self.number()?;
                self.expect(Tok::RBracket, "`]` to close the range")?;
                if lo > hi {
                    return Err(error(hi_at, format!("empty range: {lo} is above {hi}"), "a range `[lo, hi]` with lo <= hi"));
                }
                Ok(Expr::InRange { var, lo, hi })
            }
            (_, VarType::Boolean) => Ok(Expr::IsTrue(var)),
            (_, VarType::Number) => Err(self.unexpected(&format!(
                "a comparison after numeric variable `{name}` ({}), e.g. `{name} >= 1` or `{name} in [1, 2]`",
                info.unit
            ))),
            (_, VarType::Category(levels)) => Err(self.unexpected(&format!(
                "`==` or `!=` and one of {} after categorical variable `{name}`",
                quoted(levels)
            ))),
        }
    }

    fn expect(&mut self, tok: Tok, expected: &str) -> Result<(), CriterionError> {
        if *self.peek() == tok {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected(expected))
        }
    }

    fn number(&mut self) -> Result<f64, CriterionError> {
        match self.peek().clone() {
            Tok::Number(x) => {
                self.bump();
                Ok(x)
            }
            _ => Err(self.unexpected("a number")),
        }
    }
}

fn quoted(levels: &[&str]) -> String {
    levels
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn variable(name: &str, at: Range<usize>) -> Result<Variable, CriterionError> {
    if let Some(var) = Variable::from_name(name) {
        return Ok(var);
    }
    let mut e = error(
        at,
        format!("unknown variable `{name}`"),
        "a baseline variable (see docs/protocol.md, \"Variables\")",
    );
    let names: Vec<&str> = VARIABLES.iter().map(|row| row.name).collect();
    e.hint = did_you_mean(name, &names);
    Err(e)
}

fn literal(
    var: Variable,
    ty: VarType,
    op: CmpOp,
    tok: Tok,
    at: Range<usize>,
) -> Result<Literal, CriterionError> {
    let name = var.name();
    if tok == Tok::End {
        let expected = match ty {
            VarType::Number => format!("a number after `{name} {}`", op.symbol()),
            VarType::Boolean => "`true` or `false`".to_string(),
            VarType::Category(levels) => format!("one of {}", quoted(levels)),
        };
        return Err(error(at, "unexpected end of criterion", expected));
    }
    match ty {
        VarType::Number => match tok {
            Tok::Number(x) => Ok(Literal::Number(x)),
            other => Err(error(
                at,
                format!(
                    "`{name}` is numeric ({}) but is compared with {}",
                    var.info().unit,
                    describe(&other)
                ),
                "a number",
            )),
        },
        VarType::Boolean => {
            if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                return Err(error(
                    at,
                    format!(
                        "`{}` does not apply to boolean variable `{name}`",
                        op.symbol()
                    ),
                    "`==` or `!=`, or the variable alone",
                ));
            }
            match tok {
                Tok::Ident(s) if s == "true" => Ok(Literal::Bool(true)),
                Tok::Ident(s) if s == "false" => Ok(Literal::Bool(false)),
                other => Err(error(
                    at,
                    format!(
                        "boolean variable `{name}` is compared with {}",
                        describe(&other)
                    ),
                    "`true` or `false`",
                )),
            }
        }
        VarType::Category(levels) => {
            if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                return Err(error(
                    at,
                    format!(
                        "`{}` does not apply to categorical variable `{name}`",
                        op.symbol()
                    ),
                    "`==` or `!=`",
                ));
            }
            let expected = format!("one of {}", quoted(levels));
            match tok {
                Tok::Ident(s) => {
                    if let Some(level) = levels.iter().find(|l| l.eq_ignore_ascii_case(&s)) {
                        Ok(Literal::Level(level))
                    } else {
                        let mut e =
                            error(at, format!("`{s}` is not a level of `{name}`"), expected);
                        e.hint = did_you_mean(&s, levels);
                        Err(e)
                    }
                }
                other => Err(error(
                    at,
                    format!(
                        "categorical variable `{name}` is compared with {}",
                        describe(&other)
                    ),
                    expected,
                )),
            }
        }
    }
}

/// Parse and type-check one criterion.
pub fn parse(text: &str) -> Result<Expr, CriterionError> {
    let toks = tokenize(text)?;
    if toks.len() == 1 {
        return Err(error(
            0..text.len(),
            "empty criterion",
            "an expression such as `age >= 18`",
        ));
    }
    let mut parser = Parser { toks, pos: 0 };
    let expr = parser.or()?;
    if *parser.peek() != Tok::End {
        return Err(parser.unexpected("`and`, `or` or the end of the criterion"));
    }
    Ok(expr)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plain patient for tests: every variable not listed is missing.
    struct Patient {
        age: f64,
        sex: &'static str,
        pf_ratio: f64,
        pregnant: bool,
        support: &'static str,
    }

    impl Baseline for Patient {
        fn value(&self, var: Variable) -> Value {
            match var {
                Variable::Age => Value::Number(self.age),
                Variable::Sex => Value::Category(self.sex),
                Variable::PfRatio => Value::Number(self.pf_ratio),
                Variable::Pregnant => Value::Bool(self.pregnant),
                Variable::RespiratorySupport => Value::Category(self.support),
                _ => Value::Missing,
            }
        }
    }

    fn patient(age: f64, sex: &'static str, pf_ratio: f64) -> Patient {
        Patient {
            age,
            sex,
            pf_ratio,
            pregnant: false,
            support: "low_flow_oxygen",
        }
    }

    fn holds(text: &str, p: &Patient) -> bool {
        parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e:?}"))
            .eval(p)
    }

    #[test]
    fn comparisons_and_ranges_include_their_bounds() {
        let p = patient(18.0, "female", 300.0);
        assert!(holds("age >= 18", &p));
        assert!(!holds("age > 18", &p));
        assert!(holds("age in [18, 60]", &p));
        assert!(!holds("age in [18.5, 60]", &p));
        assert!(holds("pf_ratio <= 300", &p));
        assert!(!holds("pf_ratio < 300", &p));
        assert!(holds("pf_ratio != 299.5", &p));
    }

    #[test]
    fn boolean_logic_follows_precedence() {
        let p = patient(70.0, "male", 150.0);
        // and binds tighter than or: true or (false and false) = true
        assert!(holds("age > 65 or sex == female and pf_ratio > 300", &p));
        // parentheses change it: (true or false) and false = false
        assert!(!holds("(age > 65 or sex == female) and pf_ratio > 300", &p));
        assert!(holds("not pregnant", &p));
        assert!(!holds("pregnant", &p));
        assert!(holds("pregnant == false", &p));
        assert!(holds(
            "not (respiratory_support == invasive_ventilation or respiratory_support == ecmo)",
            &p
        ));
        assert!(holds("sex == MALE", &p), "levels match case-insensitively");
    }

    #[test]
    fn missing_values_fail_comparisons() {
        let p = patient(40.0, "female", 200.0);
        assert!(!holds("il6 > 40", &p));
        assert!(!holds("il6 <= 40", &p));
        assert!(holds("not il6 > 40", &p));
    }

    #[test]
    fn closures_are_baselines() {
        let expr = parse("weight >= 50 and abo_group == AB").unwrap();
        let heavy_ab = |v: Variable| match v {
            Variable::WeightKg => Value::Number(80.0),
            Variable::AboGroup => Value::Category("AB"),
            _ => Value::Missing,
        };
        assert!(expr.eval(&heavy_ab));
        assert_eq!(
            expr.variables(),
            vec![Variable::WeightKg, Variable::AboGroup]
        );
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        let e = parse("age >= 18 and pf_ratoi < 300").unwrap_err();
        assert_eq!(e.at, 14..22);
        assert_eq!(e.message, "unknown variable `pf_ratoi`");
        assert_eq!(e.hint.as_deref(), Some("did you mean `pf_ratio`?"));

        let e = parse("age >= ").unwrap_err();
        assert_eq!(e.at, 7..7);
        assert_eq!(e.message, "unexpected end of criterion");

        let e = parse("sex == femal").unwrap_err();
        assert_eq!(e.at, 7..12);
        assert_eq!(e.hint.as_deref(), Some("did you mean `female`?"));

        let e = parse("age = 18").unwrap_err();
        assert_eq!(e.at, 4..5);

        let e = parse("sex > female").unwrap_err();
        assert!(e.message.contains("does not apply"), "{e:?}");

        let e = parse("age in [60, 18]").unwrap_err();
        assert!(e.message.contains("empty range"), "{e:?}");

        let e = parse("(age > 1").unwrap_err();
        assert_eq!(e.expected, "`)` to close the parenthesis");

        assert!(parse("   ").is_err());
        assert!(parse("age >= 18 18").is_err());
    }
}
