use super::*;

fn at(rfc3339: &str) -> SystemTime {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap();
    from_unix_secs(u64::try_from(t.unix_timestamp()).unwrap())
}

fn secs(rfc3339: &str) -> u64 {
    unix_secs(at(rfc3339))
}

#[test]
fn day_is_utc_midnight_to_midnight() {
    assert_eq!(
        QuotaPeriod::Day.bounds(at("2026-11-25T23:59:59Z")),
        (secs("2026-11-25T00:00:00Z"), secs("2026-11-26T00:00:00Z"))
    );
}

#[test]
fn week_starts_on_sunday() {
    // 2026-11-25 is a Wednesday; the week began Sunday 2026-11-22.
    assert_eq!(
        QuotaPeriod::Week.bounds(at("2026-11-25T12:00:00Z")),
        (secs("2026-11-22T00:00:00Z"), secs("2026-11-29T00:00:00Z"))
    );
    // A Sunday at midnight starts its own week.
    assert_eq!(
        QuotaPeriod::Week.bounds(at("2026-11-29T00:00:00Z")).0,
        secs("2026-11-29T00:00:00Z")
    );
    // A Saturday just before midnight is still in the previous week.
    assert_eq!(
        QuotaPeriod::Week.bounds(at("2026-11-28T23:59:59Z")).0,
        secs("2026-11-22T00:00:00Z")
    );
}

#[test]
fn month_runs_from_the_first_including_december_and_february() {
    assert_eq!(
        QuotaPeriod::Month.bounds(at("2026-12-31T23:00:00Z")),
        (secs("2026-12-01T00:00:00Z"), secs("2027-01-01T00:00:00Z"))
    );
    assert_eq!(
        QuotaPeriod::Month.bounds(at("2028-02-10T00:00:00Z")),
        (secs("2028-02-01T00:00:00Z"), secs("2028-03-01T00:00:00Z"))
    );
}

#[test]
fn periods_parse_case_insensitively() {
    assert_eq!(QuotaPeriod::parse("week"), Some(QuotaPeriod::Week));
    assert_eq!(QuotaPeriod::parse("MONTH"), Some(QuotaPeriod::Month));
    assert_eq!(QuotaPeriod::parse("year"), None);
    assert_eq!(QuotaPeriod::Day.as_str(), "DAY");
}
