//! Closed sets of string values (the vocabulary of a description), declared once with
//! [`vocabulary!`](crate::vocabulary!): the enum, its spellings, its `Display`, and its
//! [`Vocabulary`] impl, which the compiler reads and writes them through.

/// A closed set of kebab-case values, each with one spelling in a description.
pub trait Vocabulary: Copy + Eq + Sized + 'static {
    /// What a value is called in messages ("key entropy mode").
    const WHAT: &'static str;
    /// Every value with its spelling, in declaration order.
    const ALL: &'static [(&'static str, Self)];
    /// Other spellings accepted on input (WWSAPI's own identifier where the format had
    /// another name first); never written.
    const ALIASES: &'static [(&'static str, Self)];
    /// The Rust name of the type, for code generation.
    const TYPE_NAME: &'static str;
    /// The value as written in a description.
    fn as_str(self) -> &'static str;
    /// The Rust name of the variant, for code generation.
    fn variant_name(self) -> &'static str;
}

/// Declares a closed set of kebab-case string values: the enum, inherent `ALL`,
/// `as_str`, `TYPE_NAME`, `variant_name`, `Display` and the [`Vocabulary`] impl.
/// Used here for the description's own values and by the compiler for the rest of the
/// vocabulary, so that both are declared the same way.
#[doc(hidden)]
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) { $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)*, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant, )* }

        impl $name {
            /// Every value, as written.
            pub const ALL: &'static [(&'static str, $name)] = &[$(($text, $name::$variant)),*];

            /// Other spellings accepted on input, never written.
            pub const ALIASES: &'static [(&'static str, $name)] = &[$($(($alias, $name::$variant),)*)*];

            /// The value as written in a description.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text, )* }
            }

            /// The Rust name of the type, for code generation.
            pub const TYPE_NAME: &'static str = stringify!($name);

            /// The Rust name of the variant, for code generation.
            pub fn variant_name(self) -> &'static str {
                match self { $( $name::$variant => stringify!($variant), )* }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::Vocabulary for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [(&'static str, Self)] = $name::ALL;
            const ALIASES: &'static [(&'static str, Self)] = $name::ALIASES;
            const TYPE_NAME: &'static str = $name::TYPE_NAME;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
            fn variant_name(self) -> &'static str {
                $name::variant_name(self)
            }
        }
    };
}

/// The JSON Schema of a vocabulary: a string, one of its spellings (aliases included).
#[cfg(feature = "schema")]
pub fn schema<T: Vocabulary>() -> schemars::Schema {
    let spellings: Vec<&str> = T::ALL
        .iter()
        .chain(T::ALIASES)
        .map(|(text, _)| *text)
        .collect();
    schemars::json_schema!({
        "description": T::WHAT,
        "type": "string",
        "enum": spellings
    })
}

/// Implements `schemars::JsonSchema` for vocabularies declared in this crate.
#[cfg(feature = "schema")]
macro_rules! json_schema {
    ($($name:ident),* $(,)?) => {
        $(
            impl schemars::JsonSchema for $name {
                fn schema_name() -> std::borrow::Cow<'static, str> {
                    <$name as $crate::Vocabulary>::TYPE_NAME.into()
                }
                fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                    $crate::vocabulary::schema::<$name>()
                }
            }
        )*
    };
}
#[cfg(feature = "schema")]
pub(crate) use json_schema;
