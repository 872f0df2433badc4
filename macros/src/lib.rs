//! wsbind proc-macros.
