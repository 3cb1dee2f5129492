//! Each refusal with AWS's exact status, message and error type.

use super::botocore::unix;
use super::*;

const MISMATCH_PREFIX: &str = "The request signature we calculated does not match the signature \
     you provided. Check your AWS Secret Access Key and signing method. Consult the service \
     documentation for details.\n\nThe Canonical String for this request should have been\n'";

fn mismatch_of(signed: &Signed) -> SigV4Rejection {
    verifier()
        .verify(&signed.request(), signed_at(signed))
        .unwrap_err()
}

#[test]
fn no_signature_is_missing_authentication_token() {
    let headers = HeaderMap::new();
    let request = SignedRequest {
        method: "GET",
        raw_path: "/prod/items",
        raw_query: "a=1",
        headers: &headers,
        body: b"",
    };
    let rejection = verifier().verify(&request, SystemTime::now()).unwrap_err();
    assert_eq!(rejection, SigV4Rejection::Missing);
    assert_eq!(
        body(&rejection),
        r#"{"message":"Missing Authentication Token"}"#
    );
    assert_eq!(rejection.status(), 403);
    assert_eq!(
        rejection.error_type(),
        "MissingAuthenticationTokenException"
    );
}

#[test]
fn tampering_with_any_signed_part_is_a_mismatch_with_aws_message() {
    let original = sign_one(ToSign {
        method: "POST",
        path_and_query: "/prod/orders?id=1",
        headers: json!({"Content-Type": "application/json"}),
        body: r#"{"qty":1}"#,
        presign_expires: None,
    });
    let date = original.headers["x-amz-date"].to_str().unwrap().to_owned();
    let token_free_headers =
        format!("content-type:application/json\nhost:{HOST}\nx-amz-date:{date}\n");

    let mut path = original.clone();
    path.path = "/prod/admin".to_owned();
    let canonical = format!(
        "POST\n/prod/admin\nid=1\n{token_free_headers}\ncontent-type;host;x-amz-date\n{}",
        canonical::sha256_hex(br#"{"qty":1}"#)
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{}/us-east-1/execute-api/aws4_request\n{}",
        &date[..8],
        canonical::sha256_hex(canonical.as_bytes())
    );
    let rejection = mismatch_of(&path);
    assert_eq!(
        body(&rejection),
        json!({"message": format!("{MISMATCH_PREFIX}{canonical}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n")})
            .to_string()
    );
    assert_eq!(rejection.error_type(), "InvalidSignatureException");

    let mut method = original.clone();
    method.method = "DELETE".to_owned();
    let mut query = original.clone();
    query.query = "id=2".to_owned();
    let mut header = original.clone();
    header.set_header("content-type", "text/plain");
    let mut body_changed = original.clone();
    body_changed.body = br#"{"qty":1000}"#.to_vec();
    let mut unsigned_payload = body_changed.clone();
    unsigned_payload.set_header("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    for (what, tampered) in [
        ("method", method),
        ("query", query),
        ("header", header),
        ("body", body_changed),
        ("unsigned payload", unsigned_payload),
    ] {
        match mismatch_of(&tampered) {
            SigV4Rejection::Mismatch {
                canonical_request, ..
            } => {
                assert_ne!(canonical_request, original.canonical_request, "{what}")
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[test]
fn an_unknown_access_key_is_an_invalid_security_token() {
    let signed = botocore_sign(("AKIDUNKNOWN", SECRET, None), &[ToSign::get("/prod/x")]).remove(0);
    let rejection = mismatch_of(&signed);
    assert_eq!(rejection, SigV4Rejection::InvalidToken);
    assert_eq!(
        body(&rejection),
        r#"{"message":"The security token included in the request is invalid."}"#
    );
    assert_eq!(rejection.error_type(), "UnrecognizedClientException");
}

#[test]
fn a_date_more_than_five_minutes_off_is_refused() {
    let signed = sign_one(ToSign::get("/prod/x"));
    let at = signed_at(&signed);
    let date = parse::format_date(unix(at));
    let verifier = verifier();
    assert!(verifier
        .verify(&signed.request(), at + Duration::from_secs(299))
        .is_ok());
    assert!(verifier
        .verify(&signed.request(), at - Duration::from_secs(299))
        .is_ok());

    let late = at + Duration::from_secs(6 * 60);
    let rejection = verifier.verify(&signed.request(), late).unwrap_err();
    assert_eq!(
        body(&rejection),
        json!({"message": format!(
            "Signature expired: {date} is now earlier than {} ({} - 5 min.)",
            parse::format_date(unix(late) - 300),
            parse::format_date(unix(late))
        )})
        .to_string()
    );
    let early = at - Duration::from_secs(6 * 60);
    assert_eq!(
        verifier.verify(&signed.request(), early),
        Err(SigV4Rejection::Expired(format!(
            "Signature not yet current: {date} is still later than {} ({} + 5 min.)",
            parse::format_date(unix(early) + 300),
            parse::format_date(unix(early))
        )))
    );
}

#[test]
fn malformed_authorization_headers_get_aws_messages() {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static(HOST));
    let cases = [
        (
            "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig",
            None,
            "'eyJhbGciOiJSUzI1NiJ9.e30.sig' not a valid key=value pair (missing equal-sign) in \
             Authorization header: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig'.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request",
            None,
            "Authorization header requires 'Signature' parameter. Authorization header requires \
             'SignedHeaders' parameter. Authorization header requires existence of either a \
             'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 \
             Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=, SignedHeaders=host;x-amz-date, Signature=",
            Some("20260101T000000Z"),
            "Authorization header requires 'Credential' parameter. Authorization header requires \
             'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=, \
             SignedHeaders=host;x-amz-date, Signature=",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=00",
            Some("20260101T000000Z"),
            "Credential should be scoped to correct service: 'execute-api'. ",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/execute-api/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=00",
            Some("20260101T000000Z"),
            "Credential should be scoped to a valid region, not 'eu-west-1'. ",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/es/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=00",
            Some("20260101T000000Z"),
            "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be \
             scoped to correct service: 'execute-api'. ",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-east-1/execute-api/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=00",
            Some("20260101T000000Z"),
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from \
             HTTP: '20260102' != '20260101', from '20260101T000000Z'.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request, \
             SignedHeaders=x-amz-date, Signature=00",
            Some("20260101T000000Z"),
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ),
    ];
    for (authorization, date, message) in cases {
        let mut headers = headers.clone();
        headers.insert(
            "authorization",
            HeaderValue::from_str(authorization).unwrap(),
        );
        if let Some(date) = date {
            headers.insert("x-amz-date", HeaderValue::from_str(date).unwrap());
        }
        let request = SignedRequest {
            method: "GET",
            raw_path: "/prod/x",
            raw_query: "",
            headers: &headers,
            body: b"",
        };
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01
        let rejection = verifier().verify(&request, now).unwrap_err();
        assert_eq!(
            rejection,
            SigV4Rejection::Incomplete(message.to_owned()),
            "{authorization}"
        );
        assert_eq!(rejection.error_type(), "IncompleteSignatureException");
    }
}

#[test]
fn an_incomplete_presigned_query_is_refused() {
    let headers = HeaderMap::new();
    let request = SignedRequest {
        method: "GET",
        raw_path: "/prod/x",
        raw_query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00&X-Amz-Date=",
        headers: &headers,
        body: b"",
    };
    assert_eq!(
        verifier().verify(&request, SystemTime::now()),
        Err(SigV4Rejection::Incomplete(
            "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string \
             parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must \
             include 'X-Amz-Date'. Re-examine the query-string parameters."
                .to_owned()
        ))
    );
}

#[test]
fn canonical_uri_removes_dot_segments_and_encodes_again() {
    assert_eq!(canonical::canonical_uri(""), "/");
    assert_eq!(canonical::canonical_uri("/"), "/");
    assert_eq!(canonical::canonical_uri("/a/./b/../c//d/"), "/a/c/d/");
    assert_eq!(
        canonical::canonical_uri("/a%20b/%2e%2e/c"),
        "/a%2520b/%252e%252e/c"
    );
    assert_eq!(canonical::canonical_uri("/~user/x y"), "/~user/x%20y");
}

#[test]
fn canonical_query_decodes_reencodes_and_sorts() {
    assert_eq!(
        canonical::canonical_query(
            "b=2&a=%7e&a=1&c&X-Amz-Signature=ff&sp=a%20b+c",
            Some("X-Amz-Signature")
        ),
        "a=1&a=~&b=2&c=&sp=a%20b%2Bc"
    );
}

#[test]
fn credentials_files_are_read_with_errors_located() {
    let credentials = credentials();
    assert_eq!(credentials.len(), 2);
    let session = credentials.get(TEMP_KEY).unwrap();
    assert_eq!(session.name, "session");
    assert_eq!(session.session_token.as_deref(), Some(TOKEN));
    assert!(credentials.get("AKIDUNKNOWN").is_none());

    assert_eq!(
        Credentials::parse("creds", "[a]\naws_access_key_id = X\n").unwrap_err(),
        CredentialsError::Missing {
            path: "creds".into(),
            profile: "a".into(),
            key: "aws_secret_access_key"
        }
    );
    assert_eq!(
        Credentials::parse("creds", "[a]\nnot a pair\n").unwrap_err(),
        CredentialsError::Syntax {
            path: "creds".into(),
            line: 2
        }
    );
    assert_eq!(
        Credentials::parse(
            "creds",
            "[a]\naws_access_key_id=X\naws_secret_access_key=1\n[b]\naws_access_key_id=X\naws_secret_access_key=2\n"
        )
        .unwrap_err(),
        CredentialsError::Duplicate { path: "creds".into(), access_key: "X".into() }
    );
    let dir = std::env::temp_dir().join(format!("turnpike-creds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("credentials");
    std::fs::write(
        &path,
        "[profile ci]\naws_access_key_id=K\naws_secret_access_key=S\nregion=eu-west-1\n",
    )
    .unwrap();
    let loaded = Credentials::load(&path).unwrap();
    assert_eq!(loaded.get("K").map(|p| p.name.as_str()), Some("ci"));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(
        Credentials::load(&path),
        Err(CredentialsError::Read { .. })
    ));
}

#[test]
fn rejections_render_through_the_gateway_response() {
    let missing = SigV4Rejection::Missing.gateway_error();
    assert_eq!(
        missing.kind,
        turnpike_model::GatewayResponseType::MissingAuthenticationToken
    );
    assert_eq!(missing.message, "Missing Authentication Token");
    let invalid = SigV4Rejection::InvalidToken.gateway_error();
    assert_eq!(
        invalid.kind,
        turnpike_model::GatewayResponseType::InvalidSignature
    );
    assert_eq!(
        invalid.message,
        "The security token included in the request is invalid."
    );
    assert_eq!(invalid.error_type, "UnrecognizedClientException");
}

#[test]
fn credentials_are_scoped_to_the_gateways_region() {
    let signed = sign_one(ToSign::get("/prod/x"));
    let eu = verifier().with_region("eu-west-1");
    assert_eq!(
        eu.verify(&signed.request(), signed_at(&signed)),
        Err(SigV4Rejection::Incomplete(
            "Credential should be scoped to a valid region, not 'us-east-1'. ".to_owned()
        ))
    );
}

#[test]
fn presigned_expiry_beyond_a_week_is_refused() {
    let mut signed = sign_one(ToSign {
        presign_expires: Some(60),
        ..ToSign::get("/prod/x")
    });
    signed.query = signed
        .query
        .replace("X-Amz-Expires=60", "X-Amz-Expires=604801");
    assert_eq!(
        verifier().verify(&signed.request(), signed_at(&signed)),
        Err(SigV4Rejection::Incomplete(
            "X-Amz-Expires must be less than a week (in seconds) that is 604800".to_owned()
        ))
    );
}
