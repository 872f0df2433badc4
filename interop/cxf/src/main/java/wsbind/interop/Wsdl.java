package wsbind.interop;

/**
 * The WSDL both sides of the peer use: one echo operation, with the policy WCF exports
 * for wsHttpBinding + TransportWithMessageCredential + UserName + secure conversation
 * (written here from WS-SecurityPolicy, not copied): HTTPS transport, a Timestamp, the
 * security context token endorsing the message (its key signs the Timestamp: MS-LWSSP's
 * shape), bootstrapped over TLS with a UsernameToken; combined entropy.
 */
final class Wsdl {
    static final String NS = "urn:wsbind:interop";
    static final String ACTION = "urn:wsbind:interop/Echo";
    static final String REPLY_ACTION = "urn:wsbind:interop/EchoResponse";

    private Wsdl() {}

    /** WS-SC 1.3 with WS-SecurityPolicy 1.2 and WS-Trust 1.3; or February 2005 with
     *  WS-SecurityPolicy 2005/07 and WS-Trust 1.0. SOAP 1.2 or 1.1. */
    static String of(boolean sc13, boolean soap12, String address) {
        return of(sc13, soap12, address, "combined", "Basic256");
    }

    /** As above, with the entropy the policy requires: combined (WCF's default),
     *  client-only or server-only. */
    static String of(boolean sc13, boolean soap12, String address, String entropy, String suite) {
        if (!suite.matches("Basic(128|192|256)(Sha256)?")) {
            throw new IllegalArgumentException("suite: Basic128, Basic192, Basic256, with or without Sha256");
        }
        String entropyAssertions = switch (entropy) {
            case "combined" -> "<sp:RequireClientEntropy/><sp:RequireServerEntropy/>";
            case "client-only" -> "<sp:RequireClientEntropy/>";
            case "server-only" -> "<sp:RequireServerEntropy/>";
            default -> throw new IllegalArgumentException("entropy: combined, client-only or server-only");
        };
        String sp = sc13
                ? "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"
                : "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy";
        String wsp = sc13 ? "http://www.w3.org/ns/ws-policy" : "http://schemas.xmlsoap.org/ws/2004/09/policy";
        String include = sp + "/IncludeToken/AlwaysToRecipient";
        String trust = sc13 ? "Trust13" : "Trust10";
        String soapNs = soap12 ? "http://schemas.xmlsoap.org/wsdl/soap12/" : "http://schemas.xmlsoap.org/wsdl/soap/";
        String transport = """
                <sp:TransportBinding><wsp:Policy>
                  <sp:TransportToken><wsp:Policy><sp:HttpsToken%s><wsp:Policy/></sp:HttpsToken></wsp:Policy></sp:TransportToken>
                  <sp:AlgorithmSuite><wsp:Policy><sp:%s/></wsp:Policy></sp:AlgorithmSuite>
                  <sp:Layout><wsp:Policy><sp:Strict/></wsp:Policy></sp:Layout>
                  <sp:IncludeTimestamp/>
                </wsp:Policy></sp:TransportBinding>
                """.formatted(sc13 ? "" : " RequireClientCertificate=\"false\"", suite);
        String trustPolicy = """
                <sp:%s><wsp:Policy>
                  <sp:MustSupportIssuedTokens/>%s
                </wsp:Policy></sp:%s>
                """.formatted(trust, entropyAssertions, trust);
        String policy = """
                <wsp:Policy wsu:Id="SecureConversation_UserNameOverTransport">
                  <wsp:ExactlyOne><wsp:All>
                    %s
                    <sp:EndorsingSupportingTokens><wsp:Policy>
                      <sp:SecureConversationToken sp:IncludeToken="%s"><wsp:Policy>
                        <sp:BootstrapPolicy><wsp:Policy>
                          %s
                          <sp:SignedSupportingTokens><wsp:Policy>
                            <sp:UsernameToken sp:IncludeToken="%s"><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy></sp:UsernameToken>
                          </wsp:Policy></sp:SignedSupportingTokens>
                          <sp:Wss11><wsp:Policy/></sp:Wss11>
                          %s
                        </wsp:Policy></sp:BootstrapPolicy>
                      </wsp:Policy></sp:SecureConversationToken>
                    </wsp:Policy></sp:EndorsingSupportingTokens>
                    <sp:Wss11><wsp:Policy/></sp:Wss11>
                    %s
                    <wsam:Addressing><wsp:Policy/></wsam:Addressing>
                  </wsp:All></wsp:ExactlyOne>
                </wsp:Policy>
                """.formatted(transport, include, transport, include, trustPolicy, trustPolicy);
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <wsdl:definitions name="Echo" targetNamespace="%1$s"
                    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
                    xmlns:soap="%2$s"
                    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
                    xmlns:tns="%1$s"
                    xmlns:wsp="%3$s"
                    xmlns:sp="%4$s"
                    xmlns:wsam="http://www.w3.org/2007/05/addressing/metadata"
                    xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"
                    xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
                  %5$s
                  <wsdl:types>
                    <xsd:schema targetNamespace="%1$s" elementFormDefault="qualified">
                      <xsd:element name="Echo"><xsd:complexType mixed="true"><xsd:sequence>
                        <xsd:any minOccurs="0" maxOccurs="unbounded" processContents="skip"/>
                      </xsd:sequence><xsd:anyAttribute processContents="skip"/></xsd:complexType></xsd:element>
                      <xsd:element name="EchoResponse"><xsd:complexType mixed="true"><xsd:sequence>
                        <xsd:any minOccurs="0" maxOccurs="unbounded" processContents="skip"/>
                      </xsd:sequence><xsd:anyAttribute processContents="skip"/></xsd:complexType></xsd:element>
                    </xsd:schema>
                  </wsdl:types>
                  <wsdl:message name="EchoRequest"><wsdl:part name="body" element="tns:Echo"/></wsdl:message>
                  <wsdl:message name="EchoReply"><wsdl:part name="body" element="tns:EchoResponse"/></wsdl:message>
                  <wsdl:portType name="EchoPortType">
                    <wsdl:operation name="Echo">
                      <wsdl:input message="tns:EchoRequest" wsam:Action="%6$s" wsaw:Action="%6$s"/>
                      <wsdl:output message="tns:EchoReply" wsam:Action="%7$s" wsaw:Action="%7$s"/>
                    </wsdl:operation>
                  </wsdl:portType>
                  <wsdl:binding name="EchoBinding" type="tns:EchoPortType">
                    <wsp:PolicyReference URI="#SecureConversation_UserNameOverTransport"/>
                    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
                    <wsdl:operation name="Echo">
                      <soap:operation soapAction="%6$s" style="document"/>
                      <wsdl:input><soap:body use="literal"/></wsdl:input>
                      <wsdl:output><soap:body use="literal"/></wsdl:output>
                    </wsdl:operation>
                  </wsdl:binding>
                  <wsdl:service name="EchoService">
                    <wsdl:port name="EchoPort" binding="tns:EchoBinding">
                      <soap:address location="%8$s"/>
                    </wsdl:port>
                  </wsdl:service>
                </wsdl:definitions>
                """.formatted(NS, soapNs, wsp, sp, policy, ACTION, REPLY_ACTION, address);
    }
}
