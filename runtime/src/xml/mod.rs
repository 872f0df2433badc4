//! XML layer.
