//! A character column stored once per distinct value.
//!
//! ADaM datasets repeat a few strings over hundreds of thousands of rows (study, subject, arm,
//! parameter, visit, flags). With one heap string per cell, building and freeing ADCPS and ADLB
//! of a 10,000-patient trial took longer than simulating the patients; here each distinct
//! string is stored once and a row holds its index. Written by hand because it is this small
//! (an index set and a code per row); equality and every reader see plain optional strings.

use indexmap::IndexSet;

/// Hash state with fixed seeds: the level order is the insertion order either way, so the
/// seeds only spread the hashes (no output depends on them).
type FixedState = ahash::RandomState;

fn fixed_state() -> FixedState {
    ahash::RandomState::with_seeds(
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    )
}

/// Optional strings, each distinct value stored once (in order of first appearance).
#[derive(Debug, Clone)]
pub struct Strings {
    levels: IndexSet<Box<str>, FixedState>,
    /// Per row: the index of its value in `levels`, or `None` when missing.
    codes: Vec<Option<u32>>,
}

impl Default for Strings {
    fn default() -> Self {
        Self {
            levels: IndexSet::with_hasher(fixed_state()),
            codes: Vec::new(),
        }
    }
}

impl Strings {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// No values, with room for `rows` of them.
    pub fn with_capacity(rows: usize) -> Self {
        Self {
            codes: Vec::with_capacity(rows),
            ..Self::default()
        }
    }

    /// Number of values (rows).
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Number of distinct non-missing values.
    pub fn distinct(&self) -> usize {
        self.levels.len()
    }

    /// Appends a value (`None`: missing).
    pub fn push(&mut self, value: Option<&str>) {
        let code = value.map(|v| self.code(v));
        self.codes.push(code);
    }

    fn code(&mut self, value: &str) -> u32 {
        // Rows of one subject repeat the previous row's value in most columns.
        if let Some(Some(last)) = self.codes.last()
            && self.levels.get_index(*last as usize).map(AsRef::as_ref) == Some(value)
        {
            return *last;
        }
        let index = match self.levels.get_index_of(value) {
            Some(i) => i,
            None => self.levels.insert_full(value.into()).0,
        };
        u32::try_from(index).expect("fewer than 2^32 distinct strings in a column")
    }

    /// The distinct values, in order of first appearance (a row's code indexes them).
    pub(crate) fn levels(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.levels.iter().map(AsRef::as_ref)
    }

    /// Per row, the index of its value in [`Strings::levels`] (`None`: missing).
    pub(crate) fn codes(&self) -> &[Option<u32>] {
        &self.codes
    }

    /// The value at `row` (`None`: missing); panics when `row` is out of range, like a slice.
    pub fn get(&self, row: usize) -> Option<&str> {
        self.codes[row].map(|c| self.level(c))
    }

    fn level(&self, code: u32) -> &str {
        self.levels
            .get_index(code as usize)
            .map(AsRef::as_ref)
            .expect("codes index the levels")
    }

    /// The values in row order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&str>> + '_ {
        self.codes.iter().map(|c| c.map(|c| self.level(c)))
    }

    /// The values at the given rows, in that order.
    pub fn take(&self, rows: &[usize]) -> Self {
        let mut out = Self::new();
        for &r in rows {
            out.push(self.get(r));
        }
        out
    }

    /// Appends every value of `other`.
    pub fn extend_from(&mut self, other: &Strings) {
        for v in other.iter() {
            self.push(v);
        }
    }
}

impl PartialEq for Strings {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a> FromIterator<Option<&'a str>> for Strings {
    fn from_iter<I: IntoIterator<Item = Option<&'a str>>>(iter: I) -> Self {
        let mut out = Self::new();
        for v in iter {
            out.push(v);
        }
        out
    }
}

impl FromIterator<Option<String>> for Strings {
    fn from_iter<I: IntoIterator<Item = Option<String>>>(iter: I) -> Self {
        let mut out = Self::new();
        for v in iter {
            out.push(v.as_deref());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_in_row_order_with_missing_values() {
        let input = [
            Some("b"),
            Some("a"),
            None,
            Some("b"),
            Some("b"),
            Some(""),
            None,
        ];
        let s: Strings = input.iter().copied().collect();
        assert_eq!(s.len(), 7);
        assert_eq!(s.iter().collect::<Vec<_>>(), input);
        // "b", "a", "" stored once each.
        assert_eq!(s.distinct(), 3);
        assert_eq!(s.get(5), Some(""));
        assert_eq!(s.get(2), None);
    }

    #[test]
    fn equality_is_by_values_not_by_storage() {
        let a: Strings = [Some("x"), Some("y")].into_iter().collect();
        let mut b = Strings::new();
        b.push(Some("y"));
        b.push(Some("x"));
        let b = b.take(&[1, 0]);
        assert_eq!(a, b);
        let c: Strings = [Some("x"), None].into_iter().collect();
        assert_ne!(a, c);
    }

    #[test]
    fn take_and_extend_keep_values() {
        let a: Strings = [Some("p"), None, Some("q")].into_iter().collect();
        assert_eq!(
            a.take(&[2, 2, 1, 0]).iter().collect::<Vec<_>>(),
            [Some("q"), Some("q"), None, Some("p")]
        );
        let mut b: Strings = [Some("q")].into_iter().collect();
        b.extend_from(&a);
        assert_eq!(
            b.iter().collect::<Vec<_>>(),
            [Some("q"), Some("p"), None, Some("q")]
        );
        assert_eq!(b.distinct(), 2);
    }
}
