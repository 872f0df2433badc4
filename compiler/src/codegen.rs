//! Code generation: the typed description as a `const`, the `wsbind::Binding`
//! implementation, and constructors whose parameters are exactly the credentials the
//! description needs.

use crate::description::*;
use crate::diag::Diagnostic;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use std::time::Duration;

/// What to generate for one annotated type.
#[derive(Debug)]
pub struct Expansion<'a> {
    /// The annotated type's name.
    pub name: &'a Ident,
    pub description: &'a Description,
    /// The files the description was read from (`inputs::Input::tracked`), so that
    /// cargo rebuilds when one changes.
    pub tracked_files: &'a [String],
    /// Warnings to surface (as deprecation warnings: stable Rust has no other way for a
    /// proc-macro to warn), each at the span the warning is about.
    pub warnings: Vec<(Span, &'a Diagnostic)>,
}

fn path(type_name: &str) -> TokenStream {
    let t = format_ident!("{}", type_name);
    quote!(::wsbind::description::#t)
}

macro_rules! value_tokens {
    ($($t:ty),*) => {$(
        impl Tokens for $t {
            fn tokens(&self) -> TokenStream {
                let ty = path(<$t>::TYPE_NAME);
                let v = format_ident!("{}", self.variant_name());
                quote!(#ty::#v)
            }
        }
    )*};
}

/// Rust expression building a value in a `const` context.
trait Tokens {
    fn tokens(&self) -> TokenStream;
}

value_tokens!(
    AddressingHeader,
    AddressingVersion,
    ChannelType,
    EnvelopeVersion,
    Role,
    ProtectionLevel,
    TimestampUsage,
    SuiteName,
    Digest,
    SymmetricSignature,
    HeaderLayout,
    HeaderVersion,
    KeyEntropyMode,
    ScVersion,
    SignatureProfile
);

impl Tokens for bool {
    fn tokens(&self) -> TokenStream {
        quote!(#self)
    }
}
impl Tokens for u32 {
    fn tokens(&self) -> TokenStream {
        quote!(#self)
    }
}
impl Tokens for Duration {
    fn tokens(&self) -> TokenStream {
        let (s, n) = (self.as_secs(), self.subsec_nanos());
        quote!(::core::time::Duration::new(#s, #n))
    }
}
impl<T: Tokens> Tokens for Option<T> {
    fn tokens(&self) -> TokenStream {
        match self {
            Some(v) => {
                let v = v.tokens();
                quote!(::core::option::Option::Some(#v))
            }
            None => quote!(::core::option::Option::None),
        }
    }
}
impl Tokens for std::borrow::Cow<'static, str> {
    fn tokens(&self) -> TokenStream {
        let s: &str = self;
        quote!(::std::borrow::Cow::Borrowed(#s))
    }
}
impl Tokens for std::borrow::Cow<'static, [std::borrow::Cow<'static, str>]> {
    fn tokens(&self) -> TokenStream {
        let items = self.iter().map(Tokens::tokens);
        quote!(::std::borrow::Cow::Borrowed(&[#(#items),*]))
    }
}

impl Tokens for std::borrow::Cow<'static, [AddressingHeader]> {
    fn tokens(&self) -> TokenStream {
        let items = self.iter().map(Tokens::tokens);
        quote!(::std::borrow::Cow::Borrowed(&[#(#items),*]))
    }
}

/// Struct literals: `struct_tokens!(value, Type { field, … })`.
macro_rules! struct_tokens {
    ($($t:ident { $($f:ident),* })*) => {$(
        impl Tokens for $t {
            fn tokens(&self) -> TokenStream {
                let ty = path(stringify!($t));
                $( let $f = self.$f.tokens(); )*
                quote!(#ty { $( $f: #$f, )* })
            }
        }
    )*};
}

struct_tokens! {
    Description { channel_type, envelope, addressing, role, security }
    Security { protection, context }
    Protection { properties, ssl, header_auth, username, kerberos }
    Properties {
        transport_protection_level, timestamp_usage, algorithm_suite, max_allowed_latency,
        timestamp_validity_duration, max_allowed_clock_skew, security_header_layout,
        security_header_version, service_identities
    }
    AlgorithmSuite { name, digest, symmetric_signature, min_symmetric_key_bits, max_symmetric_key_bits }
    SslTransport { require_client_certificate, client_certificate, cert_failures_to_ignore, disable_cert_revocation_check }
    CertFailures { cn_invalid, date_invalid, unknown_ca, wrong_usage, revocation_offline }
    HeaderAuth { allow_none, basic, basic_realm }
    SecurityContext {
        key_size, key_entropy_mode, secure_conversation_version, support_renew, renewal_interval,
        rollover_interval, max_pending_contexts, max_active_contexts, signature_profile,
        send_cancel, signed_headers, bootstrap
    }
}

/// The tokens of a typed description (a `const` expression).
pub fn description_tokens(d: &Description) -> TokenStream {
    d.tokens()
}

/// Everything the macro appends after the annotated type.
/// Makes cargo rebuild the crate when one of `files` changes (stable Rust's way for a
/// proc-macro to track a file: include its bytes).
pub fn track(files: &[String]) -> TokenStream {
    quote!(#(const _: &[u8] = ::core::include_bytes!(#files);)*)
}

pub fn expand(e: &Expansion) -> TokenStream {
    let name = e.name;
    let desc = e.description.tokens();
    let track = track(e.tracked_files);
    let warnings = e.warnings.iter().map(|(span, d)| {
        let note = format!(
            "warning[{}]: {}{}",
            d.rule.id,
            d.message,
            d.help
                .as_ref()
                .map(|h| format!("; help: {h}"))
                .unwrap_or_default()
        );
        let marker = format_ident!("{}", d.rule.id, span = *span);
        quote_spanned! {*span=>
            const _: () = {
                #[deprecated(note = #note)]
                #[allow(non_upper_case_globals)]
                const #marker: () = ();
                #marker
            };
        }
    });
    let client = e
        .description
        .for_client()
        .then(|| client_ctor(e.description));
    let server = e
        .description
        .for_server()
        .then(|| server_ctor(e.description));
    let doc = format!(" The typed security description of [`{name}`], checked at compile time.");
    quote! {
        #track
        #(#warnings)*
        impl #name {
            #[doc = #doc]
            pub const DESCRIPTION: ::wsbind::Description = #desc;
            #client
            #server
        }
        impl ::wsbind::Binding for #name {
            const NAME: &'static str = ::core::stringify!(#name);
            fn description() -> &'static ::wsbind::Description {
                static DESCRIPTION: ::wsbind::Description = #name::DESCRIPTION;
                &DESCRIPTION
            }
        }
    }
}

fn client_ctor(d: &Description) -> TokenStream {
    let mut params = Vec::new();
    let mut docs = Vec::new();
    let mut fields = Vec::new();
    if d.security.needs_username() {
        params.push(quote!(username: ::wsbind::UsernameCredential));
        docs.push("`username`: the user name and password of the username token");
        fields.push(quote!(username: ::core::option::Option::Some(username)));
    }
    if d.security.needs_kerberos() {
        params.push(quote!(kerberos: impl ::wsbind::KerberosInitiator));
        docs.push("`kerberos`: obtains the AP-REQs of the bootstrap for the service (`wsbind_kerberos::Initiator`)");
        fields
            .push(quote!(kerberos: ::core::option::Option::Some(::std::sync::Arc::new(kerberos))));
    }
    if d.security.needs_basic() {
        params.push(quote!(http_basic: ::wsbind::UsernameCredential));
        docs.push("`http_basic`: the user name and password for HTTP basic authentication");
        fields.push(quote!(http_basic: ::core::option::Option::Some(http_basic)));
    }
    if d.security.needs_tls() && d.security.presents_client_certificate() {
        params.push(quote!(tls: ::wsbind::ClientTls));
        params.push(quote!(certificate: ::wsbind::TlsIdentity));
        docs.push("`tls`: the certificates the client trusts for https");
        docs.push(
            "`certificate`: the client's own TLS certificate and key (`wsbind-client-certificate`)",
        );
        fields.push(quote!(tls: ::core::option::Option::Some(::wsbind::ClientTls { identity: ::core::option::Option::Some(certificate), ..tls })));
    } else if d.security.needs_tls() {
        params.push(quote!(tls: ::wsbind::ClientTls));
        docs.push("`tls`: the certificates the client trusts for https");
        fields.push(quote!(tls: ::core::option::Option::Some(tls)));
    }
    let doc = ctor_doc("A client of this binding", &docs);
    quote! {
        #[doc = #doc]
        // A description may need every credential, and then the struct update names
        // nothing: still written, so the constructor stays one shape.
        #[allow(clippy::needless_update)]
        pub fn client(endpoint: impl ::core::convert::Into<::std::string::String>, #(#params),*) -> ::wsbind::Client<Self> {
            ::wsbind::Client::new(endpoint.into(), ::wsbind::ClientCredentials { #(#fields,)* ..::wsbind::ClientCredentials::NONE })
        }
    }
}

fn server_ctor(d: &Description) -> TokenStream {
    let mut params = Vec::new();
    let mut docs = Vec::new();
    let mut fields = Vec::new();
    if d.security.needs_username() {
        params.push(quote!(validator: impl ::wsbind::PasswordValidator));
        docs.push("`validator`: checks the user name and password of each username token");
        fields
            .push(quote!(username: ::core::option::Option::Some(::std::sync::Arc::new(validator))));
    }
    if d.security.needs_kerberos() {
        params.push(quote!(kerberos: impl ::wsbind::KerberosAcceptor));
        docs.push("`kerberos`: accepts the AP-REQs of the bootstrap with the service's keys (`wsbind_kerberos::Acceptor`)");
        fields
            .push(quote!(kerberos: ::core::option::Option::Some(::std::sync::Arc::new(kerberos))));
    }
    if d.security.needs_basic() {
        params.push(quote!(http_basic: impl ::wsbind::PasswordValidator));
        docs.push("`http_basic`: checks HTTP basic credentials");
        fields.push(
            quote!(http_basic: ::core::option::Option::Some(::std::sync::Arc::new(http_basic))),
        );
    }
    if d.security.needs_tls() {
        params.push(quote!(tls: ::wsbind::ServerTls));
        docs.push("`tls`: the server's certificate chain and private key for https");
        fields.push(quote!(tls: ::core::option::Option::Some(tls)));
    }
    let doc = ctor_doc("A server of this binding", &docs);
    quote! {
        #[doc = #doc]
        #[allow(clippy::needless_update)]
        pub fn server(#(#params),*) -> ::wsbind::Server<Self> {
            ::wsbind::Server::new(::wsbind::ServerCredentials { #(#fields,)* ..::wsbind::ServerCredentials::none() })
        }
    }
}

fn ctor_doc(what: &str, params: &[&str]) -> String {
    if params.is_empty() {
        format!(" {what}. The description needs no credentials.")
    } else {
        format!(
            " {what}, with the credentials its description needs:\n\n{}",
            params
                .iter()
                .map(|p| format!(" - {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    }
}
