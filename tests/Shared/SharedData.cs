namespace Cluster.Testing;

/// <summary>
/// Locates the third-party corpora in ../shared/data (beside the repository) by walking up from the
/// running assembly, so tests and benchmarks work from any build output directory.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string> Root = new(Find);

    public static string PathOf(string relative) => Path.Combine(Root.Value, relative);

    public static string ReadAllText(string relative) => File.ReadAllText(PathOf(relative));

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, "README.md")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("shared/data not found above " + AppContext.BaseDirectory + "; check out ../shared beside the repository.");
    }
}
