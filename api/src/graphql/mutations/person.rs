use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::{Ids, outcome, payload};
use crate::graphql::{context::CtxExt, ids::NodeKind, types::Person};
use pci_domain::person::{self, PersonCreate, PersonUpdate};

/// A new person.
#[derive(InputObject)]
pub struct PersonCreateInput {
    /// Full name, up to 200 characters.
    pub name: String,
    /// Unique across all people, ignoring case.
    pub email: String,
    /// The organisation they work for.
    pub organisation_id: ID,
    /// Their job title, up to 200 characters.
    pub job_title: Option<String>,
}

/// New values for a person's details; omitted fields keep their values.
#[derive(InputObject)]
pub struct PersonUpdateInput {
    /// The person to change.
    pub person_id: ID,
    /// New full name, up to 200 characters.
    pub name: Option<String>,
    /// New address, unique ignoring case. Administrators only; it ends all of the person's sessions.
    pub email: Option<String>,
    /// null clears it; omitted keeps it.
    pub job_title: MaybeUndefined<String>,
}

payload!(
    /// The result of `personCreate`: the new person, or `userErrors` saying why not.
    PersonCreatePayload,
    person: Person
);
payload!(
    /// The result of `personUpdate`: the person as changed, or `userErrors` saying why not.
    PersonUpdatePayload,
    person: Person
);

#[derive(Default)]
pub struct PersonMutations;

#[Object]
impl PersonMutations {
    /// Adds a person. Administrators only.
    async fn person_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person to add.")] input: PersonCreateInput,
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

    /// Changes a person's details. People may change their own name and job title; anything else needs
    /// an administrator.
    async fn person_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whom to change, and the new values.")] input: PersonUpdateInput,
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
