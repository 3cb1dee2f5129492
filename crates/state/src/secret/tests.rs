use super::*;

#[test]
fn generated_values_are_40_alphanumerics_and_differ() {
    let a = new_value().unwrap();
    let b = new_value().unwrap();
    assert_eq!(a.len(), 40);
    assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(a, b);
}

#[test]
fn ids_are_10_lowercase_alphanumerics() {
    let id = new_id().unwrap();
    assert_eq!(id.len(), 10);
    assert!(id
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
}

#[test]
fn hash_is_sha256_hex() {
    assert_eq!(
        hash_value("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn short_values_are_refused_with_aws_message() {
    let err = check_value("only19characters...").unwrap_err();
    assert_eq!(
        err.to_string(),
        "API Key value should be at least 20 characters"
    );
    check_value("exactly20characters!").unwrap();
    check_value(&"x".repeat(128)).unwrap();
    assert_eq!(
        check_value(&"x".repeat(129)).unwrap_err().to_string(),
        "API Key value exceeds maximum size of 128 characters"
    );
    assert_eq!(value_prefix("abcdefgh"), "abcde");
}
