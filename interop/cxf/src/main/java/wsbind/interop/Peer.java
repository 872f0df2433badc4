package wsbind.interop;

import jakarta.xml.ws.Dispatch;
import jakarta.xml.ws.Provider;
import jakarta.xml.ws.Service;
import jakarta.xml.ws.ServiceMode;
import jakarta.xml.ws.WebServiceProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.xml.namespace.QName;
import javax.xml.transform.Source;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;
import org.apache.cxf.Bus;
import org.apache.cxf.BusFactory;
import org.apache.cxf.configuration.jsse.TLSClientParameters;
import org.apache.cxf.configuration.jsse.TLSServerParameters;
import org.apache.cxf.endpoint.Client;
import org.apache.cxf.jaxws.DispatchImpl;
import org.apache.cxf.jaxws.EndpointImpl;
import org.apache.cxf.message.Message;
import org.apache.cxf.phase.AbstractPhaseInterceptor;
import org.apache.cxf.phase.Phase;
import org.apache.cxf.transport.http.HTTPConduit;
import org.apache.cxf.transport.http_jetty.JettyHTTPServerEngineFactory;
import org.apache.wss4j.common.ext.WSPasswordCallback;

/**
 * wsbind's Apache CXF peer. {@code serve}: an echo service over HTTPS on loopback with
 * WCF's secure-conversation policy; {@code call}: a CXF client with the same policy that
 * negotiates a context with an endpoint and sends requests. Options are
 * {@code --name value}; every SOAP message sent and received is written to the
 * directory {@code --log} names. Results go to standard output as {@code key: value}
 * lines, so the Rust test can read them.
 */
public final class Peer {
    private Peer() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage("no command");
        }
        Map<String, String> o = options(args);
        switch (args[0]) {
            case "serve" -> serve(o);
            case "call" -> call(o);
            default -> usage("unknown command " + args[0]);
        }
    }

    private static void usage(String why) {
        System.err.println("wsbind-cxf-peer: " + why);
        System.err.println("usage: serve --port N --sc 1.3|feb-2005 --soap 1.2|1.1 --cert PEM --key PEM --user U:P --log DIR");
        System.err.println("       call --endpoint URL --sc 1.3|feb-2005 --soap 1.2|1.1 --trust PEM --user U:P --count N --log DIR");
        System.err.println("            [--pause-ms MS (between requests)] [--step true (one line on stdin per request)]");
        System.err.println("            [--lifetime-s S (serve: the contexts' lifetime)]");
        System.err.println("            [--entropy combined|client-only|server-only (both: what the policy requires)]");
        System.err.println("            [--suite Basic128|Basic192|Basic256[Sha256] (both: the policy's algorithm suite)]");
        System.err.println("            [--wsdl FILE --service {NS}NAME --port-name {NS}NAME (both: a WSDL loaded unchanged)]");
        System.err.println("            [--action URI (call: the requests' action)] [--addressing 2004/08 (call)]");
        System.err.println("            [--client-ca PEM (serve: require client certificates from this CA)]");
        System.err.println("            [--client-cert PEM --client-key PEM (call: present this certificate)]");
        System.err.println("            [--krb5-conf FILE --kerberos-principal P --kerberos-keytab FILE --kerberos-spn SPN");
        System.err.println("             (both: a Kerberos bootstrap; call: P's AP-REQs for SPN; serve: accept SPN's)]");
        System.exit(2);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                usage("bad option " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        return o;
    }

    private static String need(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) {
            usage("missing --" + name);
        }
        return v;
    }

    private static boolean sc13(Map<String, String> o) {
        return switch (need(o, "sc")) {
            case "1.3" -> true;
            case "feb-2005" -> false;
            default -> {
                usage("--sc is 1.3 or feb-2005");
                yield false;
            }
        };
    }

    /** The WSDL named by --wsdl (loaded unchanged), or null. */
    private static Path given(Map<String, String> o) {
        String w = o.get("wsdl");
        return w == null ? null : Path.of(w).toAbsolutePath();
    }

    /** --service {ns}local of a given WSDL; the peer's own service otherwise. */
    private static QName serviceName(Map<String, String> o) {
        return QName.valueOf(o.getOrDefault("service", "{" + Wsdl.NS + "}EchoService"));
    }

    /** --port {ns}local of a given WSDL; the peer's own port otherwise. */
    private static QName portName(Map<String, String> o) {
        return QName.valueOf(o.getOrDefault("port-name", "{" + Wsdl.NS + "}EchoPort"));
    }

    private static boolean soap12(Map<String, String> o) {
        return !"1.1".equals(o.getOrDefault("soap", "1.2"));
    }

    /** A password callback that knows one user. */
    private static CallbackHandler passwords(String userColonPassword) {
        int colon = userColonPassword.indexOf(':');
        String user = userColonPassword.substring(0, colon);
        String password = userColonPassword.substring(colon + 1);
        return callbacks -> {
            for (Callback c : callbacks) {
                if (c instanceof WSPasswordCallback pc && user.equals(pc.getIdentifier())) {
                    pc.setPassword(password);
                }
            }
        };
    }

    // ---- the service ------------------------------------------------------------

    @WebServiceProvider(serviceName = "EchoService", portName = "EchoPort", targetNamespace = Wsdl.NS)
    @ServiceMode(Service.Mode.PAYLOAD)
    public static final class Echo implements Provider<Source> {
        static final AtomicInteger CALLS = new AtomicInteger();

        @Override
        public Source invoke(Source request) {
            String text = xml(request);
            int n = CALLS.incrementAndGet();
            String reply = "<e:EchoResponse xmlns:e=\"" + Wsdl.NS + "\" n=\"" + n + "\">"
                    + escape(text) + "</e:EchoResponse>";
            return new StreamSource(new StringReader(reply));
        }
    }

    private static void serve(Map<String, String> o) throws Exception {
        int port = Integer.parseInt(o.getOrDefault("port", "0"));
        if (port == 0) {
            try (var s = new java.net.ServerSocket(0)) {
                port = s.getLocalPort();
            }
        }
        String address = "https://localhost:" + port + "/echo";
        Path log = Path.of(need(o, "log"));
        Files.createDirectories(log);
        // A WSDL given with --wsdl is loaded unchanged (its policy drives CXF; its
        // address is replaced by ours); otherwise the peer writes its own.
        Path wsdl = given(o);
        if (wsdl == null) {
            wsdl = log.resolve("service.wsdl");
            Files.writeString(wsdl, Wsdl.of(sc13(o), soap12(o), address, o.getOrDefault("entropy", "combined"), o.getOrDefault("suite", "Basic256")));
        }

        Bus bus = BusFactory.getDefaultBus();
        TLSServerParameters tls = new TLSServerParameters();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(need(o, "cert"), need(o, "key")), new char[0]);
        tls.setKeyManagers(kmf.getKeyManagers());
        if (o.containsKey("client-ca")) {
            // Clients must present a certificate issued by this CA.
            TrustManagerFactory clients = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            clients.init(trustStore(o.get("client-ca")));
            tls.setTrustManagers(clients.getTrustManagers());
            org.apache.cxf.configuration.security.ClientAuthentication auth =
                    new org.apache.cxf.configuration.security.ClientAuthentication();
            auth.setRequired(true);
            auth.setWant(true);
            tls.setClientAuthentication(auth);
        }
        bus.getExtension(JettyHTTPServerEngineFactory.class).setTLSServerParametersForPort(port, tls);

        EndpointImpl ep = new EndpointImpl(bus, new Echo());
        ep.setWsdlLocation(wsdl.toUri().toString());
        ep.setServiceName(serviceName(o));
        ep.setEndpointName(portName(o));
        ep.setAddress(address);
        Map<String, Object> props = new HashMap<>();
        props.put("security.callback-handler", passwords(need(o, "user")));
        if (o.containsKey("kerberos-keytab")) {
            // AP-REQs are accepted with the service's key from its keytab (WSS4J
            // validates the ticket through the JDK's GSS-API).
            kerberosLogin(o, false);
            var validator = new org.apache.wss4j.dom.validate.KerberosTokenValidator();
            validator.setContextName(KERBEROS_CONTEXT);
            validator.setServiceName(need(o, "kerberos-spn"));
            validator.setUsernameServiceNameForm(true);
            props.put("security.bst.validator", validator);
            // The negotiation is served by CXF's own STS endpoint, which sees the bus's
            // properties, not this endpoint's.
            bus.setProperty("ws-security.bst.validator", validator);
        }
        if (o.containsKey("lifetime-s")) {
            props.put("security.security.token.lifetime", Long.parseLong(o.get("lifetime-s")) * 1000L);
        }
        ep.setProperties(props);
        // On the bus: the negotiation (CXF's built-in STS endpoint) is recorded too.
        Recorder recorder = new Recorder(log, "service");
        bus.getInInterceptors().add(recorder.in());
        bus.getOutInterceptors().add(recorder.out());
        bus.getOutFaultInterceptors().add(recorder.out());
        ep.publish();
        System.out.println("listening: " + address);
        System.out.flush();
        // Runs until standard input closes (the test's end of the pipe), then exits.
        while (System.in.read() >= 0) {
            // nothing to read
        }
        ep.stop();
        bus.shutdown(true);
        System.exit(0);
    }

    // ---- the client -------------------------------------------------------------

    private static void call(Map<String, String> o) throws Exception {
        String endpoint = need(o, "endpoint");
        int count = Integer.parseInt(o.getOrDefault("count", "1"));
        Path log = Path.of(need(o, "log"));
        Files.createDirectories(log);
        Path wsdl = given(o);
        if (wsdl == null) {
            wsdl = log.resolve("client.wsdl");
            Files.writeString(wsdl, Wsdl.of(sc13(o), soap12(o), endpoint, o.getOrDefault("entropy", "combined"), o.getOrDefault("suite", "Basic256")));
        }

        trustByDefault(need(o, "trust"), log);
        // On the bus: the STS client CXF makes for the negotiation is recorded too.
        Recorder recorder = new Recorder(log, "client");
        bus().getOutInterceptors().add(recorder.out());
        bus().getInInterceptors().add(recorder.in());
        bus().getInFaultInterceptors().add(recorder.in());
        Service service = Service.create(wsdl.toUri().toURL(), serviceName(o));
        Dispatch<Source> dispatch = service.createDispatch(portName(o), Source.class, Service.Mode.PAYLOAD);
        String user = need(o, "user");
        Map<String, Object> rc = dispatch.getRequestContext();
        rc.put(jakarta.xml.ws.BindingProvider.ENDPOINT_ADDRESS_PROPERTY, endpoint);
        rc.put("security.username", user.substring(0, user.indexOf(':')));
        rc.put("security.callback-handler", passwords(user));
        if (o.containsKey("kerberos-keytab")) {
            // The bootstrap's AP-REQ: the principal's key from its keytab, a ticket for
            // the service principal name.
            kerberosLogin(o, true);
            var kerberos = new org.apache.cxf.ws.security.kerberos.KerberosClient();
            kerberos.setContextName(KERBEROS_CONTEXT);
            kerberos.setServiceName(need(o, "kerberos-spn"));
            kerberos.setUsernameServiceNameForm(true);
            rc.put("ws-security.kerberos.client", kerberos);
            // The STS client CXF makes for the negotiation sees the bus's properties.
            bus().setProperty("ws-security.kerberos.client", kerberos);
        }
        if (Boolean.parseBoolean(o.getOrDefault("cancel", "false"))) {
            // CXF cancels the context when the client is destroyed.
            rc.put("security.sts.token.do.cancel", Boolean.TRUE);
        }
        rc.put(jakarta.xml.ws.BindingProvider.SOAPACTION_USE_PROPERTY, Boolean.TRUE);
        if (!"none".equals(o.get("addressing")) && (!soap12(o) || "2004/08".equals(o.get("addressing")))) {
            // SOAP 1.1 goes with WS-Addressing August 2004 (as wsbind pairs them), and so
            // does a WSDL whose policy says `wsap:UsingAddressing` (--addressing 2004/08).
            rc.put(org.apache.cxf.ws.addressing.JAXWSAConstants.CLIENT_ADDRESSING_PROPERTIES,
                    new org.apache.cxf.ws.addressing.AddressingProperties(
                            "http://schemas.xmlsoap.org/ws/2004/08/addressing"));
        }
        rc.put(jakarta.xml.ws.BindingProvider.SOAPACTION_URI_PROPERTY, o.getOrDefault("action", Wsdl.ACTION));

        Client client = ((DispatchImpl<?>) dispatch).getClient();
        HTTPConduit conduit = (HTTPConduit) client.getConduit();
        TLSClientParameters tls = new TLSClientParameters();
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore(need(o, "trust")));
        tls.setTrustManagers(tmf.getTrustManagers());
        javax.net.ssl.KeyManager[] clientKeys = null;
        if (o.containsKey("client-cert")) {
            // The client's own certificate, for a service that requires one.
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore(o.get("client-cert"), need(o, "client-key")), new char[0]);
            clientKeys = kmf.getKeyManagers();
            tls.setKeyManagers(clientKeys);
        }
        conduit.setTlsClientParameters(tls);
        if (Boolean.parseBoolean(o.getOrDefault("step", "false"))) {
            // The test restarts servers between stepped requests: a connection per
            // request, so no request goes out on a connection the old server closed
            // (Java's HTTP client does not retry a POST on a stale connection).
            var policy = new org.apache.cxf.transports.http.configuration.HTTPClientPolicy();
            policy.setConnection(org.apache.cxf.transports.http.configuration.ConnectionType.CLOSE);
            conduit.setClient(policy);
        }
        // The security context is negotiated by an STS client CXF makes for itself, with
        // its own conduit: it uses the process's default TLS context.
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(clientKeys, tmf.getTrustManagers(), null);
        javax.net.ssl.SSLContext.setDefault(ssl);
        // The STS client's conduit: bus-wide TLS parameters for every conduit.
        bus().setProperty("org.apache.cxf.transport.http.HTTPConduit.tlsClientParameters", tls);

        long pauseMs = Long.parseLong(o.getOrDefault("pause-ms", "0"));
        boolean step = Boolean.parseBoolean(o.getOrDefault("step", "false"));
        var steps = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
        long started = System.nanoTime();
        int ok = 0;
        try {
            for (int i = 0; i < count; i++) {
                if (step) {
                    // The test says when to send the next request (one line each).
                    System.out.println("ready: " + i);
                    System.out.flush();
                    if (steps.readLine() == null) {
                        break;
                    }
                } else if (pauseMs > 0 && i > 0) {
                    Thread.sleep(pauseMs);
                }
                String request = "<e:Echo xmlns:e=\"" + Wsdl.NS + "\">hello " + i + "</e:Echo>";
                Source reply = dispatch.invoke(new StreamSource(new StringReader(request)));
                String text = xml(reply);
                if (i == 0) {
                    System.out.println("first-call-ms: " + (System.nanoTime() - started) / 1_000_000);
                }
                System.out.println("reply: " + text.replace('\n', ' '));
                ok++;
            }
            System.out.println("calls: " + ok);
            System.out.println("elapsed-ms: " + (System.nanoTime() - started) / 1_000_000);
        } catch (Exception | LinkageError e) {
            System.out.println("calls: " + ok);
            System.out.println("error: " + oneLine(e));
            System.out.flush();
            System.exit(1);
        } finally {
            client.destroy();
        }
        System.out.flush();
        System.exit(0);
    }

    // ---- Kerberos -----------------------------------------------------------------

    /** The JAAS login configuration's name for the Kerberos principal. */
    private static final String KERBEROS_CONTEXT = "wsbind-kerberos";

    /** The realm's krb5.conf, and a JAAS login of --kerberos-principal from its keytab. */
    private static void kerberosLogin(Map<String, String> o, boolean initiator) {
        System.setProperty("java.security.krb5.conf", need(o, "krb5-conf"));
        String principal = need(o, "kerberos-principal");
        String keytab = need(o, "kerberos-keytab");
        javax.security.auth.login.Configuration.setConfiguration(new javax.security.auth.login.Configuration() {
            @Override
            public javax.security.auth.login.AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                Map<String, String> opts = new HashMap<>();
                opts.put("useKeyTab", "true");
                opts.put("keyTab", keytab);
                opts.put("principal", principal);
                opts.put("storeKey", "true");
                opts.put("doNotPrompt", "true");
                opts.put("refreshKrb5Config", "true");
                opts.put("isInitiator", String.valueOf(initiator));
                return new javax.security.auth.login.AppConfigurationEntry[] {
                    new javax.security.auth.login.AppConfigurationEntry(
                            "com.sun.security.auth.module.Krb5LoginModule",
                            javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                            opts)
                };
            }
        });
    }

    // ---- TLS material -----------------------------------------------------------

    private static Bus bus() {
        return BusFactory.getDefaultBus();
    }

    /** The trust roots as the process's default trust store (the STS client CXF makes
     *  for the negotiation builds its TLS context from it). */
    private static void trustByDefault(String pem, Path dir) throws Exception {
        Path p12 = dir.resolve("trust.p12");
        char[] pw = "trust".toCharArray();
        try (var out = Files.newOutputStream(p12)) {
            trustStore(pem).store(out, pw);
        }
        System.setProperty("javax.net.ssl.trustStore", p12.toString());
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        System.setProperty("javax.net.ssl.trustStorePassword", "trust");
    }

    private static List<Certificate> certificates(String pemFile) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        try (var in = Files.newInputStream(Path.of(pemFile))) {
            return new ArrayList<>(cf.generateCertificates(in));
        }
    }

    private static KeyStore keyStore(String certPem, String keyPem) throws Exception {
        String pem = Files.readString(Path.of(keyPem));
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(b64);
        PrivateKey key = null;
        for (String alg : new String[] {"EC", "RSA", "Ed25519"}) {
            try {
                key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                break;
            } catch (Exception e) {
                // try the next algorithm
            }
        }
        if (key == null) {
            throw new IllegalArgumentException(keyPem + ": not a PKCS#8 EC, RSA or Ed25519 key");
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, new char[0], certificates(certPem).toArray(new Certificate[0]));
        return ks;
    }

    private static KeyStore trustStore(String pem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int i = 0;
        for (Certificate c : certificates(pem)) {
            ks.setCertificateEntry("root" + i++, c);
        }
        return ks;
    }

    // ---- logging ----------------------------------------------------------------

    /** Writes every message to {@code DIR/NNN-side-in|out.xml}. */
    static final class Recorder {
        private static final AtomicInteger SEQ = new AtomicInteger();
        private final Path dir;
        private final String side;

        Recorder(Path dir, String side) {
            this.dir = dir;
            this.side = side;
        }

        AbstractPhaseInterceptor<Message> in() {
            return new AbstractPhaseInterceptor<>(Phase.RECEIVE) {
                @Override
                public void handleMessage(Message m) {
                    try {
                        var in = m.getContent(java.io.InputStream.class);
                        if (in == null) {
                            return;
                        }
                        byte[] bytes = in.readAllBytes();
                        if (bytes.length > 0) {
                            write("in", bytes);
                        }
                        m.setContent(java.io.InputStream.class, new ByteArrayInputStream(bytes));
                    } catch (IOException e) {
                        throw new org.apache.cxf.interceptor.Fault(e);
                    }
                }
            };
        }

        AbstractPhaseInterceptor<Message> out() {
            return new AbstractPhaseInterceptor<>(Phase.PRE_STREAM) {
                {
                    addBefore(org.apache.cxf.interceptor.AttachmentOutInterceptor.class.getName());
                }

                @Override
                public void handleMessage(Message m) {
                    var os = m.getContent(java.io.OutputStream.class);
                    if (os == null) {
                        return;
                    }
                    var cos = new org.apache.cxf.io.CacheAndWriteOutputStream(os);
                    m.setContent(java.io.OutputStream.class, cos);
                    cos.registerCallback(new org.apache.cxf.io.CachedOutputStreamCallback() {
                        @Override
                        public void onFlush(org.apache.cxf.io.CachedOutputStream c) {}

                        @Override
                        public void onClose(org.apache.cxf.io.CachedOutputStream c) {
                            try {
                                write("out", c.getBytes());
                            } catch (IOException e) {
                                System.err.println("log: " + e);
                            }
                        }
                    });
                }
            };
        }

        private void write(String direction, byte[] bytes) throws IOException {
            String name = String.format("%03d-%s-%s.xml", SEQ.incrementAndGet(), side, direction);
            Files.write(dir.resolve(name), bytes);
        }
    }

    // ---- helpers ----------------------------------------------------------------

    static String xml(Source s) {
        try {
            StringWriter w = new StringWriter();
            var t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(javax.xml.transform.OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.transform(s, new StreamResult(w));
            return w.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String oneLine(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (b.length() > 0) {
                b.append(": ");
            }
            b.append(t.getClass().getSimpleName()).append(' ').append(String.valueOf(t.getMessage()).replace('\n', ' '));
        }
        return b.toString();
    }
}
