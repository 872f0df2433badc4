//! WS-Trust messages for a security context token: the RST (Issue, Renew, Cancel)
//! and the RSTR (WS-Trust 1.3 wraps the final issue response in an RSTR collection),
//! for both WS-SecureConversation generations. Writers produce the Body's content;
//! readers take the Body's element from a parsed envelope and refuse anything they
//! cannot account for.

use crate::description::KeyEntropyMode;
use crate::envelope::{self, parse_time, SctRef};
use crate::keys::{self, SecretKey};
use crate::text::peer_text;
use crate::wire::{self, ns, Sc, ScVersion};
use crate::xml::dom::{Document, Element};
use base64::Engine as _;
use std::fmt::Write as _;
use std::time::SystemTime;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Longest cookie accepted in an SCT, characters of base64 (a server's sealed state;
/// see `cookie`).
pub const MAX_COOKIE: usize = 4096;

/// Entropy sizes accepted from a peer, bytes.
pub const MIN_ENTROPY: usize = 8;
/// See [`MIN_ENTROPY`].
pub const MAX_ENTROPY: usize = 128;
/// Longest context identifier, instance, `wsu:Id` or reference URI accepted, bytes.
pub const MAX_ID_LEN: usize = 1024;
/// The namespace of the `Cookie` element a stateless wsbind server puts in its SCTs.
pub const COOKIE_NS: &str = ns::COOKIE;

/// What an RST asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// A new context.
    Issue,
    /// A new key for an existing context.
    Renew,
    /// The end of a context.
    Cancel,
}

impl RequestKind {
    /// The `RequestType` URI of this kind in a generation.
    pub fn uri(self, sc: &Sc) -> &'static str {
        match self {
            RequestKind::Issue => sc.issue,
            RequestKind::Renew => sc.renew,
            RequestKind::Cancel => sc.cancel,
        }
    }
}

/// A reference to an SCT: by `wsu:Id` in the same message, or by its identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRef {
    /// `URI="#id"`: the token with this `wsu:Id` (without the `#`) in the same message.
    Local(String),
    /// `URI="identifier"`: the context by its identifier, and the key instance when the
    /// key was renewed (`c:Instance` on the reference).
    External {
        identifier: String,
        instance: Option<String>,
    },
}

impl TokenRef {
    fn write(&self, sc: &Sc) -> String {
        envelope::sct_reference(
            sc,
            match self {
                TokenRef::Local(id) => SctRef::Local(id),
                TokenRef::External {
                    identifier,
                    instance,
                } => SctRef::External {
                    identifier,
                    instance: instance.as_deref(),
                },
            },
        )
    }
}

/// A security context token as an RSTR carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sct {
    /// The token's `wsu:Id` (written as `_sct` when `None`).
    pub wsu_id: Option<String>,
    /// The context identifier (`c:Identifier`), at most [`MAX_ID_LEN`] bytes.
    pub identifier: String,
    /// The key generation (`c:Instance`), after a renewal.
    pub instance: Option<String>,
    /// Sealed server state of a stateless server (base64; element `Cookie` in
    /// [`COOKIE_NS`]), at most [`MAX_COOKIE`] characters.
    pub cookie: Option<String>,
}

/// The proof of the key in an RSTR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// None: the key is the requestor's entropy.
    None,
    /// The key itself (issuer entropy only).
    BinarySecret(SecretKey),
    /// The key is computed from both entropies with P_SHA1.
    ComputedKey,
}

/// A RequestSecurityToken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rst {
    /// The generation: the WS-Trust namespace and every URI.
    pub version: ScVersion,
    /// The `RequestType`.
    pub kind: RequestKind,
    /// The requestor's entropy (a `BinarySecret` of type Nonce). Secret (in
    /// client-only mode it is the key): zeroized on drop, redacted from `Debug`.
    pub entropy: Option<SecretKey>,
    /// The `KeySize` asked for, bits.
    pub key_size: Option<u32>,
    /// `RenewTarget` / `CancelTarget`.
    pub target: Option<TokenRef>,
}

/// A RequestSecurityTokenResponse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rstr {
    /// The generation: the WS-Trust namespace and every URI.
    pub version: ScVersion,
    /// For writing: a WS-Trust 1.3 Issue response goes in a collection. A parsed
    /// response says `Cancel` when it holds `RequestedTokenCancelled`, else `Issue`
    /// (a renewal response looks like an issue response).
    pub kind: RequestKind,
    /// `RequestedSecurityToken`: required unless the response is a cancellation.
    pub token: Option<Sct>,
    /// `RequestedAttachedReference`: how to refer to the token inside a message.
    pub attached: Option<TokenRef>,
    /// `RequestedUnattachedReference`: how to refer to it when it is not in the message.
    pub unattached: Option<TokenRef>,
    /// `RequestedProofToken`.
    pub proof: Proof,
    /// The issuer's entropy (a `BinarySecret` of type Nonce). Secret: zeroized on
    /// drop, redacted from `Debug`.
    pub entropy: Option<SecretKey>,
    /// `Lifetime`: (`Created`, `Expires`), `Expires` strictly later.
    pub lifetime: Option<(SystemTime, SystemTime)>,
    /// The `KeySize` of the issued key, bits.
    pub key_size: Option<u32>,
    /// `RequestedTokenCancelled`: the answer to a Cancel.
    pub cancelled: bool,
}

/// A WS-Trust message wsbind cannot accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The element is not the WS-Trust message expected here.
    #[error("expected a {expected}, found {found}")]
    NotExpected {
        /// The local name expected.
        expected: &'static str,
        /// `{namespace}local` of what was found.
        found: String,
    },
    /// An element of the message is missing, repeated, unknown or malformed.
    #[error("{element}: {problem}")]
    Invalid {
        /// The local name of the element at fault.
        element: String,
        /// What is wrong with it.
        problem: Problem,
    },
    /// The message (or one of its URIs) belongs to the other WS-SC generation.
    #[error("the message uses WS-SecureConversation {found} where {expected} is expected")]
    Generation {
        /// The generation the message uses.
        found: &'static str,
        /// The generation of this endpoint (or of the rest of the message).
        expected: &'static str,
    },
    /// The key material of a response does not fit the key entropy mode.
    #[error("the key material does not fit the key entropy mode {mode}: {problem}")]
    Entropy {
        /// The mode in effect.
        mode: KeyEntropyMode,
        /// What does not fit.
        problem: EntropyProblem,
    },
    /// A key size or key length outside what wsbind accepts.
    #[error(transparent)]
    Key(#[from] keys::KeyError),
}

/// What is wrong with an element of a WS-Trust message: one variant per check. Text
/// from the message in it is bounded ([`peer_text`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    #[error("is not supported in a request")]
    NotInRequest,
    #[error("is not supported in a response")]
    NotInResponse,
    #[error("does not belong in {0}")]
    DoesNotBelong(&'static str),
    #[error("has no {0}")]
    Missing(&'static str),
    #[error("appears twice")]
    Twice,
    #[error("must be empty")]
    NotEmpty,
    #[error("must hold text, not elements")]
    NotText,
    #[error("must hold exactly one {0}")]
    NotOne(&'static str),
    #[error("is not a SecurityTokenReference")]
    NotTokenReference,
    #[error("{found} is not a WS-Trust element")]
    NotTrust { found: String },
    #[error("{found} is not supported")]
    Unsupported { found: String },
    #[error("only {0}")]
    Only(&'static str),
    #[error("`{value}` is not {expected}")]
    NotValue {
        value: String,
        expected: &'static str,
    },
    #[error("must have 1 to {max} bytes, not {len}")]
    Length { max: usize, len: usize },
    #[error("entropy of {len} bytes ({min} to {max} accepted)")]
    EntropyLength { len: usize, min: usize, max: usize },
    #[error("is too long")]
    TooLong,
    #[error("is not base64")]
    NotBase64,
    #[error(transparent)]
    Time(#[from] crate::envelope::TimeError),
    #[error("expires before it begins")]
    ExpiresBeforeStart,
    #[error("an Issue request has no TokenType")]
    IssueWithoutTokenType,
    #[error("a Renew needs a RenewTarget and a Cancel a CancelTarget")]
    NoTarget,
    #[error("has neither a RequestedSecurityToken nor RequestedTokenCancelled")]
    NoTokenNorCancelled,
}

/// What does not fit the key entropy mode in a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntropyProblem {
    #[error("the issuer's KeySize is not the key size in effect")]
    KeySize,
    #[error("the issuer sent key material of its own")]
    IssuerMaterial,
    #[error("no requestor entropy was sent")]
    NoRequestorEntropy,
    #[error("the requestor entropy does not have the key's size")]
    RequestorEntropySize,
    #[error("the requestor sent entropy")]
    RequestorEntropy,
    #[error("the issuer sent entropy instead of the key")]
    IssuerEntropyInsteadOfKey,
    #[error("the issued key does not have the key's size")]
    IssuedKeySize,
    #[error("the response has no RequestedProofToken with the key")]
    NoProofToken,
    #[error("the response does not name the computed key algorithm")]
    NoComputedKey,
    #[error("the response has no issuer entropy")]
    NoIssuerEntropy,
}

fn invalid(element: &str, problem: Problem) -> TrustError {
    TrustError::Invalid {
        element: peer_text(element),
        problem,
    }
}

fn not_value(value: &str, expected: &'static str) -> Problem {
    Problem::NotValue {
        value: peer_text(value),
        expected,
    }
}

fn generation(v: ScVersion) -> &'static str {
    match v {
        ScVersion::Feb2005 => "February 2005",
        ScVersion::V1_3 => "1.3",
    }
}

/// A `t:BinarySecret` of `bytes` (base64), with its `Type` when given, written into
/// `out`.
fn push_binary_secret(out: &mut String, type_uri: Option<&str>, bytes: &[u8]) {
    match type_uri {
        Some(t) => {
            out.push_str(r#"<t:BinarySecret Type=""#);
            out.push_str(t);
            out.push_str(r#"">"#);
        }
        None => out.push_str("<t:BinarySecret>"),
    }
    B64.encode_string(bytes, out);
    out.push_str("</t:BinarySecret>");
}

impl Rst {
    /// The RST element (the Body's content).
    pub fn write(&self) -> String {
        let sc = wire::sc(self.version);
        // (Written piece by piece: one is written for every negotiation.)
        let mut out = String::with_capacity(1024);
        for piece in [
            r#"<t:RequestSecurityToken xmlns:t=""#,
            sc.trust,
            r#"" xmlns:o=""#,
            ns::WSSE,
            r#"">"#,
        ] {
            out.push_str(piece);
        }
        if self.kind != RequestKind::Cancel {
            out.push_str("<t:TokenType>");
            out.push_str(sc.sct);
            out.push_str("</t:TokenType>");
        }
        out.push_str("<t:RequestType>");
        out.push_str(self.kind.uri(sc));
        out.push_str("</t:RequestType>");
        if let Some(e) = &self.entropy {
            out.push_str("<t:Entropy>");
            push_binary_secret(&mut out, Some(sc.nonce), e.as_bytes());
            out.push_str("</t:Entropy>");
        }
        if let Some(k) = self.key_size {
            out.push_str("<t:KeySize>");
            out.push_str(&k.to_string());
            out.push_str("</t:KeySize>");
        }
        // The target last, as MS-LWSSP §4.10 and §4.12 show it.
        if let Some(target) = &self.target {
            let name = match self.kind {
                RequestKind::Cancel => "CancelTarget",
                _ => "RenewTarget",
            };
            let _ = write!(out, "<t:{name}>{}</t:{name}>", target.write(sc));
        }
        out.push_str("</t:RequestSecurityToken>");
        out
    }

    /// Reads an RST element of either generation (the caller compares
    /// [`Rst::version`] with its own, or uses [`Rst::parse_for`]).
    pub fn parse(doc: &Document<'_>, el: Element) -> Result<Rst, TrustError> {
        let sc = wire::sc_by_trust_ns(doc.namespace(el))
            .filter(|_| doc.local_name(el) == "RequestSecurityToken")
            .ok_or_else(|| TrustError::NotExpected {
                expected: "RequestSecurityToken",
                found: found(doc, el),
            })?;
        let mut r = Reader::new(doc, el, sc).skipping(APPLIES_TO);
        let mut kind = None;
        let mut entropy = None;
        let mut key_size = None;
        let mut target = None;
        let mut token_type = None;
        while let Some((child, local)) = r.next()? {
            match local {
                "TokenType" => r.once(&mut token_type, leaf(doc, child)?.trim().to_owned())?,
                "RequestType" => {
                    let k = request_type(doc, child, sc)?;
                    r.once(&mut kind, k)?;
                }
                "Entropy" => r.once(&mut entropy, read_entropy(doc, child, sc)?)?,
                "KeySize" => r.once(&mut key_size, read_key_size(doc, child)?)?,
                "RenewTarget" | "CancelTarget" => {
                    r.once(&mut target, (local, read_target(doc, child, sc)?))?
                }
                // What CXF adds to an SCT request: the lifetime it would like and the
                // renewal semantics it asks for. The issuer decides both (its own
                // lifetime; renewal as its description says), as WS-Trust allows.
                "Lifetime" | "Renewing" => {}
                // Harmless hints a requestor may add.
                "KeyType" => {
                    if leaf(doc, child)?.trim() != sc.symmetric_key {
                        return Err(invalid(
                            "KeyType",
                            Problem::Only("symmetric keys are issued"),
                        ));
                    }
                }
                "ComputedKeyAlgorithm" => {
                    if leaf(doc, child)?.trim() != sc.ck_p_sha1 {
                        return Err(invalid(
                            "ComputedKeyAlgorithm",
                            Problem::Only("P_SHA1 is supported"),
                        ));
                    }
                }
                other => return Err(invalid(other, Problem::NotInRequest)),
            }
        }
        let kind =
            kind.ok_or_else(|| invalid("RequestSecurityToken", Problem::Missing("RequestType")))?;
        if let Some(t) = token_type {
            check_token_type(&t, sc)?;
        } else if kind == RequestKind::Issue {
            return Err(invalid(
                "RequestSecurityToken",
                Problem::IssueWithoutTokenType,
            ));
        }
        if kind == RequestKind::Cancel {
            if entropy.is_some() {
                return Err(invalid(
                    "Entropy",
                    Problem::DoesNotBelong("a Cancel request"),
                ));
            }
            if key_size.is_some() {
                return Err(invalid(
                    "KeySize",
                    Problem::DoesNotBelong("a Cancel request"),
                ));
            }
        }
        let target = match (kind, target) {
            (RequestKind::Issue, None) => None,
            (RequestKind::Renew, Some(("RenewTarget", t)))
            | (RequestKind::Cancel, Some(("CancelTarget", t))) => Some(t),
            (RequestKind::Issue, Some((l, _))) => {
                return Err(invalid(l, Problem::DoesNotBelong("an Issue request")))
            }
            (_, _) => return Err(invalid("RequestSecurityToken", Problem::NoTarget)),
        };
        Ok(Rst {
            version: sc.version,
            kind,
            entropy,
            key_size,
            target,
        })
    }

    /// Reads an RST element at an endpoint of generation `expected`: a request of the
    /// other generation is [`TrustError::Generation`], naming both.
    pub fn parse_for(
        doc: &Document<'_>,
        el: Element,
        expected: ScVersion,
    ) -> Result<Rst, TrustError> {
        check_generation(doc, el, expected)?;
        Self::parse(doc, el)
    }
}

impl Rstr {
    /// The response element (the Body's content).
    pub fn write(&self) -> String {
        let sc = wire::sc(self.version);
        let collection = sc.rstr_collection && self.kind == RequestKind::Issue;
        // (Written piece by piece: one is written for every negotiation.)
        let mut out = String::with_capacity(2048);
        let push = |out: &mut String, pieces: &[&str]| {
            for p in pieces {
                out.push_str(p);
            }
        };
        out.push_str(if collection {
            "<t:RequestSecurityTokenResponseCollection"
        } else {
            "<t:RequestSecurityTokenResponse"
        });
        push(
            &mut out,
            &[
                r#" xmlns:t=""#,
                sc.trust,
                r#"" xmlns:o=""#,
                ns::WSSE,
                r#"">"#,
            ],
        );
        if collection {
            out.push_str("<t:RequestSecurityTokenResponse>");
        }
        if !self.cancelled {
            push(&mut out, &["<t:TokenType>", sc.sct, "</t:TokenType>"]);
        }
        if let Some(t) = &self.token {
            out.push_str("<t:RequestedSecurityToken>");
            out.push_str(&envelope::sct(
                sc,
                t.wsu_id.as_deref().unwrap_or("_sct"),
                &t.identifier,
                t.instance.as_deref(),
                t.cookie.as_deref(),
            ));
            out.push_str("</t:RequestedSecurityToken>");
        }
        if let Some(r) = &self.attached {
            out.push_str("<t:RequestedAttachedReference>");
            out.push_str(&r.write(sc));
            out.push_str("</t:RequestedAttachedReference>");
        }
        if let Some(r) = &self.unattached {
            out.push_str("<t:RequestedUnattachedReference>");
            out.push_str(&r.write(sc));
            out.push_str("</t:RequestedUnattachedReference>");
        }
        match &self.proof {
            Proof::None => {}
            Proof::BinarySecret(k) => {
                out.push_str("<t:RequestedProofToken>");
                push_binary_secret(&mut out, None, k.as_bytes());
                out.push_str("</t:RequestedProofToken>");
            }
            Proof::ComputedKey => push(
                &mut out,
                &[
                    "<t:RequestedProofToken><t:ComputedKey>",
                    sc.ck_p_sha1,
                    "</t:ComputedKey></t:RequestedProofToken>",
                ],
            ),
        }
        if let Some(e) = &self.entropy {
            out.push_str("<t:Entropy>");
            push_binary_secret(&mut out, Some(sc.nonce), e.as_bytes());
            out.push_str("</t:Entropy>");
        }
        if let Some((c, x)) = self.lifetime {
            push(
                &mut out,
                &[
                    "<t:Lifetime><u:Created>",
                    &envelope::format_time(c),
                    "</u:Created><u:Expires>",
                    &envelope::format_time(x),
                    "</u:Expires></t:Lifetime>",
                ],
            );
        }
        if let Some(k) = self.key_size {
            push(&mut out, &["<t:KeySize>", &k.to_string(), "</t:KeySize>"]);
        }
        if self.cancelled {
            out.push_str("<t:RequestedTokenCancelled/>");
        }
        out.push_str("</t:RequestSecurityTokenResponse>");
        if collection {
            out.push_str("</t:RequestSecurityTokenResponseCollection>");
        }
        out
    }

    /// Reads a response: an RSTR, or a collection holding exactly one.
    pub fn parse(doc: &Document<'_>, el: Element) -> Result<Rstr, TrustError> {
        let sc =
            wire::sc_by_trust_ns(doc.namespace(el)).ok_or_else(|| TrustError::NotExpected {
                expected: "RequestSecurityTokenResponse",
                found: found(doc, el),
            })?;
        let rstr = match doc.local_name(el) {
            "RequestSecurityTokenResponse" => el,
            "RequestSecurityTokenResponseCollection" => {
                let mut kids = doc.children(el);
                match (kids.next(), kids.next()) {
                    (Some(r), None) if doc.is(r, sc.trust, "RequestSecurityTokenResponse") => r,
                    _ => {
                        return Err(invalid(
                            "RequestSecurityTokenResponseCollection",
                            Problem::NotOne("RequestSecurityTokenResponse"),
                        ))
                    }
                }
            }
            _ => {
                return Err(TrustError::NotExpected {
                    expected: "RequestSecurityTokenResponse",
                    found: found(doc, el),
                })
            }
        };
        let mut r = Reader::new(doc, rstr, sc);
        let mut token_type = None;
        let mut token = None;
        let mut attached = None;
        let mut unattached = None;
        let mut proof = None;
        let mut entropy = None;
        let mut lifetime = None;
        let mut key_size = None;
        let mut cancelled = None;
        while let Some((child, local)) = r.next()? {
            match local {
                "TokenType" => r.once(&mut token_type, leaf(doc, child)?.trim().to_owned())?,
                "RequestedSecurityToken" => r.once(&mut token, read_sct(doc, child, sc)?)?,
                "RequestedAttachedReference" => {
                    r.once(&mut attached, read_str_in(doc, child, sc)?)?
                }
                "RequestedUnattachedReference" => {
                    r.once(&mut unattached, read_str_in(doc, child, sc)?)?
                }
                "RequestedProofToken" => r.once(&mut proof, read_proof(doc, child, sc)?)?,
                "Entropy" => r.once(&mut entropy, read_entropy(doc, child, sc)?)?,
                "Lifetime" => r.once(&mut lifetime, read_lifetime(doc, child)?)?,
                "KeySize" => r.once(&mut key_size, read_key_size(doc, child)?)?,
                "RequestedTokenCancelled" => {
                    if doc.children(child).next().is_some() {
                        return Err(invalid("RequestedTokenCancelled", Problem::NotEmpty));
                    }
                    r.once(&mut cancelled, ())?
                }
                other => return Err(invalid(other, Problem::NotInResponse)),
            }
        }
        if let Some(t) = token_type {
            check_token_type(&t, sc)?;
        }
        let cancelled = cancelled.is_some();
        if cancelled {
            let extra = [
                (token.is_some(), "RequestedSecurityToken"),
                (attached.is_some(), "RequestedAttachedReference"),
                (unattached.is_some(), "RequestedUnattachedReference"),
                (proof.is_some(), "RequestedProofToken"),
                (entropy.is_some(), "Entropy"),
                (key_size.is_some(), "KeySize"),
                (lifetime.is_some(), "Lifetime"),
            ];
            if let Some((_, name)) = extra.iter().find(|(present, _)| *present) {
                return Err(invalid(name, Problem::DoesNotBelong("a cancellation")));
            }
        } else if token.is_none() {
            return Err(invalid(
                "RequestSecurityTokenResponse",
                Problem::NoTokenNorCancelled,
            ));
        }
        Ok(Rstr {
            version: sc.version,
            kind: if cancelled {
                RequestKind::Cancel
            } else {
                RequestKind::Issue
            },
            token,
            attached,
            unattached,
            proof: proof.unwrap_or(Proof::None),
            entropy,
            lifetime,
            key_size,
            cancelled,
        })
    }

    /// Reads a response at an endpoint of generation `expected`: a response of the
    /// other generation is [`TrustError::Generation`], naming both.
    pub fn parse_for(
        doc: &Document<'_>,
        el: Element,
        expected: ScVersion,
    ) -> Result<Rstr, TrustError> {
        check_generation(doc, el, expected)?;
        Self::parse(doc, el)
    }
}

/// The context key a requestor derives from the response, per entropy mode; every
/// mismatch between the mode and what was sent or received is an error.
///
/// `client_entropy` is what the request carried; `key_bits` the key size in effect (the
/// issuer's `KeySize` when it sent one — a different one is an error — else the
/// requested size). The caller checks `key_bits` against the algorithm suite's minimum
/// and maximum; here it must be a whole number of bytes within
/// [`keys::MIN_KEY_BITS`]`..=`[`keys::MAX_KEY_BITS`].
///
/// - client-only: the key is the requestor's entropy, which must be `key_bits` long;
///   the issuer may send neither entropy nor a proof token;
/// - server-only: the key is the proof token's `BinarySecret`; the requestor sent no
///   entropy and the issuer sends no entropy;
/// - combined: the proof token names the computed-key algorithm (P_SHA1 of this
///   generation, checked when parsing) and the key is
///   [`keys::computed_key`]`(requestor entropy, issuer entropy, key_bits)`.
pub fn key_from_response(
    mode: KeyEntropyMode,
    client_entropy: Option<&[u8]>,
    rstr: &Rstr,
    key_bits: u32,
) -> Result<SecretKey, TrustError> {
    let err = |problem| TrustError::Entropy { mode, problem };
    let len = keys::key_bytes(u64::from(key_bits))?;
    if rstr.key_size.is_some_and(|k| k != key_bits) {
        return Err(err(EntropyProblem::KeySize));
    }
    match mode {
        KeyEntropyMode::ClientOnly => {
            if rstr.proof != Proof::None || rstr.entropy.is_some() {
                return Err(err(EntropyProblem::IssuerMaterial));
            }
            let e = client_entropy.ok_or_else(|| err(EntropyProblem::NoRequestorEntropy))?;
            if e.len() != len {
                return Err(err(EntropyProblem::RequestorEntropySize));
            }
            Ok(SecretKey::from_slice(e))
        }
        KeyEntropyMode::ServerOnly => {
            if client_entropy.is_some() {
                return Err(err(EntropyProblem::RequestorEntropy));
            }
            if rstr.entropy.is_some() {
                return Err(err(EntropyProblem::IssuerEntropyInsteadOfKey));
            }
            match &rstr.proof {
                Proof::BinarySecret(k) if k.len() == len => Ok(k.clone()),
                Proof::BinarySecret(_) => Err(err(EntropyProblem::IssuedKeySize)),
                _ => Err(err(EntropyProblem::NoProofToken)),
            }
        }
        KeyEntropyMode::Combined => {
            if rstr.proof != Proof::ComputedKey {
                return Err(err(EntropyProblem::NoComputedKey));
            }
            let issuer = rstr
                .entropy
                .as_ref()
                .map(SecretKey::as_bytes)
                .ok_or_else(|| err(EntropyProblem::NoIssuerEntropy))?;
            let client = client_entropy.ok_or_else(|| err(EntropyProblem::NoRequestorEntropy))?;
            Ok(keys::computed_key(client, issuer, u64::from(key_bits))?)
        }
    }
}

fn found(doc: &Document<'_>, el: Element) -> String {
    peer_text(&format!("{{{}}}{}", doc.namespace(el), doc.local_name(el)))
}

/// Refuses a WS-Trust element of the generation other than `expected`.
fn check_generation(
    doc: &Document<'_>,
    el: Element,
    expected: ScVersion,
) -> Result<(), TrustError> {
    match wire::sc_by_trust_ns(doc.namespace(el)) {
        Some(sc) if sc.version != expected => Err(TrustError::Generation {
            found: generation(sc.version),
            expected: generation(expected),
        }),
        _ => Ok(()),
    }
}

/// The text of an element that must hold text only: `<t:KeySize>2<x/>56</t:KeySize>`
/// would otherwise read as 256.
fn leaf<'d>(doc: &'d Document<'_>, el: Element) -> Result<std::borrow::Cow<'d, str>, TrustError> {
    if doc.children(el).next().is_some() {
        return Err(invalid(doc.local_name(el), Problem::NotText));
    }
    Ok(doc.text(el))
}

/// A `TokenType` must be the SCT type of the message's generation.
fn check_token_type(t: &str, sc: &Sc) -> Result<(), TrustError> {
    if t == sc.sct {
        return Ok(());
    }
    if let Some(other) = [&wire::FEB_2005, &wire::V1_3]
        .into_iter()
        .find(|o| o.version != sc.version && o.sct == t)
    {
        return Err(TrustError::Generation {
            found: generation(other.version),
            expected: generation(sc.version),
        });
    }
    Err(invalid(
        "TokenType",
        not_value(t, "the security context token type"),
    ))
}

/// An identifier-like value: not empty, at most [`MAX_ID_LEN`] bytes.
fn bounded_id(element: &str, value: &str) -> Result<(), TrustError> {
    if value.is_empty() || value.len() > MAX_ID_LEN {
        return Err(invalid(
            element,
            Problem::Length {
                max: MAX_ID_LEN,
                len: value.len(),
            },
        ));
    }
    Ok(())
}

/// Walks the WS-Trust children of an element, refusing other namespaces and
/// duplicated singletons.
/// `wsp:AppliesTo` (WS-Policy 1.5 and 2004/09): the endpoint a requestor wants the
/// token for (CXF names the service's address). An SCT issued here is for this
/// endpoint only, whatever it says, so it is passed over.
const APPLIES_TO: &[(&str, &str)] = &[
    ("http://www.w3.org/ns/ws-policy", "AppliesTo"),
    ("http://schemas.xmlsoap.org/ws/2004/09/policy", "AppliesTo"),
];

struct Reader<'d, 'a> {
    doc: &'d Document<'a>,
    sc: &'static Sc,
    /// Elements outside WS-Trust's namespace passed over, `(namespace, local name)`.
    skip: &'static [(&'static str, &'static str)],
    children: crate::xml::dom::Children<'d, 'a>,
    /// The local name of the element last returned, for messages.
    current: &'d str,
}

impl<'d, 'a> Reader<'d, 'a> {
    fn new(doc: &'d Document<'a>, el: Element, sc: &'static Sc) -> Self {
        Reader {
            doc,
            sc,
            children: doc.children(el),
            current: "",
            skip: &[],
        }
    }

    /// Passes over the elements `skip` names, wherever they occur.
    fn skipping(mut self, skip: &'static [(&'static str, &'static str)]) -> Self {
        self.skip = skip;
        self
    }

    fn next(&mut self) -> Result<Option<(Element, &'d str)>, TrustError> {
        // A loop, not recursion: a message may hold any number of skipped elements.
        let (c, cns, local) = loop {
            let Some(c) = self.children.next() else {
                return Ok(None);
            };
            let (cns, local) = (self.doc.namespace(c), self.doc.local_name(c));
            if !self.skip.contains(&(cns, local)) {
                break (c, cns, local);
            }
        };
        if cns != self.sc.trust {
            if let Some(other) = wire::sc_by_trust_ns(cns) {
                return Err(TrustError::Generation {
                    found: generation(other.version),
                    expected: generation(self.sc.version),
                });
            }
            return Err(invalid(
                local,
                Problem::NotTrust {
                    found: peer_text(&format!("{{{cns}}}{local}")),
                },
            ));
        }
        self.current = local;
        Ok(Some((c, local)))
    }

    fn once<T>(&self, slot: &mut Option<T>, value: T) -> Result<(), TrustError> {
        if slot.is_some() {
            return Err(invalid(self.current, Problem::Twice));
        }
        *slot = Some(value);
        Ok(())
    }
}

fn request_type(doc: &Document<'_>, el: Element, sc: &Sc) -> Result<RequestKind, TrustError> {
    let t = leaf(doc, el)?;
    let t = t.trim();
    for k in [RequestKind::Issue, RequestKind::Renew, RequestKind::Cancel] {
        if t == k.uri(sc) {
            return Ok(k);
        }
        for other in [&wire::FEB_2005, &wire::V1_3] {
            if other.version != sc.version && t == k.uri(other) {
                return Err(TrustError::Generation {
                    found: generation(other.version),
                    expected: generation(sc.version),
                });
            }
        }
    }
    Err(invalid(
        "RequestType",
        not_value(t, "Issue, Renew or Cancel"),
    ))
}

fn decode(element: &str, text: &str) -> Result<Vec<u8>, TrustError> {
    use crate::text::Base64Error;
    crate::text::base64_in_xml(text, 4 * MAX_ENTROPY).map_err(|e| {
        invalid(
            element,
            match e {
                Base64Error::TooLong => Problem::TooLong,
                Base64Error::NotBase64 => Problem::NotBase64,
            },
        )
    })
}

fn read_entropy(doc: &Document<'_>, el: Element, sc: &Sc) -> Result<SecretKey, TrustError> {
    let mut kids = doc.children(el);
    let (Some(bs), None) = (kids.next(), kids.next()) else {
        return Err(invalid("Entropy", Problem::NotOne("BinarySecret")));
    };
    if !doc.is(bs, sc.trust, "BinarySecret") {
        return Err(invalid(
            "Entropy",
            Problem::Only("a BinarySecret is supported (no encrypted entropy)"),
        ));
    }
    if let Some(t) = doc.attr(bs, "", "Type") {
        if t != sc.nonce {
            return Err(invalid(
                "BinarySecret",
                not_value(t, "the Nonce entropy type"),
            ));
        }
    }
    let bytes = SecretKey::new(decode("BinarySecret", &leaf(doc, bs)?)?);
    if !(MIN_ENTROPY..=MAX_ENTROPY).contains(&bytes.len()) {
        return Err(invalid(
            "BinarySecret",
            Problem::EntropyLength {
                len: bytes.len(),
                min: MIN_ENTROPY,
                max: MAX_ENTROPY,
            },
        ));
    }
    Ok(bytes)
}

fn read_key_size(doc: &Document<'_>, el: Element) -> Result<u32, TrustError> {
    let t = leaf(doc, el)?;
    let bits: u32 = t
        .trim()
        .parse()
        .map_err(|_| invalid("KeySize", not_value(t.trim(), "a number")))?;
    keys::key_bytes(u64::from(bits))?;
    Ok(bits)
}

fn read_target(doc: &Document<'_>, el: Element, sc: &Sc) -> Result<TokenRef, TrustError> {
    let mut kids = doc.children(el);
    let (Some(str_el), None) = (kids.next(), kids.next()) else {
        return Err(invalid(
            doc.local_name(el),
            Problem::NotOne("SecurityTokenReference"),
        ));
    };
    read_str(doc, str_el, sc)
}

fn read_str_in(doc: &Document<'_>, el: Element, sc: &Sc) -> Result<TokenRef, TrustError> {
    read_target(doc, el, sc)
}

/// A `wsse:SecurityTokenReference` and its `wsse:Reference`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenReferenceError {
    #[error("{found} is not a SecurityTokenReference")]
    NotTokenReference { found: String },
    #[error("a SecurityTokenReference must hold exactly one Reference")]
    NotOneReference,
    #[error("a SecurityTokenReference holds {found}; only wsse:Reference is supported")]
    NotReference { found: String },
    #[error("a token Reference has no URI")]
    NoUri,
}

/// What a `wsse:SecurityTokenReference` says, as written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StrParts<'d> {
    pub uri: &'d str,
    pub value_type: Option<&'d str>,
    /// The `Instance` attribute (a renewed key) of a reference by identifier.
    pub instance: Option<&'d str>,
}

/// The one reader of a `wsse:SecurityTokenReference` (the verifier's KeyInfo and
/// derived-key sources, WS-Trust's targets and attached references): exactly one
/// `wsse:Reference` with a URI, and its `Instance` in one of `instance_ns` — on the
/// Reference, as MS-LWSSP shows it, or on the SecurityTokenReference, as wsbind wrote
/// it before.
pub(crate) fn str_parts<'d>(
    doc: &'d Document<'_>,
    str_el: Element,
    instance_ns: &[&str],
) -> Result<StrParts<'d>, TokenReferenceError> {
    let name = |e: Element| crate::text::element_name(doc, e);
    if !doc.is(str_el, ns::WSSE, "SecurityTokenReference") {
        return Err(TokenReferenceError::NotTokenReference {
            found: name(str_el),
        });
    }
    let mut kids = doc.children(str_el);
    let (Some(r), None) = (kids.next(), kids.next()) else {
        return Err(TokenReferenceError::NotOneReference);
    };
    if !doc.is(r, ns::WSSE, "Reference") {
        return Err(TokenReferenceError::NotReference { found: name(r) });
    }
    let uri = doc
        .attr(r, "", "URI")
        .filter(|u| !u.is_empty())
        .ok_or(TokenReferenceError::NoUri)?;
    let instance = instance_ns.iter().find_map(|n| {
        doc.attr(r, n, "Instance")
            .or_else(|| doc.attr(str_el, n, "Instance"))
    });
    Ok(StrParts {
        uri,
        value_type: doc.attr(r, "", "ValueType"),
        instance,
    })
}

fn read_str(doc: &Document<'_>, str_el: Element, sc: &Sc) -> Result<TokenRef, TrustError> {
    let parts = str_parts(doc, str_el, &[sc.sc]).map_err(|e| {
        let problem = match e {
            TokenReferenceError::NotTokenReference { .. } => Problem::NotTokenReference,
            TokenReferenceError::NotOneReference => Problem::NotOne("Reference"),
            TokenReferenceError::NotReference { .. } => {
                Problem::Only("a wsse:Reference is supported")
            }
            TokenReferenceError::NoUri => Problem::Missing("URI"),
        };
        let at = match e {
            TokenReferenceError::NotTokenReference { .. } => doc.local_name(str_el),
            TokenReferenceError::NoUri => "Reference",
            _ => "SecurityTokenReference",
        };
        invalid(at, problem)
    })?;
    // WSS4J may leave ValueType out; when present it must be the SCT type.
    if let Some(vt) = parts.value_type {
        if vt != sc.sct {
            return Err(invalid(
                "Reference",
                not_value(vt, "a security context token of this generation"),
            ));
        }
    }
    let uri = parts.uri;
    bounded_id("Reference", uri)?;
    Ok(match uri.strip_prefix('#') {
        Some(id) => {
            bounded_id("Reference", id)?;
            TokenRef::Local(id.to_owned())
        }
        None => {
            if let Some(i) = parts.instance {
                bounded_id("Instance", i)?;
            }
            TokenRef::External {
                identifier: uri.to_owned(),
                instance: parts.instance.map(str::to_owned),
            }
        }
    })
}

/// The largest security context token accepted in a response, bytes: WCF's cookie
/// tokens carry kilobytes of sealed state.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

fn read_sct(doc: &Document<'_>, el: Element, sc: &Sc) -> Result<Sct, TrustError> {
    let mut kids = doc.children(el);
    let (Some(t), None) = (kids.next(), kids.next()) else {
        return Err(invalid("RequestedSecurityToken", Problem::NotOne("token")));
    };
    if !doc.is(t, sc.sc, "SecurityContextToken") {
        if let Some(other) = wire::sc_by_ns(doc.namespace(t)) {
            return Err(TrustError::Generation {
                found: generation(other.version),
                expected: generation(sc.version),
            });
        }
        return Err(invalid(
            "RequestedSecurityToken",
            Problem::Unsupported {
                found: found(doc, t),
            },
        ));
    }
    if doc.range(t).len() > MAX_TOKEN_BYTES {
        return Err(invalid("SecurityContextToken", Problem::TooLong));
    }
    let mut identifier = None;
    let mut instance = None;
    let mut cookie = None;
    for c in doc.children(t) {
        let (slot, name, max) = if doc.is(c, sc.sc, "Identifier") {
            (&mut identifier, "Identifier", MAX_ID_LEN)
        } else if doc.is(c, sc.sc, "Instance") {
            (&mut instance, "Instance", MAX_ID_LEN)
        } else if doc.is(c, COOKIE_NS, "Cookie") {
            (&mut cookie, "Cookie", MAX_COOKIE)
        } else {
            // The issuer's own content (a WCF cookie, say): opaque to the client, which
            // sends the token back as it came.
            continue;
        };
        let text = leaf(doc, c)?.trim().to_owned();
        if text.is_empty() || text.len() > max {
            return Err(invalid(
                name,
                Problem::Length {
                    max,
                    len: text.len(),
                },
            ));
        }
        if slot.replace(text).is_some() {
            return Err(invalid(name, Problem::Twice));
        }
    }
    let identifier = identifier
        .ok_or_else(|| invalid("SecurityContextToken", Problem::Missing("Identifier")))?;
    let wsu_id = doc.attr(t, ns::WSU, "Id");
    if let Some(id) = wsu_id {
        bounded_id("SecurityContextToken", id)?;
    }
    Ok(Sct {
        wsu_id: wsu_id.map(str::to_owned),
        identifier,
        instance,
        cookie,
    })
}

fn read_proof(doc: &Document<'_>, el: Element, sc: &Sc) -> Result<Proof, TrustError> {
    let mut kids = doc.children(el);
    let (Some(p), None) = (kids.next(), kids.next()) else {
        return Err(invalid("RequestedProofToken", Problem::NotOne("element")));
    };
    if doc.is(p, sc.trust, "ComputedKey") {
        let t = leaf(doc, p)?;
        let t = t.trim();
        if t == sc.ck_p_sha1 {
            return Ok(Proof::ComputedKey);
        }
        if [&wire::FEB_2005, &wire::V1_3]
            .into_iter()
            .any(|o| o.version != sc.version && o.ck_p_sha1 == t)
        {
            return Err(invalid(
                "ComputedKey",
                not_value(t, "P_SHA1 of this WS-Trust generation"),
            ));
        }
        return Err(invalid(
            "ComputedKey",
            not_value(t, "P_SHA1 (the only computed-key algorithm)"),
        ));
    }
    if doc.is(p, sc.trust, "BinarySecret") {
        if let Some(t) = doc.attr(p, "", "Type") {
            if t != sc.symmetric_key && t != sc.nonce {
                return Err(invalid(
                    "BinarySecret",
                    not_value(t, "a symmetric key type"),
                ));
            }
        }
        let bytes = decode("BinarySecret", &leaf(doc, p)?)?;
        keys::key_bytes(bytes.len() as u64 * 8)?;
        return Ok(Proof::BinarySecret(SecretKey::new(bytes)));
    }
    Err(invalid(
        "RequestedProofToken",
        Problem::Unsupported {
            found: found(doc, p),
        },
    ))
}

fn read_lifetime(doc: &Document<'_>, el: Element) -> Result<(SystemTime, SystemTime), TrustError> {
    let mut created = None;
    let mut expires = None;
    for c in doc.children(el) {
        let (slot, name) = if doc.is(c, ns::WSU, "Created") {
            (&mut created, "Created")
        } else if doc.is(c, ns::WSU, "Expires") {
            (&mut expires, "Expires")
        } else {
            return Err(invalid(
                "Lifetime",
                Problem::Unsupported {
                    found: found(doc, c),
                },
            ));
        };
        let t = parse_time(&leaf(doc, c)?).map_err(|e| invalid(name, e.into()))?;
        if slot.replace(t).is_some() {
            return Err(invalid(name, Problem::Twice));
        }
    }
    let c = created.ok_or_else(|| invalid("Lifetime", Problem::Missing("Created")))?;
    let x = expires.ok_or_else(|| invalid("Lifetime", Problem::Missing("Expires")))?;
    if x <= c {
        return Err(invalid("Lifetime", Problem::ExpiresBeforeStart));
    }
    Ok((c, x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::dom::Limits;
    use std::time::Duration;

    fn round_trip_rst(r: &Rst) -> Result<Rst, TrustError> {
        let text = format!(r#"<w xmlns:u="{}">{}</w>"#, ns::WSU, r.write());
        let doc = Document::parse(&text, &Limits::default()).expect("well-formed");
        let el = doc.children(doc.root()).next().expect("rst");
        Rst::parse(&doc, el)
    }

    fn round_trip_rstr(r: &Rstr) -> Result<Rstr, TrustError> {
        let text = format!(r#"<w xmlns:u="{}">{}</w>"#, ns::WSU, r.write());
        let doc = Document::parse(&text, &Limits::default()).expect("well-formed");
        let el = doc.children(doc.root()).next().expect("rstr");
        Rstr::parse(&doc, el)
    }

    #[test]
    fn requests_round_trip() {
        for version in [ScVersion::Feb2005, ScVersion::V1_3] {
            for (kind, target) in [
                (RequestKind::Issue, None),
                (
                    RequestKind::Renew,
                    Some(TokenRef::External {
                        identifier: "urn:uuid:1".into(),
                        instance: Some("urn:uuid:2".into()),
                    }),
                ),
                (RequestKind::Cancel, Some(TokenRef::Local("_sct".into()))),
            ] {
                let issue_or_renew = kind != RequestKind::Cancel;
                let r = Rst {
                    version,
                    kind,
                    entropy: issue_or_renew.then(|| SecretKey::new(vec![7; 32])),
                    key_size: issue_or_renew.then_some(256),
                    target,
                };
                assert_eq!(round_trip_rst(&r), Ok(r));
            }
        }
    }

    #[test]
    fn responses_round_trip() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        for version in [ScVersion::Feb2005, ScVersion::V1_3] {
            for proof in [
                Proof::None,
                Proof::ComputedKey,
                Proof::BinarySecret(SecretKey::new(vec![1; 32])),
            ] {
                let r = Rstr {
                    version,
                    kind: RequestKind::Issue,
                    token: Some(Sct {
                        wsu_id: Some("_sct".into()),
                        identifier: "urn:uuid:1".into(),
                        instance: None,
                        cookie: Some("Y29va2ll".into()),
                    }),
                    attached: Some(TokenRef::Local("_sct".into())),
                    unattached: Some(TokenRef::External {
                        identifier: "urn:uuid:1".into(),
                        instance: None,
                    }),
                    proof,
                    entropy: Some(SecretKey::new(vec![3; 32])),
                    lifetime: Some((t, t + Duration::from_secs(36000))),
                    key_size: Some(256),
                    cancelled: false,
                };
                assert_eq!(round_trip_rstr(&r), Ok(r.clone()));
                if version == ScVersion::V1_3 {
                    assert!(r
                        .write()
                        .starts_with("<t:RequestSecurityTokenResponseCollection"));
                }
            }
        }
    }

    #[test]
    fn computed_key_is_p_sha1_of_both_entropies() {
        let rstr = Rstr {
            version: ScVersion::V1_3,
            kind: RequestKind::Issue,
            token: None,
            attached: None,
            unattached: None,
            proof: Proof::ComputedKey,
            entropy: Some(SecretKey::new(vec![2; 32])),
            lifetime: None,
            key_size: Some(256),
            cancelled: false,
        };
        let k =
            key_from_response(KeyEntropyMode::Combined, Some(&[1; 32]), &rstr, 256).expect("key");
        assert_eq!(k, keys::computed_key(&[1; 32], &[2; 32], 256).expect("ck"));
        assert_eq!(
            key_from_response(KeyEntropyMode::ServerOnly, None, &rstr, 256),
            Err(TrustError::Entropy {
                mode: KeyEntropyMode::ServerOnly,
                problem: EntropyProblem::IssuerEntropyInsteadOfKey
            })
        );
        assert_eq!(
            key_from_response(KeyEntropyMode::ClientOnly, Some(&[1; 32]), &rstr, 256),
            Err(TrustError::Entropy {
                mode: KeyEntropyMode::ClientOnly,
                problem: EntropyProblem::IssuerMaterial
            })
        );
        assert_eq!(
            key_from_response(KeyEntropyMode::Combined, None, &rstr, 256),
            Err(TrustError::Entropy {
                mode: KeyEntropyMode::Combined,
                problem: EntropyProblem::NoRequestorEntropy
            })
        );
    }

    #[test]
    fn malformed_requests_are_refused() {
        let bad = |body: &str| {
            let text = format!(
                r#"<w xmlns:t="{}" xmlns:u="{}">{body}</w>"#,
                wire::V1_3.trust,
                ns::WSU
            );
            let doc = Document::parse(&text, &Limits::default()).expect("well-formed");
            let el = doc.children(doc.root()).next().expect("el");
            Rst::parse(&doc, el).expect_err(body).to_string()
        };
        let tt = format!("<t:TokenType>{}</t:TokenType>", wire::V1_3.sct);
        assert!(bad(&format!(
            "<t:RequestSecurityToken>{tt}</t:RequestSecurityToken>"
        ))
        .contains("no RequestType"));
        let feb_issue = format!("<t:RequestType>{}</t:RequestType>", wire::FEB_2005.issue);
        assert!(bad(&format!(
            "<t:RequestSecurityToken>{tt}{feb_issue}</t:RequestSecurityToken>"
        ))
        .contains("February 2005"));
        let issue = format!("<t:RequestType>{}</t:RequestType>", wire::V1_3.issue);
        assert!(bad(&format!(
            "<t:RequestSecurityToken>{tt}{issue}{issue}</t:RequestSecurityToken>"
        ))
        .contains("twice"));
        assert!(bad(&format!("<t:RequestSecurityToken>{tt}{issue}<t:Entropy><t:BinarySecret>!!</t:BinarySecret></t:Entropy></t:RequestSecurityToken>")).contains("base64"));
        assert!(bad(&format!("<t:RequestSecurityToken>{tt}{issue}<t:KeySize>100000</t:KeySize></t:RequestSecurityToken>")).contains("key size"));
        assert!(bad(&format!(
            "<t:RequestSecurityToken>{tt}{issue}<t:Claims/></t:RequestSecurityToken>"
        ))
        .contains("Claims"));
        assert!(
            bad("<t:RequestSecurityTokenResponse/>").contains("expected a RequestSecurityToken")
        );
        // AppliesTo is passed over only in WS-Policy's namespaces.
        assert!(bad(&format!(
            "<t:RequestSecurityToken>{tt}{issue}<x:AppliesTo xmlns:x=\"urn:x\"/></t:RequestSecurityToken>"
        ))
        .contains("not a WS-Trust element"));
    }

    /// What Apache CXF's client sends for an SCT (seen in the live interop test):
    /// RequestType first, AppliesTo with the service's address, the lifetime it would
    /// like, Renewing, then TokenType, KeySize, Entropy and ComputedKeyAlgorithm.
    #[test]
    fn cxf_requests_are_read() {
        for policy in [
            "http://www.w3.org/ns/ws-policy",
            "http://schemas.xmlsoap.org/ws/2004/09/policy",
        ] {
            let sc = &wire::V1_3;
            let text = format!(
                r#"<t:RequestSecurityToken xmlns:t="{trust}"><t:RequestType>{issue}</t:RequestType><wsp:AppliesTo xmlns:wsp="{policy}"><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://localhost/echo</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><t:Lifetime xmlns:wsu="{wsu}"><wsu:Created>2026-12-01T23:16:55.669Z</wsu:Created><wsu:Expires>2026-12-01T23:21:55.669Z</wsu:Expires></t:Lifetime><t:Renewing/><t:TokenType>{sct}</t:TokenType><t:KeySize>256</t:KeySize><t:Entropy><t:BinarySecret Type="{nonce}">TerVmjny7QBq8kT4Io6vKOlxLC1jPKdKHykApTdPSx4=</t:BinarySecret></t:Entropy><t:ComputedKeyAlgorithm>{ck}</t:ComputedKeyAlgorithm></t:RequestSecurityToken>"#,
                trust = sc.trust,
                issue = sc.issue,
                wsu = ns::WSU,
                sct = sc.sct,
                nonce = sc.nonce,
                ck = sc.ck_p_sha1,
            );
            let doc = Document::parse(&text, &Limits::default()).expect("well-formed");
            let rst = Rst::parse(&doc, doc.root()).expect("CXF's request");
            assert_eq!(rst.kind, RequestKind::Issue);
            assert_eq!(rst.key_size, Some(256));
            assert_eq!(rst.entropy.as_ref().map(SecretKey::len), Some(32));
        }
    }

    #[test]
    fn entropy_never_prints() {
        // In client-only mode the requestor's entropy is the context key: a `{:?}` of a
        // request or a response in a log must not show it.
        let rst = Rst {
            version: ScVersion::V1_3,
            kind: RequestKind::Issue,
            entropy: Some(SecretKey::new(vec![0xAB; 32])),
            key_size: Some(256),
            target: None,
        };
        let rstr = Rstr {
            version: ScVersion::V1_3,
            kind: RequestKind::Issue,
            token: None,
            attached: None,
            unattached: None,
            proof: Proof::BinarySecret(SecretKey::new(vec![0xAB; 32])),
            entropy: Some(SecretKey::new(vec![0xAB; 32])),
            lifetime: None,
            key_size: Some(256),
            cancelled: false,
        };
        for shown in [
            format!("{rst:?}"),
            format!("{rstr:?}"),
            format!("{rstr:#?}"),
        ] {
            assert!(shown.contains("redacted"), "{shown}");
            assert!(
                !shown.contains("171") && !shown.contains("0xab") && !shown.contains("AB"),
                "{shown}"
            );
        }
    }
}
