//! The values of the vocabulary the typed description uses (the compiler declares the
//! rest of the vocabulary the same way, with [`vocabulary!`](crate::vocabulary!)).

use crate::vocabulary;

vocabulary! {
    pub enum ChannelType ("channel type") {
        Input = "input",
        InputSession = "input-session",
        Output = "output",
        OutputSession = "output-session",
        Request = "request",
        Reply = "reply",
        Duplex = "duplex",
        DuplexSession = "duplex-session",
    }
}

vocabulary! {
    /// WS_ENVELOPE_VERSION: the SOAP version of every message.
    pub enum EnvelopeVersion ("envelope version") {
        Soap11 = "soap-1.1",
        Soap12 = "soap-1.2",
        None = "none",
    }
}

vocabulary! {
    /// WS_ADDRESSING_VERSION: the WS-Addressing version of every message (`0.9` is the
    /// August 2004 submission; `transport`: no addressing headers, the transport says
    /// where a message goes).
    pub enum AddressingVersion ("addressing version") {
        V09 = "0.9" | "august-2004",
        V10 = "1.0",
        Transport = "transport",
    }
}

vocabulary! {
    /// A WS-Addressing header a request's signature may also cover (wsbind's
    /// `wsbind-signed-headers`: a policy's `sp:SignedParts/sp:Header` in its endorsing
    /// supporting tokens).
    pub enum AddressingHeader ("addressing header") {
        To = "to",
        Action = "action",
        MessageId = "message-id",
        ReplyTo = "reply-to",
    }
}

vocabulary! {
    pub enum Role ("role") {
        Client = "client",
        Server = "server",
        Both = "both",
    }
}

vocabulary! {
    pub enum ProtectionLevel ("transport protection level") {
        None = "none",
        Sign = "sign",
        SignAndEncrypt = "sign-and-encrypt",
    }
}

vocabulary! {
    pub enum TimestampUsage ("timestamp usage") {
        Always = "always",
        Never = "never",
        RequestsOnly = "requests-only",
    }
}

vocabulary! {
    pub enum SuiteName ("algorithm suite name") {
        Basic256 = "basic256",
        Basic192 = "basic192",
        Basic128 = "basic128",
        Basic256Rsa15 = "basic256-rsa15",
        Basic192Rsa15 = "basic192-rsa15",
        Basic128Rsa15 = "basic128-rsa15",
        Basic256Sha256 = "basic256-sha256",
        Basic192Sha256 = "basic192-sha256",
        Basic128Sha256 = "basic128-sha256",
        Basic256Sha256Rsa15 = "basic256-sha256-rsa15",
        Basic192Sha256Rsa15 = "basic192-sha256-rsa15",
        Basic128Sha256Rsa15 = "basic128-sha256-rsa15",
    }
}

impl SuiteName {
    /// The suite's symmetric key length in bits (WS-SecurityPolicy's minimum).
    pub fn key_bits(self) -> u32 {
        use SuiteName::*;
        match self {
            Basic256 | Basic256Rsa15 | Basic256Sha256 | Basic256Sha256Rsa15 => 256,
            Basic192 | Basic192Rsa15 | Basic192Sha256 | Basic192Sha256Rsa15 => 192,
            Basic128 | Basic128Rsa15 | Basic128Sha256 | Basic128Sha256Rsa15 => 128,
        }
    }

    /// Whether the suite digests with SHA-256 (it signs with HMAC-SHA1, as every named
    /// suite of WS-SecurityPolicy and WWSAPI does; WCF's Basic256Sha256 differs).
    pub fn sha256(self) -> bool {
        use SuiteName::*;
        matches!(
            self,
            Basic256Sha256
                | Basic192Sha256
                | Basic128Sha256
                | Basic256Sha256Rsa15
                | Basic192Sha256Rsa15
                | Basic128Sha256Rsa15
        )
    }
}

vocabulary! {
    pub enum Canonicalization ("canonicalization algorithm") {
        Exclusive = "exclusive",
        ExclusiveWithComments = "exclusive-with-comments",
    }
}

vocabulary! {
    pub enum Digest ("digest algorithm") {
        Sha1 = "sha1",
        Sha256 = "sha256",
        Sha384 = "sha384",
        Sha512 = "sha512",
    }
}

vocabulary! {
    pub enum SymmetricSignature ("symmetric signature algorithm") {
        HmacSha1 = "hmac-sha1",
        HmacSha256 = "hmac-sha256",
        HmacSha384 = "hmac-sha384",
        HmacSha512 = "hmac-sha512",
    }
}

vocabulary! {
    pub enum HeaderLayout ("security header layout") {
        Strict = "strict",
        Lax = "lax",
        LaxWithTimestampFirst = "lax-with-timestamp-first",
        LaxWithTimestampLast = "lax-with-timestamp-last",
    }
}

vocabulary! {
    pub enum HeaderVersion ("security header version") {
        V1_0 = "1.0",
        V1_1 = "1.1",
    }
}

vocabulary! {
    pub enum KeyEntropyMode ("key entropy mode") {
        ClientOnly = "client-only",
        ServerOnly = "server-only",
        Combined = "combined",
    }
}

vocabulary! {
    pub enum ScVersion ("secure conversation version") {
        // WS_SECURE_CONVERSATION_VERSION_FEBRUARY_2005.
        Feb2005 = "feb-2005" | "february-2005",
        V1_3 = "1.3",
    }
}

vocabulary! {
    pub enum CertFailure ("certificate failure") {
        // WWSAPI's WS_CERT_FAILURE_CN_MISMATCH, _INVALID_DATE, _UNTRUSTED_ROOT.
        CnInvalid = "cn-invalid" | "cn-mismatch",
        DateInvalid = "date-invalid" | "invalid-date",
        UnknownCa = "unknown-ca" | "untrusted-root",
        WrongUsage = "wrong-usage",
        RevocationOffline = "revocation-offline",
    }
}

vocabulary! {
    /// How messages protected by a security context are signed: a wsbind extension of
    /// the WWSAPI model (WWSAPI and WCF speak only `ms-lwssp`); both ends must use the
    /// same.
    pub enum SignatureProfile ("signature profile") {
        /// [MS-LWSSP], WWSAPI's and WCF's wire: requests carry the Timestamp, the SCT
        /// and one HMAC by the context's key over the Timestamp; replies carry a
        /// Timestamp only. The client is authenticated; TLS protects the message.
        MsLwssp = "ms-lwssp",
        /// wsbind's stronger opt-in: HMAC by a key derived from the context's over the
        /// Timestamp, every WS-Addressing header and the Body, in requests and replies.
        /// No Microsoft stack accepts or sends it.
        DerivedKeys = "derived-keys",
    }
}

#[cfg(feature = "schema")]
crate::vocabulary::json_schema!(
    ChannelType,
    AddressingHeader,
    EnvelopeVersion,
    AddressingVersion,
    Role,
    ProtectionLevel,
    TimestampUsage,
    SuiteName,
    Canonicalization,
    Digest,
    SymmetricSignature,
    HeaderLayout,
    HeaderVersion,
    KeyEntropyMode,
    ScVersion,
    CertFailure,
    SignatureProfile,
);
