//! Learning from peers: whether an engagement's host lets other reviews see its recommendations
//! and what became of them (off until the host lead says so), and the search index's entries for
//! recommendations, made at sign-off when they become final. Engagements already signed off are
//! indexed here.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SIGNED_OFF: &str = "SELECT r.id AS id, r.engagement_id AS engagement_id, r.text AS text, r.rationale AS rationale
     FROM recommendations r JOIN engagements e ON e.id = r.engagement_id WHERE e.signed_off_at IS NOT NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table("engagements").add_column(boolean("shares_learning").default(false)).to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let insert = match backend {
            DbBackend::Sqlite => {
                "INSERT INTO search_entries (kind, record_id, engagement_id, title, body) VALUES (?, ?, ?, ?, ?)"
            }
            _ => "INSERT INTO search_entries (kind, record_id, engagement_id, title, body) VALUES ($1, $2, $3, $4, $5)",
        };
        for row in db.query_all_raw(Statement::from_string(backend, SIGNED_OFF)).await? {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let engagement_id: uuid::Uuid = row.try_get("", "engagement_id")?;
            let text: String = row.try_get("", "text")?;
            let rationale: String = row.try_get("", "rationale")?;
            let values: Vec<Value> = vec![
                "RECOMMENDATION".into(),
                id.to_string().into(),
                engagement_id.to_string().into(),
                "".into(),
                format!("{text}\n{rationale}").into(),
            ];
            db.execute_raw(Statement::from_sql_and_values(backend, insert, values)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("DELETE FROM search_entries WHERE kind = 'RECOMMENDATION'").await?;
        m.alter_table(Table::alter().table("engagements").drop_column("shares_learning").to_owned()).await?;
        Ok(())
    }
}
