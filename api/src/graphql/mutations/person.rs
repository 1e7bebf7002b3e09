use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::{Ids, outcome, payload};
use crate::graphql::{context::CtxExt, ids::NodeKind, types::Person};
use pci_domain::person::{self, PersonCreate, PersonUpdate};

#[derive(InputObject)]
pub struct PersonCreateInput {
    pub name: String,
    /// Unique across all people, ignoring case.
    pub email: String,
    pub organisation_id: ID,
    pub job_title: Option<String>,
}

#[derive(InputObject)]
pub struct PersonUpdateInput {
    pub person_id: ID,
    pub name: Option<String>,
    pub email: Option<String>,
    /// null clears it; omitted keeps it.
    pub job_title: MaybeUndefined<String>,
}

payload!(PersonCreatePayload, person: Person);
payload!(PersonUpdatePayload, person: Person);

#[derive(Default)]
pub struct PersonMutations;

#[Object]
impl PersonMutations {
    async fn person_create(
        &self,
        ctx: &Context<'_>,
        input: PersonCreateInput,
    ) -> async_graphql::Result<PersonCreatePayload> {
        let mut ids = Ids::default();
        let organisation_id = ids.one(&input.organisation_id, NodeKind::Organisation, "organisationId");
        if let Err(errors) = ids.check() {
            return Ok(PersonCreatePayload::from_outcome(Err(errors), Person));
        }
        let cmd = PersonCreate { name: input.name, email: input.email, organisation_id, job_title: input.job_title };
        let r = outcome(person::create(&ctx.env()?, cmd).await)?;
        Ok(PersonCreatePayload::from_outcome(r, Person))
    }

    async fn person_update(
        &self,
        ctx: &Context<'_>,
        input: PersonUpdateInput,
    ) -> async_graphql::Result<PersonUpdatePayload> {
        let mut ids = Ids::default();
        let person_id = ids.one(&input.person_id, NodeKind::Person, "personId");
        if let Err(errors) = ids.check() {
            return Ok(PersonUpdatePayload::from_outcome(Err(errors), Person));
        }
        let job_title = match input.job_title {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(v)),
        };
        let cmd = PersonUpdate { person_id, name: input.name, email: input.email, job_title };
        let r = outcome(person::update(&ctx.env()?, cmd).await)?;
        Ok(PersonUpdatePayload::from_outcome(r, Person))
    }
}
