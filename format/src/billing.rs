//! Billing units: Event Grid charges events over 64 KiB in 64 KiB increments.

use crate::limits::BILLING_UNIT_BYTES;

/// Number of billing units an event of `bytes` bytes costs: `max(1, ceil(bytes / 65536))`.
///
/// ```
/// use gridlog_format::billing_units;
/// assert_eq!(billing_units(0), 1);
/// assert_eq!(billing_units(65_536), 1);
/// assert_eq!(billing_units(65_537), 2);
/// ```
pub fn billing_units(bytes: u64) -> u64 {
    bytes.div_ceil(BILLING_UNIT_BYTES).max(1)
}

#[cfg(test)]
mod tests {
    use super::billing_units;

    #[test]
    fn boundaries() {
        assert_eq!(billing_units(0), 1);
        assert_eq!(billing_units(1), 1);
        assert_eq!(billing_units(65_535), 1);
        assert_eq!(billing_units(65_536), 1);
        assert_eq!(billing_units(65_537), 2);
        assert_eq!(billing_units(131_072), 2);
        assert_eq!(billing_units(131_073), 3);
        assert_eq!(billing_units(1_048_576), 16);
        assert_eq!(billing_units(u64::MAX), u64::MAX.div_ceil(65_536));
    }
}
