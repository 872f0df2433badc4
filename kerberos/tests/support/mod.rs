//! A real KDC for the tests: MIT's `krb5kdc`, a throwaway realm in a temporary
//! directory, on a free loopback port. One per test binary (GSS-API reads its
//! configuration from the process' environment), started by the first test that asks,
//! and stopped when the test process exits (a watcher shell kills it then).
//!
//! `kerberos/install-packages` installs the KDC (`.ci/run` calls it first).
#![allow(dead_code)] // each test binary uses part of it

use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// WWSAPI's `WS_HTTP_SSL_KERBEROS_APREQ_SECURITY_CONTEXT_BINDING_TEMPLATE`, both sides.
#[wsbind::binding(
    channel(binding = "http", role = "both"),
    security(
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            secure_conversation_version = "1.3",
            key_entropy_mode = "combined",
            renewal_interval = "10h",
            rollover_interval = "5m",
            bootstrap(
                binding(kind = "ssl-transport"),
                binding(kind = "kerberos-apreq", usage = "supporting"),
            ),
        ),
    )
)]
pub struct KerberosService;

pub const REALM: &str = "WSBIND.TEST";
/// The service principal tests accept AP-REQs for, and its SPN.
pub const SERVICE: &str = "HTTP/localhost";
pub const ALICE: &str = "alice";
pub const ALICE_PASSWORD: &str = "alice's password";

#[derive(Debug)]
pub struct Kdc {
    pub dir: PathBuf,
    pub port: u16,
    /// The service's keytab (`HTTP/localhost`).
    pub service_keytab: PathBuf,
    /// alice's keytab (her current key, the password above).
    pub alice_keytab: PathBuf,
    /// The shell that runs the KDC and stops it with this process.
    _watcher: std::process::Child,
}

static KDC: OnceLock<Kdc> = OnceLock::new();

/// The KDC of this test binary, started on first use.
pub fn kdc() -> &'static Kdc {
    KDC.get_or_init(Kdc::start)
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .env("KRB5_CONFIG", dir.join("krb5.conf"))
        .env("KRB5_KDC_PROFILE", dir.join("kdc.conf"))
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}): run kerberos/install-packages (as root) first")
        });
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A port free on both UDP and TCP on loopback.
fn free_port() -> u16 {
    loop {
        let tcp = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = tcp.local_addr().expect("its address").port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

impl Kdc {
    fn start() -> Kdc {
        let dir = std::env::temp_dir().join(format!("wsbind-kdc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the KDC's directory");
        let port = free_port();
        let d = dir.display();
        std::fs::write(
            dir.join("krb5.conf"),
            format!(
                "[libdefaults]\n default_realm = {REALM}\n dns_lookup_kdc = false\n dns_lookup_realm = false\n rdns = false\n udp_preference_limit = 1\n clockskew = 2\n\
                 [realms]\n {REALM} = {{\n  kdc = 127.0.0.1:{port}\n }}\n\
                 [domain_realm]\n localhost = {REALM}\n"
            ),
        )
        .expect("krb5.conf");
        std::fs::write(
            dir.join("kdc.conf"),
            format!(
                "[kdcdefaults]\n kdc_ports = {port}\n kdc_tcp_ports = {port}\n\
                 [realms]\n {REALM} = {{\n  database_name = {d}/principal\n  key_stash_file = {d}/stash\n  acl_file = {d}/kadm5.acl\n  max_life = 10h\n  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal\n }}\n\
                 [logging]\n kdc = FILE:{d}/kdc.log\n"
            ),
        )
        .expect("kdc.conf");
        std::fs::write(dir.join("kadm5.acl"), "").expect("kadm5.acl");
        run(
            &dir,
            "kdb5_util",
            &["-P", "master key", "create", "-s", "-r", REALM],
        );
        let admin = |q: &str| run(&dir, "kadmin.local", &["-r", REALM, "-q", q]);
        admin(&format!("addprinc -pw \"{ALICE_PASSWORD}\" {ALICE}"));
        admin("addprinc -pw \"bob's password\" bob");
        admin(&format!("addprinc -randkey {SERVICE}"));
        // Tickets that expire at once: the expired-ticket test's service.
        admin("addprinc -randkey -maxlife \"1 second\" HTTP/shortlived");
        let service_keytab = dir.join("service.keytab");
        let alice_keytab = dir.join("alice.keytab");
        admin(&format!(
            "ktadd -k {} {SERVICE} HTTP/shortlived",
            service_keytab.display()
        ));
        admin(&format!(
            "ktadd -norandkey -k {} {ALICE}",
            alice_keytab.display()
        ));
        // The KDC in the foreground (-n), killed by the watcher when this process ends.
        let script = format!(
            "krb5kdc -n -r {REALM} & k=$!; while kill -0 {pid} 2>/dev/null && kill -0 $k 2>/dev/null; do sleep 1; done; kill $k 2>/dev/null; rm -rf '{d}'",
            pid = std::process::id()
        );
        let watcher = Command::new("sh")
            .args(["-c", &script])
            .env("KRB5_CONFIG", dir.join("krb5.conf"))
            .env("KRB5_KDC_PROFILE", dir.join("kdc.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("krb5kdc");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "krb5kdc did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        // GSS-API reads these when it makes a krb5 context: before any test calls it.
        std::env::set_var("KRB5_CONFIG", dir.join("krb5.conf"));
        std::env::set_var("KRB5RCACHEDIR", &dir);
        std::env::set_var("KRB5CCNAME", format!("FILE:{d}/default.ccache"));
        Kdc {
            _watcher: watcher,
            dir,
            port,
            service_keytab,
            alice_keytab,
        }
    }

    /// A keytab holding a key the KDC never issued for the service (a wrong keytab).
    pub fn wrong_service_keytab(&self) -> PathBuf {
        let path = self.dir.join("wrong.keytab");
        if !path.exists() {
            // Another realm's database with the same service name: keys of its own.
            let other = self.dir.join("other");
            std::fs::create_dir_all(&other).expect("dir");
            let o = other.display();
            std::fs::write(
                other.join("krb5.conf"),
                format!("[libdefaults]\n default_realm = {REALM}\n"),
            )
            .expect("conf");
            std::fs::write(
                other.join("kdc.conf"),
                format!("[realms]\n {REALM} = {{\n  database_name = {o}/principal\n  key_stash_file = {o}/stash\n  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal\n }}\n"),
            )
            .expect("conf");
            run(
                &other,
                "kdb5_util",
                &["-P", "other", "create", "-s", "-r", REALM],
            );
            run(
                &other,
                "kadmin.local",
                &["-r", REALM, "-q", &format!("addprinc -randkey {SERVICE}")],
            );
            run(
                &other,
                "kadmin.local",
                &[
                    "-r",
                    REALM,
                    "-q",
                    &format!("ktadd -k {} {SERVICE}", path.display()),
                ],
            );
        }
        path
    }
}
