use super::*;

const S: u64 = 1_000_000;

#[test]
fn starts_full_then_refuses_with_retry_after() {
    let mut b = Bucket::full(3, 0);
    assert_eq!(b.take(2.0, 3, 0), (true, None));
    assert_eq!(b.take(2.0, 3, 0), (true, None));
    assert_eq!(b.take(2.0, 3, 0), (true, None));
    assert_eq!(b.take(2.0, 3, 0), (false, Some(Duration::from_millis(500))));
}

#[test]
fn refills_at_rate_up_to_burst() {
    let mut b = Bucket::full(2, 0);
    b.take(10.0, 2, 0);
    b.take(10.0, 2, 0);
    // 0.25 s at 10/s = 2.5 tokens, capped at 2.
    assert!(b.take(10.0, 2, S / 4).0);
    assert!(b.take(10.0, 2, S / 4).0);
    assert!(!b.take(10.0, 2, S / 4).0);
    // 0.1 s later exactly one token.
    assert!(b.take(10.0, 2, S / 4 + S / 10).0);
    assert!(!b.take(10.0, 2, S / 4 + S / 10).0);
}

#[test]
fn accepted_over_an_interval_is_burst_plus_rate_times_time() {
    let (rate, burst) = (100.0, 50);
    let mut b = Bucket::full(burst, 0);
    let mut accepted = 0;
    // 10 s of requests every 100 µs (10,000 rps offered).
    for i in 0..100_000u64 {
        if b.take(rate, burst, i * 100).0 {
            accepted += 1;
        }
    }
    // B + R·T = 50 + 100 × (99,999 × 100 µs) = 50 + 999.99 → 1049 whole tokens.
    assert_eq!(accepted, 1049);
}

#[test]
fn backwards_clock_refills_nothing() {
    let mut b = Bucket::full(1, 10 * S);
    assert!(b.take(1.0, 1, 10 * S).0);
    assert!(!b.take(1.0, 1, 9 * S).0);
    assert_eq!(b.updated_us, 10 * S);
}

#[test]
fn zero_burst_or_zero_rate_never_gives_a_retry_time() {
    let mut b = Bucket::full(0, 0);
    assert_eq!(b.take(5.0, 0, 0), (false, None));
    let mut b = Bucket::full(1, 0);
    assert!(b.take(0.0, 1, 0).0);
    assert_eq!(b.take(0.0, 1, 100 * S), (false, None));
}

#[test]
fn fullness_tells_when_a_bucket_can_be_dropped() {
    let mut b = Bucket::full(2, 0);
    assert!(b.is_full_at(1.0, 2, 0));
    b.take(1.0, 2, 0);
    assert!(!b.is_full_at(1.0, 2, S / 2));
    assert!(b.is_full_at(1.0, 2, S));
}
