//! SigV4 presigned (query-string) requests with temporary credentials through `turnpike serve`:
//! botocore's `SigV4QueryAuth` signs URLs with an access key, secret and session token that
//! `--credentials` names; the valid URL passes and names the caller in `$context.identity`, and
//! tampered, incomplete, wrongly tokened, expired and not-yet-valid ones get AWS's exact 403s.

use crate::auth_tokens::sigv4;
use crate::support;

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;
use sigv4::{assert_mismatch, botocore_sign, sha256_hex, with_last_line, Signer, ToSign};
use support::fixture::TempDir;
use support::{assert_gateway_response, Req, Turnpike};

const ACCESS_KEY: &str = "ASIATURNPIKESESSION1";
const SECRET: &str = "sEsSiOnSeCrEt/K7MDENG+bPxRfiCYTURNPIKEKEY";
/// Characters a query string must encode (`/`, `+`, `=`), as real session tokens have.
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjE/turnpike+session/token==";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `YYYYMMDDTHHMMSSZ` of `seconds` since the epoch (days to civil date: Howard Hinnant's
/// algorithm).
fn amz_date(seconds: u64) -> String {
    let days = i64::try_from(seconds / 86_400).unwrap() + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let time = seconds % 86_400;
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

/// A REST API whose `/iam` method needs IAM and answers the caller's identity, served with a
/// credentials file holding temporary credentials.
fn serve(dir: &TempDir) -> Turnpike {
    let doc = dir.write(
        "rest.yaml",
        r#"openapi: 3.0.1
info: {title: Presigned, version: "1"}
components:
  securitySchemes:
    sigv4:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: awsSigv4
paths:
  /iam:
    get:
      security: [{sigv4: []}]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"accessKey": "$context.identity.accessKey", "accountId": "$context.identity.accountId", "userArn": "$context.identity.userArn"}'
"#,
    );
    let credentials = dir.write(
        "credentials",
        &format!(
            "[ci-session]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET}\n\
             aws_session_token = {SESSION_TOKEN}\naws_account_id = 210987654321\n"
        ),
    );
    Turnpike::serve_args(&[
        doc.to_str().unwrap(),
        "--credentials",
        credentials.to_str().unwrap(),
    ])
}

fn presign(tp: &Turnpike, path_and_query: &str, signed_at: Option<u64>) -> sigv4::Signed {
    let signer = Signer {
        access_key: ACCESS_KEY,
        secret: SECRET,
        token: Some(SESSION_TOKEN),
    };
    let request = ToSign {
        method: "GET",
        path_and_query,
        body: "",
        presign_expires: Some(300),
        signed_at,
    };
    botocore_sign(&format!("http://{}", tp.addr), &signer, &[request])
        .pop()
        .unwrap()
}

/// The value of query parameter `name` in `path_and_query`, as sent (encoded).
fn query_param<'a>(path_and_query: &'a str, name: &str) -> &'a str {
    path_and_query
        .split_once('?')
        .unwrap()
        .1
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_urls_with_a_session_token_pass_and_altered_ones_get_aws_403s() {
    let dir = TempDir::new();
    let tp = serve(&dir);
    let signed = presign(&tp, "/dev/iam?color=blue", None);
    let url = signed.path_and_query.as_str();
    assert_eq!(
        query_param(url, "X-Amz-Security-Token"),
        "IQoJb3JpZ2luX2VjE%2Fturnpike%2Bsession%2Ftoken%3D%3D"
    );
    assert_eq!(query_param(url, "X-Amz-Expires"), "300");

    let reply = signed.request("").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.json(),
        json!({"accessKey": ACCESS_KEY, "accountId": "210987654321",
               "userArn": "arn:aws:iam::210987654321:user/ci-session"})
    );

    // A parameter changed after signing: the gateway's canonical request has the new value.
    let reply = signed
        .request_to(&url.replace("color=blue", "color=green"), "")
        .send(tp.addr)
        .await;
    let canonical = signed
        .canonical_request
        .replace("color=blue", "color=green");
    let string_to_sign = with_last_line(&signed.string_to_sign, &sha256_hex(canonical.as_bytes()));
    assert_mismatch(&reply, &canonical, &string_to_sign);

    // Another session token, or none: the temporary credentials are not recognised.
    let token = query_param(url, "X-Amz-Security-Token");
    let other_token = url.replace(token, "IQoJb3JpZ2luX2VjEotherToken");
    let no_token = url.replace(&format!("&X-Amz-Security-Token={token}"), "");
    assert_ne!(no_token, url);
    for path_and_query in [other_token, no_token] {
        let reply = Req::get(&path_and_query).send(tp.addr).await;
        assert_gateway_response(
            &reply,
            403,
            r#"{"message":"The security token included in the request is invalid."}"#,
            Some("UnrecognizedClientException"),
        );
    }

    // Required parameters missing, each named, in AWS's order.
    let signature = query_param(url, "X-Amz-Signature");
    let date = query_param(url, "X-Amz-Date");
    let incomplete = url
        .replace(&format!("X-Amz-Signature={signature}"), "")
        .replace(&format!("X-Amz-Date={date}"), "");
    let reply = Req::get(&incomplete).send(tp.addr).await;
    assert_gateway_response(
        &reply,
        403,
        r#"{"message":"AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."}"#,
        Some("IncompleteSignatureException"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_urls_are_refused_after_they_expire_and_before_they_are_signed() {
    let dir = TempDir::new();
    let tp = serve(&dir);
    let started = now();
    // Signed ten minutes ago for five minutes: expired five minutes ago.
    let expired = presign(&tp, "/dev/iam", Some(started - 600));
    // Signed for ten minutes from now: beyond the five minutes of clock skew allowed.
    let early = presign(&tp, "/dev/iam", Some(started + 600));
    assert_eq!(
        query_param(&expired.path_and_query, "X-Amz-Date"),
        amz_date(started - 600)
    );

    assert_clock_refusal(&tp, &expired, |signed_at, at| {
        format!(
            "Signature expired: {signed_at} is now earlier than {} ({} - 5 min.)",
            amz_date(at - 300),
            amz_date(at)
        )
    })
    .await;
    assert_clock_refusal(&tp, &early, |signed_at, at| {
        format!(
            "Signature not yet current: {signed_at} is still later than {} ({} + 5 min.)",
            amz_date(at + 300),
            amz_date(at)
        )
    })
    .await;
}

/// Sends `signed` and asserts AWS's 403 for a signature outside its time window, whose message
/// `text(X-Amz-Date, now)` names the gateway's clock (read while the request was in flight).
async fn assert_clock_refusal(
    tp: &Turnpike,
    signed: &sigv4::Signed,
    text: impl Fn(&str, u64) -> String,
) {
    let signed_at = query_param(&signed.path_and_query, "X-Amz-Date");
    let before = now();
    let reply = signed.request("").send(tp.addr).await;
    let after = now();
    let expected: Vec<String> = (before..=after)
        .map(|at| json!({ "message": text(signed_at, at) }).to_string())
        .collect();
    assert_eq!(reply.status, 403, "{reply:?}");
    assert!(
        expected.contains(&reply.text()),
        "{reply:?} not in {expected:?}"
    );
    assert_eq!(
        reply.header(support::ERROR_TYPE),
        Some("InvalidSignatureException")
    );
}
