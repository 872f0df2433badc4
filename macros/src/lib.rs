//! The proc-macro shell of wsbind: tokens in, the compiler, tokens out. No rule logic
//! lives here (see `wsbind-compiler`).
#![forbid(unsafe_code)]

mod expand;

use proc_macro::TokenStream;

/// Checks a security description at compile time and generates its typed description
/// and constructors.
///
/// ```ignore
/// #[wsbind::binding(file = "binding.toml")]   // relative to CARGO_MANIFEST_DIR
/// struct OrderService;
///
/// #[wsbind::binding(
///     channel(binding = "http", role = "client"),
///     security(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting",
///         bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))),
/// )]
/// struct OrderClient;
/// ```
#[proc_macro_attribute]
pub fn binding(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::binding(args.into(), item.into()).into()
}
