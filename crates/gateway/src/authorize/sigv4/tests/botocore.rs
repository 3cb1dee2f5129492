//! Requests botocore signed pass, with the caller's identity, and the canonical request built
//! here is byte for byte the one botocore built.

use super::*;

fn verify(signed: &Signed) -> Result<CallerIdentity, SigV4Rejection> {
    verifier().verify(
        &signed.request(),
        signed_at(signed) + Duration::from_secs(30),
    )
}

#[test]
fn get_with_encoded_path_and_repeated_query_verifies() {
    let signed = sign_one(ToSign::get(
        "/prod/items/a%2Fb/caf%C3%A9?q=hello%20world&b=2&a=1&a=0",
    ));
    assert_eq!(
        verify(&signed),
        Ok(CallerIdentity {
            access_key: ACCESS_KEY.to_owned(),
            account_id: "123456789012".to_owned(),
            caller: ACCESS_KEY.to_owned(),
            user: ACCESS_KEY.to_owned(),
            user_arn: "arn:aws:iam::123456789012:user/default".to_owned(),
        })
    );
    // The path is encoded again (`%2F` → `%252F`), as AWS does for execute-api.
    assert!(signed
        .canonical_request
        .starts_with("GET\n/prod/items/a%252Fb/caf%25C3%25A9\n"));
}

#[test]
fn post_with_body_and_content_type_verifies() {
    let signed = sign_one(ToSign {
        method: "POST",
        path_and_query: "/prod/orders",
        headers: json!({"Content-Type": "application/json", "X-Custom": "  a   b  "}),
        body: r#"{"item": "book", "qty": 2}"#,
        presign_expires: None,
    });
    assert!(verify(&signed).is_ok());
}

#[test]
fn temporary_credentials_need_their_session_token() {
    let mut signed = botocore_sign(
        (TEMP_KEY, TEMP_SECRET, Some(TOKEN)),
        &[ToSign::get("/prod/me")],
    )
    .remove(0);
    let identity = verify(&signed).unwrap();
    assert_eq!(identity.access_key, TEMP_KEY);
    assert_eq!(identity.account_id, "000000000000");
    assert_eq!(identity.user_arn, "arn:aws:iam::000000000000:user/session");

    signed.headers.remove("x-amz-security-token");
    assert_eq!(verify(&signed), Err(SigV4Rejection::InvalidToken));
    signed.set_header("x-amz-security-token", "another-token");
    assert_eq!(verify(&signed), Err(SigV4Rejection::InvalidToken));
    // Long-term credentials must not carry one.
    let mut long_term = sign_one(ToSign::get("/prod/me"));
    long_term.set_header("x-amz-security-token", TOKEN);
    assert_eq!(verify(&long_term), Err(SigV4Rejection::InvalidToken));
}

#[test]
fn presigned_urls_verify_until_they_expire() {
    let signed = botocore_sign(
        (TEMP_KEY, TEMP_SECRET, Some(TOKEN)),
        &[ToSign {
            presign_expires: Some(300),
            ..ToSign::get("/prod/report?format=csv")
        }],
    )
    .remove(0);
    assert!(signed.query.contains("X-Amz-Signature="));
    let at = signed_at(&signed);
    let verifier = verifier();
    assert!(verifier
        .verify(&signed.request(), at + Duration::from_secs(299))
        .is_ok());
    let date = parse::format_date(unix(at));
    let later = at + Duration::from_secs(301);
    assert_eq!(
        verifier.verify(&signed.request(), later),
        Err(SigV4Rejection::Expired(format!(
            "Signature expired: {date} is now earlier than {} ({} - 5 min.)",
            parse::format_date(unix(later) - 300),
            parse::format_date(unix(later))
        )))
    );
}

/// API Gateway ignores `X-Amz-Expires`: a presigned URL lives five minutes whatever it asks for,
/// and expires with the five-minute message (https://stackoverflow.com/questions/66961500).
#[test]
fn presigned_urls_get_five_minutes_whatever_their_expires() {
    let verifier = verifier();
    for expires in [60, 3600] {
        let signed = botocore_sign(
            (TEMP_KEY, TEMP_SECRET, Some(TOKEN)),
            &[ToSign {
                presign_expires: Some(expires),
                ..ToSign::get("/prod/report")
            }],
        )
        .remove(0);
        assert!(signed.query.contains(&format!("X-Amz-Expires={expires}")));
        let at = signed_at(&signed);
        assert!(verifier
            .verify(&signed.request(), at + Duration::from_secs(299))
            .is_ok());
        let date = parse::format_date(unix(at));
        let later = at + Duration::from_secs(301);
        assert_eq!(
            verifier.verify(&signed.request(), later),
            Err(SigV4Rejection::Expired(format!(
                "Signature expired: {date} is now earlier than {} ({} - 5 min.)",
                parse::format_date(unix(later) - 300),
                parse::format_date(unix(later))
            )))
        );
    }
}

#[test]
fn a_wrong_secret_reports_the_canonical_request_botocore_built() {
    for signed in [
        sign_one(ToSign::get("/prod/items/a%2Fb?q=hello%20world&b=2&a=1&a=0")),
        sign_one(ToSign {
            method: "PUT",
            path_and_query: "/prod/./x//y/../z/",
            headers: json!({"Content-Type": "text/plain"}),
            body: "hello",
            presign_expires: None,
        }),
        sign_one(ToSign {
            presign_expires: Some(60),
            ..ToSign::get("/prod/q?x=%2a&y=~")
        }),
    ] {
        let wrong = SigV4Verifier::new(
            Credentials::parse(
                "wrong",
                &format!(
                "[default]\naws_access_key_id={ACCESS_KEY}\naws_secret_access_key=not-the-secret\n"
            ),
            )
            .unwrap(),
        );
        let rejection = wrong
            .verify(&signed.request(), signed_at(&signed))
            .unwrap_err();
        assert_eq!(
            rejection,
            SigV4Rejection::Mismatch {
                canonical_request: signed.canonical_request.clone(),
                string_to_sign: signed.string_to_sign.clone(),
            }
        );
    }
}

pub(super) fn unix(at: SystemTime) -> i64 {
    i64::try_from(at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()).unwrap()
}
