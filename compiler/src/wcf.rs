//! WCF's vocabulary, mapped to this format's (issue 11): a WCF user moving a binding to
//! `binding.toml` writes WCF's names, and is told how the same thing is written here.
//! One table for keys, one for values, one reading of WCF timespans; the readers ask
//! here before they guess a "did you mean".

const SECURITY_MODE: &str = "WCF's security mode is written as bindings here: TransportWithMessageCredential is an ssl-transport binding plus a message binding (kind = \"security-context\", or kind = \"username\")";

/// WCF key names (compared without case, `-` or `_`) and how this format says it.
const KEYS: &[(&str, &str)] = &[
    ("mode", SECURITY_MODE),
    ("securitymode", SECURITY_MODE),
    (
        "establishsecuritycontext",
        "WCF's establishSecurityContext = true is a security binding with kind = \"security-context\", whose bootstrap holds the ssl-transport and username bindings",
    ),
    (
        "clientcredentialtype",
        "WCF's clientCredentialType = \"UserName\" is a username binding (kind = \"username\") in the security context's bootstrap",
    ),
    (
        "messageclientcredentialtype",
        "WCF's <message clientCredentialType=\"UserName\"/> is a username binding (kind = \"username\") in the security context's bootstrap",
    ),
    (
        "transportclientcredentialtype",
        "WCF's <transport clientCredentialType=\"…\"/> is a transport binding here: \"Basic\" is kind = \"http-header-auth\" with scheme = \"basic\", \"Certificate\" is require-client-certificate = true on the ssl-transport binding",
    ),
    (
        "negotiateservicecredential",
        "WCF's negotiateServiceCredential has no counterpart: with ssl-transport the service is authenticated by its TLS certificate",
    ),
    (
        "algorithmsuite",
        "WCF's algorithmSuite is algorithm-suite-name in the security description, e.g. \"basic256\"",
    ),
    (
        "sessionkeyrenewalinterval",
        "WCF's sessionKeyRenewalInterval is renewal-interval on the security-context binding, e.g. \"10h\"",
    ),
    (
        "sessionkeyrolloverinterval",
        "WCF's sessionKeyRolloverInterval is rollover-interval on the security-context binding, e.g. \"5m\"",
    ),
    (
        "maxclockskew",
        "WCF's maxClockSkew is max-allowed-clock-skew in the security description, e.g. \"5m\"",
    ),
    (
        "maxpendingsessions",
        "WCF's maxPendingSessions is max-pending-contexts on the security-context binding (a server's)",
    ),
    (
        "maxstatefulnegotiations",
        "WCF's maxStatefulNegotiations is max-pending-contexts on the security-context binding (a server's)",
    ),
    (
        "securityheaderlayout",
        "WCF's securityHeaderLayout is security-header-layout in the security description, e.g. \"strict\"",
    ),
    (
        "messagesecurityversion",
        "WCF's messageSecurityVersion is secure-conversation-version on the security-context binding (\"feb-2005\" or \"1.3\") and security-header-version in the security description",
    ),
];

/// Keys that hold credentials, which no description holds.
const CREDENTIALS: &[&str] = &[
    "username",
    "user",
    "password",
    "pwd",
    "passwd",
    "secret",
    "credential",
    "credentials",
    "certificate",
    "clientcertificate",
    "privatekey",
];

const CREDENTIAL_HINT: &str = "credentials are not written into the description: the generated client(...) takes a UsernameCredential, and server(...) a password validator (and the TLS certificate, where the description needs one)";

/// WCF values (compared without case) and how this format says them.
const VALUES: &[(&str, &str)] = &[
    (
        "wshttpbinding",
        "WCF's wsHttpBinding is binding = \"http\" here, secured by an ssl-transport binding and (for its secure conversation) a security-context binding",
    ),
    (
        "ws2007httpbinding",
        "WCF's ws2007HttpBinding is binding = \"http\" here, with secure-conversation-version = \"1.3\" on the security-context binding",
    ),
    (
        "basichttpbinding",
        "WCF's basicHttpBinding is binding = \"http\" here",
    ),
    (
        "nettcpbinding",
        "WCF's netTcpBinding is binding = \"tcp\" here",
    ),
    (
        "netnamedpipebinding",
        "WCF's netNamedPipeBinding is binding = \"named-pipe\" here",
    ),
    (
        "transportwithmessagecredential",
        "WCF's TransportWithMessageCredential is an ssl-transport binding plus a message binding (kind = \"security-context\", or kind = \"username\")",
    ),
    (
        "transport",
        "WCF's Transport security is a transport binding: kind = \"ssl-transport\" on http",
    ),
    (
        "username",
        "WCF's UserName credential is a username binding: kind = \"username\"",
    ),
    (
        "securecontext",
        "WCF's security context is kind = \"security-context\"",
    ),
];

fn normal(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// How this format writes the WCF key `key`, if it is one (or a credential).
pub fn key_hint(key: &str) -> Option<&'static str> {
    let k = normal(key);
    if CREDENTIALS.contains(&k.as_str()) {
        return Some(CREDENTIAL_HINT);
    }
    KEYS.iter().find(|(w, _)| *w == k).map(|(_, h)| *h)
}

/// How this format writes the WCF value `value`, if it is one.
pub fn value_hint(value: &str) -> Option<&'static str> {
    let v = normal(value);
    VALUES.iter().find(|(w, _)| *w == v).map(|(_, h)| *h)
}

/// A WCF timespan (`hh:mm:ss`, `d.hh:mm:ss`, with optional fractional seconds) as this
/// format writes it (`"10h"`, `"1d 30m"`).
pub fn timespan_hint(s: &str) -> Option<String> {
    let s = s.trim();
    let (days, clock) = match s.split_once('.') {
        Some((d, rest)) if rest.contains(':') && d.chars().all(|c| c.is_ascii_digit()) => {
            (d.parse::<u64>().ok()?, rest)
        }
        _ => (0, s),
    };
    let mut parts = clock.split(':');
    let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let sec = sec.split('.').next()?;
    let [h, m, sec]: [u64; 3] = [h.parse().ok()?, m.parse().ok()?, sec.parse().ok()?];
    if m > 59 || sec > 59 {
        return None;
    }
    let total = std::time::Duration::from_secs(((days * 24 + h) * 60 + m) * 60 + sec);
    if total.is_zero() {
        return None;
    }
    Some(format!(
        "`{s}` is a WCF timespan; here it is written \"{}\"",
        humantime::format_duration(total)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_are_translated() {
        assert_eq!(
            timespan_hint("10:00:00").as_deref(),
            Some("`10:00:00` is a WCF timespan; here it is written \"10h\"")
        );
        assert_eq!(
            timespan_hint("1.00:30:00").as_deref(),
            Some("`1.00:30:00` is a WCF timespan; here it is written \"1day 30m\"")
        );
        assert_eq!(timespan_hint("ten hours"), None);
        assert_eq!(timespan_hint("00:00:00"), None);
    }

    #[test]
    fn names_are_found_in_any_spelling() {
        assert!(key_hint("establishSecurityContext").is_some());
        assert!(key_hint("establish-security-context").is_some());
        // WCF's element and attribute run together, in either spelling.
        for k in [
            "messageClientCredentialType",
            "message-client-credential-type",
        ] {
            assert!(
                key_hint(k).is_some_and(|h| h.contains("kind = \"username\"")),
                "{k}"
            );
        }
        assert_eq!(key_hint("Password"), Some(CREDENTIAL_HINT));
        assert!(value_hint("wsHttpBinding").is_some());
        assert_eq!(key_hint("renewal-interval"), None);
    }
}
