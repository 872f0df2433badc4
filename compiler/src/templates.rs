//! WWSAPI's fourteen binding templates (`WS_*_BINDING_TEMPLATE`), each a commented
//! `binding.toml`: where a new description starts (`wsbind new --template NAME`). Each
//! says whether the wsbind runtime executes it; a test holds that to the rules.

/// One template.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Its name here (kebab-case of WWSAPI's, without `WS_` and `_BINDING_TEMPLATE`).
    pub name: &'static str,
    /// WWSAPI's name.
    pub wwsapi: &'static str,
    /// Whether the wsbind runtime executes it (no WSB0040).
    pub runs: bool,
    /// The commented description.
    pub text: &'static str,
}

macro_rules! templates {
    ($($name:literal $wwsapi:literal $runs:literal;)*) => {
        /// Every template, in WWSAPI's order.
        pub const ALL: &[Template] = &[$(Template {
            name: $name,
            wwsapi: $wwsapi,
            runs: $runs,
            text: include_str!(concat!("../templates/", $name, ".toml")),
        }),*];
    };
}

templates! {
    "http" "WS_HTTP_BINDING_TEMPLATE" false;
    "http-ssl" "WS_HTTP_SSL_BINDING_TEMPLATE" true;
    "http-header-auth" "WS_HTTP_HEADER_AUTH_BINDING_TEMPLATE" false;
    "http-ssl-header-auth" "WS_HTTP_SSL_HEADER_AUTH_BINDING_TEMPLATE" true;
    "http-ssl-username" "WS_HTTP_SSL_USERNAME_BINDING_TEMPLATE" true;
    "http-ssl-kerberos-apreq" "WS_HTTP_SSL_KERBEROS_APREQ_BINDING_TEMPLATE" false;
    "tcp" "WS_TCP_BINDING_TEMPLATE" false;
    "tcp-sspi" "WS_TCP_SSPI_BINDING_TEMPLATE" false;
    "tcp-sspi-username" "WS_TCP_SSPI_USERNAME_BINDING_TEMPLATE" false;
    "tcp-sspi-kerberos-apreq" "WS_TCP_SSPI_KERBEROS_APREQ_BINDING_TEMPLATE" false;
    "http-ssl-username-security-context" "WS_HTTP_SSL_USERNAME_SECURITY_CONTEXT_BINDING_TEMPLATE" true;
    "http-ssl-kerberos-apreq-security-context" "WS_HTTP_SSL_KERBEROS_APREQ_SECURITY_CONTEXT_BINDING_TEMPLATE" true;
    "tcp-sspi-username-security-context" "WS_TCP_SSPI_USERNAME_SECURITY_CONTEXT_BINDING_TEMPLATE" false;
    "tcp-sspi-kerberos-apreq-security-context" "WS_TCP_SSPI_KERBEROS_APREQ_SECURITY_CONTEXT_BINDING_TEMPLATE" false;
}

/// The template `name` (its name here, or WWSAPI's, in any case).
pub fn find(name: &str) -> Option<&'static Template> {
    ALL.iter()
        .find(|t| t.name == name || t.wwsapi.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check_toml, Target};

    /// Every template is valid in WWSAPI's model, runs in wsbind exactly when it says
    /// so, and says so in its text.
    #[test]
    fn every_template_is_valid_and_honest_about_the_runtime() {
        assert_eq!(ALL.len(), 14);
        assert_eq!(
            ALL.iter()
                .filter(|t| t.name.ends_with("security-context"))
                .count(),
            4
        );
        for t in ALL {
            let model = check_toml(t.text, Target::Model);
            assert!(
                model.diagnostics.is_empty(),
                "{}: {:?}",
                t.name,
                model.diagnostics
            );
            let runtime = check_toml(t.text, Target::Runtime);
            assert_eq!(
                runtime.diagnostics.is_empty(),
                t.runs,
                "{}: {:?}",
                t.name,
                runtime.diagnostics
            );
            assert!(t.text.contains(t.wwsapi), "{}", t.name);
            let says = if t.runs {
                "wsbind runtime: yes"
            } else {
                "wsbind runtime: no"
            };
            let planned = t.text.contains("wsbind runtime: not yet");
            assert!(t.text.contains(says) || (!t.runs && planned), "{}", t.name);
        }
        assert_eq!(
            find("WS_HTTP_SSL_USERNAME_SECURITY_CONTEXT_BINDING_TEMPLATE").map(|t| t.name),
            Some("http-ssl-username-security-context")
        );
        assert!(find("nope").is_none());
    }
}
