namespace Cluster.Deploy.Tests;

/// <summary>The checkout the tests run in: the nearest folder above the test binaries that holds Cluster.slnx.</summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string File(string relative) => System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "Cluster.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Cluster.slnx in {AppContext.BaseDirectory} or any folder above it");
    }
}
