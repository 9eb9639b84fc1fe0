//! CloudEvents 1.0 model, validation, codecs, limits and on-disk record encoding. No I/O.
