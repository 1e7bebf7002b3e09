//! Keeping a submitted response from pointing back at its recipient on PostgreSQL.
//!
//! Every row a PostgreSQL transaction writes carries that transaction's id (`xmin`), and new rows
//! go to the end of the table. A response written in the transaction that marks its recipient
//! as having submitted would share the recipient row's `xmin` and sit in the order of
//! submission. So the submitting transaction writes the new response together with other
//! responses of the survey, written again, in the order of their random ids: every `xmin` the survey's
//! responses carry is then shared by at least [`CROWD`] of them (by all of them while there
//! are fewer), and whoever reads the table's files can tell a recipient's response only to
//! within that crowd.
//!
//! Writing every response again would keep one crowd of all, but costs each submission as much
//! as the survey has answers and leaves as many dead rows each time: with 2,000 responses that
//! was seconds a submission and gigabytes of table. Taking a few at random instead would wear
//! earlier crowds down until a response stood alone with its recipient again. So rows are taken
//! only where what stays behind is still a crowd: part of a crowd of at least twice the size,
//! or a whole one. A submission writes at most `2 × CROWD - 1` rows, and every crowd keeps its
//! size or goes.

use std::collections::BTreeMap;

use rand::seq::IndexedRandom;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::{DomainResult, db::WriteTx};
use pci_entity::{survey, survey_response};

/// The fewest responses an `xmin` is shared by, once a survey has that many.
pub const CROWD: usize = 50;

/// Which responses to write with `new` (first), given the survey's other responses grouped by
/// the transaction that wrote them.
fn plan(crowds: &[Vec<Uuid>], new: Uuid, rng: &mut impl rand::Rng) -> Vec<Uuid> {
    let mut taken = vec![new];
    let total: usize = crowds.iter().map(Vec::len).sum();
    if total < CROWD {
        // Too few for a crowd apart from the new one: all of them together.
        taken.extend(crowds.iter().flatten().copied());
    } else if let Some(big) = crowds.iter().filter(|c| c.len() >= 2 * CROWD - 1).max_by_key(|c| c.len()) {
        taken.extend(big.choose_multiple(rng, CROWD - 1).copied());
    } else if let Some(small) = crowds.iter().min_by_key(|c| c.len()) {
        taken.extend(small.iter().copied());
    }
    taken
}

/// Stores a new response: on PostgreSQL together with the responses [`plan`] picks, written
/// again, all in the order of their ids. Submissions to one survey take turns on its row, since
/// two at once would each write rows the other had. The lock is `NO KEY UPDATE`, which blocks
/// none of the key-share locks that inserting rows under the survey takes (recipients added
/// meanwhile): with `FOR UPDATE`, a submission would wait for them, and they for it.
pub(super) async fn store(tx: &WriteTx, response: survey_response::Model) -> DomainResult<()> {
    if tx.get_database_backend() != DbBackend::Postgres {
        // SQLite keeps no writer's id in a row, and the responses table has no rowid: its
        // storage order is the random ids' order.
        survey_response::Entity::insert(response.into_active_model()).exec_without_returning(tx).await?;
        return Ok(());
    }
    let survey_id = response.survey_id;
    survey::Entity::find_by_id(survey_id).lock(sea_orm::sea_query::LockType::NoKeyUpdate).one(tx).await?;
    let stmt = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT id, xmin::text AS writer FROM survey_responses WHERE survey_id = $1",
        [survey_id.into()],
    );
    let mut crowds: BTreeMap<String, Vec<Uuid>> = BTreeMap::new();
    for row in tx.query_all_raw(stmt).await? {
        crowds.entry(row.try_get("", "writer")?).or_default().push(row.try_get("", "id")?);
    }
    let crowds: Vec<Vec<Uuid>> = crowds.into_values().collect();
    let others: Vec<Uuid> = plan(&crowds, response.id, &mut rand::rng()).into_iter().skip(1).collect();
    let mut rows = survey_response::Entity::find()
        .filter(survey_response::Column::Id.is_in(others.iter().copied()))
        .all(tx)
        .await?;
    survey_response::Entity::delete_many().filter(survey_response::Column::Id.is_in(others)).exec(tx).await?;
    rows.push(response);
    rows.sort_by_key(|r| r.id);
    // At most `2 × CROWD - 1` rows: one statement.
    survey_response::Entity::insert_many(rows.into_iter().map(IntoActiveModel::into_active_model))
        .exec_without_returning(tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// Submissions one after another, as the table would hold them: each response's writer.
    #[test]
    fn every_writer_stays_a_crowd_and_each_submission_writes_few_rows() {
        let rng = &mut rand::rng();
        let mut writer_of: HashMap<Uuid, usize> = HashMap::new();
        for submission in 0..(6 * CROWD) {
            let mut crowds: BTreeMap<usize, Vec<Uuid>> = BTreeMap::new();
            for (id, w) in &writer_of {
                crowds.entry(*w).or_default().push(*id);
            }
            let crowds: Vec<Vec<Uuid>> = crowds.into_values().collect();
            let new = Uuid::new_v4();
            let taken = plan(&crowds, new, rng);
            assert!(taken.len() < 2 * CROWD, "submission {submission} wrote {} rows", taken.len());
            assert_eq!(taken[0], new);
            for id in taken {
                writer_of.insert(id, submission);
            }
            let mut sizes: HashMap<usize, usize> = HashMap::new();
            for w in writer_of.values() {
                *sizes.entry(*w).or_default() += 1;
            }
            let n = writer_of.len();
            if n < CROWD {
                assert_eq!(sizes.len(), 1, "fewer than a crowd: all share one writer");
            } else {
                assert!(sizes.values().all(|s| *s >= CROWD), "after {n} responses: {sizes:?}");
            }
        }
    }
}
