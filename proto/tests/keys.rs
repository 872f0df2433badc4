//! Key derivation against Apache WSS4J: the stored vectors, and fresh cases computed by
//! the live peer.

mod common;

use common::{hex, run_peer, unhex, vectors};
use wsbind_proto::keys::{self, Derivation, Position, Rng, SecretKey, SeededRng};

#[derive(serde::Deserialize)]
struct Case {
    secret: String,
    seed: String,
    length: usize,
    offset: usize,
    output: String,
}

fn parse_cases(text: &str) -> Vec<Case> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn p_sha1_matches_the_wss4j_vectors() {
    let text = std::fs::read_to_string(vectors("psha1/wss4j-psha1.jsonl")).expect("vectors");
    let cases = parse_cases(&text);
    assert_eq!(cases.len(), 80);
    for (i, c) in cases.iter().enumerate() {
        let out = keys::p_sha1(&unhex(&c.secret), &unhex(&c.seed), c.offset, c.length)
            .expect("within bounds");
        assert_eq!(hex(out.as_bytes()), c.output, "vector {i}");
    }
}

#[test]
fn derived_keys_match_the_vectors_with_the_default_label() {
    // The vectors whose seed is the default label followed by a nonce are derived keys.
    let text = std::fs::read_to_string(vectors("psha1/wss4j-psha1.jsonl")).expect("vectors");
    let label = hex(keys::DEFAULT_LABEL);
    let mut seen = 0;
    for c in parse_cases(&text) {
        let Some(nonce) = c.seed.strip_prefix(&label) else {
            continue;
        };
        let d = Derivation {
            label: None,
            nonce: unhex(nonce),
            position: Position::Offset(c.offset as u64),
            length: c.length,
        };
        let key = d.derive(&SecretKey::new(unhex(&c.secret))).expect("derive");
        assert_eq!(hex(key.as_bytes()), c.output);
        seen += 1;
    }
    assert!(seen > 10, "only {seen} derived-key vectors");
}

/// Fresh random cases (secrets and seeds of many lengths, offsets across block
/// boundaries) computed by the live WSS4J peer.
#[test]
fn p_sha1_matches_live_wss4j() {
    let mut rng = SeededRng::new(0x5eed);
    let mut lines = String::new();
    let mut ours = Vec::new();
    for i in 0..60usize {
        let mut secret = vec![0; 1 + (i * 7) % 64];
        let mut seed = vec![0; 1 + (i * 13) % 100];
        rng.fill(&mut secret);
        rng.fill(&mut seed);
        let length = 1 + (i * 11) % 70;
        let offset = (i * 17) % 90;
        lines.push_str(&format!(
            "{} {} {length} {offset}\n",
            hex(&secret),
            hex(&seed)
        ));
        ours.push(hex(keys::p_sha1(&secret, &seed, offset, length)
            .expect("within bounds")
            .as_bytes()));
    }
    let out = run_peer("wss4j/run", &["psha1-batch"], Some(lines.as_bytes()));
    assert!(
        out.status.success(),
        "WSS4J peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs = parse_cases(&String::from_utf8(out.stdout).expect("utf-8"));
    assert_eq!(theirs.len(), ours.len());
    for (i, (c, o)) in theirs.iter().zip(&ours).enumerate() {
        assert_eq!(&c.output, o, "case {i}");
    }
}

#[test]
fn computed_key_is_p_sha1_of_requestor_over_issuer_entropy() {
    let client = [1u8; 32];
    let server = [2u8; 32];
    let k = keys::computed_key(&client, &server, 256).expect("256 bits");
    assert_eq!(k.len(), 32);
    assert_eq!(
        k.as_bytes(),
        keys::p_sha1(&client, &server, 0, 32)
            .expect("ok")
            .as_bytes()
    );
    assert!(keys::computed_key(&client, &server, 255).is_err());
}
