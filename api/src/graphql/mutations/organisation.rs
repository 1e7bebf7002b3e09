use async_graphql::{Context, InputObject, Object};

use super::{outcome, payload};
use crate::graphql::{
    context::CtxExt,
    types::{Organisation, OrganisationKind},
};
use pci_domain::organisation::{self, OrganisationCreate};

#[derive(InputObject)]
pub struct OrganisationCreateInput {
    pub kind: OrganisationKind,
    pub name: String,
    /// Derived from the name when omitted.
    pub slug: Option<String>,
}

payload!(OrganisationCreatePayload, organisation: Organisation);

#[derive(Default)]
pub struct OrganisationMutations;

#[Object]
impl OrganisationMutations {
    async fn organisation_create(
        &self,
        ctx: &Context<'_>,
        input: OrganisationCreateInput,
    ) -> async_graphql::Result<OrganisationCreatePayload> {
        let cmd = OrganisationCreate { kind: input.kind.into(), name: input.name, slug: input.slug };
        let r = outcome(organisation::create(&ctx.env()?, cmd).await)?;
        Ok(OrganisationCreatePayload::from_outcome(r, Organisation))
    }
}
