//! A PostgreSQL database per test, copied from a migrated template.

use pci_domain::Config;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use url::Url;

pub struct TestDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

fn with_db(admin: &str, name: &str) -> String {
    let mut u = Url::parse(admin).expect("TEST_DATABASE_URL is a URL");
    u.set_path(&format!("/{name}"));
    u.to_string()
}

async fn exec(conn: &DatabaseConnection, sql: &str) -> Result<(), sea_orm::DbErr> {
    conn.execute_unprepared(sql).await.map(|_| ())
}

/// Creates the template for the current migrations once per server, under an advisory lock so
/// that concurrent test processes do not race.
async fn ensure_template(admin: &str) -> anyhow::Result<String> {
    // `migrate` also installs the default questionnaires: a change to them is a new template.
    let name =
        format!("pci_tpl_{}_{}", pci_migration::SCHEMA_FINGERPRINT, pci_domain::surveys::defaults::fingerprint());
    let conn = Database::connect(admin).await?;
    exec(&conn, "SELECT pg_advisory_lock(727274)").await?;
    let result = async {
        let exists = conn
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT 1 AS one FROM pg_database WHERE datname = $1",
                [name.clone().into()],
            ))
            .await?
            .is_some();
        if !exists {
            let building = format!("{name}_building");
            exec(&conn, &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).await?;
            exec(&conn, &format!("CREATE DATABASE {building}")).await?;
            let mut config = Config { database_url: with_db(admin, &building), ..Config::default() };
            config.database.max_connections = 2;
            let db = pci_domain::db::connect(&config).await?;
            pci_api::app::prepare_database(&config, &db).await?;
            db.close().await?;
            exec(&conn, &format!("ALTER DATABASE {building} RENAME TO {name}")).await?;
        }
        anyhow::Ok(())
    }
    .await;
    exec(&conn, "SELECT pg_advisory_unlock(727274)").await?;
    conn.close().await?;
    result?;
    Ok(name)
}

impl TestDatabase {
    pub async fn create(admin: &str) -> anyhow::Result<Self> {
        let template = ensure_template(admin).await?;
        let name = format!("pci_test_{}", uuid::Uuid::now_v7().simple());
        let conn = Database::connect(admin).await?;
        exec(&conn, &format!("CREATE DATABASE {name} TEMPLATE {template}")).await?;
        conn.close().await?;
        Ok(Self { url: with_db(admin, &name), admin_url: admin.to_owned(), name })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside any runtime we may block; a short-lived one does the async work.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async {
                if let Ok(conn) = Database::connect(&admin).await {
                    let _ = exec(&conn, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}
