// Relay's compiler over documents a Relay front-end would write: a paginated connection with
// @connection and @refetchable, a Node refetch, a mutation. Only compiled, never run.
import { graphql } from 'relay-runtime';

export const list = graphql`
  query EngagementsListQuery($first: Int!, $after: String) {
    ...EngagementsList_query @arguments(first: $first, after: $after)
  }
`;

export const listFragment = graphql`
  fragment EngagementsList_query on Query
  @argumentDefinitions(first: { type: "Int", defaultValue: 10 }, after: { type: "String" })
  @refetchable(queryName: "EngagementsListPaginationQuery") {
    engagements(first: $first, after: $after) @connection(key: "EngagementsList_engagements") {
      totalCount
      edges {
        node {
          id
          ...Engagements_card
        }
      }
    }
  }
`;

export const card = graphql`
  fragment Engagements_card on Engagement @refetchable(queryName: "EngagementsCardRefetchQuery") {
    id
    title
    stage
    hostCouncil {
      id
      name
    }
    participants(first: 20) {
      totalCount
      nodes {
        id
        role
        status
        person {
          id
          name
        }
      }
    }
  }
`;

export const invite = graphql`
  mutation EngagementsInviteMutation($input: ParticipantInviteInput!) {
    participantInvite(input: $input) {
      participant {
        id
        status
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`;
