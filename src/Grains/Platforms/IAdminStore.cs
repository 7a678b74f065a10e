using Cluster.Grains.Auth;
using Cluster.Grains.Lexicons;

namespace Cluster.Grains.Platforms;

/// <summary>Tokens, platforms, policies, reviewers, lexicons and rumors. Secrets arrive here already hashed.</summary>
public interface IAdminStore
{
    Task<Principal?> FindPrincipalAsync(string tokenHash, CancellationToken cancellationToken);

    Task<bool> HasAdminTokenAsync(CancellationToken cancellationToken);

    Task AddAdminTokenAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>False when the id is taken.</summary>
    Task<bool> CreatePlatformAsync(string id, string name, string keyHash, CancellationToken cancellationToken);

    Task<bool> PlatformExistsAsync(string id, CancellationToken cancellationToken);

    /// <summary>Stores the policy body and returns its new version (1, 2, …).</summary>
    Task<long> PutPolicyAsync(string platform, string body, CancellationToken cancellationToken);

    Task<IReadOnlyList<(string Platform, long Version, string Body)>> AllPoliciesAsync(CancellationToken cancellationToken);

    /// <summary>False when the id is taken.</summary>
    Task<bool> CreateReviewerAsync(string id, string name, string role, IReadOnlyList<string> queues, string tokenHash, CancellationToken cancellationToken);

    /// <summary>Stores the lexicon text and returns its new version (1, 2, …).</summary>
    Task<long> PutLexiconAsync(string name, string body, int terms, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredLexicon>> AllLexiconsAsync(CancellationToken cancellationToken);

    /// <summary>Stores a rumor and returns its id ("ru-1", "ru-2", …).</summary>
    Task<string> AddRumorAsync(string title, string claim, string debunkUrl, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredRumor>> AllRumorsAsync(CancellationToken cancellationToken);

    /// <summary>Every stored lexicon's name and version, without the text.</summary>
    Task<IReadOnlyList<(string Name, long Version)>> LexiconVersionsAsync(CancellationToken cancellationToken);

    /// <summary>One stored lexicon, or null.</summary>
    Task<StoredLexicon?> GetLexiconAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// A cheap summary that changes whenever a policy, lexicon or rumor is stored (by any silo on the same store): the sums
    /// of the policy and lexicon versions (each store adds one to one version) and the number of rumors (never deleted).
    /// </summary>
    Task<AdminStamp> AdminStampAsync(CancellationToken cancellationToken);
}

/// <summary>See <see cref="IAdminStore.AdminStampAsync"/>: equal stamps mean nothing a silo screens with has changed.</summary>
public readonly record struct AdminStamp(long Policies, long Lexicons, long Rumors);
