//! HTML text helpers: escaping and fixed number formatting (so the same inputs always give
//! the same bytes).

use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number with `decimals` fixed decimals; "−0.00" is written "0.00"; non-finite as "NR".
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "NR".to_owned();
    }
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_owned()
    } else {
        s
    }
}

/// An optional number ("NR" when missing).
pub fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| "NR".to_owned(), |x| fixed(x, decimals))
}

/// A 95% interval "(lo, hi)" with "NR" for missing bounds.
pub fn interval(ci: Option<[Option<f64>; 2]>, decimals: usize) -> String {
    match ci {
        Some([lo, hi]) => format!("({}, {})", opt(lo, decimals), opt(hi, decimals)),
        None => "NR".to_owned(),
    }
}

/// A p-value: "< 0.001" below, otherwise three decimals.
pub fn p_value(p: Option<f64>) -> String {
    /// Smallest p-value printed as a number (CONSORT / journal convention).
    const P_FLOOR: f64 = 0.001;
    match p {
        Some(p) if p.is_finite() && p < P_FLOOR => "&lt; 0.001".to_owned(),
        other => opt(other, 3),
    }
}

/// "n (pct%)" with one decimal.
pub fn count_pct(n: usize, total: usize) -> String {
    if total == 0 {
        return format!("{n}");
    }
    let pct = 100.0 * n as f64 / total as f64;
    format!("{n} ({}%)", fixed(pct, 1))
}

/// The note shown where a section's input is absent.
pub fn not_available(what: &str) -> String {
    format!(
        "<p class=\"na\">{} not available in this run.</p>\n",
        esc(what)
    )
}

/// A table: escaped-or-ready header cells and row cells (cells are already HTML).
pub fn table(class: &str, header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = format!("<table class=\"{class}\">\n<thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn fixed_formatting_has_no_negative_zero() {
        assert_eq!(fixed(-0.0004, 2), "0.00");
        assert_eq!(fixed(-0.005_1, 2), "-0.01");
        assert_eq!(fixed(1.0 / 3.0, 3), "0.333");
        assert_eq!(fixed(f64::NAN, 2), "NR");
        assert_eq!(interval(Some([Some(0.5), None]), 2), "(0.50, NR)");
        assert_eq!(count_pct(1, 3), "1 (33.3%)");
    }
}
