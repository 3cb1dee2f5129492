//! `$util`: API Gateway's helper functions, with the Java behaviour they are built on
//! (commons-lang `escapeJavaScript`, `URLEncoder`/`URLDecoder` in UTF-8, standard Base64).

use base64::Engine;
use percent_encoding::percent_decode;

use crate::value::Value;

/// `$util.name(args)`.
pub(crate) fn call(name: &str, args: &[Value]) -> Result<Value, String> {
    let [arg] = args else { return Ok(Value::Null) };
    let Some(text) = arg.java_string() else {
        return Ok(Value::Null);
    };
    Ok(match name {
        "escapeJavaScript" => Value::string(escape_javascript(&text)),
        "parseJson" => {
            let json: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("$util.parseJson: invalid JSON: {e}"))?;
            Value::from_json(&json)
        }
        "urlEncode" => Value::string(url_encode(&text)),
        "urlDecode" => Value::string(url_decode(&text)?),
        "base64Encode" => {
            Value::string(base64::engine::general_purpose::STANDARD.encode(text.as_bytes()))
        }
        "base64Decode" => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.trim().as_bytes())
                .map_err(|e| format!("$util.base64Decode: {e}"))?;
            Value::string(String::from_utf8_lossy(&bytes).into_owned())
        }
        _ => Value::Null,
    })
}

/// commons-lang 2 `StringEscapeUtils.escapeJavaScript`: quotes, backslash and `/` escaped,
/// control characters as `\b \t \n \f \r` or `\u00XX`, non-ASCII as `\uXXXX` per UTF-16 unit.
pub fn escape_javascript(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for unit in s.encode_utf16() {
        match unit {
            0x08 => out.push_str("\\b"),
            0x09 => out.push_str("\\t"),
            0x0a => out.push_str("\\n"),
            0x0c => out.push_str("\\f"),
            0x0d => out.push_str("\\r"),
            0x22 => out.push_str("\\\""),
            0x27 => out.push_str("\\'"),
            0x2f => out.push_str("\\/"),
            0x5c => out.push_str("\\\\"),
            u if !(0x20..=0x7f).contains(&u) => out.push_str(&format!("\\u{u:04X}")),
            u => out.push(char::from(u as u8)),
        }
    }
    out
}

/// `URLEncoder.encode(s, "UTF-8")`: letters, digits and `.-*_` kept, space as `+`.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `URLDecoder.decode(s, "UTF-8")`: `+` as space, `%XX` as bytes; a malformed escape is an error.
pub fn url_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(pos) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|b| *b == b'%'))
    {
        let at = i + pos;
        let hex = bytes
            .get(at + 1..at + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        if hex.is_none() {
            return Err(format!("$util.urlDecode: illegal escape at index {at}"));
        }
        i = at + 3;
    }
    let plus_as_space = s.replace('+', " ");
    Ok(percent_decode(plus_as_space.as_bytes())
        .decode_utf8_lossy()
        .into_owned())
}
