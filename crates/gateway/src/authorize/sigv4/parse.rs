//! Reading a request's SigV4 authorization from either placement, with AWS's messages for every
//! malformed or untimely one. Nothing here knows any secret.

use std::time::{SystemTime, UNIX_EPOCH};

use turnpike_sigv4::ALGORITHM;

use super::{SigV4Rejection, SignedRequest, SERVICE};

/// How far `X-Amz-Date` may be from the gateway's clock (either way), for both placements.
/// API Gateway answers `Signature expired: ... (... - 5 min.)`, so its window is five minutes; a
/// presigned URL gets the same window whatever its `X-Amz-Expires` (AWS answers such a URL
/// `{"message":"Signature expired: 20210330T175821Z is now earlier than 20210330T180403Z
/// (20210330T180903Z - 5 min.)"}` after five minutes, and `X-Amz-Expires` above or below 300
/// changes nothing: https://stackoverflow.com/questions/66961500).
const SKEW_SECONDS: i64 = 5 * 60;
/// The longest `X-Amz-Expires` of a presigned request.
const MAX_EXPIRES_SECONDS: i64 = 604_800;

/// Where the signature was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    Header,
    Query,
}

/// A well-formed, timely authorization, not yet checked against any secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedAuth {
    pub(crate) placement: Placement,
    pub(crate) access_key: String,
    /// `date/region/service/aws4_request`.
    pub(crate) scope: String,
    pub(crate) scope_date: String,
    pub(crate) region: String,
    /// Lowercase names, in the order signed.
    pub(crate) signed_headers: Vec<String>,
    pub(crate) signature: String,
    /// `X-Amz-Date`, `YYYYMMDDTHHMMSSZ`.
    pub(crate) date: String,
    pub(crate) security_token: Option<String>,
}

struct Raw {
    placement: Placement,
    credential: String,
    signed_headers: String,
    signature: String,
    date: String,
    security_token: Option<String>,
}

/// The authorization of `request`, checked for form, scope and time.
pub(crate) fn signed_auth(
    request: &SignedRequest<'_>,
    region: &str,
    now: SystemTime,
) -> Result<SignedAuth, SigV4Rejection> {
    let raw = match request.headers.get(http::header::AUTHORIZATION) {
        Some(value) => from_header(&String::from_utf8_lossy(value.as_bytes()), request)?,
        None => from_query(request.raw_query)?.ok_or(SigV4Rejection::Missing)?,
    };
    let incomplete = |text: String| SigV4Rejection::Incomplete(text);
    let parts: Vec<&str> = raw.credential.split('/').collect();
    let [access_key, scope_date, scope_region, service, terminator] = parts.as_slice() else {
        return Err(incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. \
             keyid/date/region/service/term, got '{}'",
            raw.credential
        )));
    };
    let request_time = parse_date(&raw.date).ok_or_else(|| {
        incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{}'. See http://en.wikipedia.org/wiki/ISO_8601",
            raw.date
        ))
    })?;
    if *terminator != "aws4_request" {
        return Err(incomplete(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
        )));
    }
    // API Gateway reports a wrong region and a wrong service together, in this order.
    let mut scope_errors = String::new();
    if *scope_region != region {
        scope_errors.push_str(&format!(
            "Credential should be scoped to a valid region, not '{scope_region}'. "
        ));
    }
    if *service != SERVICE {
        scope_errors.push_str(&format!(
            "Credential should be scoped to correct service: '{SERVICE}'. "
        ));
    }
    if !scope_errors.is_empty() {
        return Err(incomplete(scope_errors));
    }
    let date8 = raw.date.get(..8).unwrap_or_default();
    if *scope_date != date8 {
        return Err(incomplete(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from \
             HTTP: '{scope_date}' != '{date8}', from '{}'.",
            raw.date
        )));
    }
    let signed_headers: Vec<String> = raw
        .signed_headers
        .split(';')
        .map(str::to_ascii_lowercase)
        .collect();
    if !signed_headers
        .iter()
        .any(|h| h == "host" || h == ":authority")
    {
        return Err(incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".to_owned(),
        ));
    }
    check_time(&raw, request_time, now)?;
    Ok(SignedAuth {
        placement: raw.placement,
        access_key: (*access_key).to_owned(),
        scope: format!("{scope_date}/{scope_region}/{service}/{terminator}"),
        scope_date: (*scope_date).to_owned(),
        region: (*scope_region).to_owned(),
        signed_headers,
        signature: raw.signature,
        date: raw.date,
        security_token: raw.security_token,
    })
}

/// `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` with `X-Amz-Date` and
/// `X-Amz-Security-Token` headers.
fn from_header(value: &str, request: &SignedRequest<'_>) -> Result<Raw, SigV4Rejection> {
    let value = value.trim();
    let (algorithm, rest) = value
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((value, ""));
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for element in rest
        .split([',', ' '])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let Some((key, val)) = element.split_once('=') else {
            return Err(SigV4Rejection::Incomplete(format!(
                "'{element}' not a valid key=value pair (missing equal-sign) in Authorization \
                 header: '{value}'."
            )));
        };
        // An empty value counts as missing, as AWS reports it.
        let val = (!val.is_empty()).then(|| val.to_owned());
        match key {
            "Credential" => credential = val,
            "SignedHeaders" => signed_headers = val,
            "Signature" => signature = val,
            _ => {}
        }
    }
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let date = header("x-amz-date");
    let mut missing = String::new();
    for (name, present) in [
        ("Credential", credential.is_some()),
        ("Signature", signature.is_some()),
        ("SignedHeaders", signed_headers.is_some()),
    ] {
        if !present {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    if date.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    match (credential, signed_headers, signature, date) {
        (Some(credential), Some(signed_headers), Some(signature), Some(date))
            if algorithm == ALGORITHM =>
        {
            Ok(Raw {
                placement: Placement::Header,
                credential,
                signed_headers,
                signature,
                date,
                security_token: header("x-amz-security-token"),
            })
        }
        (Some(_), Some(_), Some(_), Some(_)) => Err(SigV4Rejection::Incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'"
        ))),
        _ => Err(SigV4Rejection::Incomplete(format!(
            "{missing}Authorization={value}"
        ))),
    }
}

/// The presigned form; `None` when the query carries no SigV4 parameter at all.
fn from_query(raw_query: &str) -> Result<Option<Raw>, SigV4Rejection> {
    let mut params: Vec<(String, String)> = Vec::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        params.push((decode(key), decode(value)));
    }
    // An empty value counts as missing, as AWS reports it.
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.clone())
    };
    let names = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
        "X-Amz-Date",
    ];
    if !names.iter().any(|name| param(name).is_some()) {
        return Ok(None);
    }
    let mut missing = String::new();
    for name in names {
        if param(name).is_none() {
            missing.push_str(&format!(
                "AWS query-string parameters must include '{name}'. "
            ));
        }
    }
    if !missing.is_empty() {
        missing.push_str("Re-examine the query-string parameters.");
        return Err(SigV4Rejection::Incomplete(missing));
    }
    let algorithm = param("X-Amz-Algorithm").unwrap_or_default();
    if algorithm != ALGORITHM {
        return Err(SigV4Rejection::Incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'"
        )));
    }
    // Checked for range, but API Gateway's window does not depend on it (see SKEW_SECONDS).
    if let Some(text) = param("X-Amz-Expires") {
        if !text
            .parse::<i64>()
            .is_ok_and(|seconds| (0..=MAX_EXPIRES_SECONDS).contains(&seconds))
        {
            return Err(SigV4Rejection::Incomplete(format!(
                "X-Amz-Expires must be less than a week (in seconds) that is {MAX_EXPIRES_SECONDS}"
            )));
        }
    }
    Ok(Some(Raw {
        placement: Placement::Query,
        credential: param("X-Amz-Credential").unwrap_or_default(),
        signed_headers: param("X-Amz-SignedHeaders").unwrap_or_default(),
        signature: param("X-Amz-Signature").unwrap_or_default(),
        date: param("X-Amz-Date").unwrap_or_default(),
        security_token: param("X-Amz-Security-Token"),
    }))
}

/// Both forms are valid five minutes either side of their date (`X-Amz-Expires` is ignored).
fn check_time(raw: &Raw, request_time: i64, now: SystemTime) -> Result<(), SigV4Rejection> {
    let now = match now.duration_since(UNIX_EPOCH) {
        Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    };
    if request_time > now.saturating_add(SKEW_SECONDS) {
        return Err(SigV4Rejection::Expired(format!(
            "Signature not yet current: {} is still later than {} ({} + 5 min.)",
            raw.date,
            format_date(now.saturating_add(SKEW_SECONDS)),
            format_date(now)
        )));
    }
    if request_time < now.saturating_sub(SKEW_SECONDS) {
        return Err(SigV4Rejection::Expired(format!(
            "Signature expired: {} is now earlier than {} ({} - 5 min.)",
            raw.date,
            format_date(now.saturating_sub(SKEW_SECONDS)),
            format_date(now)
        )));
    }
    Ok(())
}

/// Seconds since the epoch of `YYYYMMDDTHHMMSSZ`.
fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes.get(8) != Some(&b'T') || bytes.get(15) != Some(&b'Z') {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = text.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let month = time::Month::try_from(u8::try_from(number(4..6)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::try_from(number(0..4)?).ok()?,
        month,
        u8::try_from(number(6..8)?).ok()?,
    )
    .ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(number(9..11)?).ok()?,
        u8::try_from(number(11..13)?).ok()?,
        u8::try_from(number(13..15)?).ok()?,
    )
    .ok()?;
    Some(date.with_time(clock).assume_utc().unix_timestamp())
}

#[cfg(test)]
pub(crate) fn parse_date_for_tests(text: &str) -> i64 {
    parse_date(text).unwrap_or(0)
}

/// `YYYYMMDDTHHMMSSZ` of seconds since the epoch.
pub(crate) fn format_date(seconds: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}
