//! From a validated model to the typed description: defaults of the catalogue applied.
//! Only called when validation for `Target::Runtime` reported no error, so every
//! unsupported or invalid shape has been rejected before; the few places that would
//! meet one anyway take the conservative reading rather than panic.

use crate::description::*;
use crate::model::{self, Binding, BindingKind, Scheme};
use crate::validate::{effective_suite, key_bounds};
use std::borrow::Cow;
use std::time::Duration;

const FIVE_MINUTES: Duration = Duration::from_secs(300);

/// Builds the typed description of a valid model.
pub fn resolve(file: &model::File) -> Description {
    let role = file.channel.role.as_ref().map_or(Role::Both, |r| r.value);
    let security = match &file.security {
        Some(sec) => Security {
            protection: protection(sec),
            context: sec
                .bindings
                .iter()
                .find(|b| b.kind.value == BindingKind::SecurityContext)
                .map(|b| context(b, role)),
        },
        None => Security {
            protection: protection(&empty_security()),
            context: None,
        },
    };
    Description {
        channel_type: file.channel.channel_type.as_ref().map(|t| t.value),
        envelope: file.channel.envelope_version.as_ref().map(|v| v.value),
        addressing: file.channel.addressing_version.as_ref().map(|v| v.value),
        role,
        security,
    }
}

fn empty_security() -> model::Security {
    model::Security {
        transport_protection_level: None,
        timestamp_usage: None,
        algorithm_suite_name: None,
        algorithm_suite: None,
        max_allowed_latency: None,
        timestamp_validity_duration: None,
        max_allowed_clock_skew: None,
        security_header_layout: None,
        security_header_version: None,
        extended_protection_policy: None,
        extended_protection_scenario: None,
        service_identities: None,
        bindings: crate::read::List(Vec::new()),
        written: Default::default(),
    }
}

fn protection(sec: &model::Security) -> Protection {
    let find = |k: BindingKind| sec.bindings.iter().find(|b| b.kind.value == k);
    let ssl = find(BindingKind::SslTransport).map(|b| ssl(b));
    Protection {
        properties: properties(sec, ssl.is_some()),
        ssl,
        header_auth: find(BindingKind::HttpHeaderAuth).map(|b| header_auth(b)),
        username: find(BindingKind::Username).is_some(),
        kerberos: find(BindingKind::KerberosApreq).is_some(),
    }
}

fn properties(sec: &model::Security, has_transport: bool) -> Properties {
    let dur = |d: &Option<crate::loc::Spanned<crate::read::Dur>>| {
        d.as_ref().map_or(FIVE_MINUTES, |d| d.value.0)
    };
    Properties {
        transport_protection_level: sec.transport_protection_level.as_ref().map_or(
            if has_transport {
                ProtectionLevel::SignAndEncrypt
            } else {
                ProtectionLevel::None
            },
            |t| t.value,
        ),
        timestamp_usage: sec
            .timestamp_usage
            .as_ref()
            .map_or(TimestampUsage::Always, |t| t.value),
        algorithm_suite: suite(sec),
        max_allowed_latency: dur(&sec.max_allowed_latency),
        timestamp_validity_duration: dur(&sec.timestamp_validity_duration),
        max_allowed_clock_skew: dur(&sec.max_allowed_clock_skew),
        security_header_layout: sec
            .security_header_layout
            .as_ref()
            .map_or(HeaderLayout::Strict, |v| v.value),
        security_header_version: sec
            .security_header_version
            .as_ref()
            .map_or(HeaderVersion::V1_1, |v| v.value),
        service_identities: Cow::Owned(
            sec.service_identities
                .iter()
                .flat_map(|ids| ids.value.iter().map(|s| Cow::Owned(s.value.clone())))
                .collect(),
        ),
    }
}

fn suite(sec: &model::Security) -> AlgorithmSuite {
    let bounds = key_bounds(sec);
    if let Some(s) = &sec.algorithm_suite {
        let sha256 = s.digest.as_ref().is_some_and(|d| d.value == Digest::Sha256);
        return AlgorithmSuite {
            name: None,
            digest: s.digest.as_ref().map_or(Digest::Sha1, |d| d.value),
            symmetric_signature: s.symmetric_signature.as_ref().map_or(
                if sha256 {
                    SymmetricSignature::HmacSha256
                } else {
                    SymmetricSignature::HmacSha1
                },
                |v| v.value,
            ),
            min_symmetric_key_bits: bounds.min,
            max_symmetric_key_bits: bounds.max,
        };
    }
    let (name, _) = effective_suite(sec);
    AlgorithmSuite {
        name: Some(name),
        digest: if name.sha256() {
            Digest::Sha256
        } else {
            Digest::Sha1
        },
        // WS-SecurityPolicy and WWSAPI: every named suite signs with HMAC-SHA1, the
        // SHA-256 ones over SHA-256 digests (WCF's Basic256Sha256 uses HMAC-SHA256: an
        // explicit algorithm-suite table asks for that).
        symmetric_signature: SymmetricSignature::HmacSha1,
        min_symmetric_key_bits: bounds.min,
        max_symmetric_key_bits: bounds.max,
    }
}

fn ssl(b: &Binding) -> SslTransport {
    let flag = |v: &Option<crate::loc::Spanned<bool>>| v.as_ref().is_some_and(|v| v.value);
    let failures = match &b.cert_failures_to_ignore {
        None => CertFailures {
            revocation_offline: true,
            ..CertFailures::default()
        },
        Some(list) => {
            let has = |f: CertFailure| list.value.iter().any(|x| x.value == f);
            CertFailures {
                cn_invalid: has(CertFailure::CnInvalid),
                date_invalid: has(CertFailure::DateInvalid),
                unknown_ca: has(CertFailure::UnknownCa),
                wrong_usage: has(CertFailure::WrongUsage),
                revocation_offline: has(CertFailure::RevocationOffline),
            }
        }
    };
    SslTransport {
        require_client_certificate: flag(&b.require_client_certificate),
        client_certificate: flag(&b.client_certificate),
        cert_failures_to_ignore: failures,
        disable_cert_revocation_check: flag(&b.disable_cert_revocation_check),
    }
}

fn header_auth(b: &Binding) -> HeaderAuth {
    let has = |s: Scheme| {
        b.scheme
            .as_ref()
            .is_some_and(|l| l.value.iter().any(|x| x.value == s))
    };
    HeaderAuth {
        allow_none: has(Scheme::None),
        basic: has(Scheme::Basic),
        basic_realm: b.basic_realm.as_ref().map(|r| Cow::Owned(r.value.clone())),
    }
}

fn context(b: &Binding, role: Role) -> SecurityContext {
    let renewal_default = if role == Role::Server {
        Duration::from_secs(15 * 3600)
    } else {
        Duration::from_secs(10 * 3600)
    };
    SecurityContext {
        key_size: b
            .key_size
            .as_ref()
            .and_then(|k| u32::try_from(k.value).ok()),
        key_entropy_mode: b
            .key_entropy_mode
            .as_ref()
            .map_or(KeyEntropyMode::Combined, |v| v.value),
        secure_conversation_version: b
            .secure_conversation_version
            .as_ref()
            .map_or(ScVersion::Feb2005, |v| v.value),
        support_renew: b.support_renew.as_ref().is_none_or(|v| v.value),
        renewal_interval: b
            .renewal_interval
            .as_ref()
            .map_or(renewal_default, |v| v.value.0),
        rollover_interval: b
            .rollover_interval
            .as_ref()
            .map_or(FIVE_MINUTES, |v| v.value.0),
        max_pending_contexts: b.max_pending_contexts.as_ref().map_or(100, |v| v.value.0),
        max_active_contexts: b.max_active_contexts.as_ref().map_or(1000, |v| v.value.0),
        signature_profile: b
            .signature_profile
            .as_ref()
            .map_or(SignatureProfile::MsLwssp, |v| v.value),
        send_cancel: b.send_cancel.as_ref().is_none_or(|v| v.value),
        signed_headers: {
            let mut headers: Vec<AddressingHeader> = Vec::new();
            for h in b.signed_headers.iter().flat_map(|l| l.value.iter()) {
                if !headers.contains(&h.value) {
                    headers.push(h.value);
                }
            }
            headers.into()
        },
        bootstrap: protection(b.bootstrap.as_ref().map_or(&empty_security(), |s| &s.value)),
    }
}
