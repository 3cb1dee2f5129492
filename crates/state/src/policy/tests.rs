use super::*;

#[test]
fn default_is_open_throttles_closed_quotas() {
    assert_eq!(
        FailurePolicy::default(),
        FailurePolicy {
            throttle: OnStateError::Open,
            quota: OnStateError::Closed
        }
    );
}

#[test]
fn parses_one_policy_for_all_or_per_kind() {
    assert_eq!(
        FailurePolicy::parse("closed").unwrap(),
        FailurePolicy::all(OnStateError::Closed)
    );
    assert_eq!(
        FailurePolicy::parse("quota=open").unwrap(),
        FailurePolicy::all(OnStateError::Open)
    );
    assert_eq!(
        FailurePolicy::parse("throttle=closed,quota=open").unwrap(),
        FailurePolicy {
            throttle: OnStateError::Closed,
            quota: OnStateError::Open
        }
    );
    assert_eq!(
        FailurePolicy::parse("cache=open").unwrap_err(),
        "\"cache=open\": expected open, closed, or KIND=open|closed,... with KIND throttle or quota"
    );
}

#[test]
fn failure_log_tracks_down_and_recovery() {
    let log = FailureLog::new(Duration::from_secs(10));
    log.failed("throttle", &"refused");
    assert!(log.down.load(Ordering::Relaxed));
    let first = log.last_logged_secs.load(Ordering::Relaxed);
    assert!(first > 0);
    // A second failure within the interval is not logged again.
    log.failed("throttle", &"refused");
    assert_eq!(log.last_logged_secs.load(Ordering::Relaxed), first);
    log.succeeded();
    assert!(!log.down.load(Ordering::Relaxed));
}
