//! Nearest valid names for "did you mean" messages (docs/CONVENTIONS.md).

/// Levenshtein distance (insert, delete, substitute: 1 each), over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            let cost = usize::from(ca != cb);
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + cost);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The candidate nearest to `name`: the first that begins with it (a truncated name finds its
/// completion: `crosses` -> `crosses_above`), else the smallest distance, ties to the first in
/// `candidates`' order.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> &'a str {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    if let Some(c) = candidates
        .iter()
        .find(|c| !name.is_empty() && c.starts_with(name) && **c != name)
    {
        return c;
    }
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = distance(name, c);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map_or("", |(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_names() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(
            nearest("comission", ["initial_capital", "commission_rate", "fill"]),
            "commission_rate"
        );
        assert_eq!(nearest("x", ["ab", "cd"]), "ab");
        assert_eq!(
            nearest("crosses", ["gt", "ge", "crosses_above"]),
            "crosses_above"
        );
    }
}
