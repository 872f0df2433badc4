//! One case per rule: a description that breaks it, written in TOML. The attribute form
//! of every case is derived from the TOML (`to_attr`), so each rule is exercised through
//! both front-ends from the same text. `primary` is the text the error must point at;
//! `also` lists the other rules the description legitimately breaks.

pub struct Case {
    pub rule: &'static str,
    pub primary: &'static str,
    pub also: &'static [&'static str],
    pub toml: &'static str,
}

pub const CASES: &[Case] = &[
    Case {
        rule: "WSB0001",
        primary: r#""named-pipe""#,
        also: &[],
        toml: r#"
[channel]
binding = "named-pipe"
[[security.binding]]
kind = "named-pipe-sspi-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "named-pipe-sspi-transport"
"#,
    },
    Case {
        rule: "WSB0002",
        primary: r#""primary""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "primary"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0003",
        primary: r#""security-context""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0004",
        primary: "require-client-certificate",
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "server"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
require-client-certificate = true
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0005",
        primary: r#""security-context""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0006",
        primary: r#""security-context""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "security-context"
usage = "supporting"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0007",
        primary: r#""security-context""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0008",
        primary: r#""none""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[security]
transport-protection-level = "none"
[[security.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0008",
        primary: r#""none""#,
        also: &[],
        toml: r#"
[channel]
binding = "tcp"
role = "server"
[security]
transport-protection-level = "none"
[[security.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0009",
        primary: r#""none""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "server"
[security]
transport-protection-level = "none"
[[security.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0009",
        primary: r#""ssl-transport""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "server"
[security]
transport-protection-level = "none"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0010",
        primary: r#""tcp""#,
        also: &[],
        toml: r#"
[channel]
binding = "tcp"
[[security.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0011",
        primary: r#""http""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "tcp-sspi-transport"
"#,
    },
    Case {
        rule: "WSB0012",
        primary: r#""http""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "named-pipe-sspi-transport"
"#,
    },
    Case {
        rule: "WSB0013",
        primary: r#""named-pipe""#,
        also: &[],
        toml: r#"
[channel]
binding = "named-pipe"
[[security.binding]]
kind = "named-pipe-sspi-transport"
[[security.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    // A transport binding other than named-pipe-sspi-transport on a named pipe.
    Case {
        rule: "WSB0013",
        primary: r#""named-pipe""#,
        also: &[],
        toml: r#"
[channel]
binding = "named-pipe"
[[security.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0014",
        primary: r#""tcp""#,
        also: &[],
        toml: r#"
[channel]
binding = "tcp"
[[security.binding]]
kind = "http-header-auth"
"#,
    },
    Case {
        rule: "WSB0015",
        primary: r#""ssl-transport""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0016",
        primary: r#""username""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "username"
usage = "supporting"
[[security.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0017",
        primary: r#""saml""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "server"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "saml"
usage = "supporting"
[[security.binding]]
kind = "saml"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0018",
        primary: r#""xml-token""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "xml-token"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0019",
        primary: r#""saml""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "saml"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0020",
        primary: "key-size",
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "username"
usage = "supporting"
key-size = 256
"#,
    },
    Case {
        rule: "WSB0021",
        primary: r#""signing""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "username"
usage = "signing"
"#,
    },
    Case {
        rule: "WSB0022",
        primary: "require-client-certificate",
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
require-client-certificate = true
"#,
    },
    Case {
        rule: "WSB0023",
        primary: "require-server-auth",
        also: &[],
        toml: r#"
[channel]
binding = "tcp"
role = "server"
[[security.binding]]
kind = "tcp-sspi-transport"
require-server-auth = true
"#,
    },
    Case {
        rule: "WSB0024",
        primary: "allow-anonymous-clients",
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "kerberos-apreq"
usage = "supporting"
allow-anonymous-clients = true
"#,
    },
    Case {
        rule: "WSB0025",
        primary: "basic-realm",
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "http-header-auth"
scheme = "basic"
basic-realm = "orders"
"#,
    },
    Case {
        rule: "WSB0026",
        primary: r#""basic""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "http-header-auth"
scheme = ["basic", "basic"]
"#,
    },
    Case {
        rule: "WSB0027",
        primary: r#""none""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "server"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "http-header-auth"
scheme = ["none", "basic"]
"#,
    },
    Case {
        rule: "WSB0028",
        primary: r#"["basic", "digest"]"#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "http-header-auth"
target = "proxy"
scheme = ["basic", "digest"]
"#,
    },
    Case {
        rule: "WSB0029",
        primary: r#""ntlm""#,
        also: &[],
        toml: r#"
[channel]
binding = "tcp"
role = "client"
[[security.binding]]
kind = "tcp-sspi-transport"
windows-integrated-auth-package = "ntlm"
"#,
    },
    Case {
        rule: "WSB0030",
        primary: r#"{ digest = "sha256" }"#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[security]
algorithm-suite-name = "basic256"
algorithm-suite = { digest = "sha256" }
[[security.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0031",
        primary: r#""always""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[security]
extended-protection-policy = "always"
[[security.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0032",
        primary: r#"["orders.example.com"]"#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[security]
service-identities = ["orders.example.com"]
[[security.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0033",
        primary: "128",
        also: &[],
        toml: r#"
[channel]
binding = "http"
[security]
algorithm-suite-name = "basic256"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
key-size = 128
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    // Every named suite's keys are at most 256 bits.
    Case {
        rule: "WSB0033",
        primary: "512",
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
key-size = 512
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    // An explicit suite whose minimum is above its maximum (512 when left out).
    Case {
        rule: "WSB0033",
        primary: "1024",
        also: &[],
        toml: r#"
[channel]
binding = "http"
[security.algorithm-suite]
min-symmetric-key-length = 1024
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0034",
        primary: r#""soon""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
renewal-interval = "soon"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0034",
        primary: r#""8000years""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
renewal-interval = "8000years"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0035",
        primary: r#""2h""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
renewal-interval = "1h"
rollover-interval = "2h"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0036",
        primary: r#""1h""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
support-renew = false
renewal-interval = "1h"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0037",
        primary: r#""http-header-auth""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "http-header-auth"
scheme = "basic"
"#,
    },
    Case {
        rule: "WSB0038",
        primary: r#""udp""#,
        also: &[],
        toml: r#"
[channel]
binding = "udp"
[[security.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0039",
        primary: "keysize",
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
keysize = 256
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0039",
        primary: "\"sign-or-encrypt\"",
        also: &[],
        toml: r#"
[channel]
binding = "http"
[security]
transport-protection-level = "sign-or-encrypt"
"#,
    },
    Case {
        rule: "WSB0039",
        primary: "\"256\"",
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
key-size = "256"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0040",
        primary: r#""kerberos-apreq""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "kerberos-apreq"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0040",
        primary: r#""username""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "username"
usage = "supporting"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0040",
        primary: "96",
        also: &[],
        toml: r#"
[channel]
binding = "http"
[security.algorithm-suite]
min-symmetric-key-length = 64
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
key-size = 96
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0040",
        primary: "64",
        also: &[],
        toml: r#"
[channel]
binding = "http"
[security.algorithm-suite]
min-symmetric-key-length = 64
max-symmetric-key-length = 64
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0040",
        primary: r#""unknown-ca""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
cert-failures-to-ignore = ["revocation-offline", "unknown-ca"]
"#,
    },
    Case {
        rule: "WSB0043",
        primary: r#""kerberos-apreq""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "kerberos-apreq"
[[security.binding]]
kind = "kerberos-apreq"
"#,
    },
    Case {
        rule: "WSB0044",
        primary: r#""never""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "client"
[security]
timestamp-usage = "never"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
"#,
    },
    Case {
        rule: "WSB0032",
        primary: r#"["HTTP/orders.example.com"]"#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "server"
[security]
service-identities = ["HTTP/orders.example.com"]
[[security.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0045",
        primary: r#""terminated-ssl""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
role = "server"
[security]
transport-protection-level = "none"
extended-protection-policy = "always"
extended-protection-scenario = "terminated-ssl"
[[security.binding]]
kind = "http-header-auth"
scheme = "basic"
"#,
    },
    Case {
        rule: "WSB0046",
        primary: r#""reply""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
type = "reply"
role = "client"
[[security.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0046",
        primary: r#""request""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
type = "request"
[[security.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0047",
        primary: "bootstrap",
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0048",
        primary: r#""none""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
envelope-version = "none"
[[security.binding]]
kind = "ssl-transport"
"#,
    },
    Case {
        rule: "WSB0048",
        primary: r#""transport""#,
        also: &[],
        toml: r#"
[channel]
binding = "tcp"
addressing-version = "transport"
[[security.binding]]
kind = "tcp-sspi-transport"
"#,
    },
    Case {
        rule: "WSB0049",
        primary: r#""transport""#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
addressing-version = "transport"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
    Case {
        rule: "WSB0050",
        primary: r#"["to"]"#,
        also: &[],
        toml: r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
wsbind-signature = "derived-keys"
wsbind-signed-headers = ["to"]
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#,
    },
];
