//! Segmented write-ahead log of opaque, CRC-framed records. Knows nothing of events.
