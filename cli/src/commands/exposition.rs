//! The Prometheus text exposition (format 0.0.4) as `gridlog top` and `gridlog bench` read a
//! server's `/metrics`: [`Scrape::parse`] and lookups by name and labels. Pure; unit-tested.

/// One sample of an exposition.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Series name.
    pub name: String,
    /// Labels, in exposition order.
    pub labels: Vec<(String, String)>,
    /// Value.
    pub value: f64,
}

impl Sample {
    /// The value of `key` among this sample's labels.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A parsed Prometheus text exposition (format 0.0.4): the samples, comments skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scrape {
    /// Every sample.
    pub samples: Vec<Sample>,
}

fn parse_labels(text: &str) -> Option<Vec<(String, String)>> {
    let mut labels = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([',', ' ']);
        if rest.is_empty() {
            return Some(labels);
        }
        let (name, after) = rest.split_once("=\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '\\' => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                '"' => break i,
                c => value.push(c),
            }
        };
        labels.push((name.trim().to_owned(), value));
        rest = &after[end + 1..];
    }
}

fn parse_value(text: &str) -> Option<f64> {
    match text {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => text.parse().ok(),
    }
}

impl Scrape {
    /// Parses `text`; lines that are not samples are skipped.
    pub fn parse(text: &str) -> Self {
        let samples = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|line| {
                let (series, value) = if let Some(open) = line.find('{') {
                    let close = line.rfind('}')?;
                    let labels = parse_labels(&line[open + 1..close])?;
                    let value = line[close + 1..].split_whitespace().next()?;
                    ((line[..open].to_owned(), labels), value)
                } else {
                    let mut parts = line.split_whitespace();
                    let name = parts.next()?;
                    ((name.to_owned(), Vec::new()), parts.next()?)
                };
                Some(Sample {
                    name: series.0,
                    labels: series.1,
                    value: parse_value(value)?,
                })
            })
            .collect();
        Self { samples }
    }

    /// The value of `name` with exactly `labels` (any order).
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.samples
            .iter()
            .find(|s| {
                s.name == name
                    && s.labels.len() == labels.len()
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.iter().any(|(sk, sv)| sk == k && sv == v))
            })
            .map(|s| s.value)
    }

    /// The sum of every sample of `name`.
    pub fn sum(&self, name: &str) -> f64 {
        self.samples
            .iter()
            .filter(|s| s.name == name)
            .map(|s| s.value)
            .sum()
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "exact small values")]
mod tests {
    use super::*;

    #[test]
    fn parses_samples_labels_and_escapes() {
        let s = Scrape::parse(
            "# TYPE x counter\nx_total{a=\"q\\\"uote\",b=\"back\\\\slash\"} 3\nplain 2.5\ninf{le=\"+Inf\"} +Inf\nbroken{ 1\n",
        );
        assert_eq!(s.samples.len(), 3, "{s:?}");
        assert_eq!(
            s.get("x_total", &[("b", "back\\slash"), ("a", "q\"uote")]),
            Some(3.0)
        );
        assert_eq!(s.get("plain", &[]), Some(2.5));
        assert_eq!(s.get("inf", &[("le", "+Inf")]), Some(f64::INFINITY));
        assert_eq!(
            s.get("x_total", &[("a", "q\"uote")]),
            None,
            "labels must match exactly"
        );
    }
}
