using Cluster.Grains.Decisions;

namespace Cluster.Grains.Accounts;

/// <summary>
/// Stage 2 for one account, key "platform/account". Posts arrive through the "posts" stream (202 ingest) or through
/// <see cref="DecideAsync"/> (synchronous screening); both run the same code with the same dedupe, and every call
/// returns only after its effects (decision, review item, state) are durable.
/// </summary>
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Decides one version of a post and returns the decision in force for it; a version applied before is not applied again.</summary>
    Task<DecisionRecord> DecideAsync(PostSubmitted post);

    /// <summary>Applies a reviewer's verdict (strike, sanction, human decision); a verdict applied before (same item) is skipped.</summary>
    Task ApplyVerdictAsync(ReviewVerdict verdict);

    /// <summary>The account's standing, or null when nothing of it has been decided.</summary>
    Task<AccountState?> GetStateAsync();
}
