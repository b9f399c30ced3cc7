// What GraphiQL opens with: the nested run history a frontend asks for in one request.
export const EXAMPLE_QUERY = `# Add your key under Headers: {"Authorization": "Bearer mlps_…"}
# Create a run first with the createRun mutation below, then run ProjectRunHistory.

query ProjectRunHistory {
  viewer { organization { slug runCount } }
  projects(first: 5) {
    nodes {
      name
      runPrefix
      runs(first: 10) {
        totalCount
        nodes {
          displayId
          name
          state
          url
          forkedFrom { displayId }
          forkStep
          forks(first: 5) { totalCount nodes { displayId forkStep } }
          stateHistory(first: 10) { nodes { fromState toState source at } }
          metrics { name last lastStep min max count }
          metric(name: "loss") { history(first: 20) { nodes { step value runId } } }
        }
      }
    }
  }
}

mutation CreateRun {
  createRun(input: { projectName: "my-ml-project", name: "baseline", tags: ["group:sweep-1"], config: { lr: 0.001 } }) {
    __typename
    ... on CreateRunSuccess { resumed run { runId displayId url state } }
    ... on Error { message }
  }
}
`;
