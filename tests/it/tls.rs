//! Sites behind a private certificate authority (issue 10, finding 6): the sandbox is served
//! over TLS by a proxy whose certificate comes from a CA made here, trusted only through
//! `SSL_CERT_FILE`, `SSL_CERT_DIR` or `[site].ca_file`.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;

use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;

use crate::harness::{Project, Run, SandboxProc};

/// A CA certificate (PEM) and a server config for `localhost` signed by it.
fn private_ca() -> (String, ServerConfig) {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "drupal-sync test CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    (ca.pem(), config)
}

/// Terminates TLS on a free loopback port and forwards the bytes to `target`; serves until
/// the test process ends.
fn tls_proxy(target: SocketAddr, config: ServerConfig) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    if let Ok(mut upstream) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
                    }
                });
            }
        });
    });
    port
}

fn run(project: &Project, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = project.command(args);
    command
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.stdin(Stdio::null()).output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_private_certificate_authority_can_be_trusted_three_ways() {
    let sandbox = SandboxProc::start();
    let target: SocketAddr = sandbox.url.trim_start_matches("http://").parse().unwrap();
    let (ca_pem, config) = private_ca();
    let port = tls_proxy(target, config);
    let url = format!("https://localhost:{port}");
    let config = |extra: &str| {
        format!("[site]\nurl = \"{url}\"\nnamespace = \"tls\"\n{extra}\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n")
    };

    // Untrusted: the error names the host, where the url came from and the settings.
    let project = Project::with_config(&config(""));
    project.page("a.md", "---\ntitle: A\n---\nOver TLS.\n");
    let untrusted = run(&project, &["plan"], &[]);
    untrusted.code(1);
    for needle in ["`localhost`", "`[site].url` in", "ca_file", "SSL_CERT_FILE"] {
        assert!(
            untrusted.stderr.contains(needle),
            "{needle}: {}",
            untrusted.stderr
        );
    }
    let from_env = run(&project, &["plan"], &[("DRUPAL_SYNC_URL", url.as_str())]);
    from_env.code(1);
    assert!(
        from_env.stderr.contains("`DRUPAL_SYNC_URL`"),
        "{}",
        from_env.stderr
    );

    // SSL_CERT_FILE and SSL_CERT_DIR, as OpenSSL-based tools honour them.
    let ca_path = project.path().join("ca.pem");
    std::fs::write(&ca_path, &ca_pem).unwrap();
    let ca_path = ca_path.to_str().unwrap();
    run(&project, &["plan"], &[("SSL_CERT_FILE", ca_path)]).code(0);
    let ca_dir = project.path().join("certs");
    std::fs::create_dir(&ca_dir).unwrap();
    std::fs::write(ca_dir.join("private-ca.pem"), &ca_pem).unwrap();
    run(
        &project,
        &["plan"],
        &[("SSL_CERT_DIR", ca_dir.to_str().unwrap())],
    )
    .code(0);

    // [site].ca_file, relative to the config file: a whole loop over TLS.
    let project = Project::with_config(&config("ca_file = \"ca.pem\""));
    std::fs::write(project.path().join("ca.pem"), &ca_pem).unwrap();
    project.page("a.md", "---\ntitle: A\n---\nOver TLS.\n");
    run(&project, &["apply"], &[]).code(0);
    run(&project, &["plan", "--detailed-exitcode"], &[]).code(0);
    assert_eq!(sandbox.nodes().len(), 1);

    // A ca_file that is not a certificate is an error naming it.
    std::fs::write(project.path().join("ca.pem"), "not a certificate").unwrap();
    let broken = run(&project, &["plan"], &[]);
    broken.code(1);
    assert!(
        broken.stderr.contains("[site].ca_file"),
        "{}",
        broken.stderr
    );
}

#[test]
fn a_refused_connection_names_the_url_and_where_it_came_from() {
    // Port 9 (discard) on loopback: nothing listens there.
    let project = Project::new("http://127.0.0.1:9");
    project.page("a.md", "---\ntitle: A\n---\nx\n");
    let run = run(&project, &["plan"], &[]);
    run.code(1);
    assert!(
        run.stderr
            .contains("cannot connect to `http://127.0.0.1:9`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`[site].url` in"), "{}", run.stderr);
}
