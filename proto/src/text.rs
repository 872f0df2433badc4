//! Text and wire-level helpers every layer uses: how text from a peer is shown in
//! errors and logs, and how base64 content is read.

/// Text from the message, for errors and logs: at most 256 characters, control
/// characters escaped, so a message cannot forge log lines or grow them without bound.
pub fn peer_text(s: &str) -> String {
    const MAX: usize = 256;
    let mut out = String::with_capacity(s.len().min(MAX + 8));
    for (n, c) in s.chars().enumerate() {
        if n == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Names an element for messages as the message spells it (`prefix:local`), bounded.
pub(crate) fn element_name(doc: &crate::xml::Document<'_>, e: crate::xml::Element) -> String {
    let p = doc.prefix(e);
    if p.is_empty() {
        peer_text(doc.local_name(e))
    } else {
        peer_text(&format!("{p}:{}", doc.local_name(e)))
    }
}

/// Why base64 content could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base64Error {
    /// More than the caller's bound of base64 characters (checked before decoding).
    TooLong,
    /// Not standard base64 with padding.
    NotBase64,
}

/// Base64 content as XML carries it — white space anywhere (XML Signature and WS-Trust
/// fold it), the standard alphabet with padding — at most `max_chars` characters once
/// the white space is taken out. The one reader of base64 in messages.
pub(crate) fn base64_in_xml(text: &str, max_chars: usize) -> Result<Vec<u8>, Base64Error> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let decode = |compact: &[u8]| {
        if compact.len() > max_chars {
            return Err(Base64Error::TooLong);
        }
        b64.decode(compact).map_err(|_| Base64Error::NotBase64)
    };
    if !text.bytes().any(|b| b.is_ascii_whitespace()) {
        return decode(text.as_bytes());
    }
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    decode(&compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_in_xml_takes_folded_text_and_bounds_it() {
        assert_eq!(base64_in_xml("AQID", 8), Ok(vec![1, 2, 3]));
        assert_eq!(base64_in_xml(" AQ\n\tID ", 8), Ok(vec![1, 2, 3]));
        assert_eq!(base64_in_xml("AQIDBA==", 4), Err(Base64Error::TooLong));
        assert_eq!(base64_in_xml("AQI*", 8), Err(Base64Error::NotBase64));
    }
}
