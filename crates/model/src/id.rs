//! Stable API ids.

/// API Gateway ids are ten lower-case alphanumerics. Ours are derived from the API title with FNV-1a
/// so the same file gets the same id (and the same local URLs) on every start.
pub fn api_id_from_title(title: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in title.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let mut id = String::with_capacity(10);
    for _ in 0..10 {
        id.push(char::from(ALPHABET[(hash % 36) as usize]));
        hash /= 36;
        // 36^10 needs about 52 bits; remix so the tail is not all zeros.
        hash ^= hash.rotate_left(29).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_shaped_like_aws() {
        let a = api_id_from_title("Pet Store");
        assert_eq!(a, api_id_from_title("Pet Store"));
        assert_ne!(a, api_id_from_title("Pet Store 2"));
        assert_eq!(a.len(), 10);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
    }
}
