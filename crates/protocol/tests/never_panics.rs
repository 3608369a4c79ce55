//! Damaged protocol files give diagnostics, never a panic, and every diagnostic points inside
//! the file.

use proptest::prelude::*;

const SEED: &str = include_str!("../../../protocols/nct04385043-hyperimmune-plasma.toml");

/// A few characters that tend to break TOML and criteria in interesting ways.
const PIECES: &[&str] = &[
    "\"", "'", "=", "[", "]", "\n", "#", "-", "0", "1e9", "é", "≤", " and ", "x", "{", ",", "\\",
];

fn damaged() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (0..SEED.len(), 0usize..30, proptest::sample::select(PIECES)),
        1..4,
    )
    .prop_map(|edits| {
        let mut text = SEED.to_string();
        for (at, cut, piece) in edits {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + cut % 4).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(at..end, piece);
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn damaged_files_give_located_diagnostics(text in damaged()) {
        if let Err(e) = protocol::parse_protocol("damaged.toml", &text) {
            prop_assert!(!e.diagnostics.is_empty());
            let lines = text.lines().count().max(1) + 1;
            for d in &e.diagnostics {
                prop_assert!(d.line >= 1 && d.line <= lines, "{d:?}");
                prop_assert!(d.column >= 1);
                if let Some(span) = &d.span {
                    prop_assert!(span.start <= span.end && span.end <= text.len(), "{d:?}");
                }
                prop_assert!(!d.path.is_empty() && !d.message.is_empty());
            }
        }
    }
}
