//! Text and wire-level helpers every layer uses: how text from a peer is shown in
//! errors and logs.

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
