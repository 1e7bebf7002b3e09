use super::*;
use figment::Jail;

fn load_in(jail: &Jail) -> anyhow::Result<Config> {
    let _ = jail;
    Config::load()
}

#[test]
fn defaults_are_valid() {
    Jail::expect_with(|jail| {
        // None of the caller's own PCI_* or DATABASE_URL settings leak in.
        jail.clear_env();
        let c = load_in(jail).map_err(|e| e.to_string())?;
        assert!(c.is_sqlite());
        assert_eq!(c.bind.port(), 8080);
        Ok(())
    });
}

#[test]
fn env_and_file_override_defaults() {
    Jail::expect_with(|jail| {
        // None of the caller's own PCI_* or DATABASE_URL settings leak in.
        jail.clear_env();
        jail.create_file("pci.toml", "log = \"debug\"\n[graphql]\nmax_depth = 9\n")?;
        jail.set_env("PCI_BIND", "127.0.0.1:9999");
        jail.set_env("PCI_GRAPHQL__MAX_BATCH", "3");
        jail.set_env("PCI_AUTH__ALLOWED_ORIGINS", r#"["https://app.example.org", "http://localhost:5173"]"#);
        jail.set_env("DATABASE_URL", "postgres://postgres@127.0.0.1/pci");
        let c = load_in(jail).map_err(|e| e.to_string())?;
        assert_eq!(c.log, "debug");
        assert_eq!(c.graphql.max_depth, 9);
        assert_eq!(c.graphql.max_batch, 3);
        assert_eq!(c.auth.allowed_origins, ["https://app.example.org", "http://localhost:5173"]);
        assert_eq!(c.bind.port(), 9999);
        assert!(!c.is_sqlite());
        Ok(())
    });
}

#[test]
fn unknown_and_malformed_values_are_rejected() {
    Jail::expect_with(|jail| {
        // None of the caller's own PCI_* or DATABASE_URL settings leak in.
        jail.clear_env();
        jail.set_env("PCI_BIND", "not-an-address");
        let err = format!("{:#}", load_in(jail).unwrap_err()).to_lowercase();
        assert!(err.contains("bind"), "{err}");
        Ok(())
    });
    Jail::expect_with(|jail| {
        // None of the caller's own PCI_* or DATABASE_URL settings leak in.
        jail.clear_env();
        jail.set_env("PCI_GRAPHQL__MAX_DEPHT", "3");
        let err = format!("{:#}", load_in(jail).unwrap_err()).to_lowercase();
        assert!(err.contains("max_depht"), "{err}");
        Ok(())
    });
    Jail::expect_with(|jail| {
        // None of the caller's own PCI_* or DATABASE_URL settings leak in.
        jail.clear_env();
        jail.set_env("DATABASE_URL", "mysql://root@localhost/pci");
        let err = format!("{:#}", load_in(jail).unwrap_err()).to_lowercase();
        assert!(err.contains("database_url"), "{err}");
        Ok(())
    });
}

#[test]
fn passwords_are_redacted() {
    assert_eq!(redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
}
