//! Key material: P_SHA1, computed keys, derived keys.
