//! STS `AssumeRole` for an integration's `credentials` role: the query-protocol request body,
//! the parsing of STS's XML answer (temporary credentials or an error), and [`RoleCache`], which
//! keeps each role's credentials until shortly before they expire. Sending the request is the
//! caller's (the gateway's HTTP client); signing it is [`crate::sign`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::credentials::Credentials;
use crate::encode_into;

/// STS's query API version.
pub const VERSION: &str = "2011-06-15";

/// The content type of the request body.
pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// How long before `Expiration` cached credentials are replaced: a call signed just before expiry
/// could still reach the service after it, and AWS's SDKs refresh 5 minutes ahead too.
pub const REFRESH_BEFORE: time::Duration = time::Duration::minutes(5);

/// The form body of `AssumeRole` for `role_arn` with `session_name` (STS's default duration, one
/// hour), encoded as SigV4 encodes (all but unreserved characters).
pub fn request_body(role_arn: &str, session_name: &str) -> String {
    let mut body = String::with_capacity(role_arn.len() * 2 + 96);
    for (index, (name, value)) in [
        ("Action", "AssumeRole"),
        ("Version", VERSION),
        ("RoleArn", role_arn),
        ("RoleSessionName", session_name),
    ]
    .into_iter()
    .enumerate()
    {
        if index > 0 {
            body.push('&');
        }
        body.push_str(name);
        body.push('=');
        encode_into(&mut body, value.as_bytes(), false);
    }
    body
}

/// Temporary credentials from `AssumeRole`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assumed {
    pub credentials: Credentials,
    /// `Expiration`.
    pub expiration: OffsetDateTime,
}

/// Why `AssumeRole` gave no credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsError {
    /// STS's `ErrorResponse`: its `Code` and `Message`, with the HTTP status.
    Service {
        status: u16,
        code: String,
        message: String,
    },
    /// An answer that is neither credentials nor an STS error.
    Unreadable { status: u16, reason: &'static str },
}

impl std::fmt::Display for StsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StsError::Service {
                status,
                code,
                message,
            } => write!(f, "STS answered {status} {code}: {message}"),
            StsError::Unreadable { status, reason } => {
                write!(f, "STS answered {status} with {reason}")
            }
        }
    }
}

/// Reads STS's answer (`status`, `body`) to `AssumeRole`: the `Credentials` of an
/// `AssumeRoleResponse`, else the `Code` and `Message` of an `ErrorResponse`.
pub fn parse_response(status: u16, body: &str) -> Result<Assumed, StsError> {
    let unreadable = |reason| StsError::Unreadable { status, reason };
    if !(200..300).contains(&status) {
        let error = element(body, "Error").ok_or(unreadable("no STS error in its body"))?;
        return Err(StsError::Service {
            status,
            code: element(error, "Code").map(unescape).unwrap_or_default(),
            message: element(error, "Message").map(unescape).unwrap_or_default(),
        });
    }
    let credentials = element(body, "Credentials").ok_or(unreadable("no Credentials"))?;
    let field = |name| {
        element(credentials, name)
            .map(unescape)
            .filter(|value| !value.is_empty())
    };
    let (Some(access_key_id), Some(secret_access_key), Some(session_token)) = (
        field("AccessKeyId"),
        field("SecretAccessKey"),
        field("SessionToken"),
    ) else {
        return Err(unreadable("incomplete Credentials"));
    };
    let expiration = field("Expiration")
        .as_deref()
        .and_then(parse_timestamp)
        .ok_or(unreadable("no readable Expiration"))?;
    Ok(Assumed {
        credentials: Credentials {
            access_key_id,
            secret_access_key,
            session_token: Some(session_token),
        },
        expiration,
    })
}

/// The text inside the first `<name>...</name>` of `xml` (STS's elements carry no attributes but
/// the root's namespace).
fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let rest = xml.get(start..)?;
    let end = rest.find(&close)?;
    rest.get(..end)
}

/// XML text with its character and entity references resolved.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp..).unwrap_or_default();
        let Some(semi) = after.find(';') else {
            break;
        };
        let entity = after.get(1..semi).unwrap_or_default();
        let resolved = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match resolved {
            Some(c) => {
                out.push(c);
                rest = after.get(semi + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// An ISO 8601 UTC timestamp as STS writes `Expiration`: `2026-11-26T06:39:39Z`, maybe with
/// fractional seconds (`...39.927151Z`) or `+00:00`.
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    let text = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))?;
    let (date, time) = text.split_once('T')?;
    let mut date_parts = date.splitn(3, '-');
    let year: i32 = date_parts.next()?.parse().ok()?;
    let month: u8 = date_parts.next()?.parse().ok()?;
    let day: u8 = date_parts.next()?.parse().ok()?;
    let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut clock_parts = clock.splitn(3, ':');
    let hour: u8 = clock_parts.next()?.parse().ok()?;
    let minute: u8 = clock_parts.next()?.parse().ok()?;
    let second: u8 = clock_parts.next()?.parse().ok()?;
    let nanos = if fraction.is_empty() {
        0
    } else {
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits: String = fraction
            .chars()
            .chain("000000000".chars())
            .take(9)
            .collect();
        digits.parse().ok()?
    };
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let time = Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Each role's temporary credentials, by role ARN, kept until [`REFRESH_BEFORE`] their
/// expiration.
#[derive(Debug, Default)]
pub struct RoleCache {
    roles: Mutex<BTreeMap<String, (Arc<Credentials>, OffsetDateTime)>>,
}

impl RoleCache {
    pub const fn new() -> RoleCache {
        RoleCache {
            roles: Mutex::new(BTreeMap::new()),
        }
    }

    /// The credentials of `role_arn` when they are still good at `now`.
    pub fn get(&self, role_arn: &str, now: OffsetDateTime) -> Option<Arc<Credentials>> {
        // A panic elsewhere while holding the lock leaves a usable map: keep going.
        let roles = self.roles.lock().unwrap_or_else(PoisonError::into_inner);
        let (credentials, expiration) = roles.get(role_arn)?;
        let refresh_at = expiration.checked_sub(REFRESH_BEFORE)?;
        (now < refresh_at).then(|| credentials.clone())
    }

    /// Keeps `assumed` for `role_arn`, replacing what was kept, and hands its credentials back.
    pub fn insert(&self, role_arn: &str, assumed: Assumed) -> Arc<Credentials> {
        let credentials = Arc::new(assumed.credentials);
        let mut roles = self.roles.lock().unwrap_or_else(PoisonError::into_inner);
        roles.insert(
            role_arn.to_owned(),
            (credentials.clone(), assumed.expiration),
        );
        credentials
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// The shape of STS's documented `AssumeRole` example answer.
    const ANSWER: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>AQoDYXdzEPT//////////wEXAMPLE+a&amp;b=</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>"#;

    fn assumed(id: &str, expiration: OffsetDateTime) -> Assumed {
        Assumed {
            credentials: Credentials {
                access_key_id: id.into(),
                secret_access_key: "secret".into(),
                session_token: Some("token".into()),
            },
            expiration,
        }
    }

    #[test]
    fn the_request_body_is_the_query_protocol_form() {
        assert_eq!(
            request_body("arn:aws:iam::123456789012:role/apigw", "turnpike"),
            "Action=AssumeRole&Version=2011-06-15\
             &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fapigw&RoleSessionName=turnpike"
        );
    }

    #[test]
    fn reads_the_credentials_of_an_answer() {
        let assumed = parse_response(200, ANSWER).unwrap();
        assert_eq!(assumed.credentials.access_key_id, "ASIAIOSFODNN7EXAMPLE");
        assert_eq!(
            assumed.credentials.secret_access_key,
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
        );
        assert_eq!(
            assumed.credentials.session_token.as_deref(),
            Some("AQoDYXdzEPT//////////wEXAMPLE+a&b=")
        );
        assert_eq!(assumed.expiration, datetime!(2019-11-09 13:34:41 UTC));
    }

    #[test]
    fn reads_an_error_answer() {
        let body = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: arn:aws:iam::123456789012:user/gw is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/apigw &amp; more</Message>
  </Error>
  <RequestId>4b2bdd2b-0d4a-4a8c-9e1f-0123456789ab</RequestId>
</ErrorResponse>"#;
        let error = parse_response(403, body).unwrap_err();
        assert_eq!(
            error,
            StsError::Service {
                status: 403,
                code: "AccessDenied".into(),
                message: "User: arn:aws:iam::123456789012:user/gw is not authorized to perform: \
                          sts:AssumeRole on resource: arn:aws:iam::123456789012:role/apigw & more"
                    .into(),
            }
        );
        assert_eq!(
            error.to_string(),
            "STS answered 403 AccessDenied: User: arn:aws:iam::123456789012:user/gw is not \
             authorized to perform: sts:AssumeRole on resource: \
             arn:aws:iam::123456789012:role/apigw & more"
        );
        assert_eq!(
            parse_response(502, "<html>bad gateway</html>").unwrap_err(),
            StsError::Unreadable {
                status: 502,
                reason: "no STS error in its body"
            }
        );
        assert_eq!(
            parse_response(200, "<AssumeRoleResponse/>")
                .unwrap_err()
                .to_string(),
            "STS answered 200 with no Credentials"
        );
        let no_token = ANSWER.replace(
            "<SessionToken>AQoDYXdzEPT//////////wEXAMPLE+a&amp;b=</SessionToken>",
            "",
        );
        assert_eq!(
            parse_response(200, &no_token).unwrap_err(),
            StsError::Unreadable {
                status: 200,
                reason: "incomplete Credentials"
            }
        );
        let bad_time = ANSWER.replace("2019-11-09T13:34:41Z", "tomorrow");
        assert_eq!(
            parse_response(200, &bad_time).unwrap_err(),
            StsError::Unreadable {
                status: 200,
                reason: "no readable Expiration"
            }
        );
    }

    #[test]
    fn timestamps_with_fractions_and_offsets() {
        assert_eq!(
            parse_timestamp("2026-11-26T06:39:39.927151Z"),
            Some(datetime!(2026-11-26 06:39:39.927151 UTC))
        );
        assert_eq!(
            parse_timestamp("2026-11-26T06:39:39+00:00"),
            Some(datetime!(2026-11-26 06:39:39 UTC))
        );
        assert_eq!(parse_timestamp("2026-11-26T06:39:39"), None);
        assert_eq!(parse_timestamp("2026-13-26T06:39:39Z"), None);
        assert_eq!(parse_timestamp("2026-11-26T06:39:39.x1Z"), None);
    }

    #[test]
    fn unescapes_references() {
        assert_eq!(unescape("a&lt;b&gt;&quot;&apos;&#65;&#x42;"), "a<b>\"'AB");
        assert_eq!(unescape("x & y; &bogus; z"), "x & y; &bogus; z");
    }

    #[test]
    fn cached_credentials_are_used_until_five_minutes_before_expiry() {
        let cache = RoleCache::new();
        let role = "arn:aws:iam::123456789012:role/apigw";
        let expiration = datetime!(2026-11-26 07:00:00 UTC);
        assert_eq!(cache.get(role, datetime!(2026-11-26 06:00:00 UTC)), None);
        let kept = cache.insert(role, assumed("ASIAFIRST", expiration));
        assert_eq!(kept.access_key_id, "ASIAFIRST");
        // Good until 06:55:00, exclusive; another role has nothing.
        let at = |t| cache.get(role, t).map(|c| c.access_key_id.clone());
        assert_eq!(
            at(datetime!(2026-11-26 06:54:59 UTC)).as_deref(),
            Some("ASIAFIRST")
        );
        assert_eq!(at(datetime!(2026-11-26 06:55:00 UTC)), None);
        assert_eq!(at(datetime!(2026-11-26 07:30:00 UTC)), None);
        assert_eq!(
            cache.get(
                "arn:aws:iam::123456789012:role/other",
                datetime!(2026-11-26 06:00:00 UTC)
            ),
            None
        );
        // Refreshed credentials replace the old ones.
        cache.insert(
            role,
            assumed("ASIASECOND", datetime!(2026-11-26 08:00:00 UTC)),
        );
        assert_eq!(
            at(datetime!(2026-11-26 07:30:00 UTC)).as_deref(),
            Some("ASIASECOND")
        );
    }
}
