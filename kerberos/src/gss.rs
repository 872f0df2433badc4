//! The GSS-API calls wsbind needs, over MIT Kerberos' C library (`libgssapi-sys`'s
//! bindings): names, credentials, one-token security contexts, and the context's session
//! key.
//!
//! Why `unsafe` here, and only here: the Kerberos bootstrap signs its message with the
//! session key of the AP-REQ ([MS-LWSSP] 2.2.1.3.1), and GSS-API hands it out only
//! through `gss_inquire_sec_context_by_oid(GSS_C_INQ_SSPI_SESSION_KEY)` (MIT's extension
//! made for exactly this: the key SSPI's `SECPKG_ATTR_SESSION_KEY` returns on Windows).
//! The maintained safe bindings (`libgssapi`, `cross-krb5`) do not expose that call nor
//! their raw context handles, so this module calls the C API itself. Each handle is
//! owned by one Rust value that releases it exactly once; every buffer GSS-API
//! allocates is copied out and released before the function returns; every pointer
//! handed to GSS-API outlives the call. Nothing else in the crate is `unsafe`.
#![allow(unsafe_code)]

use libgssapi_sys as sys;
use std::ffi::{c_void, CString};
use std::ptr;
use zeroize::Zeroizing;

/// A GSS-API failure: the call, and MIT's own words for the major and minor codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{call}: {message}")]
pub struct GssError {
    pub call: &'static str,
    pub major: u32,
    pub minor: u32,
    pub message: String,
}

impl GssError {
    /// Whether the acceptor refused the token as one it has seen (its replay cache).
    pub fn is_replay(&self) -> bool {
        self.major & 0xffff == sys::GSS_S_DUPLICATE_TOKEN
            || self.message.contains("replay")
            || self.message.contains("Replay")
    }
}

type Result<T> = std::result::Result<T, GssError>;

/// The Kerberos V5 mechanism, 1.2.840.113554.1.2.2 (RFC 1964).
const KRB5_MECH: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02";
/// `GSS_KRB5_NT_PRINCIPAL_NAME`, 1.2.840.113554.1.2.2.1: `service/host@REALM`.
const KRB5_PRINCIPAL: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x01";

/// An OID descriptor over static bytes (GSS-API reads it, never writes it).
fn oid(bytes: &'static [u8]) -> sys::gss_OID_desc_struct {
    sys::gss_OID_desc_struct {
        length: bytes.len() as u32,
        elements: bytes.as_ptr() as *mut c_void,
    }
}

fn empty_buffer() -> sys::gss_buffer_desc_struct {
    sys::gss_buffer_desc_struct {
        length: 0,
        value: ptr::null_mut(),
    }
}

/// Copies a buffer GSS-API allocated and releases it.
fn take_buffer(buf: &mut sys::gss_buffer_desc_struct) -> Vec<u8> {
    let bytes = if buf.value.is_null() || buf.length == 0 {
        Vec::new()
    } else {
        // SAFETY: GSS-API returned `length` readable bytes at `value`.
        unsafe { std::slice::from_raw_parts(buf.value as *const u8, buf.length) }.to_vec()
    };
    let mut minor = 0;
    // SAFETY: `buf` was filled by GSS-API (or is empty); released once here.
    unsafe { sys::gss_release_buffer(&mut minor, buf) };
    bytes
}

/// MIT's text for a status code of one kind (`GSS_C_GSS_CODE` or `GSS_C_MECH_CODE`).
fn status_text(code: u32, kind: u32) -> String {
    let mut out = Vec::new();
    let mut context = 0u32;
    // A few messages at most; the loop is bounded in case the library misbehaves.
    for _ in 0..8 {
        let mut minor = 0;
        let mut buf = empty_buffer();
        let mut mech = oid(KRB5_MECH);
        // SAFETY: every pointer is to a live local; the buffer is released below.
        let major = unsafe {
            sys::gss_display_status(
                &mut minor,
                code,
                kind as i32,
                &mut mech,
                &mut context,
                &mut buf,
            )
        };
        let text = take_buffer(&mut buf);
        if major != sys::GSS_S_COMPLETE {
            break;
        }
        out.push(String::from_utf8_lossy(&text).into_owned());
        if context == 0 {
            break;
        }
    }
    out.join("; ")
}

fn check(call: &'static str, major: u32, minor: u32) -> Result<()> {
    // The routine and calling errors; supplementary bits alone are information.
    if major & 0xffff_0000 == 0 {
        return Ok(());
    }
    let mut message = status_text(major, sys::GSS_C_GSS_CODE);
    if minor != 0 {
        let mech = status_text(minor, sys::GSS_C_MECH_CODE);
        if !mech.is_empty() {
            message = format!("{message} ({mech})");
        }
    }
    Err(GssError {
        call,
        major,
        minor,
        message,
    })
}

/// A GSS-API name.
pub(crate) struct Name(sys::gss_name_t);

// SAFETY: a GSS name is immutable once imported; MIT's names may be read from any
// thread, and this one is released once, by `Drop`.
unsafe impl Send for Name {}
unsafe impl Sync for Name {}

impl Drop for Name {
    fn drop(&mut self) {
        if !self.0.is_null() {
            let mut minor = 0;
            // SAFETY: owned handle, released once.
            unsafe { sys::gss_release_name(&mut minor, &mut self.0) };
        }
    }
}

impl Name {
    /// A Kerberos principal, `service/host@REALM` or `user@REALM` (the realm may be left
    /// out: the default realm of the configuration).
    pub(crate) fn principal(text: &str) -> Result<Name> {
        let mut buf = sys::gss_buffer_desc_struct {
            length: text.len(),
            value: text.as_ptr() as *mut c_void,
        };
        let mut kind = oid(KRB5_PRINCIPAL);
        let mut name = ptr::null_mut();
        let mut minor = 0;
        // SAFETY: `buf` points at `text` for the call; GSS-API copies it.
        let major = unsafe { sys::gss_import_name(&mut minor, &mut buf, &mut kind, &mut name) };
        let name = Name(name);
        check("gss_import_name", major, minor)?;
        Ok(name)
    }

    /// The name as text (`alice@EXAMPLE.COM`).
    pub(crate) fn display(&self) -> Result<String> {
        let mut buf = empty_buffer();
        let mut minor = 0;
        // SAFETY: a live name; the buffer is released by `take_buffer`.
        let major = unsafe { sys::gss_display_name(&mut minor, self.0, &mut buf, ptr::null_mut()) };
        let text = take_buffer(&mut buf);
        check("gss_display_name", major, minor)?;
        Ok(String::from_utf8_lossy(&text).into_owned())
    }
}

/// GSS-API credentials: a client's (initiate) or a service's (accept).
pub(crate) struct Cred(sys::gss_cred_id_t);

// SAFETY: MIT's krb5 credentials lock their own state (`k5_mutex` in the credential
// record), so one may be used from several threads; released once, by `Drop`.
unsafe impl Send for Cred {}
unsafe impl Sync for Cred {}

impl Drop for Cred {
    fn drop(&mut self) {
        if !self.0.is_null() {
            let mut minor = 0;
            // SAFETY: owned handle, released once.
            unsafe { sys::gss_release_cred(&mut minor, &mut self.0) };
        }
    }
}

/// Whether credentials start or accept contexts.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Usage {
    Initiate,
    Accept,
}

/// A Kerberos-only mechanism set, for the duration of one call.
struct MechSet {
    mech: sys::gss_OID_desc_struct,
    set: sys::gss_OID_set_desc_struct,
}

impl MechSet {
    fn krb5() -> Box<MechSet> {
        let mut m = Box::new(MechSet {
            mech: oid(KRB5_MECH),
            set: sys::gss_OID_set_desc_struct {
                count: 1,
                elements: ptr::null_mut(),
            },
        });
        m.set.elements = &mut m.mech;
        m
    }
}

impl Cred {
    /// Credentials from a credential store ([MIT's `gss_acquire_cred_from`]: `ccache`,
    /// `client_keytab`, `keytab`, `rcache`), for `name` (none: the store's default).
    ///
    /// [MIT's `gss_acquire_cred_from`]: https://web.mit.edu/kerberos/krb5-latest/doc/appdev/gssapi.html
    pub(crate) fn from_store(
        name: Option<&Name>,
        usage: Usage,
        store: &[(&str, &str)],
    ) -> Result<Cred> {
        let pairs: Vec<(CString, CString)> = store
            .iter()
            .map(|(k, v)| {
                Ok((
                    CString::new(*k).map_err(|_| nul("credential store key"))?,
                    CString::new(*v).map_err(|_| nul("credential store value"))?,
                ))
            })
            .collect::<Result<_>>()?;
        let mut elements: Vec<sys::gss_key_value_element_struct> = pairs
            .iter()
            .map(|(k, v)| sys::gss_key_value_element_struct {
                key: k.as_ptr(),
                value: v.as_ptr(),
            })
            .collect();
        let set = sys::gss_key_value_set_struct {
            count: elements.len() as u32,
            elements: elements.as_mut_ptr(),
        };
        let mut mechs = MechSet::krb5();
        let mut cred = ptr::null_mut();
        let mut minor = 0;
        // SAFETY: `set`, its strings and the mechanism set live across the call;
        // GSS-API copies what it keeps.
        let major = unsafe {
            sys::gss_acquire_cred_from(
                &mut minor,
                name.map_or(ptr::null_mut(), |n| n.0),
                sys::_GSS_C_INDEFINITE,
                &mut mechs.set,
                usage.code(),
                if store.is_empty() { ptr::null() } else { &set },
                &mut cred,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        let cred = Cred(cred);
        check("gss_acquire_cred_from", major, minor)?;
        Ok(cred)
    }

    /// A client's credentials from its password (MIT asks the KDC for a ticket-granting
    /// ticket and keeps it in memory).
    pub(crate) fn with_password(name: &Name, password: &str) -> Result<Cred> {
        let mut buf = sys::gss_buffer_desc_struct {
            length: password.len(),
            value: password.as_ptr() as *mut c_void,
        };
        let mut mechs = MechSet::krb5();
        let mut cred = ptr::null_mut();
        let mut minor = 0;
        // SAFETY: `buf` points at `password` for the call; the mechanism set lives
        // across it.
        let major = unsafe {
            sys::gss_acquire_cred_with_password(
                &mut minor,
                name.0,
                &mut buf,
                sys::_GSS_C_INDEFINITE,
                &mut mechs.set,
                Usage::Initiate.code(),
                &mut cred,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        let cred = Cred(cred);
        check("gss_acquire_cred_with_password", major, minor)?;
        Ok(cred)
    }
}

impl Usage {
    fn code(self) -> sys::gss_cred_usage_t {
        match self {
            Usage::Initiate => sys::GSS_C_INITIATE as sys::gss_cred_usage_t,
            Usage::Accept => sys::GSS_C_ACCEPT as sys::gss_cred_usage_t,
        }
    }
}

fn nul(what: &str) -> GssError {
    GssError {
        call: "wsbind-kerberos",
        major: 0,
        minor: 0,
        message: format!("the {what} contains a NUL byte"),
    }
}

/// An established security context (one token each way at most: an AP-REQ).
struct Context(sys::gss_ctx_id_t);

impl Drop for Context {
    fn drop(&mut self) {
        if !self.0.is_null() {
            let mut minor = 0;
            // SAFETY: owned handle, deleted once; no output token is asked for.
            unsafe { sys::gss_delete_sec_context(&mut minor, &mut self.0, ptr::null_mut()) };
        }
    }
}

impl Context {
    /// The session key: the acceptor's subkey, else the initiator's, else the ticket's
    /// (`GSS_C_INQ_SSPI_SESSION_KEY`: the buffer set's first element is the key, the
    /// second its encryption type).
    fn session_key(&self) -> Result<Zeroizing<Vec<u8>>> {
        let mut set: sys::gss_buffer_set_t = ptr::null_mut();
        let mut minor = 0;
        // SAFETY: a live, established context; `GSS_C_INQ_SSPI_SESSION_KEY` is MIT's
        // exported OID; the set is released below.
        let major = unsafe {
            sys::gss_inquire_sec_context_by_oid(
                &mut minor,
                self.0,
                sys::GSS_C_INQ_SSPI_SESSION_KEY,
                &mut set,
            )
        };
        let key = if set.is_null() {
            None
        } else {
            // SAFETY: GSS-API returned a set of `count` buffers.
            unsafe {
                let s = &*set;
                (s.count >= 1 && !s.elements.is_null()).then(|| {
                    let b = &*s.elements;
                    Zeroizing::new(
                        std::slice::from_raw_parts(b.value as *const u8, b.length).to_vec(),
                    )
                })
            }
        };
        if !set.is_null() {
            let mut m = 0;
            // SAFETY: the set GSS-API allocated, released once.
            unsafe { sys::gss_release_buffer_set(&mut m, &mut set) };
        }
        check("gss_inquire_sec_context_by_oid", major, minor)?;
        key.filter(|k| !k.is_empty()).ok_or(GssError {
            call: "gss_inquire_sec_context_by_oid",
            major,
            minor,
            message: "no session key".into(),
        })
    }
}

/// What the client sends, and the key both sides then hold.
pub(crate) struct Initiated {
    pub(crate) token: Vec<u8>,
    pub(crate) key: Zeroizing<Vec<u8>>,
}

/// Starts a context with `target` from `cred`: the GSS-API token that carries the
/// AP-REQ, without mutual authentication (the service sends no AP-REP: WWSAPI's
/// bootstrap is one message), and its session key.
pub(crate) fn initiate(cred: &Cred, target: &Name) -> Result<Initiated> {
    let mut mech = oid(KRB5_MECH);
    let mut ctx = Context(ptr::null_mut());
    let mut out = empty_buffer();
    let mut minor = 0;
    let mut flags = 0;
    // SAFETY: live credentials and name; `ctx` owns the handle GSS-API creates; the
    // output buffer is released by `take_buffer`.
    let major = unsafe {
        sys::gss_init_sec_context(
            &mut minor,
            cred.0,
            &mut ctx.0,
            target.0,
            &mut mech,
            sys::GSS_C_REPLAY_FLAG | sys::GSS_C_INTEG_FLAG,
            0,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            &mut out,
            &mut flags,
            ptr::null_mut(),
        )
    };
    let token = take_buffer(&mut out);
    check("gss_init_sec_context", major, minor)?;
    if major & 0xffff == sys::GSS_S_CONTINUE_NEEDED {
        return Err(GssError {
            call: "gss_init_sec_context",
            major,
            minor,
            message: "the mechanism asked for another round trip".into(),
        });
    }
    let key = ctx.session_key()?;
    Ok(Initiated { token, key })
}

/// What an accepted AP-REQ proved.
pub(crate) struct Accepted {
    pub(crate) client: String,
    pub(crate) service: String,
    pub(crate) key: Zeroizing<Vec<u8>>,
}

/// Accepts the GSS-API token `token` with the service's credentials.
pub(crate) fn accept(cred: &Cred, token: &[u8]) -> Result<Accepted> {
    let mut ctx = Context(ptr::null_mut());
    let mut input = sys::gss_buffer_desc_struct {
        length: token.len(),
        value: token.as_ptr() as *mut c_void,
    };
    let mut source = Name(ptr::null_mut());
    let mut out = empty_buffer();
    let mut minor = 0;
    // SAFETY: `input` points at `token` for the call; `ctx` and `source` own what
    // GSS-API creates; the output buffer is released by `take_buffer`.
    let major = unsafe {
        sys::gss_accept_sec_context(
            &mut minor,
            &mut ctx.0,
            cred.0,
            &mut input,
            ptr::null_mut(),
            &mut source.0,
            ptr::null_mut(),
            &mut out,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    drop(take_buffer(&mut out));
    check("gss_accept_sec_context", major, minor)?;
    if major & 0xffff == sys::GSS_S_CONTINUE_NEEDED {
        return Err(GssError {
            call: "gss_accept_sec_context",
            major,
            minor,
            message: "the token does not complete a context in one message".into(),
        });
    }
    let mut target = Name(ptr::null_mut());
    let mut m2 = 0;
    // SAFETY: a live, established context; `target` owns the name returned.
    let major2 = unsafe {
        sys::gss_inquire_context(
            &mut m2,
            ctx.0,
            ptr::null_mut(),
            &mut target.0,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    check("gss_inquire_context", major2, m2)?;
    Ok(Accepted {
        client: source.display()?,
        service: target.display()?,
        key: ctx.session_key()?,
    })
}
