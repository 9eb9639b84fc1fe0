//! The golden tests' reading of docs/format.md: the byte-level specification holds fenced
//! ```` ```golden:NAME ```` blocks of hex (16 lower-case, space-separated bytes a line) that the
//! format, WAL and engine tests compare with what their code encodes.

/// docs/format.md, whole.
#[must_use]
pub fn format_doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/format.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The part of docs/format.md from the line marker `begin` up to `end` (HTML comments such as
/// `<!-- BEGIN record sections`).
#[must_use]
pub fn format_doc_section(begin: &str, end: &str) -> String {
    let doc = format_doc();
    let start = doc
        .find(begin)
        .unwrap_or_else(|| panic!("docs/format.md has no {begin:?} marker"));
    let stop = doc
        .find(end)
        .unwrap_or_else(|| panic!("docs/format.md has no {end:?} marker"));
    doc[start..stop].to_owned()
}

/// The bodies of the fenced blocks whose info string starts with `prefix`, by the rest of the
/// info string (`golden:` gives `(NAME, hex)`).
#[must_use]
pub fn fenced_blocks(text: &str, prefix: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(name) = line
            .trim()
            .strip_prefix("```")
            .and_then(|info| info.strip_prefix(prefix))
        else {
            continue;
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        blocks.push((name.trim().to_owned(), body.join("\n")));
    }
    blocks
}

/// The bytes of a golden block, checked to be in the documented layout.
///
/// # Panics
/// On a byte that is not two lower-case hex digits, or a line of more than 16 bytes.
#[must_use]
pub fn parse_hex(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in text.lines() {
        let bytes: Vec<&str> = line.split_whitespace().collect();
        assert!(bytes.len() <= 16, "more than 16 bytes on a line: {line:?}");
        for byte in bytes {
            assert!(
                byte.len() == 2 && byte == byte.to_lowercase(),
                "hex bytes are two lower-case digits: {byte:?}"
            );
            out.push(
                u8::from_str_radix(byte, 16)
                    .unwrap_or_else(|e| panic!("not a hex byte: {byte:?}: {e}")),
            );
        }
    }
    out
}

/// The documented layout: 16 bytes per line, lower-case, space-separated.
#[must_use]
pub fn to_hex(bytes: &[u8]) -> String {
    bytes
        .chunks(16)
        .map(|line| {
            line.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The bytes of the block ```` ```golden:NAME ```` in `text`, if there is one.
#[must_use]
pub fn golden_block(text: &str, name: &str) -> Option<Vec<u8>> {
    fenced_blocks(text, "golden:")
        .into_iter()
        .find(|(block, _)| block == name)
        .map(|(_, hex)| parse_hex(&hex))
}
