//! "Did you mean …?" hints for misspelled keys, enum values and variable names.

/// The candidate closest to `word`, phrased as a hint, when one is close enough to be a likely
/// typo: same letters ignoring case, or an optimal-string-alignment distance of at most a third
/// of the word's length (at least 1, at most 3).
pub fn did_you_mean(word: &str, candidates: &[&str]) -> Option<String> {
    let lower = word.to_lowercase();
    if let Some(same) = candidates.iter().find(|c| c.to_lowercase() == lower) {
        return Some(format!("did you mean `{same}`?"));
    }
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(&lower, &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let names = ["allocation", "acronym", "masking"];
        assert_eq!(
            did_you_mean("alocation", &names).as_deref(),
            Some("did you mean `allocation`?")
        );
        assert_eq!(
            did_you_mean("MASKING", &names).as_deref(),
            Some("did you mean `masking`?")
        );
        assert_eq!(did_you_mean("sponsor", &names), None);
    }
}
