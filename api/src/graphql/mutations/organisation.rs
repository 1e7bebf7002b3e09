use async_graphql::{Context, InputObject, Object};

use super::{outcome, payload};
use crate::graphql::{
    context::CtxExt,
    types::{Organisation, OrganisationKind},
};
use pci_domain::organisation::{self, OrganisationCreate};

/// A new organisation.
#[derive(InputObject)]
pub struct OrganisationCreateInput {
    /// What sort of body it is; only councils can host or be peers.
    pub kind: OrganisationKind,
    /// Its name, up to 200 characters.
    pub name: String,
    /// Derived from the name when omitted.
    pub slug: Option<String>,
}

payload!(
    /// The result of `organisationCreate`: the new organisation, or `userErrors` saying why not.
    OrganisationCreatePayload,
    organisation: Organisation
);

#[derive(Default)]
pub struct OrganisationMutations;

#[Object]
impl OrganisationMutations {
    /// Adds an organisation. Administrators only.
    async fn organisation_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation to add.")] input: OrganisationCreateInput,
    ) -> async_graphql::Result<OrganisationCreatePayload> {
        let cmd = OrganisationCreate { kind: input.kind.into(), name: input.name, slug: input.slug };
        let r = outcome(organisation::create(&ctx.env()?, cmd).await)?;
        Ok(OrganisationCreatePayload::from_outcome(r, Organisation))
    }
}
