//! Java string semantics: UTF-16 indexes, `String.split`, and `Matcher` replacement strings.

/// `String.length()`: UTF-16 code units.
pub(crate) fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `String.substring(begin, end)` in UTF-16 units (callers check bounds).
pub(crate) fn utf16_slice(s: &str, begin: usize, end: usize) -> String {
    let units: Vec<u16> = s
        .encode_utf16()
        .skip(begin)
        .take(end.saturating_sub(begin))
        .collect();
    String::from_utf16_lossy(&units)
}

/// Converts a byte offset into `s` to a UTF-16 index.
fn utf16_index(s: &str, byte: usize) -> usize {
    s.get(..byte).map_or(0, utf16_len)
}

/// Converts a UTF-16 index into a byte offset (clamped to the end).
fn byte_index(s: &str, units: usize) -> usize {
    let mut count = 0;
    for (byte, c) in s.char_indices() {
        if count >= units {
            return byte;
        }
        count += c.len_utf16();
    }
    s.len()
}

/// `String.indexOf(needle, from)` in UTF-16 units.
pub(crate) fn utf16_find(s: &str, needle: &str, from: usize) -> Option<usize> {
    let start = byte_index(s, from);
    s.get(start..)?
        .find(needle)
        .map(|i| utf16_index(s, start + i))
}

/// `String.lastIndexOf(needle)` in UTF-16 units.
pub(crate) fn utf16_rfind(s: &str, needle: &str) -> Option<usize> {
    s.rfind(needle).map(|i| utf16_index(s, i))
}

/// `String.split(regex, limit)`: no leading empty piece for a zero-width match at the start;
/// trailing empty pieces dropped when `limit` is 0.
pub(crate) fn java_split(s: &str, re: &regex::Regex, limit: i32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut index = 0;
    let mut matched = false;
    for m in re.find_iter(s) {
        if limit > 0 && pieces.len() as i64 == i64::from(limit) - 1 {
            break;
        }
        if m.end() == 0 {
            continue;
        }
        matched = true;
        pieces.push(s.get(index..m.start()).unwrap_or("").to_string());
        index = m.end();
    }
    if !matched {
        return vec![s.to_string()];
    }
    pieces.push(s.get(index..).unwrap_or("").to_string());
    if limit == 0 {
        while pieces.last().is_some_and(String::is_empty) {
            pieces.pop();
        }
    }
    pieces
}

/// Translates a Java replacement string (`$1`, `${name}`, `\$`) to the regex crate's syntax.
pub(crate) fn java_replacement(replacement: &str) -> Result<String, String> {
    let mut out = String::with_capacity(replacement.len());
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(other) => out.push(other),
                None => return Err("character to be escaped is missing in the replacement".into()),
            },
            '$' => match chars.peek() {
                Some(d) if d.is_ascii_digit() => {
                    let mut group = String::new();
                    while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                        group.push(*d);
                        chars.next();
                    }
                    out.push_str(&format!("${{{group}}}"));
                }
                Some('{') => {
                    chars.next();
                    let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    out.push_str(&format!("${{{name}}}"));
                }
                _ => return Err("illegal group reference in the replacement".into()),
            },
            other => out.push(other),
        }
    }
    Ok(out)
}
