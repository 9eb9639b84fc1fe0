//! Topic matching and filter coverage, checked exhaustively over a small universe: a filter
//! covers another exactly when every topic the second matches, the first matches too; and the
//! rules for topic names and filters.

use gridlog::FilterSegment;
use gridlog_mqtt::TopicError;
use gridlog_mqtt::topic::{covers, matches, topic_filter, topic_name};

/// Every filter of up to three segments over `a`, `b`, `+`, with and without a trailing `#`.
fn filters() -> Vec<Vec<FilterSegment>> {
    let choices = [
        FilterSegment::Literal("a".to_owned()),
        FilterSegment::Literal("b".to_owned()),
        FilterSegment::SingleLevel,
    ];
    let mut all: Vec<Vec<FilterSegment>> = vec![Vec::new()];
    let mut layer: Vec<Vec<FilterSegment>> = vec![Vec::new()];
    for _ in 0..3 {
        layer = layer
            .iter()
            .flat_map(|prefix| {
                choices.iter().map(move |choice| {
                    let mut longer = prefix.clone();
                    longer.push(choice.clone());
                    longer
                })
            })
            .collect();
        all.extend(layer.iter().cloned());
    }
    let with_hash: Vec<Vec<FilterSegment>> = all
        .iter()
        .map(|filter| {
            let mut longer = filter.clone();
            longer.push(FilterSegment::MultiLevel);
            longer
        })
        .collect();
    all.retain(|filter| !filter.is_empty());
    all.extend(with_hash);
    all
}

/// Every topic of one to five segments over `a`, `b`, `c` (`c` is in no filter, so it stands
/// for "any other segment").
fn topics() -> Vec<Vec<String>> {
    let mut all = Vec::new();
    let mut layer: Vec<Vec<String>> = vec![Vec::new()];
    for _ in 0..5 {
        layer = layer
            .iter()
            .flat_map(|prefix| {
                ["a", "b", "c"].into_iter().map(move |segment| {
                    let mut longer = prefix.clone();
                    longer.push(segment.to_owned());
                    longer
                })
            })
            .collect();
        all.extend(layer.iter().cloned());
    }
    all
}

#[test]
fn coverage_is_exactly_inclusion_of_matched_topics() {
    let filters = filters();
    let topics = topics();
    assert_eq!(filters.len(), 79);
    let matched: Vec<Vec<bool>> = filters
        .iter()
        .map(|filter| {
            topics
                .iter()
                .map(|topic| {
                    let segments: Vec<&str> = topic.iter().map(String::as_str).collect();
                    matches(filter, &segments)
                })
                .collect()
        })
        .collect();
    let mut covered_pairs = 0;
    for (g, granted) in filters.iter().enumerate() {
        for (r, requested) in filters.iter().enumerate() {
            let included = matched[r]
                .iter()
                .zip(&matched[g])
                .all(|(in_requested, in_granted)| !in_requested || *in_granted);
            assert_eq!(
                covers(granted, requested),
                included,
                "covers({granted:?}, {requested:?})"
            );
            covered_pairs += usize::from(included);
        }
    }
    assert!(covered_pairs > filters.len(), "more than the diagonal");
}

#[test]
fn a_trailing_hash_also_matches_its_parent() {
    let filter = topic_filter("a/#").expect("valid");
    assert!(matches(&filter, &["a"]));
    assert!(matches(&filter, &["a", "b", "c"]));
    assert!(!matches(&filter, &["b"]));
    assert!(matches(&topic_filter("#").expect("valid"), &["x", "y"]));
    assert!(!matches(&topic_filter("a/+").expect("valid"), &["a"]));
}

#[test]
fn topic_names_and_filters_follow_the_rules() {
    assert_eq!(topic_name("a/b/c"), Ok(vec!["a", "b", "c"]));
    assert_eq!(topic_name(""), Err(TopicError::Empty));
    assert_eq!(topic_name("a/+"), Err(TopicError::Wildcard));
    assert_eq!(topic_name("a/#"), Err(TopicError::Wildcard));
    assert_eq!(topic_name("$SYS/x"), Err(TopicError::Reserved));
    assert_eq!(
        topic_name("1/2/3/4/5/6/7/8"),
        Ok(vec!["1", "2", "3", "4", "5", "6", "7", "8"])
    );
    assert_eq!(topic_name("1/2/3/4/5/6/7/8/9"), Err(TopicError::TooDeep));
    assert_eq!(topic_name(&"x".repeat(256)).map(|s| s.len()), Ok(1));
    assert_eq!(topic_name(&"x".repeat(257)), Err(TopicError::TooLong));
    assert_eq!(topic_filter("a/#/b"), Err(TopicError::Wildcard));
    assert_eq!(topic_filter("a+/b"), Err(TopicError::Wildcard));
    assert_eq!(topic_filter("$share/g/a"), Err(TopicError::Shared));
    assert_eq!(topic_filter("$aws/x"), Err(TopicError::Reserved));
    assert_eq!(
        topic_filter("+/x/#"),
        Ok(vec![
            FilterSegment::SingleLevel,
            FilterSegment::Literal("x".to_owned()),
            FilterSegment::MultiLevel
        ])
    );
}
