#!/usr/bin/env python3
"""Compare the split files of vendor/ntex-amqp-codec with the published crate's single files.

Usage: vendor/check-split.py PUBLISHED_CRATE_DIR [VENDORED_CRATE_DIR]

PUBLISHED_CRATE_DIR is the unpacked crate (e.g. ~/.cargo/registry/src/*/ntex-amqp-codec-3.0.0).
For each of codec/decode.rs, codec/encode.rs and protocol/definitions.rs, the code of the
upstream file is compared with the concatenation of its split directory, as a multiset of code
fragments (cut at `;`, `{`, `}`, `]`), ignoring what the split is allowed to change: whitespace
and line wrapping, `use` lines, `mod x;` lines, `//!` module docs, `pub(super)`, the tests
module wrapper and the tests' `include_str!` path. Prints the fragments found on one side only
and exits 1 if there are any; with the 3.0.0 crate the only ones are the `gridlog patch` in
decode_compound8/decode_compound32 (compound.rs).
"""

import collections
import pathlib
import re
import sys

SPLIT = {
    "src/codec/decode.rs": "src/codec/decode",
    "src/codec/encode.rs": "src/codec/encode",
    "src/protocol/definitions.rs": "src/protocol/definitions",
}


def fragments(text):
    text = re.sub(r"(?m)^\s*//!.*$", "", text)
    text = re.sub(r"(?ms)^\s*(pub\s+)?use\s[^;]*;", "", text)
    text = re.sub(r"(?m)^\s*(pub\s+)?mod\s+\w+;", "", text)
    text = re.sub(r"(?m)^\s*#\[cfg\(test\)\]\s*$", "", text)
    text = re.sub(r"\bmod\s+tests\s*\{", "{", text)
    text = text.replace("pub(super) ", "").replace('include_str!("../', 'include_str!("')
    text = re.sub(r"\s+", "", text).replace(",)", ")")
    return collections.Counter(f for f in re.split(r"[;{}\]]", text) if f)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    upstream = pathlib.Path(sys.argv[1])
    default = pathlib.Path(__file__).parent / "ntex-amqp-codec"
    here = pathlib.Path(sys.argv[2]) if len(sys.argv) == 3 else default
    differs = False
    for single, directory in SPLIT.items():
        pieces = sorted((here / directory).rglob("*.rs"))
        split = fragments("".join(p.read_text() for p in pieces))
        original = fragments((upstream / single).read_text())
        sides = (("only upstream", original - split), ("only vendored", split - original))
        for side, extra in sides:
            for fragment, count in sorted(extra.items()):
                differs = True
                print(f"{single}: {side} ({count}x): {fragment}")
    sys.exit(1 if differs else 0)


if __name__ == "__main__":
    main()
