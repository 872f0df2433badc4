//! The wsbind binding compiler.
