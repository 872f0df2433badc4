//! The namespaces the importer reads.

pub(crate) const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
pub(crate) const SOAP11_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
pub(crate) const SOAP12_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";
/// WS-Policy 1.2 (2004/09), as WCF writes it.
pub(crate) const WSP_2004: &str = "http://schemas.xmlsoap.org/ws/2004/09/policy";
/// W3C WS-Policy 1.5.
pub(crate) const WSP_15: &str = "http://www.w3.org/ns/ws-policy";
pub(crate) const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/// WS-SecurityPolicy 1.1 (2005/07): WCF's wsHttpBinding, Trust10, WS-SC February 2005.
pub(crate) const SP_2005: &str = "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy";
/// WS-SecurityPolicy 1.2 (OASIS, 200702): Trust13, WS-SC 1.3.
pub(crate) const SP_12: &str = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702";
/// WS-SecurityPolicy 1.3's additions (200802).
pub(crate) const SP_13: &str = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200802";
/// Microsoft's security policy extensions (`mssp:MustNotSendCancel`, ...).
pub(crate) const MSSP: &str = "http://schemas.microsoft.com/ws/2005/07/securitypolicy";
/// `wsap:UsingAddressing`: WS-Addressing August 2004.
pub(crate) const WSA_POLICY_2004: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing/policy";
/// `wsaw:UsingAddressing`: WS-Addressing 1.0 (WSDL binding).
pub(crate) const WSAW: &str = "http://www.w3.org/2006/05/addressing/wsdl";
/// `wsam:Addressing`: WS-Addressing 1.0 (metadata).
pub(crate) const WSAM: &str = "http://www.w3.org/2007/05/addressing/metadata";
pub(crate) const WSA_2004: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
pub(crate) const WSA_10: &str = "http://www.w3.org/2005/08/addressing";
/// WCF's binary message encoding (`msb:BinaryEncoding`).
pub(crate) const MSB: &str = "http://schemas.microsoft.com/ws/06/2004/mspolicy/netbinary1";
/// The SOAP-over-HTTP transport of a `soap:binding`.
pub(crate) const SOAP_HTTP: &str = "http://schemas.xmlsoap.org/soap/http";
/// WCF's net.tcp transport of a `soap12:binding` (the WWSAPI tcp channel binding).
pub(crate) const SOAP_TCP: &str = "http://schemas.microsoft.com/soap/tcp";
/// WCF's HTTP authentication assertions (`http:BasicAuthentication`, ...).
pub(crate) const MS_HTTP: &str = "http://schemas.microsoft.com/ws/06/2004/policy/http";
/// WCF's .NET Framing security assertions (`msf:WindowsTransportSecurity`, ...).
pub(crate) const MSF: &str = "http://schemas.microsoft.com/ws/2006/05/framing/policy";

/// Whether `ns` is one of the WS-SecurityPolicy namespaces.
pub(crate) fn is_sp(ns: &str) -> bool {
    ns == SP_2005 || ns == SP_12 || ns == SP_13
}

/// Whether `ns` is one of the WS-Policy namespaces.
pub(crate) fn is_wsp(ns: &str) -> bool {
    ns == WSP_2004 || ns == WSP_15
}
